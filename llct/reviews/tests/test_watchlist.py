"""Overdue recommendations join monitoring's watchlists through its registry (reviews registers
in AppConfig.ready; monitoring never imports reviews): the leader and the officers see them
in their subtree's watchlists, counted the same way as listed."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from llct.monitoring import watchlists as w
from llct.reviews import inspections as ins
from llct.reviews.selectors import OVERDUE
from llct.reviews.tests.factories import inspection

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 9, 15)


@pytest.fixture
def overdue(world):
    insp = inspection(world)
    for org, deadline in (
        (world.org_a1, dt.date(2026, 8, 31)),  # overdue
        (world.org_a1, dt.date(2026, 9, 30)),  # not yet due
    ):
        ins.recommendation_create(
            inspection=insp,
            organization=org,
            text="Cử đủ đảng viên dự bị đi học lớp đảng viên mới.",
            deadline=deadline,
            finding=None,
            today=dt.date(2026, 7, 10),
            actor=world.department,
        )
    return world


def lists(user, **kwargs):
    return {x.code: x for x in w.watchlists(user=user, today=TODAY, **kwargs)}


def test_monitoring_knows_the_list_only_through_its_registry():
    assert OVERDUE in w.REGISTERED
    assert "llct.reviews" not in Path(w.__file__).read_text(encoding="utf-8")


def test_the_leader_sees_overdue_recommendations_in_the_watchlists(overdue):
    found = lists(overdue.leader)[OVERDUE]
    assert found.count == 1
    assert found.items[0].organization == overdue.org_a1.name
    assert "31/08/2026" in found.items[0].detail
    assert lists(overdue.leader, counts_only=True)[OVERDUE].count == 1
    assert str(found.label) == "Kiến nghị sau kiểm tra, giám sát quá hạn"


def test_each_officer_sees_only_their_subtree(overdue):
    assert lists(overdue.officer_a)[OVERDUE].count == 1
    assert lists(overdue.officer_b)[OVERDUE].count == 0


@time_machine.travel(dt.datetime(2026, 9, 15, 9, tzinfo=dt.UTC))
def test_the_watchlist_page_links_each_recommendation(client, overdue):
    client.force_login(overdue.leader)
    page = client.get(reverse("monitoring:watchlists")).text
    assert "Kiến nghị sau kiểm tra, giám sát quá hạn" in page
    assert "Cử đủ đảng viên dự bị đi học lớp đảng viên mới." in page
    assert "<th>Kiến nghị</th>" in page  # the first column names recommendations, not people
