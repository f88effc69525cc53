"""Sessions: generated from the programme around weekends and holidays, then adjusted by hand."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from llct.courses.models import Attendance, Course, SchedulingRules, Session, Severity
from llct.courses.services.sessions import course_generate_sessions, session_save
from llct.courses.tests.factories import (
    AFTERNOON,
    MORNING,
    enrol,
    holiday,
    make_course,
    make_lecturer,
    make_plan,
    make_programme,
    make_session,
    make_venue,
)

FRIDAY = dt.date(2026, 4, 24)  # Monday 27/04/2026 is a public holiday (Giỗ Tổ, nghỉ bù)


def slots(sessions) -> list[tuple[dt.date, str]]:
    return [(s.date, s.part) for s in sessions]


# --- Generation -------------------------------------------------------------------------------


def test_friday_before_a_monday_holiday_goes_on_on_tuesday(world):
    holiday(dt.date(2026, 4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù)")
    programme = make_programme(topics=[("Một", 1), ("Hai", 1), ("Ba", 1)])
    course = make_course(programme, world.org_a, starts_on=FRIDAY, ends_on=FRIDAY)
    created = course_generate_sessions(course=course, actor=world.department)
    assert slots(created) == [
        (FRIDAY, "morning"),
        (FRIDAY, "afternoon"),
        (dt.date(2026, 4, 28), "morning"),
    ]
    assert [s.topic and s.topic.title for s in created] == ["Một", "Hai", "Ba"]
    course.refresh_from_db()
    assert course.ends_on == dt.date(2026, 4, 28)


def test_generation_skips_weekends_and_takes_the_times_from_the_settings(world):
    rules = SchedulingRules.current()
    rules.morning_start, rules.morning_end = dt.time(8), dt.time(11)
    rules.save()
    programme = make_programme(topics=[("Dài", 3), ("Ngắn", 1)])
    saturday = dt.date(2026, 3, 7)
    course = make_course(programme, world.org_a, starts_on=saturday)
    created = course_generate_sessions(course=course, actor=world.department)
    monday, tuesday = dt.date(2026, 3, 9), dt.date(2026, 3, 10)
    assert slots(created) == [
        (monday, "morning"),
        (monday, "afternoon"),
        (tuesday, "morning"),
        (tuesday, "afternoon"),
    ]
    # A topic that takes three half-days fills three slots; then the next topic.
    assert [s.topic and s.topic.title for s in created] == ["Dài", "Dài", "Dài", "Ngắn"]
    assert (created[0].starts_at, created[0].ends_at) == (dt.time(8), dt.time(11))


def test_generation_uses_the_course_venue_and_the_latest_lesson_plans(world):
    programme = make_programme(topics=[("Một", 1)])
    topic = programme.topics.get()
    make_plan(topic, 1)
    latest = make_plan(topic, 2)
    hall = make_venue()
    course = make_course(programme, world.org_a, venue=hall)
    [session] = course_generate_sessions(course=course, actor=world.department)
    assert session.venue == hall and session.lesson_plan == latest


def test_generation_does_not_shorten_a_longer_course(world):
    programme = make_programme(topics=[("Một", 1)])
    course = make_course(programme, world.org_a, ends_on=dt.date(2026, 6, 30))
    course_generate_sessions(course=course, actor=world.department)
    course.refresh_from_db()
    assert course.ends_on == dt.date(2026, 6, 30)


def test_generation_refuses_to_add_to_existing_sessions_and_replaces_on_request(world):
    programme = make_programme(topics=[("Một", 1)])
    course = make_course(programme, world.org_a)
    course_generate_sessions(course=course, actor=world.department)
    with pytest.raises(ValidationError):
        course_generate_sessions(course=course, actor=world.department)
    course_generate_sessions(course=course, actor=world.department, replace=True)
    assert course.sessions.count() == 1


def test_generation_never_replaces_sessions_with_attendance(world):
    programme = make_programme(topics=[("Một", 1)])
    course = make_course(programme, world.org_a)
    [session] = course_generate_sessions(course=course, actor=world.department)
    enrolment = enrol(course, world.person_a)
    Attendance.objects.create(session=session, enrolment=enrolment, status="present")
    with pytest.raises(ValidationError):
        course_generate_sessions(course=course, actor=world.department, replace=True)
    assert Session.objects.filter(pk=session.pk).exists()


def test_generation_refuses_a_double_booked_venue_as_a_manual_edit_does(as_user, world):
    programme = make_programme(topics=[("Một", 1), ("Hai", 1)])
    hall = make_venue()
    busy = make_course(programme, world.org_b, name="Lớp đã đặt hội trường")
    make_session(busy, dt.date(2026, 3, 2), MORNING, venue=hall)
    course = make_course(programme, world.org_a, venue=hall)
    with pytest.raises(ValidationError):
        course_generate_sessions(course=course, actor=world.department)
    assert not course.sessions.exists()
    # The manual edit refuses the same slot for the same reason.
    with pytest.raises(ValidationError):
        session_save(
            session=Session(course=course, date=dt.date(2026, 3, 2), part="morning", venue=hall),
            actor=world.department,
        )
    response = as_user(world.department).post(
        reverse("courses:generate_sessions", args=[course.pk]), follow=True
    )
    assert not course.sessions.exists()
    assert "02/03/2026" in response.text
    assert "Lớp đã đặt hội trường" in response.text


def test_generate_button_creates_the_sessions_and_reports_conflicts(as_user, world):
    rules = SchedulingRules.current()
    rules.venue_double_booked = Severity.WARNING
    rules.save()
    programme = make_programme(topics=[("Một", 1), ("Hai", 1)])
    hall = make_venue()
    busy = make_course(programme, world.org_b)
    make_session(busy, dt.date(2026, 3, 2), MORNING, venue=hall)
    course = make_course(programme, world.org_a, venue=hall)
    client = as_user(world.department)
    url = reverse("courses:generate_sessions", args=[course.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert course.sessions.count() == 2
    text = response.text
    assert "02/03/2026" in text
    assert 'class="has-conflict"' in text
    assert f"/lop-hoc/{busy.pk}/#session-" in text


def test_only_managers_may_generate(as_user, world):
    programme = make_programme(topics=[("Một", 1)])
    course = make_course(programme, world.org_a)
    url = reverse("courses:generate_sessions", args=[course.pk])
    assert as_user(world.officer_b).post(url).status_code == 403
    assert as_user(world.leader).post(url).status_code == 403
    assert not course.sessions.exists()
    assert as_user(world.officer_a).post(url).status_code == 302
    assert course.sessions.exists()


# --- Adding and editing by hand -----------------------------------------------------------------


@pytest.fixture
def course(world):
    programme = make_programme(topics=[("Một", 1), ("Hai", 1)])
    return make_course(programme, world.org_a)


def form_data(**overrides) -> dict[str, Any]:
    data = {
        "date": "03/03/2026",
        "part": "morning",
        "starts_at": "",
        "ends_at": "",
        "topic": "",
        "lecturer": "",
        "venue": "",
        "lesson_plan": "",
        "note": "",
    }
    data.update(overrides)
    return data


def test_add_a_half_day_session(as_user, world, course):
    client = as_user(world.department)
    topic = course.programme.topics.first()
    plan = make_plan(topic, 4)
    response = client.post(
        reverse("courses:session_create", args=[course.pk]),
        form_data(part="afternoon", topic=topic.pk),
    )
    session = course.sessions.get()
    assert response.status_code == 302
    assert response.url.endswith(f"#session-{session.pk}")
    assert (session.starts_at, session.ends_at) == AFTERNOON
    assert session.lesson_plan == plan


def test_exact_times_are_required_for_a_custom_session(as_user, world, course):
    client = as_user(world.department)
    url = reverse("courses:session_create", args=[course.pk])
    response = client.post(url, form_data(part="custom", starts_at="08:15"))
    assert response.status_code == 422
    assert 'value="08:15"' in response.text
    assert not course.sessions.exists()
    response = client.post(url, form_data(part="custom", starts_at="08:15", ends_at="10:00"))
    assert response.status_code == 302
    assert course.sessions.get().starts_at == dt.time(8, 15)


def test_a_venue_conflict_is_shown_with_its_link_and_the_typed_values_kept(as_user, world, course):
    hall = make_venue("Hội trường lớn")
    lecturer = make_lecturer("Trần Văn Dạy")
    other_course = make_course(course.programme, world.org_b, name="Lớp bên cạnh")
    other = make_session(other_course, dt.date(2026, 3, 3), venue=hall, lecturer=lecturer)
    client = as_user(world.department)
    response = client.post(
        reverse("courses:session_create", args=[course.pk]),
        form_data(venue=hall.pk, lecturer=lecturer.pk, note="Mang theo tài liệu"),
    )
    assert response.status_code == 422
    text = response.text
    # Both blocks at once, each with the link to the other session.
    assert text.count(f"/lop-hoc/{other_course.pk}/#session-{other.pk}") == 2
    assert "Lớp bên cạnh" in text
    assert 'value="Mang theo tài liệu"' in text
    assert 'value="03/03/2026"' in text
    assert f'<option value="{hall.pk}" selected>' in text
    assert "confirm_warnings" not in text  # a block cannot be confirmed away
    assert not course.sessions.exists()


def test_warnings_only_offer_save_anyway(as_user, world, course):
    lecturer = make_lecturer("Trần Văn Dạy")  # approved for nothing
    topic = course.programme.topics.first()
    client = as_user(world.department)
    url = reverse("courses:session_create", args=[course.pk])
    response = client.post(url, form_data(lecturer=lecturer.pk, topic=topic.pk))
    assert response.status_code == 422
    assert 'name="confirm_warnings"' in response.text
    assert not course.sessions.exists()
    response = client.post(
        url, form_data(lecturer=lecturer.pk, topic=topic.pk, confirm_warnings="1")
    )
    assert response.status_code == 302
    assert course.sessions.get().lecturer == lecturer


def test_severity_setting_turns_a_warning_into_a_block_in_the_form(as_user, world, course):
    rules = SchedulingRules.current()
    rules.lecturer_not_approved = Severity.BLOCK
    rules.save()
    lecturer = make_lecturer("Trần Văn Dạy")
    topic = course.programme.topics.first()
    response = as_user(world.department).post(
        reverse("courses:session_create", args=[course.pk]),
        form_data(lecturer=lecturer.pk, topic=topic.pk, confirm_warnings="1"),
    )
    assert response.status_code == 422
    assert 'name="confirm_warnings"' not in response.text
    assert not course.sessions.exists()


def test_edit_a_session_and_resolve_the_conflict(as_user, world, course):
    hall, room = make_venue("Hội trường lớn"), make_venue("Phòng 2")
    other_course = make_course(course.programme, world.org_b)
    make_session(other_course, dt.date(2026, 3, 3), venue=hall)
    session = make_session(course, dt.date(2026, 3, 3), venue=room)
    client = as_user(world.department)
    url = reverse("courses:session_edit", args=[session.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, form_data(venue=hall.pk)).status_code == 422
    session.refresh_from_db()
    assert session.venue == room
    response = client.post(url, form_data(venue=room.pk, part="evening"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.part == "evening" and session.starts_at == dt.time(19)


def test_delete_a_session(as_user, world, course):
    session = make_session(course, dt.date(2026, 3, 3))
    client = as_user(world.department)
    url = reverse("courses:session_delete", args=[session.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()


def test_deleting_a_session_with_attendance_is_refused_with_a_clear_message(as_user, world, course):
    session = make_session(course, dt.date(2026, 3, 3))
    enrolment = enrol(course, world.person_a)
    Attendance.objects.create(session=session, enrolment=enrolment, status="present")
    client = as_user(world.department)
    response = client.post(reverse("courses:session_delete", args=[session.pk]))
    assert response.status_code == 422
    assert "Điểm danh" in response.text or "điểm danh" in response.text
    assert Session.objects.filter(pk=session.pk).exists()


def test_session_pages_follow_the_course_scope(as_user, world, course):
    session = make_session(course, dt.date(2026, 3, 3))
    edit = reverse("courses:session_edit", args=[session.pk])
    add = reverse("courses:session_create", args=[course.pk])
    delete = reverse("courses:session_delete", args=[session.pk])
    officer_b = as_user(world.officer_b)
    assert officer_b.get(edit).status_code == 403
    assert officer_b.post(add, form_data()).status_code == 403
    assert officer_b.post(delete).status_code == 403
    # A learner who is not enrolled does not even learn that the course exists.
    learner = as_user(world.learner)
    assert learner.get(edit).status_code == 404
    assert course.sessions.count() == 1


def test_cancelled_course_still_lists_its_sessions(as_user, world, course):
    make_session(course, dt.date(2026, 3, 3))
    Course.objects.filter(pk=course.pk).update(status=Course.Status.CANCELLED)
    response = as_user(world.department).get(reverse("courses:detail", args=[course.pk]))
    assert "03/03/2026" in response.text
