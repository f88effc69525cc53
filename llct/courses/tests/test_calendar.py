"""Week and month calendars (who may see which), and the .ics feeds for phones."""

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from llct.core.models import Role
from llct.courses import calendars, feeds
from llct.courses.models import CalendarFeed, Course, Enrolment
from llct.courses.tests.test_attendance import (
    MONDAY,
    ZONE,
    enrol,
    lecturer_user,
    make_course,
    make_session,
    make_venue,
)
from llct.organizations.tests.factories import make_person, make_user

CAL = reverse("courses:calendar")


def chips(text: str) -> list[tuple[str, str]]:
    """(date, course name) of every session chip on the page."""
    found = []
    for day, body in re.findall(
        r'data-date="([\d-]+)">(.*?)(?=data-date="|</table>|$)', text, re.S
    ):
        found += [(day, name.strip()) for name in re.findall(r'class="chip-course">([^<]*)<', body)]
    return found


@pytest.fixture
def cal(world):
    lecturer, lecturer_account = lecturer_user()
    venue = make_venue()
    course_a = make_course(world.org_a, name="Lớp của Khối A")
    course_b = make_course(world.org_b, name="Lớp của Khối B")
    enrol(course_a, world.person_a)
    enrol(course_b, world.person_b)
    sessions = {
        "a_monday": make_session(course_a, MONDAY, lecturer=lecturer, venue=venue),
        "a_sunday": make_session(course_a, MONDAY + dt.timedelta(days=6)),
        "a_next_monday": make_session(course_a, MONDAY + dt.timedelta(days=7)),
        "b_tuesday": make_session(course_b, MONDAY + dt.timedelta(days=1), venue=venue),
    }
    return {
        "lecturer": lecturer,
        "lecturer_user": lecturer_account,
        "venue": venue,
        "course_a": course_a,
        "course_b": course_b,
        **sessions,
    }


# --- Week and month boundaries ----------------------------------------------------------------


def test_week_runs_from_monday_to_sunday(client, world, cal):
    client.force_login(world.department)
    text = client.get(CAL, {"view": "week", "date": "04/03/2026"}).text
    days = re.findall(r'<section class="day[^"]*" data-date="([\d-]+)"', text)
    assert days[0] == "2026-03-02" and days[-1] == "2026-03-08" and len(days) == 7
    assert "Thứ Hai" in text and "Chủ nhật" in text
    assert sorted(chips(text)) == [
        ("2026-03-02", "Lớp của Khối A"),
        ("2026-03-03", "Lớp của Khối B"),
        ("2026-03-08", "Lớp của Khối A"),
    ]
    # Previous and next are real links that keep the view.
    assert 'href="?view=week&amp;date=2026-02-25"' in text
    assert 'href="?view=week&amp;date=2026-03-11"' in text


def test_month_starting_on_a_sunday_begins_the_grid_on_the_monday_before(client, world, cal):
    # 1 March 2026 is a Sunday: the grid runs from Monday 23 February to Sunday 5 April.
    course = cal["course_a"]
    make_session(course, dt.date(2026, 2, 22))  # the Sunday before the grid: not shown
    make_session(course, dt.date(2026, 2, 23))  # first cell, greyed
    make_session(course, dt.date(2026, 3, 1))  # the first of the month, a Sunday
    make_session(course, dt.date(2026, 4, 5))  # last cell, greyed
    make_session(course, dt.date(2026, 4, 6))  # after the grid
    client.force_login(world.department)
    text = client.get(CAL, {"view": "month", "date": "2026-03-15"}).text
    cells = re.findall(r'<td class="day([^"]*)" data-date="([\d-]+)"', text)
    assert cells[0] == (" other-month", "2026-02-23")
    assert cells[6] == ("", "2026-03-01")
    assert cells[-1] == (" other-month", "2026-04-05")
    assert len(cells) == 42 and text.count("<tr>") == 7  # header + six weeks
    shown = {day for day, _name in chips(text)}
    assert {"2026-02-23", "2026-03-01", "2026-04-05"} <= shown
    assert "2026-02-22" not in shown and "2026-04-06" not in shown
    assert "Tháng 03/2026" in text
    assert 'href="?view=month&amp;date=2026-02-01"' in text
    assert 'href="?view=month&amp;date=2026-04-01"' in text


def test_calendar_range_and_step():
    assert calendars.calendar_range("month", dt.date(2026, 11, 30)) == (
        dt.date(2026, 10, 26),
        dt.date(2026, 12, 6),
    )
    assert calendars.calendar_step("month", dt.date(2026, 1, 31)) == (
        dt.date(2025, 12, 1),
        dt.date(2026, 2, 1),
    )
    assert calendars.calendar_range("week", dt.date(2026, 3, 1)) == (
        dt.date(2026, 2, 23),
        dt.date(2026, 3, 1),
    )


def test_date_accepts_day_first_and_iso_and_falls_back_to_today(client, world, cal):
    client.force_login(world.department)
    for value in ("02/03/2026", "2026-03-02"):
        text = client.get(CAL, {"date": value}).text
        assert 'data-date="2026-03-02"' in text
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, 0, tzinfo=ZONE), tick=False):
        text = client.get(CAL, {"date": "31/02/2026"}).text
    assert '<section class="day today" data-date="2026-03-04"' in text


def test_htmx_navigation_gets_only_the_calendar(client, world, cal):
    client.force_login(world.department)
    response = client.get(CAL, {"date": "2026-03-02"}, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="calendar"')
    assert "<html" not in response.text


# --- Who sees which calendar ------------------------------------------------------------------


def test_learner_sees_only_their_own_sessions(client, world, cal):
    client.force_login(world.learner)
    text = client.get(CAL, {"date": "2026-03-02"}).text
    assert "Lịch học của tôi" in text
    assert {name for _d, name in chips(text)} == {"Lớp của Khối A"}
    assert client.get(CAL, {"learner": "me", "date": "2026-03-02"}).status_code == 200


def test_withdrawn_learner_no_longer_sees_the_course(client, world, cal):
    Enrolment.objects.filter(person=world.person_a).update(
        status=Enrolment.Status.WITHDRAWN, withdrawn_on=MONDAY, withdrawal_reason="Ốm"
    )
    client.force_login(world.learner)
    assert chips(client.get(CAL, {"date": "2026-03-02"}).text) == []


def test_learner_cannot_see_venue_lecturer_or_organization_calendars(client, world, cal):
    client.force_login(world.learner)
    assert client.get(CAL, {"venue": cal["venue"].pk}).status_code == 403
    assert client.get(CAL, {"lecturer": cal["lecturer"].pk}).status_code == 403
    assert client.get(CAL, {"organization": world.org_a1.pk}).status_code == 404
    assert client.get(CAL, {"learner": "12"}).status_code == 404


def test_staff_see_venue_and_lecturer_calendars(client, world, cal):
    client.force_login(world.officer_b)
    text = client.get(CAL, {"venue": cal["venue"].pk, "date": "2026-03-02"}).text
    assert "Lịch của Hội trường Tỉnh ủy" in text
    assert sorted(name for _d, name in chips(text)) == ["Lớp của Khối A", "Lớp của Khối B"]
    text = client.get(CAL, {"lecturer": cal["lecturer"].pk, "date": "2026-03-02"}).text
    assert "Lịch giảng của Lê Văn Giảng" in text
    assert chips(text) == [("2026-03-02", "Lớp của Khối A")]
    assert client.get(CAL, {"venue": 999999}).status_code == 404
    assert client.get(CAL, {"venue": "abc"}).status_code == 404


def test_organization_calendars_only_within_scope(client, world, cal):
    client.force_login(world.officer_a)
    text = client.get(CAL, {"date": "2026-03-02"}).text  # default: their organization
    assert "Lịch của Đảng ủy Khối A" in text
    assert {name for _d, name in chips(text)} == {"Lớp của Khối A"}
    assert client.get(CAL, {"organization": world.org_a1.pk}).status_code == 200
    assert client.get(CAL, {"organization": world.org_b.pk}).status_code == 404
    assert client.get(CAL, {"organization": world.province.pk}).status_code == 404
    client.force_login(world.department)
    text = client.get(CAL, {"organization": world.org_b.pk, "date": "2026-03-02"}).text
    assert {name for _d, name in chips(text)} == {"Lớp của Khối B"}


def test_organization_calendar_includes_courses_its_people_attend(client, world, cal):
    province_course = make_course(world.province, name="Lớp của Tỉnh")
    make_session(province_course, MONDAY + dt.timedelta(days=2))
    enrol(province_course, world.person_b)
    client.force_login(world.officer_b)
    names = {name for _d, name in chips(client.get(CAL, {"date": "2026-03-02"}).text)}
    assert names == {"Lớp của Khối B", "Lớp của Tỉnh"}


def test_lecturer_sees_their_own_teaching_by_default_with_a_roll_call_link(client, world, cal):
    client.force_login(cal["lecturer_user"])
    text = client.get(CAL, {"date": "2026-03-02"}).text
    assert "Lịch giảng của Lê Văn Giảng" in text
    assert chips(text) == [("2026-03-02", "Lớp của Khối A")]
    assert reverse("courses:roll_call", args=[cal["a_monday"].pk]) in text


def test_department_sees_everything_by_default(client, world, cal):
    client.force_login(world.department)
    text = client.get(CAL, {"date": "2026-03-02"}).text
    assert "Tất cả buổi học" in text
    assert len(chips(text)) == 3


def test_cancelled_courses_are_left_out(client, world, cal):
    Course.objects.filter(pk=cal["course_b"].pk).update(status=Course.Status.CANCELLED)
    client.force_login(world.department)
    names = {name for _d, name in chips(client.get(CAL, {"date": "2026-03-02"}).text)}
    assert names == {"Lớp của Khối A"}


@pytest.mark.parametrize("view", ["week", "month"])
def test_calendar_takes_a_fixed_number_of_queries(
    client, world, cal, view, django_assert_max_num_queries
):
    for i in range(60):
        course = make_course(world.org_a, name=f"Lớp số {i}", code=f"LS{i}")
        make_session(course, MONDAY + dt.timedelta(days=i % 7), venue=cal["venue"])
    for user, params in [
        (world.department, {}),
        (world.officer_a, {}),
        (world.officer_a, {"venue": cal["venue"].pk}),
        (cal["lecturer_user"], {}),
        (world.learner, {}),
    ]:
        client.force_login(user)
        with django_assert_max_num_queries(12):
            response = client.get(CAL, {"view": view, "date": "2026-03-02", **params})
        assert response.status_code == 200


# --- My calendar and the .ics feed ------------------------------------------------------------


def test_my_calendar_shows_the_feed_link(client, world, cal):
    client.force_login(world.learner)
    text = client.get(reverse("courses:my_calendar"), {"date": "2026-03-02"}).text
    feed = CalendarFeed.objects.get(user=world.learner)
    assert len(feed.token) >= 32
    assert f"http://testserver/lop-hoc/lich/{feed.token}.ics" in text
    assert f"webcal://testserver/lop-hoc/lich/{feed.token}.ics" in text
    assert {name for _d, name in chips(text)} == {"Lớp của Khối A"}


def test_a_new_link_replaces_the_old_one(client, world, cal):
    client.force_login(world.learner)
    old = feeds.calendar_feed_get(user=world.learner).token
    assert client.get(reverse("courses:my_calendar")).status_code == 200
    response = client.post(reverse("courses:feed_regenerate"))
    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=world.learner).token
    assert new != old
    client.logout()
    assert client.get(reverse("courses:ics_feed", args=[old])).status_code == 404
    assert client.get(reverse("courses:ics_feed", args=[new])).status_code == 200


def parse(content: bytes) -> Any:
    return Calendar.from_ical(content).walk("VEVENT")


def test_learner_feed_has_their_sessions_in_vietnam_time(client, world, cal):
    online = make_venue(
        "Phòng họp trực tuyến", kind="online", meeting_url="https://meet.example.vn/llct"
    )
    cal["a_sunday"].venue = online
    cal["a_sunday"].save()
    make_session(cal["course_a"], MONDAY - dt.timedelta(days=31))  # too old
    make_session(cal["course_a"], MONDAY + dt.timedelta(days=366))  # too far ahead
    token = feeds.calendar_feed_get(user=world.learner).token
    with time_machine.travel(dt.datetime(2026, 3, 2, 6, 0, tzinfo=ZONE), tick=False):
        response = client.get(reverse("courses:ics_feed", args=[token]))  # signed out
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = sorted(parse(response.content), key=lambda e: e.decoded("dtstart"))
    assert len(events) == 3
    first = events[0]
    assert first["dtstart"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert first.decoded("dtstart") == dt.datetime(2026, 3, 2, 7, 30, tzinfo=ZONE)
    assert first.decoded("dtend") == dt.datetime(2026, 3, 2, 11, 30, tzinfo=ZONE)
    assert first.decoded("dtstart").utcoffset() == dt.timedelta(hours=7)
    assert str(first["summary"]) == "Lớp của Khối A — Công tác tư tưởng"
    assert str(first["location"]) == "Hội trường Tỉnh ủy"
    assert "Lê Văn Giảng" in str(first["description"])
    assert str(events[1]["location"]) == "https://meet.example.vn/llct"
    assert b"BEGIN:VTIMEZONE" in response.content
    assert b"Tr\xe1\xba\xa7n" not in response.content  # nothing of B's course


def test_lecturer_feed_has_the_sessions_they_teach(client, world, cal):
    token = feeds.calendar_feed_get(user=cal["lecturer_user"]).token
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=ZONE), tick=False):
        events = parse(client.get(reverse("courses:ics_feed", args=[token])).content)
    assert [str(e["uid"]) for e in events] == [f"session-{cal['a_monday'].pk}@llct"]


def test_unknown_or_disabled_feed_is_404(client, world, cal):
    assert (
        client.get(reverse("courses:ics_feed", args=["khong-dung-ma-nay-dau"])).status_code == 404
    )
    token = feeds.calendar_feed_get(user=world.learner).token
    world.learner.is_active = False
    world.learner.save()
    assert client.get(reverse("courses:ics_feed", args=[token])).status_code == 404


def test_user_without_sessions_gets_an_empty_but_valid_feed(client, world):
    nobody = make_user("nguoimoi", Role.LEARNER, person=make_person(world.org_b1, "Hà Văn Mới"))
    token = feeds.calendar_feed_get(user=nobody).token
    content = client.get(reverse("courses:ics_feed", args=[token])).content
    assert parse(content) == []
    assert Calendar.from_ical(content)["version"] == "2.0"
