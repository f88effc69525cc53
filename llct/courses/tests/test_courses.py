"""Courses: the list and its filters, create and edit, the course page, who may do what."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from llct.core.models import Role
from llct.courses.models import Attendance, Course, SchedulingRules
from llct.courses.services.courses import course_create, course_update
from llct.courses.tests.factories import (
    AFTERNOON,
    enrol,
    make_course,
    make_lecturer,
    make_programme,
    make_session,
    make_venue,
)
from llct.organizations.tests.factories import make_person, make_user


@pytest.fixture
def programme(db):
    return make_programme(topics=[("Một", 1), ("Hai", 1)])


def course_form(programme, organizer, **overrides) -> dict[str, object]:
    data = {
        "code": "so-cap-01/2026",
        "name": "Lớp Sơ cấp khóa 1",
        "programme": programme.pk,
        "organizer": organizer.pk,
        "partner": "Trường Chính trị tỉnh",
        "starts_on": "02/03/2026",
        "ends_on": "27/03/2026",
        "venue": "",
        "capacity": "60",
        "status": "draft",
    }
    data.update(overrides)
    return data


# --- The list ---------------------------------------------------------------------------------


def test_every_course_page_requires_login(client, world, programme):
    course = make_course(programme, world.org_a)
    for url in [
        reverse("courses:list"),
        reverse("courses:create"),
        reverse("courses:detail", args=[course.pk]),
        reverse("courses:enrol", args=[course.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_list_filters_by_year_programme_status_and_name_without_diacritics(
    as_user, world, programme
):
    other = make_programme(name="Quán triệt nghị quyết")
    make_course(programme, world.org_a, name="Lớp Sơ cấp khóa 1", code="SC-01")
    make_course(programme, world.org_a, name="Lớp Sơ cấp khóa 2", starts_on=dt.date(2025, 9, 1))
    make_course(other, world.org_b, name="Quán triệt Nghị quyết 18", status="finished")
    client = as_user(world.department)

    def names(**params) -> set[str]:
        response = client.get(reverse("courses:list"), params)
        assert response.status_code == 200
        return {
            name
            for name in ["Lớp Sơ cấp khóa 1", "Lớp Sơ cấp khóa 2", "Quán triệt Nghị quyết 18"]
            if name in response.text
        }

    assert len(names()) == 3
    assert names(year=2025) == {"Lớp Sơ cấp khóa 2"}
    assert names(programme=other.pk) == {"Quán triệt Nghị quyết 18"}
    assert names(status="finished") == {"Quán triệt Nghị quyết 18"}
    assert names(q="so cap") == {"Lớp Sơ cấp khóa 1", "Lớp Sơ cấp khóa 2"}
    assert names(q="sc-01") == {"Lớp Sơ cấp khóa 1"}
    assert names(q="nghi quyet", year=2026) == {"Quán triệt Nghị quyết 18"}


def test_list_is_paginated_and_htmx_gets_only_the_results(as_user, world, programme):
    for i in range(30):
        make_course(programme, world.org_a, code=f"L{i:02}")
    client = as_user(world.department)
    first = client.get(reverse("courses:list"))
    assert "page=2" in first.text
    second = client.get(reverse("courses:list"), {"page": 2})
    assert second.status_code == 200
    fragment = client.get(reverse("courses:list"), {"q": "L0"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="results"' in fragment.text


def test_lecturers_see_the_courses_they_teach_and_learners_theirs(as_user, world, programme):
    taught = make_course(programme, world.org_a, name="Lớp được dạy")
    attended = make_course(programme, world.org_a, name="Lớp đang học")
    other = make_course(programme, world.org_b, name="Lớp người khác")
    user = make_user("giangvien", Role.LECTURER)
    lecturer = make_lecturer()
    lecturer.user = user
    lecturer.save()
    make_session(taught, dt.date(2026, 3, 3), lecturer=lecturer)
    make_session(taught, dt.date(2026, 3, 4), lecturer=lecturer)
    enrol(attended, world.person_a)

    response = as_user(user).get(reverse("courses:list"))
    assert response.text.count("Lớp được dạy") == 1  # once, though two sessions
    assert "Lớp đang học" not in response.text
    assert as_user(user).get(reverse("courses:detail", args=[other.pk])).status_code == 404

    learner = as_user(world.learner)
    response = learner.get(reverse("courses:list"))
    assert "Lớp đang học" in response.text and "Lớp được dạy" not in response.text
    assert learner.get(reverse("courses:detail", args=[other.pk])).status_code == 404
    assert learner.get(reverse("courses:detail", args=[attended.pk])).status_code == 200


def test_course_list_query_count_does_not_grow(
    as_user, world, programme, django_assert_max_num_queries
):
    client = as_user(world.officer_a)
    SchedulingRules.current()
    make_course(programme, world.org_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("courses:list"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = count()
    hall = make_venue()
    for i in range(40):
        course = make_course(programme, world.org_a if i % 2 else world.org_b, venue=hall)
        enrol(course, make_person(world.org_a1, f"Người {i}"))
    assert count() == few
    with django_assert_max_num_queries(10):
        client.get(reverse("courses:list"), {"q": "lop", "year": 2026})


# --- Create and edit --------------------------------------------------------------------------


def test_department_creates_a_course(as_user, world, programme):
    client = as_user(world.department)
    assert client.get(reverse("courses:create")).status_code == 200
    response = client.post(reverse("courses:create"), course_form(programme, world.org_b1))
    course = Course.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "courses:detail", args=[course.pk]
    )
    assert course.code == "SO-CAP-01/2026"
    assert course.starts_on == dt.date(2026, 3, 2) and course.organizer == world.org_b1


def test_officer_creates_courses_only_within_their_subtree(as_user, world, programme):
    client = as_user(world.officer_a)
    response = client.post(reverse("courses:create"), course_form(programme, world.org_b))
    assert response.status_code == 422
    assert not Course.objects.exists()
    response = client.post(reverse("courses:create"), course_form(programme, world.org_a1))
    assert response.status_code == 302
    assert Course.objects.get().organizer == world.org_a1


def test_the_service_refuses_an_organizer_outside_the_actor_scope(world, programme):
    data = {
        "code": "X1",
        "name": "Lớp",
        "programme": programme,
        "organizer": world.org_b,
        "starts_on": dt.date(2026, 3, 2),
        "ends_on": dt.date(2026, 3, 3),
        "capacity": 10,
        "status": "draft",
    }
    with pytest.raises(ValidationError) as caught:
        course_create(data=data, actor=world.officer_a)
    assert "organizer" in caught.value.message_dict


def test_leaders_lecturers_and_learners_may_not_create(as_user, world, programme):
    for user in [world.leader, world.learner]:
        client = as_user(user)
        assert client.get(reverse("courses:create")).status_code == 403
        assert (
            client.post(reverse("courses:create"), course_form(programme, world.org_a)).status_code
            == 403
        )
    assert not Course.objects.exists()


def test_every_error_of_the_course_form_at_once_and_typed_values_kept(as_user, world, programme):
    make_course(programme, world.org_a, code="TRUNG")
    client = as_user(world.department)
    response = client.post(
        reverse("courses:create"),
        course_form(programme, world.org_a, code="trung", ends_on="01/03/2026", capacity="0"),
    )
    assert response.status_code == 422
    text = response.text
    assert 'value="trung"' in text and 'value="01/03/2026"' in text
    assert text.count('class="error"') >= 3  # code taken, end before start, no seat


def test_officer_of_b_cannot_edit_a_course_organized_by_a(as_user, world, programme):
    course = make_course(programme, world.org_a1, name="Lớp của A")
    url = reverse("courses:edit", args=[course.pk])
    client = as_user(world.officer_b)
    assert client.get(url).status_code == 403
    response = client.post(url, course_form(programme, world.org_b, name="Đổi tên"))
    assert response.status_code == 403
    course.refresh_from_db()
    assert course.name == "Lớp của A"
    # Officer A manages it; the department too.
    response = as_user(world.officer_a).post(
        url, course_form(programme, world.org_a1, name="Đổi tên", status="open")
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.name == "Đổi tên" and course.status == "open"


def test_dates_that_would_leave_sessions_outside_are_refused(world, programme):
    course = make_course(programme, world.org_a)
    make_session(course, dt.date(2026, 3, 20))
    data = {"starts_on": dt.date(2026, 3, 2), "ends_on": dt.date(2026, 3, 10)}
    with pytest.raises(ValidationError) as caught:
        course_update(course=course, data=data, actor=world.department)
    assert "ends_on" in caught.value.message_dict
    assert "20/03/2026" in str(caught.value.message_dict["ends_on"])


def test_course_update_keeps_an_audit_of_the_changes(world, programme):
    from llct.core.models import AuditEntry

    course = make_course(programme, world.org_a, capacity=30)
    course_update(course=course, data={"capacity": 45}, actor=world.department)
    entry = AuditEntry.objects.filter(object_id=course.pk, action="update").get()
    assert entry.changes[0]["old"] == "30" and entry.changes[0]["new"] == "45"


# --- The course page --------------------------------------------------------------------------


def test_course_page_shows_sessions_with_anchors_and_conflicts(as_user, world, programme):
    hall = make_venue("Hội trường lớn")
    topic = programme.topics.first()
    lecturer = make_lecturer("Trần Văn Dạy", topics=[topic])
    course = make_course(programme, world.org_a, venue=hall, partner="Trường Chính trị tỉnh")
    other = make_course(programme, world.org_b, name="Lớp bên cạnh")
    clash = make_session(other, dt.date(2026, 3, 3), venue=hall)
    session = make_session(course, dt.date(2026, 3, 3), venue=hall, topic=topic, lecturer=lecturer)
    calm = make_session(course, dt.date(2026, 3, 4), AFTERNOON, venue=hall)
    response = as_user(world.department).get(reverse("courses:detail", args=[course.pk]))
    text = response.text
    assert f'id="session-{session.pk}"' in text and f'id="session-{calm.pk}"' in text
    assert "03/03/2026" in text and "13:30–17:00" in text
    assert "Trần Văn Dạy" in text and "Trường Chính trị tỉnh" in text
    assert f"/lop-hoc/{other.pk}/#session-{clash.pk}" in text
    assert text.count('class="has-conflict"') == 1


def test_course_page_lists_only_the_learners_in_the_viewer_scope(as_user, world, programme):
    course = make_course(programme, world.org_a)
    enrol(course, world.person_a)
    enrol(course, world.person_b)
    everyone = as_user(world.department).get(reverse("courses:detail", args=[course.pk]))
    assert "Nguyễn Văn An" in everyone.text and "Trần Thị Bình" in everyone.text
    own = as_user(world.officer_b).get(reverse("courses:detail", args=[course.pk]))
    assert own.status_code == 200
    assert "Trần Thị Bình" in own.text and "Nguyễn Văn An" not in own.text
    learner = as_user(world.learner).get(reverse("courses:detail", args=[course.pk]))
    assert "Nguyễn Văn An" in learner.text and "Trần Thị Bình" not in learner.text


def test_course_page_shows_attendance_rates(as_user, world, programme):
    course = make_course(programme, world.org_a, starts_on=dt.date(2025, 3, 3))
    enrolment = enrol(course, world.person_a)
    for day in (3, 4, 5, 6):
        session = make_session(course, dt.date(2025, 3, day))
        if day != 6:
            Attendance.objects.create(session=session, enrolment=enrolment, status="present")
    response = as_user(world.department).get(reverse("courses:detail", args=[course.pk]))
    assert "3/4" in response.text and "75%" in response.text


def _page_queries(client, course) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("courses:detail", args=[course.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("viewer", ["department", "officer_a"])
def test_course_page_query_count_does_not_grow_with_learners_or_sessions(
    as_user, world, programme, viewer
):
    hall = make_venue("Hội trường lớn", capacity=150)
    lecturer = make_lecturer("Trần Văn Dạy", topics=[programme.topics.first()])
    other = make_course(programme, world.org_b, starts_on=dt.date(2025, 3, 2))
    course = make_course(programme, world.org_a, venue=hall, starts_on=dt.date(2025, 3, 2))
    SchedulingRules.current()
    client = as_user(getattr(world, viewer))

    def add(n_learners, days) -> None:
        for i in range(n_learners):
            org = world.org_a1 if i % 2 else world.org_b1
            person = make_person(org, f"Học Viên Số {i} {len(days)}")
            enrolment = enrol(course, person)
            if i % 10 == 0:
                enrol(other, person)
            if i % 7 == 0:
                enrolment.status, enrolment.withdrawn_on = "withdrawn", dt.date(2025, 3, 3)
                enrolment.withdrawal_reason = "Chuyển công tác"
                enrolment.save()
        for day in days:
            for times in [(dt.time(7, 30), dt.time(11, 30)), AFTERNOON]:
                session = make_session(
                    course,
                    day,
                    times,
                    venue=hall,
                    lecturer=lecturer,
                    topic=programme.topics.first(),
                )
                make_session(other, day, times, venue=hall)
                for e in course.enrolments.all()[:3]:
                    Attendance.objects.create(session=session, enrolment=e, status="present")

    add(2, [dt.date(2025, 3, 3)])
    few, _response = _page_queries(client, course)
    add(198, [dt.date(2025, 3, d) for d in range(4, 13)])
    many, response = _page_queries(client, course)
    assert course.sessions.count() == 20 and course.enrolments.count() == 200
    assert many == few
    assert few <= 16
    assert response.text.count('class="has-conflict"') == 20
