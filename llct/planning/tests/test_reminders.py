"""Reminders: an email to the officers of each organization that has not submitted (and of the
committees above it), users without an email skipped and named, a "reminded" event kept."""

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from llct.core.models import Role
from llct.organizations.tests.factories import make_org, make_user
from llct.planning.models import Submission, SubmissionEvent
from llct.planning.nominations import reminders as nom_reminders
from llct.planning.tests.test_rounds import (
    NOW,
    make_round,
    submitted,
)


@pytest.fixture
def at_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def officers(world):
    """Emails for the officers: A's committee, A1's own, and one of A1 without an email."""
    world.officer_a.email = "khoi.a@example.vn"
    world.officer_a.save()
    world.officer_b.email = "khoi.b@example.vn"
    world.officer_b.save()
    own = make_user("canbo_a1", Role.ORG_OFFICER, world.org_a1, email="chibo.a1@example.vn")
    no_email = make_user(
        "canbo_a1_2", Role.ORG_OFFICER, world.org_a1, first_name="Hoa", last_name="Trần Thị"
    )
    make_user("bo_khac", Role.DEPARTMENT, email="bantuyengiao@example.vn")
    return own, no_email


def remind_url(nomination_round):
    return reverse("planning:round_remind", args=[nomination_round.pk])


def test_a_reminder_goes_to_the_officers_of_the_organization_and_above(
    client, world, officers, at_today
):
    nomination_round = make_round()
    client.force_login(world.department)
    response = client.post(remind_url(nomination_round), {"organization": world.org_a1.pk})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["chibo.a1@example.vn", "khoi.a@example.vn"]
    assert "Chi bộ A1" in message.subject and "2027" in message.subject
    link = "http://testserver" + reverse(
        "planning:submission", args=[nomination_round.pk, world.org_a1.pk]
    )
    assert link in message.body
    assert "15/12/2026" in message.body
    event = SubmissionEvent.objects.get()
    assert event.action == "reminded"
    assert event.actor == world.department
    assert event.submission.organization == world.org_a1
    assert event.submission.status == Submission.Status.DRAFT
    assert "khoi.a@example.vn" in event.note


def test_officers_without_an_email_are_skipped_and_named(client, world, officers, at_today):
    nomination_round = make_round()
    client.force_login(world.department)
    response = client.post(
        remind_url(nomination_round), {"organization": world.org_a1.pk}, follow=True
    )
    text = response.text
    assert "Trần Thị Hoa" in text and "canbo_a1_2" in text


def test_nobody_to_remind_is_said_and_nothing_is_recorded(client, world, at_today):
    nomination_round = make_round()
    lonely = make_org("Chi bộ Vắng", parent=world.province)
    make_user("khong_thu", Role.ORG_OFFICER, lonely)
    client.force_login(world.department)
    response = client.post(remind_url(nomination_round), {"organization": lonely.pk}, follow=True)
    assert mail.outbox == []
    assert not SubmissionEvent.objects.exists()
    assert "Chi bộ Vắng" in response.text


def test_remind_all_skips_the_organizations_that_submitted(client, world, officers, at_today):
    nomination_round = make_round()
    submitted(nomination_round, world.org_b1)
    client.force_login(world.department)
    client.post(remind_url(nomination_round), {"all_pending": "1"})
    assert [sorted(m.to) for m in mail.outbox] == [["chibo.a1@example.vn", "khoi.a@example.vn"]]
    assert SubmissionEvent.objects.filter(action="reminded").count() == 1


def test_the_reminder_is_shown_in_the_history_and_the_status_table(
    client, world, officers, at_today
):
    nomination_round = make_round()
    client.force_login(world.department)
    client.post(remind_url(nomination_round), {"organization": world.org_a1.pk})
    response = client.get(
        reverse("planning:submission", args=[nomination_round.pk, world.org_a1.pk])
    )
    assert [e.action for e, _label in response.context["events"]] == ["reminded"]
    response = client.get(reverse("planning:round_status", args=[nomination_round.pk]))
    row = next(r for r in response.context["table"].rows if r.organization == world.org_a1)
    assert row.last_reminded is not None


@pytest.mark.parametrize("who", ["officer_a", "leader", "learner"])
def test_only_the_department_reminds(client, world, officers, at_today, who):
    nomination_round = make_round()
    client.force_login(getattr(world, who))
    response = client.post(remind_url(nomination_round), {"organization": world.org_a1.pk})
    assert response.status_code == 403
    assert mail.outbox == []


def test_a_closed_round_sends_no_reminder(client, world, officers, at_today):
    nomination_round = make_round(is_closed=True)
    client.force_login(world.department)
    client.post(remind_url(nomination_round), {"all_pending": "1"})
    assert mail.outbox == []


def test_organization_officers_are_looked_up_in_one_query(
    world, officers, django_assert_num_queries
):
    organizations = [world.org_a1, world.org_b1] + [
        make_org(f"Chi bộ {i}", parent=world.org_a) for i in range(20)
    ]
    with django_assert_num_queries(1):
        found = nom_reminders.organization_officers(organizations)
    assert {u.username for u in found[world.org_a1.pk]} == {"canbo_a", "canbo_a1", "canbo_a1_2"}
    assert {u.username for u in found[world.org_b1.pk]} == {"canbo_b"}
