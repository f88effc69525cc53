"""Roll call (htmx, on a phone), who may take attendance, and the attendance matrix.

The helpers at the top are shared by the other attendance test files."""

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from django.urls import reverse

from llct.core.models import Role
from llct.courses.models import Attendance, Course, Enrolment, Session, Venue
from llct.courses.tests.factories import running_course
from llct.curriculum.models import Lecturer
from llct.organizations.tests.factories import make_person, make_user

ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.date(2026, 3, 2)


def make_session(
    course: Course,
    date: dt.date = MONDAY,
    starts: dt.time = dt.time(7, 30),
    ends: dt.time = dt.time(11, 30),
    *,
    part: str = "morning",
    lecturer: Any = None,
    venue: Any = None,
    topic: Any = True,
) -> Session:
    return Session.objects.create(
        course=course,
        date=date,
        part=part,
        starts_at=starts,
        ends_at=ends,
        topic=course.programme.topics.first() if topic is True else topic,
        lecturer=lecturer,
        venue=venue,
    )


def make_venue(name: str = "Hội trường Tỉnh ủy", **kw: Any) -> Venue:
    return Venue.objects.create(name=name, capacity=kw.pop("capacity", 300), **kw)


def enrol(course: Course, *people: Any, status: str = Enrolment.Status.ENROLLED) -> list[Enrolment]:
    extra = (
        {"withdrawn_on": MONDAY, "withdrawal_reason": "Đi công tác"}
        if status == Enrolment.Status.WITHDRAWN
        else {}
    )
    return [
        Enrolment.objects.create(course=course, person=p, status=status, **extra) for p in people
    ]


def lecturer_user(
    username: str = "giangvien", full_name: str = "Lê Văn Giảng"
) -> tuple[Lecturer, Any]:
    user = make_user(username, Role.LECTURER)
    return Lecturer.objects.create(full_name=full_name, user=user), user


def make_setup(world: Any) -> dict[str, Any]:
    """A course of the province with one learner of A (person_a) and one of B (person_b)."""
    lecturer, lecturer_account = lecturer_user()
    venue = make_venue()
    course = running_course(world.province)
    session = make_session(course, lecturer=lecturer, venue=venue)
    enrol_a, enrol_b = enrol(course, world.person_a, world.person_b)
    return {
        "course": course,
        "session": session,
        "lecturer": lecturer,
        "lecturer_user": lecturer_account,
        "venue": venue,
        "enrol_a": enrol_a,
        "enrol_b": enrol_b,
    }


@pytest.fixture
def setup(world):
    return make_setup(world)


def roll_url(session: Session) -> str:
    return reverse("courses:roll_call", args=[session.pk])


def mark_url(session: Session, enrolment: Enrolment) -> str:
    return reverse("courses:roll_call_mark", args=[session.pk, enrolment.pk])


# --- Who may take attendance ----------------------------------------------------------------


def test_department_sees_every_learner_in_vietnamese_name_order(client, world, setup):
    make_person(world.org_a1, "Lê Thị Ánh")
    enrol(setup["course"], *world.org_a1.people.filter(full_name="Lê Thị Ánh"))
    client.force_login(world.department)
    response = client.get(roll_url(setup["session"]))
    assert response.status_code == 200
    text = response.text
    # An (Nguyễn Văn An), Ánh (Lê Thị Ánh), Bình (Trần Thị Bình): by given name.
    assert text.index("Nguyễn Văn An") < text.index("Lê Thị Ánh") < text.index("Trần Thị Bình")
    assert 'name="viewport"' in text


def test_enrolled_learner_cannot_open_the_roll_call(client, world, setup):
    client.force_login(world.learner)
    assert client.get(roll_url(setup["session"])).status_code == 403
    assert (
        client.post(mark_url(setup["session"], setup["enrol_a"]), {"status": "present"}).status_code
        == 403
    )
    assert not Attendance.objects.exists()


def test_learner_of_another_course_gets_404(client, world, setup):
    other = running_course(world.province, name="Lớp khác")
    session = make_session(other)
    client.force_login(world.learner)
    assert client.get(roll_url(session)).status_code == 404


def test_unknown_session_is_404(client, world):
    client.force_login(world.department)
    assert client.get(reverse("courses:roll_call", args=[999999])).status_code == 404


def test_officer_of_b_sees_only_the_learners_of_b(client, world):
    course = running_course(world.org_b)
    session = make_session(course)
    enrol(course, world.person_a, world.person_b)
    client.force_login(world.officer_b)
    response = client.get(roll_url(session))
    assert response.status_code == 200
    assert "Trần Thị Bình" in response.text
    assert "Nguyễn Văn An" not in response.text


def test_officer_who_does_not_manage_the_course_may_not_take_attendance(client, world):
    course = running_course(world.org_b)
    session = make_session(course)
    enrol(course, world.person_a)
    client.force_login(world.officer_a)
    assert client.get(roll_url(session)).status_code == 403
    client.force_login(world.leader)
    assert client.get(roll_url(session)).status_code == 403


def test_lecturer_of_the_session_may_take_attendance_but_not_of_another(client, world, setup):
    client.force_login(setup["lecturer_user"])
    assert client.get(roll_url(setup["session"])).status_code == 200
    # Another session of the same course, taught by someone else: the course is visible.
    other = make_session(setup["course"], MONDAY, dt.time(13, 30), dt.time(17), part="afternoon")
    other.lecturer = Lecturer.objects.create(full_name="Phạm Văn Khách")
    other.save()
    assert client.get(roll_url(other)).status_code == 403
    # A course this lecturer does not teach at all is outside their scope.
    foreign = make_session(running_course(world.province, name="Lớp lạ"))
    assert client.get(roll_url(foreign)).status_code == 404


def test_withdrawn_learners_are_not_on_the_roll_call(client, world, setup):
    gone = make_person(world.org_a1, "Đỗ Văn Rút")
    enrol(setup["course"], gone, status=Enrolment.Status.WITHDRAWN)
    client.force_login(world.department)
    assert "Đỗ Văn Rút" not in client.get(roll_url(setup["session"])).text


# --- Marking with htmx ----------------------------------------------------------------------


@pytest.fixture
def on_the_day():
    """The roll call is taken on the session's day (later, a change is a correction)."""
    with time_machine_at(dt.datetime(2026, 3, 2, 8, 0, tzinfo=ZONE)):
        yield


def test_tapping_a_mark_saves_it_and_swaps_only_that_row(client, world, setup, on_the_day):
    session, enrol_a = setup["session"], setup["enrol_a"]
    client.force_login(world.department)
    response = client.post(
        mark_url(session, enrol_a), {"status": "present"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    text = response.text
    assert "<html" not in text
    assert f'id="enrolment-{enrol_a.pk}"' in text
    assert f'id="enrolment-{setup["enrol_b"].pk}"' not in text
    assert re.search(r'value="present"[^>]*aria-pressed="true"', text)
    assert re.search(r'value="absent"[^>]*aria-pressed="false"', text)
    # The counts come along, swapped out of band.
    counts = re.search(r'<p id="rollcall-counts"[^>]*hx-swap-oob="true"[^>]*>(.*?)</p>', text, re.S)
    assert counts
    numbers = re.findall(r"<strong>(\d+)</strong>", counts.group(1))
    assert numbers == ["1", "0", "0", "1"]
    attendance = Attendance.objects.get(session=session, enrolment=enrol_a)
    assert attendance.status == Attendance.Status.PRESENT
    assert attendance.method == Attendance.Method.ROLL_CALL
    assert attendance.marked_by == world.department


def test_tapping_another_mark_changes_it(client, world, setup, on_the_day):
    session, enrol_a = setup["session"], setup["enrol_a"]
    client.force_login(world.department)
    client.post(mark_url(session, enrol_a), {"status": "present"}, headers={"HX-Request": "true"})
    response = client.post(
        mark_url(session, enrol_a), {"status": "excused"}, headers={"HX-Request": "true"}
    )
    assert re.search(r'value="excused"[^>]*aria-pressed="true"', response.text)
    assert Attendance.objects.get().status == Attendance.Status.EXCUSED
    page = client.get(roll_url(session)).text
    assert re.search(r'value="excused"[^>]*aria-pressed="true"', page)


def test_without_htmx_the_mark_redirects_back_to_the_row(client, world, setup, on_the_day):
    client.force_login(world.department)
    response = client.post(mark_url(setup["session"], setup["enrol_b"]), {"status": "absent"})
    assert response.status_code == 302
    assert response.url.endswith(f"#enrolment-{setup['enrol_b'].pk}")
    assert Attendance.objects.get().status == Attendance.Status.ABSENT


def test_officer_cannot_mark_a_learner_outside_their_scope(client, world, on_the_day):
    course = running_course(world.org_b)
    session = make_session(course)
    enrol_a, enrol_b = enrol(course, world.person_a, world.person_b)
    client.force_login(world.officer_b)
    response = client.post(mark_url(session, enrol_a), {"status": "present"})
    assert response.status_code == 404
    assert client.post(mark_url(session, enrol_b), {"status": "present"}).status_code == 302
    assert list(Attendance.objects.values_list("enrolment_id", flat=True)) == [enrol_b.pk]


def test_a_learner_of_another_course_cannot_be_marked_in_this_session(client, world, setup):
    other = running_course(world.province, name="Lớp khác")
    (stranger,) = enrol(other, make_person(world.org_a1, "Vũ Văn Lạ"))
    client.force_login(world.department)
    assert (
        client.post(mark_url(setup["session"], stranger), {"status": "present"}).status_code == 404
    )
    assert not Attendance.objects.exists()


def test_an_unknown_mark_is_refused(client, world, setup):
    client.force_login(world.department)
    response = client.post(mark_url(setup["session"], setup["enrol_a"]), {"status": "maybe"})
    assert response.status_code == 400
    assert client.get(mark_url(setup["session"], setup["enrol_a"])).status_code == 405
    assert not Attendance.objects.exists()


def test_withdrawn_learner_cannot_be_marked(client, world, setup):
    (gone,) = enrol(
        setup["course"], make_person(world.org_a1, "Đỗ Văn Rút"), status=Enrolment.Status.WITHDRAWN
    )
    client.force_login(world.department)
    assert client.post(mark_url(setup["session"], gone), {"status": "present"}).status_code == 404


# --- The page: counts, rates, QR ------------------------------------------------------------


def test_roll_call_shows_counts_rates_and_the_qr_code(client, world, setup):
    course, session = setup["course"], setup["session"]
    earlier = make_session(course, MONDAY - dt.timedelta(days=7))
    Attendance.objects.create(session=earlier, enrolment=setup["enrol_a"], status="present")
    Attendance.objects.create(session=session, enrolment=setup["enrol_b"], status="absent")
    client.force_login(world.department)
    with time_machine_at(dt.datetime(2026, 3, 2, 8, 0, tzinfo=ZONE)):
        text = client.get(roll_url(session)).text
    counts = re.search(r'<p id="rollcall-counts"[^>]*>(.*?)</p>', text, re.S)
    assert counts
    assert re.findall(r"<strong>(\d+)</strong>", counts.group(1)) == ["0", "0", "1", "1"]
    # Two sessions held so far: An attended one (50%, below the 80% minimum).
    assert "Dự 1/2 buổi (50%)" in text
    assert '<img class="qr" src="data:image/svg+xml' in text
    checkin = reverse("courses:checkin", args=[session.checkin_code])
    assert f"http://testserver{checkin}" in text


def time_machine_at(moment: dt.datetime) -> Any:
    import time_machine

    return time_machine.travel(moment, tick=False)


def test_qr_full_screen_page(client, world, setup):
    client.force_login(world.department)
    response = client.get(reverse("courses:checkin_qr", args=[setup["session"].pk]))
    assert response.status_code == 200
    assert "data:image/svg+xml" in response.text
    client.force_login(world.learner)
    assert client.get(reverse("courses:checkin_qr", args=[setup["session"].pk])).status_code == 403


def test_roll_call_of_200_learners_takes_a_fixed_number_of_queries(
    client, world, setup, django_assert_max_num_queries, on_the_day
):
    course, session = setup["course"], setup["session"]
    people = [make_person(world.org_a1, f"Nguyễn Văn Học {i:03}") for i in range(200)]
    enrolments = enrol(course, *people)
    Attendance.objects.bulk_create(
        Attendance(session=session, enrolment=e, status="present") for e in enrolments[::2]
    )
    client.force_login(world.department)
    client.get(roll_url(session))  # warm the session and the scheduling rules
    with django_assert_max_num_queries(12):
        response = client.get(roll_url(session))
    assert response.text.count('class="rollcall-row') == 202
    # The first mark of a learner is written in a savepoint (two more statements): two
    # officers marking at the same instant cannot both win.
    with django_assert_max_num_queries(18):
        client.post(
            mark_url(session, enrolments[1]), {"status": "present"}, headers={"HX-Request": "true"}
        )
    with django_assert_max_num_queries(15):
        client.post(
            mark_url(session, enrolments[3]),
            {"status": "present", "original": ""},
            headers={"Accept": "application/json"},
        )


# --- The attendance matrix ------------------------------------------------------------------


def matrix_url(course: Course) -> str:
    return reverse("courses:attendance_matrix", args=[course.pk])


def test_matrix_shows_marks_rates_and_highlights_learners_below_the_threshold(client, world, setup):
    course, first = setup["course"], setup["session"]
    second = make_session(course, MONDAY + dt.timedelta(days=1))
    for session, enrolment, status in [
        (first, setup["enrol_a"], "present"),
        (second, setup["enrol_a"], "present"),
        (first, setup["enrol_b"], "excused"),
        (second, setup["enrol_b"], "present"),
    ]:
        Attendance.objects.create(session=session, enrolment=enrolment, status=status)
    client.force_login(world.department)
    with time_machine_at(dt.datetime(2026, 3, 3, 18, 0, tzinfo=ZONE)):
        text = client.get(matrix_url(course)).text
    rows = re.findall(
        r"<tr class=\"([^\"]*)\">\s*<th class=\"learner\" scope=\"row\">([^<]*)", text
    )
    assert rows == [("", "Nguyễn Văn An"), ("below-threshold", "Trần Thị Bình")]
    assert "2/2 · 100%" in text and "1/2 · 50%" in text
    assert text.count('class="mark-cell is-present">x<') == 3
    assert text.count('class="mark-cell is-excused">P<') == 1


def test_matrix_scope(client, world):
    course = running_course(world.org_b)
    make_session(course)
    enrol(course, world.person_a, world.person_b)
    client.force_login(world.officer_b)
    text = client.get(matrix_url(course)).text
    assert "Trần Thị Bình" in text and "Nguyễn Văn An" not in text
    client.force_login(world.learner)
    assert client.get(matrix_url(course)).status_code == 403


def test_matrix_takes_a_fixed_number_of_queries(
    client, world, setup, django_assert_max_num_queries
):
    course = setup["course"]
    sessions = [setup["session"]] + [
        make_session(course, MONDAY + dt.timedelta(days=d)) for d in range(1, 10)
    ]
    enrolments = enrol(course, *[make_person(world.org_a1, f"Học Viên {i:03}") for i in range(100)])
    Attendance.objects.bulk_create(
        Attendance(session=s, enrolment=e, status="present") for s in sessions for e in enrolments
    )
    client.force_login(world.department)
    with django_assert_max_num_queries(10):
        response = client.get(matrix_url(course))
    assert response.text.count('class="mark-cell is-present"') == 1000
