"""Submitting nominations: the deadline, taking back, the department's reopening until a date,
the history of every step, who may act, and the department's status table."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from llct.organizations.models import MembershipStage
from llct.organizations.tests.factories import make_org, make_person
from llct.planning.models import Nomination, Submission, SubmissionEvent
from llct.planning.nominations import services as nom_services
from llct.planning.tests.test_rounds import (
    DEADLINE,
    NOW,
    TZ,
    make_round,
    programme,
    submitted,
)


@pytest.fixture
def at_today():
    with time_machine.travel(NOW, tick=False):
        yield


BEFORE = DEADLINE  # the deadline day itself is still in time
AFTER = DEADLINE + dt.timedelta(days=1)


def common(nomination_round, organization, actor, today):
    return {
        "nomination_round": nomination_round,
        "organization": organization,
        "actor": actor,
        "today": today,
    }


def submit(nomination_round, organization, actor, today):
    return nom_services.submission_submit(**common(nomination_round, organization, actor, today))


def add(nomination_round, organization, person, actor, today, code="SC"):
    return nom_services.nomination_add(
        person_id=person.pk,
        programme=programme(code),
        priority=2,
        quarter=None,
        note="",
        **common(nomination_round, organization, actor, today),
    )


def at(day, hour=9):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=TZ), tick=False)


# --- The deadline -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_submitting_on_the_deadline_day_is_in_time(world):
    nomination_round = make_round()
    add(nomination_round, world.org_a1, world.person_a, world.officer_a, BEFORE)
    submission = submit(nomination_round, world.org_a1, world.officer_a, BEFORE)
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.submitted_by == world.officer_a
    event = submission.events.get()
    assert (event.action, event.actor, event.note) == (
        "submitted",
        world.officer_a,
        "1 người được đề xuất",
    )


@pytest.mark.django_db
def test_submitting_after_the_deadline_is_refused(world):
    nomination_round = make_round()
    with pytest.raises(ValidationError) as error:
        submit(nomination_round, world.org_a1, world.officer_a, AFTER)
    assert "Đã quá hạn nộp (15/12/2026)" in error.value.messages[0]
    assert not Submission.objects.filter(status=Submission.Status.SUBMITTED).exists()
    with pytest.raises(ValidationError):
        add(nomination_round, world.org_a1, world.person_a, world.officer_a, AFTER)


@pytest.mark.django_db
def test_reopened_it_may_be_changed_and_submitted_until_the_date_inclusive(world):
    nomination_round = make_round()
    until = AFTER + dt.timedelta(days=5)
    nom_services.submission_reopen(
        until=until,
        note="Bổ sung đảng viên mới",
        **common(nomination_round, world.org_a1, world.department, AFTER),
    )
    add(nomination_round, world.org_a1, world.person_a, world.officer_a, until)
    submission = submit(nomination_round, world.org_a1, world.officer_a, until)
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.reopened_until == until
    assert [e.action for e in submission.events.all()] == ["reopened", "submitted"]
    reopened, sent = submission.events.all()
    assert "Bổ sung đảng viên mới" in reopened.note
    assert sent.note == "1 người được đề xuất, sau hạn nộp"


@pytest.mark.django_db
def test_after_the_reopening_ends_changes_are_refused_again(world):
    nomination_round = make_round()
    until = AFTER + dt.timedelta(days=5)
    nom_services.submission_reopen(
        until=until, note="", **common(nomination_round, world.org_a1, world.department, AFTER)
    )
    day_after = until + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        submit(nomination_round, world.org_a1, world.officer_a, day_after)
    assert until.strftime("%d/%m/%Y") in error.value.messages[0]


@pytest.mark.django_db
def test_reopening_needs_a_date_not_in_the_past(world):
    nomination_round = make_round()
    with pytest.raises(ValidationError) as error:
        nom_services.submission_reopen(
            until=AFTER - dt.timedelta(days=1),
            note="",
            **common(nomination_round, world.org_a1, world.department, AFTER),
        )
    assert "reopened_until" in error.value.error_dict


@pytest.mark.django_db
def test_a_submitted_list_is_locked_until_taken_back_before_the_deadline(world):
    nomination_round = make_round()
    submit(nomination_round, world.org_a1, world.officer_a, BEFORE)
    with pytest.raises(ValidationError):
        add(nomination_round, world.org_a1, world.person_a, world.officer_a, BEFORE)
    with pytest.raises(ValidationError):
        nom_services.submission_take_back(
            **common(nomination_round, world.org_a1, world.officer_a, AFTER)
        )
    submission = nom_services.submission_take_back(
        **common(nomination_round, world.org_a1, world.officer_a, BEFORE)
    )
    assert submission.status == Submission.Status.DRAFT
    add(nomination_round, world.org_a1, world.person_a, world.officer_a, BEFORE)
    submit(nomination_round, world.org_a1, world.officer_a, BEFORE)
    assert list(submission.events.values_list("action", flat=True)) == [
        "submitted",
        "unlocked",
        "submitted",
    ]


@pytest.mark.django_db
def test_a_closed_round_takes_no_more_changes(world):
    nomination_round = make_round(is_closed=True)
    with pytest.raises(ValidationError):
        submit(nomination_round, world.org_a1, world.officer_a, BEFORE)
    with pytest.raises(ValidationError):
        nom_services.submission_reopen(
            until=AFTER, note="", **common(nomination_round, world.org_a1, world.department, BEFORE)
        )


# --- Through the pages ------------------------------------------------------------------------


def page(nomination_round, organization):
    return reverse("planning:submission", args=[nomination_round.pk, organization.pk])


def test_officer_submits_and_the_page_shows_the_history(client, world):
    nomination_round = make_round()
    person = make_person(
        world.org_a1,
        "Lê Thị Mới",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=dt.date(2026, 6, 1),
    )
    with at(BEFORE):
        client.force_login(world.officer_a)
        client.post(page(nomination_round, world.org_a1), {"action": "accept_urgent"})
        response = client.post(page(nomination_round, world.org_a1), {"action": "submit"})
        assert response.status_code == 302
        response = client.get(page(nomination_round, world.org_a1))
    assert response.context["status"] == "submitted"
    assert "Lê Thị Mới" in response.text
    assert "canbo_a" in response.text  # who submitted, in the history
    assert [e.action for e, _label in response.context["events"]] == ["submitted"]
    assert Nomination.objects.get().person == person


def test_submit_after_deadline_is_refused_on_the_page_with_the_reason(client, world):
    nomination_round = make_round()
    with at(AFTER):
        # Sign in on the day: a session from weeks before would have expired.
        client.force_login(world.officer_a)
        response = client.post(page(nomination_round, world.org_a1), {"action": "submit"})
    assert response.status_code == 422
    assert "15/12/2026" in response.text
    assert not Submission.objects.filter(status="submitted").exists()


def test_department_reopens_through_the_page_then_the_officer_submits(client, world):
    nomination_round = make_round()
    url = reverse("planning:submission_reopen", args=[nomination_round.pk, world.org_a1.pk])
    with at(AFTER):
        client.force_login(world.department)
        assert client.get(url).status_code == 200
        response = client.post(url, {"reopened_until": "20/12/2026", "note": "Bổ sung"})
        assert response.status_code == 302
    with at(dt.date(2026, 12, 20)):
        # Sign in on the day: a session from weeks before would have expired.
        client.force_login(world.officer_a)
        response = client.post(page(nomination_round, world.org_a1), {"action": "submit"})
        assert response.status_code == 302
    with at(dt.date(2026, 12, 21)):
        client.post(page(nomination_round, world.org_a1), {"action": "take_back"})
    assert Submission.objects.get().status == Submission.Status.SUBMITTED


@pytest.mark.parametrize("who", ["officer_a", "leader", "officer_b"])
def test_only_the_department_reopens(client, world, at_today, who):
    nomination_round = make_round()
    client.force_login(getattr(world, who))
    url = reverse("planning:submission_reopen", args=[nomination_round.pk, world.org_a1.pk])
    assert client.post(url, {"reopened_until": "20/12/2026"}).status_code == 403
    assert not Submission.objects.exists()


def test_an_officer_cannot_submit_for_another_subtree(client, world, at_today):
    nomination_round = make_round()
    client.force_login(world.officer_b)
    assert (
        client.post(page(nomination_round, world.org_a1), {"action": "submit"}).status_code == 404
    )
    assert not Submission.objects.exists()


def test_an_officer_cannot_remove_another_organizations_nomination(client, world, at_today):
    nomination_round = make_round()
    other = submitted(
        nomination_round, world.org_b1, world.person_b, status=Submission.Status.DRAFT
    )
    client.force_login(world.officer_a)
    response = client.post(
        page(nomination_round, world.org_a1), {"remove": other.nominations.get().pk}
    )
    assert response.status_code == 404
    assert Nomination.objects.count() == 1


# --- The department's status table ------------------------------------------------------------


def status_url(nomination_round, **query):
    url = reverse("planning:round_status", args=[nomination_round.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_status_table_shows_who_submitted_and_highlights_the_late(client, world):
    nomination_round = make_round()
    submitted(nomination_round, world.org_a1, world.person_a)
    with at(AFTER):
        # Sign in on the day: a session from weeks before would have expired.
        client.force_login(world.department)
        response = client.get(status_url(nomination_round))
    table = response.context["table"]
    assert (table.total, table.submitted, table.pending, table.late) == (2, 1, 1, 1)
    rows = {r.organization: r for r in table.rows}
    assert rows[world.org_a1].is_submitted and rows[world.org_a1].nominations == 1
    assert rows[world.org_b1].late and rows[world.org_b1].status == "not_started"
    assert f'id="org-{world.org_b1.pk}" class="is-late"' in response.text
    with at(AFTER):
        response = client.get(status_url(nomination_round, show="pending"))
    assert [r.organization for r in response.context["table"].rows] == [world.org_b1]
    with at(AFTER):
        response = client.get(
            status_url(nomination_round, show="late"), headers={"HX-Request": "true"}
        )
    assert "<h1>" not in response.text and "Chi bộ B1" in response.text


def test_status_table_before_the_deadline_has_no_late_rows(client, world):
    nomination_round = make_round()
    with at(BEFORE):
        client.force_login(world.department)
        response = client.get(status_url(nomination_round))
    assert response.context["table"].late == 0


def test_a_reopened_submission_is_late_only_after_its_reopening(client, world):
    nomination_round = make_round()
    nom_services.submission_reopen(
        until=AFTER + dt.timedelta(days=3),
        note="",
        **common(nomination_round, world.org_b1, world.department, AFTER),
    )
    with at(AFTER):
        # Sign in on the day: a session from weeks before would have expired.
        client.force_login(world.department)
        rows = {
            r.organization: r
            for r in client.get(status_url(nomination_round)).context["table"].rows
        }
    assert not rows[world.org_b1].late
    assert rows[world.org_a1].late


def test_an_officer_sees_only_their_subtree_in_the_status_table(client, world, at_today):
    nomination_round = make_round()
    client.force_login(world.officer_b)
    response = client.get(status_url(nomination_round))
    assert [r.organization for r in response.context["table"].rows] == [world.org_b1]
    assert reverse("planning:round_remind", args=[nomination_round.pk]) not in response.text


def test_status_table_takes_a_constant_number_of_queries(
    client, world, at_today, django_assert_max_num_queries
):
    nomination_round = make_round()
    for i in range(60):
        organization = make_org(f"Chi bộ thêm {i}", parent=world.org_b)
        sub = submitted(nomination_round, organization, status=Submission.Status.DRAFT)
        SubmissionEvent.objects.create(submission=sub, action="reminded")
    client.force_login(world.department)
    with django_assert_max_num_queries(8):
        response = client.get(status_url(nomination_round))
    assert response.context["table"].total == 62
    with django_assert_max_num_queries(8):
        client.get(reverse("planning:nominations"))


def test_suggestions_are_shown_a_page_at_a_time(client, world, monkeypatch):
    from llct.planning import views_nominations

    monkeypatch.setattr(views_nominations, "SUGGESTIONS_PAGE_SIZE", 1)
    nomination_round = make_round()
    for name in ("Lê Thị Mới", "Phan Văn Mới"):
        make_person(
            world.org_a1, name, stage=MembershipStage.PROBATIONARY, admitted_on=dt.date(2026, 6, 1)
        )
    with at(BEFORE):
        client.force_login(world.officer_a)
        first = client.get(page(nomination_round, world.org_a1))
        second = client.get(page(nomination_round, world.org_a1), {"goi-y": 2})
    assert len(first.context["suggestions"].items) == 2
    assert first.context["suggestion_page"].has_next and 'href="?goi-y=2#suggestions"' in first.text
    shown = [s.full_name for s in first.context["suggestion_page"].object_list]
    shown += [s.full_name for s in second.context["suggestion_page"].object_list]
    assert sorted(shown) == ["Lê Thị Mới", "Phan Văn Mới"]
