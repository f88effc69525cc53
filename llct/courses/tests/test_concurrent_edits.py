"""Two officers edit the same course, session, venue or the scheduling rules at once: neither
silently undoes the other."""

import datetime as dt

import pytest
from django.urls import reverse

from llct.core.models import Role
from llct.core.tests.pages import assert_no_lost_update, two_clients
from llct.courses.tests.factories import (
    make_course,
    make_programme,
    make_session,
    make_venue,
)
from llct.organizations.tests.factories import make_user


@pytest.fixture
def departments(world):
    return two_clients(world.department, make_user("bantuyengiao2", Role.DEPARTMENT))


def test_course_edits_at_once_merge_or_refuse(world):
    course = make_course(make_programme(), world.org_a, starts_on=dt.date(2027, 3, 1))
    hall = make_venue("Hội trường Đảng ủy Khối A")
    assert_no_lost_update(
        two_clients(world.department, world.officer_a),
        reverse("courses:edit", args=[course.pk]),
        having="partner",
        first={"partner": "Trường Chính trị tỉnh"},
        second={"venue": str(hall.pk), "capacity": "60"},
        clash=("name", "Lớp nghiệp vụ khóa 1", "Lớp nghiệp vụ công tác Đảng 2027"),
    )


def test_session_edits_at_once_merge_or_refuse(world, departments):
    course = make_course(make_programme(), world.province, starts_on=dt.date(2027, 3, 1))
    session = make_session(course, dt.date(2027, 3, 2))
    assert_no_lost_update(
        departments,
        reverse("courses:session_edit", args=[session.pk]),
        having="note",
        first={"note": "Mời báo cáo viên Tỉnh ủy"},
        second={"venue": str(make_venue().pk)},
        clash=("date", "03/03/2027", "04/03/2027"),
    )


def test_venue_edits_at_once_merge_or_refuse(departments):
    venue = make_venue("Hội trường Tỉnh ủy", capacity=300)
    assert_no_lost_update(
        departments,
        reverse("courses:venue_edit", args=[venue.pk]),
        having="capacity",
        first={"address": "Số 1 đường Trần Hưng Đạo"},
        second={"equipment": "Máy chiếu, 2 micro"},
        clash=("capacity", "250", "320"),
    )


def test_scheduling_rules_edits_at_once_merge_or_refuse(departments):
    assert_no_lost_update(
        departments,
        reverse("courses:rules"),
        having="checkin_opens_minutes",
        first={"checkin_opens_minutes": "45"},
        second={"morning_start": "07:00"},
        clash=("checkin_closes_minutes", "90", "30"),
    )
