"""The demo's courses (llct/courses/demo.py): a lifelike, consistent year of classes."""

import copy
import datetime as dt
import io
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Max, Min

from llct.assessment.models import Certificate, CertificateSeries, ResultsApproval
from llct.core.models import User
from llct.courses.models import Attendance, Course, Enrolment, Session, Venue
from llct.courses.services.conflicts import course_conflicts, overlaps
from llct.courses.services.enrolment import eligibility_warnings
from llct.curriculum.models import Lecturer, Programme, Topic
from llct.organizations.demo import demo_reset, demo_seed
from llct.organizations.models import MembershipChange, Organization
from llct.planning.models import (
    AnnualPlan,
    Expense,
    Nomination,
    NominationRound,
    PlannedCourse,
    Submission,
)

PEOPLE = 300
WEDNESDAY = dt.date(2026, 3, 18)
SATURDAY = dt.date(2026, 3, 21)
NATIONAL_DAY = dt.date(2026, 9, 2)  # a Wednesday, and a public holiday
PROGRAMMES = {"NTVD", "DVM", "SC", "TC", "NV", "QTNQ"}


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker):
    """One demo year for the tests of this module that only read it (seeding takes seconds);
    each test still runs in a transaction, so those that write leave it as it was."""
    with django_db_blocker.unblock():
        summary = demo_seed(people=PEOPLE, seed=11, today=WEDNESDAY, cycle=False)
        yield summary
        demo_reset()


@pytest.fixture
def seeded(year, db):
    return year


def snapshot() -> tuple[list[Any], ...]:
    courses = list(
        Course.objects.order_by("code").values_list(
            "code",
            "name",
            "programme__code",
            "organizer__code",
            "starts_on",
            "ends_on",
            "status",
            "capacity",
            "venue__name",
        )
    )
    sessions = list(
        Session.objects.order_by("course__code", "date", "starts_at").values_list(
            "course__code", "date", "part", "topic__order", "lecturer__full_name", "venue__name"
        )
    )
    enrolments = list(
        Enrolment.objects.order_by("course__code", "person__sort_key", "person_id").values_list(
            "course__code", "person__full_name", "person__date_of_birth", "status"
        )
    )
    marks = list(
        Attendance.objects.order_by(
            "session__course__code", "session__date", "session__starts_at", "enrolment__person_id"
        ).values_list("session__date", "enrolment__person__full_name", "status", "method")
    )
    lecturers = list(
        Lecturer.objects.order_by("full_name", "workplace").values_list(
            "full_name", "kind", "workplace", "qualifications"
        )
    )
    return courses, sessions, enrolments, marks, lecturers


def test_same_seed_on_the_same_day_gives_the_same_year(seeded):
    first = snapshot()
    demo_reset()
    again = demo_seed(people=PEOPLE, seed=11, today=WEDNESDAY, cycle=False)
    assert snapshot() == first
    assert again.courses == seeded.courses
    demo_reset()
    demo_seed(people=PEOPLE, seed=12, today=WEDNESDAY, cycle=False)
    assert snapshot()[2] != first[2]


def test_every_programme_runs_courses_around_the_year(seeded):
    courses = list(Course.objects.select_related("programme"))
    assert seeded.courses is not None and seeded.courses.courses == len(courses)
    assert {c.programme.code for c in courses} == PROGRAMMES
    # Trung cấp is 120 half-days: one class, running now.
    assert sum(c.programme.code == "TC" for c in courses) == 1
    statuses = Counter(c.status for c in courses)
    assert statuses[Course.Status.FINISHED] >= 2 and statuses[Course.Status.OPEN] >= 3
    assert statuses[Course.Status.IN_PROGRESS] == 2
    assert len({c.starts_on.month for c in courses}) >= 6
    assert len({c.organizer_id for c in courses}) >= 3
    first_last = {
        row["course"]: row
        for row in Session.objects.values("course").annotate(first=Min("date"), last=Max("date"))
    }
    for course in courses:
        dates = first_last[course.pk]
        assert course.starts_on <= dates["first"] and dates["last"] <= course.ends_on
        if course.status == Course.Status.FINISHED:
            assert dates["last"] < WEDNESDAY
        elif course.status == Course.Status.OPEN:
            assert dates["first"] > WEDNESDAY
        else:
            assert dates["first"] <= WEDNESDAY <= dates["last"]


def test_every_course_page_of_the_demo_shows_its_sessions(seeded, client):
    client.force_login(User.objects.get(username="bantuyengiao"))
    first = dict(
        Session.objects.order_by("course_id", "-date", "-starts_at").values_list("course_id", "id")
    )
    courses = list(Course.objects.values_list("pk", flat=True))
    assert courses and set(first) == set(courses)
    for pk in courses:
        response = client.get(f"/lop-hoc/{pk}/")
        assert response.status_code == 200
        assert f'id="session-{first[pk]}"' in response.content.decode()


def test_no_venue_or_lecturer_is_in_two_places_at_once(seeded):
    sessions = list(Session.objects.order_by("date", "starts_at"))
    booked: dict[tuple[str, int, dt.date], list[Session]] = defaultdict(list)
    for s in sessions:
        if s.venue_id:
            booked[("venue", s.venue_id, s.date)].append(s)
        if s.lecturer_id:
            booked[("lecturer", s.lecturer_id, s.date)].append(s)
    for same_day in booked.values():
        for i, a in enumerate(same_day):
            for b in same_day[i + 1 :]:
                assert not overlaps(a.starts_at, a.ends_at, b.starts_at, b.ends_at), (a, b)
    assert sum(s.lecturer_id is not None for s in sessions) > 0.9 * len(sessions)
    # What the course page would flag: double bookings, lecturers not approved for the topic,
    # learners with two sessions at once, more learners than seats. Nothing at all.
    for course in Course.objects.all():
        assert course_conflicts(course=course) == {}, course


def test_the_demo_learner_and_lecturer_have_a_session_today(seeded, client):
    learner = User.objects.select_related("person").get(username="hocvien")
    today = Session.objects.filter(
        date=WEDNESDAY,
        course__enrolments__person=learner.person,
        course__enrolments__status=Enrolment.Status.ENROLLED,
        course__status=Course.Status.IN_PROGRESS,
    ).select_related("lecturer")
    assert today.count() == 2  # morning and afternoon
    lecturer = Lecturer.objects.get(user__username="giangvien")
    assert {s.lecturer for s in today} == {lecturer}
    # Both can open today's session: the lecturer takes the roll, the learner checks in.
    session = today.first()
    assert session is not None
    client.force_login(lecturer.user)
    assert client.get(f"/lop-hoc/buoi-hoc/{session.pk}/diem-danh/").status_code == 200
    client.force_login(learner)
    assert client.get(f"/lop-hoc/diem-danh/{session.checkin_code}/").status_code == 200
    # The learner has also finished a course, with their attendance on record.
    finished = Enrolment.objects.get(person=learner.person, course__status=Course.Status.FINISHED)
    assert finished.attendances.exists()
    assert seeded.courses.today_roll_call.startswith("/lop-hoc/buoi-hoc/")


@pytest.mark.parametrize("today", [SATURDAY, NATIONAL_DAY], ids=["weekend", "holiday"])
def test_on_a_day_off_the_class_of_the_week_makes_up_a_session_today(db, today):
    demo_reset()  # the module's year may be there already
    demo_seed(people=PEOPLE, seed=11, today=today, cycle=False)
    learner = User.objects.select_related("person").get(username="hocvien")
    session = Session.objects.get(date=today, course__enrolments__person=learner.person)
    assert session.note == "Buổi học bù" and session.lecturer is not None
    assert session.course.starts_on <= today <= session.course.ends_on
    for course in Course.objects.all():
        assert course_conflicts(course=course) == {}, course


def test_lecturers_of_three_kinds_cover_every_topic(seeded):
    lecturers = list(Lecturer.objects.prefetch_related("topics"))
    assert 20 <= len(lecturers) <= 30
    assert set(Lecturer.objects.values_list("kind", flat=True)) == set(Lecturer.Kind.values)
    assert Lecturer.objects.filter(person__isnull=False).count() >= 3
    assert Lecturer.objects.get(user__isnull=False).user.username == "giangvien"
    assert any("Trường Chính trị tỉnh" in lec.workplace for lec in lecturers)
    assert all(lec.qualifications and lec.workplace for lec in lecturers)
    topics = Topic.objects.filter(programme__code__in=PROGRAMMES)
    assert topics.count() == 41
    for topic in topics:
        assert topic.lecturers.count() >= 3, topic


def test_venues_halls_and_online_rooms(seeded):
    halls = Venue.objects.filter(kind=Venue.Kind.PHYSICAL)
    online = Venue.objects.filter(kind=Venue.Kind.ONLINE)
    assert halls.count() == 6 and online.count() == 2
    assert all(v.capacity > 0 and v.equipment for v in Venue.objects.all())
    assert all(v.meeting_url.startswith("https://") for v in online)
    assert halls.filter(name="Hội trường Tỉnh ủy").exists()


def test_learners_are_eligible_and_seated_and_marked_only_for_past_sessions(seeded):
    enrolments = list(
        Enrolment.objects.select_related("course__programme", "course__venue", "person")
    )
    assert len(enrolments) > PEOPLE
    history: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for person_id, on, stage in MembershipChange.objects.order_by("effective_on", "id").values_list(
        "person_id", "effective_on", "stage"
    ):
        history[person_id].append((on, stage))
    for e in enrolments:
        # Eligible now, or when the class began: those admitted since took the awareness class
        # as candidates, those recognized since the new-member class as probationary members.
        then = copy.copy(e.person)
        then.stage = next(
            (stage for on, stage in reversed(history[e.person_id]) if on <= e.course.starts_on),
            e.person.stage,
        )
        programme = e.course.programme
        assert not eligibility_warnings(programme=programme, person=e.person) or not (
            eligibility_warnings(programme=programme, person=then)
        ), e
    per_course = Counter(e.course_id for e in enrolments)
    for e in enrolments:
        assert per_course[e.course_id] <= min(e.course.capacity, e.course.venue.capacity)
    withdrawn = {e.pk: e.withdrawn_on for e in enrolments if e.withdrawn_on is not None}
    marks = list(Attendance.objects.select_related("session"))
    assert marks and all(m.session.date < WEDNESDAY for m in marks)
    assert all(
        m.session.date < withdrawn[m.enrolment_id] for m in marks if m.enrolment_id in withdrawn
    )
    statuses = Counter(m.status for m in marks)
    assert statuses[Attendance.Status.PRESENT] > 0.85 * len(marks)
    assert statuses[Attendance.Status.EXCUSED] and statuses[Attendance.Status.ABSENT]
    # Every learner of a finished course has a mark for each session held before they left.
    held = Counter(
        Session.objects.filter(course__status="finished").values_list("course_id", flat=True)
    )
    marked = Counter(m.enrolment_id for m in marks)
    for e in enrolments:
        if e.course.status == Course.Status.FINISHED and e.status == "enrolled":
            assert marked[e.pk] == held[e.course_id]


def test_reset_removes_the_courses_and_what_later_apps_hung_on_them(seeded):
    course = Course.objects.filter(status=Course.Status.FINISHED).first()
    assert course is not None
    enrolment = course.enrolments.select_related("person").first()
    assert enrolment is not None
    department = User.objects.get(username="bantuyengiao")
    province = Organization.objects.get(code="HBS")
    ResultsApproval.objects.get_or_create(course=course, defaults={"approved_by": department})
    series = CertificateSeries.objects.create(programme=course.programme, year=2026)
    old = Certificate.objects.create(
        enrolment=enrolment,
        person=enrolment.person,
        programme=course.programme,
        course=course,
        series=series,
        number=1,
        serial="001",
        issued_on=WEDNESDAY,
        issuer=province,
        issuer_name=province.name,
        holder_name=enrolment.person.full_name,
    )
    Certificate.objects.create(
        enrolment=enrolment,
        person=enrolment.person,
        programme=course.programme,
        course=course,
        series=series,
        number=2,
        serial="002",
        issued_on=WEDNESDAY,
        issuer=province,
        issuer_name=province.name,
        holder_name=enrolment.person.full_name,
        replaces=old,
    )
    Expense.objects.create(
        course=course, kind="lecturer_fees", amount=Decimal(500000), spent_on=WEDNESDAY
    )
    plan = AnnualPlan.objects.create(year=2026, title="Kế hoạch 2026", issuer=province)
    planned = PlannedCourse.objects.create(
        plan=plan,
        programme=course.programme,
        name=course.name,
        month=3,
        expected_learners=40,
        venue=course.venue,
        organizer=province,
        course=course,
    )
    planned.lecturers.set(Lecturer.objects.all()[:2])
    round_ = NominationRound.objects.create(year=2027, deadline=WEDNESDAY)
    submission = Submission.objects.create(round=round_, organization=province)
    Nomination.objects.create(
        submission=submission, person=enrolment.person, programme=course.programme
    )

    demo_reset()

    for model in (
        Course,
        Session,
        Enrolment,
        Attendance,
        Lecturer,
        Venue,
        Certificate,
        PlannedCourse,
    ):
        assert not model.objects.exists(), model
    assert Programme.objects.filter(code__in=PROGRAMMES).count() == 6
    demo_seed(people=PEOPLE, seed=11, today=WEDNESDAY, cycle=False)
    assert Course.objects.exists()


def test_command_reports_the_session_of_today_and_reseeds(db):
    out = io.StringIO()
    call_command("seed_demo", people=50, seed=5, reset=True, stdout=out)
    text = out.getvalue()
    assert "courses:" in text and "/lop-hoc/buoi-hoc/" in text
    call_command("seed_demo", people=50, seed=5, reset=True, stdout=io.StringIO())
    assert Course.objects.filter(status=Course.Status.IN_PROGRESS).count() == 2
    call_command("seed_demo", people=50, reset=True, no_courses=True, stdout=io.StringIO())
    assert not Course.objects.exists() and not Lecturer.objects.exists()


def test_a_handful_of_people_still_gets_a_consistent_demo(db):
    demo_reset()
    summary = demo_seed(people=5, seed=1, today=WEDNESDAY, cycle=False)
    assert summary.courses is not None and summary.courses.courses >= 6
    assert Session.objects.filter(date=WEDNESDAY).exists()
    for course in Course.objects.all():
        assert course_conflicts(course=course) == {}, course
