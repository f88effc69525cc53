"""QR self check-in: a confirmation page (GET) and the check-in itself (POST), only for an
enrolled learner, only within the window around the start."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from llct.courses.models import Attendance, Enrolment, SchedulingRules
from llct.courses.tests.test_attendance import (
    MONDAY,
    ZONE,
    enrol,
    make_course,
    make_session,
    make_venue,
)
from llct.organizations.tests.factories import make_person, make_user

START = dt.datetime.combine(MONDAY, dt.time(7, 30), tzinfo=ZONE)


@pytest.fixture
def checkin(world):
    course = make_course(world.province)
    session = make_session(course, venue=make_venue())
    (enrolment,) = enrol(course, world.person_a)
    return session, enrolment


def url(session: Any) -> str:
    return reverse("courses:checkin", args=[session.checkin_code])


def scan(client: Any, session: Any, at: dt.datetime) -> Any:
    with time_machine.travel(at, tick=False):
        return client.post(url(session))


@pytest.mark.parametrize(
    ("minutes", "allowed"),
    [(-30, True), (-31, False), (0, True), (60, True), (61, False)],
    ids=["30-before", "31-before", "at-start", "60-after", "61-after"],
)
def test_check_in_window_edges(client, world, checkin, minutes, allowed):
    session, enrolment = checkin
    client.force_login(world.learner)
    response = scan(client, session, START + dt.timedelta(minutes=minutes))
    assert response.status_code == 200
    marked = Attendance.objects.filter(session=session, enrolment=enrolment).first()
    if allowed:
        assert "Đã điểm danh" in response.text
        assert marked is not None
        assert marked.status == Attendance.Status.PRESENT
        assert marked.method == Attendance.Method.QR
    else:
        assert marked is None
        assert "is-refused" in response.text


def test_too_early_says_when_check_in_opens(client, world, checkin):
    session, _enrolment = checkin
    client.force_login(world.learner)
    response = scan(client, session, START - dt.timedelta(minutes=31))
    assert "07:00" in response.text and "02/03/2026" in response.text


def test_too_late_says_it_is_closed(client, world, checkin):
    session, _enrolment = checkin
    client.force_login(world.learner)
    response = scan(client, session, START + dt.timedelta(minutes=61))
    assert "đã đóng" in response.text


def test_a_session_tomorrow_cannot_be_checked_in_today(client, world, checkin):
    session, _enrolment = checkin
    tomorrow = make_session(session.course, MONDAY + dt.timedelta(days=1))
    client.force_login(world.learner)
    response = scan(client, tomorrow, START + dt.timedelta(minutes=5))
    assert "is-refused" in response.text
    assert not Attendance.objects.filter(session=tomorrow).exists()


def test_the_window_follows_the_scheduling_rules(client, world, checkin):
    session, _enrolment = checkin
    rules = SchedulingRules.current()
    rules.checkin_opens_minutes = 10
    rules.save()
    client.force_login(world.learner)
    assert "is-refused" in scan(client, session, START - dt.timedelta(minutes=15)).text
    assert "is-ok" in scan(client, session, START - dt.timedelta(minutes=10)).text


def test_a_person_not_enrolled_is_refused(client, world, checkin):
    session, _enrolment = checkin
    stranger = make_user("nguoila", "learner", person=make_person(world.org_b1, "Hồ Văn Lạ"))
    client.force_login(stranger)
    response = scan(client, session, START)
    assert "Bạn không có tên trong lớp học này" in response.text
    assert not Attendance.objects.exists()


def test_staff_without_a_person_is_refused(client, world, checkin):
    session, _enrolment = checkin
    client.force_login(world.department)
    assert "is-refused" in scan(client, session, START).text
    assert not Attendance.objects.exists()


def test_a_withdrawn_learner_is_refused(client, world, checkin):
    session, enrolment = checkin
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=Enrolment.Status.WITHDRAWN, withdrawn_on=MONDAY, withdrawal_reason="Ốm"
    )
    client.force_login(world.learner)
    assert "is-refused" in scan(client, session, START).text
    assert not Attendance.objects.exists()


def test_a_second_scan_changes_nothing_and_says_so(client, world, checkin):
    session, _enrolment = checkin
    client.force_login(world.learner)
    scan(client, session, START - dt.timedelta(minutes=5))
    first = Attendance.objects.get()
    response = scan(client, session, START + dt.timedelta(minutes=20))
    assert "Bạn đã điểm danh rồi" in response.text
    again = Attendance.objects.get()
    assert (again.pk, again.marked_at, again.status) == (first.pk, first.marked_at, first.status)


def test_opening_the_link_only_shows_a_confirmation(client, world, checkin):
    session, _enrolment = checkin
    client.force_login(world.learner)
    with time_machine.travel(START, tick=False):
        response = client.get(url(session))
    assert response.status_code == 200
    assert session.course.name in response.text
    assert "Hội trường Tỉnh ủy" in response.text
    assert 'type="submit" class="primary checkin-button">Điểm danh<' in response.text
    assert not Attendance.objects.exists()


def test_signed_out_learner_goes_to_sign_in_then_back(client, world, checkin):
    session, _enrolment = checkin
    response = client.get(url(session))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert url(session) in response.url.replace("%2F", "/")
    assert client.post(url(session)).status_code == 302
    assert not Attendance.objects.exists()


def test_an_unknown_code_is_404(client, world, checkin):
    client.force_login(world.learner)
    assert client.get(reverse("courses:checkin", args=["khong-co-ma-nay"])).status_code == 404
    assert client.post(reverse("courses:checkin", args=["khong-co-ma-nay"])).status_code == 404


def _button(client: Any, session: Any, at: dt.datetime) -> str:
    with time_machine.travel(at, tick=False):
        text: str = client.get(url(session)).text
    return text[text.index('class="checkin narrow"') :]


def test_the_button_is_active_only_while_check_in_is_open(client, world, checkin):
    session, _enrolment = checkin
    client.force_login(world.learner)
    open_page = _button(client, session, START)
    assert 'class="primary checkin-button"' in open_page
    assert "disabled" not in open_page
    closed = _button(client, session, START + dt.timedelta(minutes=61))
    assert "disabled" in closed
    assert "Buổi học này đã đóng điểm danh." in closed
    early = _button(client, session, START - dt.timedelta(minutes=31))
    assert "disabled" in early
    assert "07:00" in early


def test_the_button_says_already_checked_in_and_is_disabled(client, world, checkin):
    session, _enrolment = checkin
    client.force_login(world.learner)
    scan(client, session, START)
    page = _button(client, session, START + dt.timedelta(minutes=5))
    assert "disabled" in page
    assert 'id="checkin-reason"' in page


def test_a_person_not_enrolled_sees_a_disabled_button_with_the_reason(client, world, checkin):
    session, _enrolment = checkin
    client.force_login(make_user("hv_khac", "learner", person=make_person(world.org_b1, "Lý Khác")))
    page = _button(client, session, START)
    assert "disabled" in page
    assert 'id="checkin-reason"' in page
