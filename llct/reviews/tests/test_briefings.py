"""Briefings: the agenda starts from the period's figures and open recommendations; action
items with owners and deadlines; who may hold and read them."""

import datetime as dt

import pytest
from django.urls import reverse

from llct.reviews import briefings as brief
from llct.reviews import inspections as ins
from llct.reviews.models import ActionItem, Briefing
from llct.reviews.tests.factories import inspection, results_world

pytestmark = pytest.mark.django_db


def test_period_is_the_month_or_quarter_before():
    assert brief.period_for("monthly", dt.date(2026, 7, 10)) == (
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 30),
    )
    assert brief.period_for("quarterly", dt.date(2026, 7, 10)) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    assert brief.period_for("quarterly", dt.date(2026, 2, 1)) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )


def test_agenda_is_prefilled_with_figures_and_open_recommendations(client, world):
    results_world(world)
    insp = inspection(world)
    ins.recommendation_create(
        inspection=insp,
        organization=world.org_a1,
        text="Bổ sung hồ sơ lớp học.",
        deadline=dt.date(2026, 9, 1),
        finding=None,
        today=dt.date(2026, 7, 1),
        actor=world.department,
    )
    client.force_login(world.department)
    response = client.post(
        reverse("reviews:briefing_create"),
        {
            "kind": "quarterly",
            "organization": world.province.pk,
            "period_start": "01/01/2026",
            "period_end": "30/06/2026",
            "held_on": "10/07/2026",
            "place": "Hội trường Tỉnh ủy",
            "attendees": [world.department.pk, world.officer_a.pk],
        },
    )
    assert response.status_code == 302
    briefing = Briefing.objects.get()
    assert "7/9 đạt (77,8%)" in briefing.agenda
    assert "Bổ sung hồ sơ lớp học." in briefing.agenda
    assert briefing.attendees.count() == 2


def test_action_items_with_owner_and_deadline(client, world):
    briefing = brief.briefing_save(
        briefing=None,
        kind="monthly",
        organization=world.province,
        period_start=dt.date(2026, 6, 1),
        period_end=dt.date(2026, 6, 30),
        held_on=dt.date(2026, 7, 3),
        place="",
        chair="",
        attendees=[],
        other_attendees="",
        agenda="1. Tình hình tháng 6.",
        minutes="",
        actor=world.department,
    )
    client.force_login(world.department)
    client.post(
        reverse("reviews:action_add", args=[briefing.pk]),
        {"text": "Mở lớp đảng viên mới", "owner": world.org_a.pk, "deadline": "31/07/2026"},
    )
    item = ActionItem.objects.get()
    assert item.owner == world.org_a
    client.post(reverse("reviews:action_done", args=[item.pk]))
    item.refresh_from_db()
    assert item.done_on is not None
    # An officer of A reads the province's briefing but may not add to it.
    client.force_login(world.officer_a)
    assert client.get(reverse("reviews:briefing", args=[briefing.pk])).status_code == 200
    response = client.post(
        reverse("reviews:action_add", args=[briefing.pk]),
        {"text": "x", "owner": world.org_a.pk, "deadline": "31/07/2026"},
    )
    assert response.status_code == 403
    assert ActionItem.objects.count() == 1


def test_officer_of_b_does_not_see_a_briefing_of_a(client, world):
    briefing = brief.briefing_save(
        briefing=None,
        kind="monthly",
        organization=world.org_a,
        period_start=dt.date(2026, 6, 1),
        period_end=dt.date(2026, 6, 30),
        held_on=dt.date(2026, 7, 3),
        place="",
        chair="",
        attendees=[],
        other_attendees="",
        agenda="x",
        minutes="",
        actor=world.officer_a,
    )
    client.force_login(world.officer_b)
    assert client.get(reverse("reviews:briefing", args=[briefing.pk])).status_code == 404
    client.force_login(world.officer_a)
    assert client.get(reverse("reviews:briefing_edit", args=[briefing.pk])).status_code == 200
