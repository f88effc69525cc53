import datetime as dt
from decimal import Decimal

import pytest

from llct.corps.ledger import hours_ledger
from llct.corps.models import HoursMinimum, WorkNorm
from llct.corps.services import standards_set
from llct.corps.tests.factories import make_lecturer, make_sessions, make_work

pytestmark = pytest.mark.django_db


def test_sessions_count_four_hours_each_within_the_calendar_year(world):
    lecturer = make_lecturer()
    make_sessions(
        lecturer,
        world.org_a,
        [dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 1)],
    )
    (row,) = hours_ledger(lecturers=[lecturer], year=2026)
    assert row.sessions == 2
    assert row.lecturing_hours == Decimal("8.00")


def test_ten_essays_make_one_hour_and_fifteen_make_one_and_a_half(world):
    lecturer = make_lecturer()
    make_work(lecturer, "essays", 15, dt.date(2026, 1, 1))
    make_work(lecturer, "essays", 10, dt.date(2025, 12, 31))
    (row,) = hours_ledger(lecturers=[lecturer], year=2026)
    assert row.other_hours == Decimal("1.50")


def test_part_time_minimum_is_twenty_and_the_shortfall_stands_out(world):
    lecturer = make_lecturer()
    days = [dt.date(2026, 3, d) for d in range(2, 6)]  # 4 sessions = 16 giờ chuẩn
    make_sessions(lecturer, world.org_a, days)
    (row,) = hours_ledger(lecturers=[lecturer], year=2026)
    assert row.minimum == Decimal(20)
    assert row.short and row.shortfall == Decimal(4)
    make_work(lecturer, "essays", 40, dt.date(2026, 12, 31))  # + 4 on the last day of the year
    (row,) = hours_ledger(lecturers=[lecturer], year=2026)
    assert row.hours == Decimal(20) and not row.short


def test_full_time_post_follows_qd_1853_including_the_lecturing_share(world):
    lecturer = make_lecturer(kind="full_time")
    standards_set(lecturer=lecturer, post="director", theory_level=3, actor=world.department)
    make_work(lecturer, "field_trip", 10, dt.date(2026, 6, 1))  # 40 giờ chuẩn, none lecturing
    (row,) = hours_ledger(lecturers=[lecturer], year=2026)
    assert row.minimum == Decimal(40)
    assert row.hours == Decimal(40)
    assert row.shortfall == Decimal(30)  # 30 of the 40 must be lecturing


def test_norms_and_minimums_are_settings(world):
    WorkNorm.objects.filter(kind="session").update(hours=Decimal(5))
    HoursMinimum.objects.filter(post="part_time").update(hours=Decimal(10))
    lecturer = make_lecturer()
    make_sessions(lecturer, world.org_a, [dt.date(2026, 5, 4), dt.date(2026, 5, 5)])
    (row,) = hours_ledger(lecturers=[lecturer], year=2026)
    assert row.hours == Decimal(10) and not row.short


def test_guest_speakers_have_no_minimum(world):
    lecturer = make_lecturer(kind="guest")
    (row,) = hours_ledger(lecturers=[lecturer], year=2026)
    assert row.minimum is None and not row.short


def test_lectures_outside_the_courses_count_as_lecturing(world):
    lecturer = make_lecturer(kind="full_time")
    make_work(lecturer, "lecture", 23, dt.date(2026, 2, 1))  # 92 giờ chuẩn of lecturing
    make_work(lecturer, "field_trip", 7, dt.date(2026, 2, 1))  # 28 more
    (row,) = hours_ledger(lecturers=[lecturer], year=2026)
    assert row.lecturing_hours == Decimal(92) and row.hours == Decimal(120)
    assert not row.short
