"""Scheduling conflicts: the five kinds, the overlap edges, severities, and all at once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from llct.courses.models import SchedulingRules, Session, Severity, Venue
from llct.courses.services.conflicts import (
    Conflict,
    ConflictError,
    course_conflicts,
    overlaps,
    session_conflicts,
)
from llct.courses.services.sessions import session_save
from llct.courses.tests.factories import (
    AFTERNOON,
    MORNING,
    enrol,
    make_course,
    make_lecturer,
    make_plan,
    make_programme,
    make_session,
    make_venue,
)
from llct.organizations.tests.factories import make_person

DAY = dt.date(2026, 3, 3)  # a Tuesday


@pytest.fixture
def setup(world):
    programme = make_programme()
    hall = make_venue("Hội trường lớn", capacity=100)
    ours = make_course(programme, world.org_a, name="Lớp của A")
    theirs = make_course(programme, world.org_b, name="Lớp của B")
    return programme, hall, ours, theirs


def t(h: int, m: int = 0) -> dt.time:
    return dt.time(h, m)


def unsaved(course, date=DAY, times=MORNING, **fields) -> Session:
    return Session(
        course=course,
        date=date,
        part=fields.pop("part", "custom"),
        starts_at=times[0],
        ends_at=times[1],
        **fields,
    )


def kinds(conflicts) -> list[str]:
    return sorted(c.kind for c in conflicts)


# --- Overlap edges ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((t(7, 30), t(11, 30)), (t(11, 30), t(13)), False),  # touching: no clash
        ((t(11, 30), t(13)), (t(7, 30), t(11, 30)), False),
        ((t(7, 30), t(11, 30)), (t(11), t(12)), True),  # overlapping the end
        ((t(7, 30), t(11, 30)), (t(6), t(7, 31)), True),  # overlapping the start
        ((t(7, 30), t(11, 30)), (t(8), t(9)), True),  # inside
        ((t(8), t(9)), (t(7, 30), t(11, 30)), True),  # around
        ((t(7, 30), t(11, 30)), (t(7, 30), t(11, 30)), True),  # the same
        ((t(7, 30), t(11, 30)), (t(13, 30), t(17)), False),
    ],
)
def test_overlap_is_half_open(a, b, expected):
    assert overlaps(*a, *b) is expected


def test_touching_sessions_in_the_same_venue_do_not_conflict(setup):
    _programme, hall, ours, theirs = setup
    make_session(theirs, DAY, (t(11, 30), t(13)), venue=hall)
    assert session_conflicts(session=unsaved(ours, venue=hall)) == []
    make_session(theirs, DAY, (t(6), t(7, 30)), venue=hall)
    assert session_conflicts(session=unsaved(ours, venue=hall)) == []


def test_a_session_on_another_day_does_not_conflict(setup):
    _programme, hall, ours, theirs = setup
    make_session(theirs, DAY + dt.timedelta(days=1), venue=hall)
    assert session_conflicts(session=unsaved(ours, venue=hall)) == []


# --- The five kinds ---------------------------------------------------------------------------


def test_venue_double_booked_links_to_the_other_session(setup):
    _programme, hall, ours, theirs = setup
    other = make_session(theirs, DAY, (t(11), t(12)), venue=hall)
    [conflict] = session_conflicts(session=unsaved(ours, venue=hall))
    assert conflict.kind == "venue"
    assert conflict.is_block
    assert "Lớp của B" in conflict.message and "11:00" in conflict.message
    assert conflict.url == f"/lop-hoc/{theirs.pk}/#session-{other.pk}"


def test_a_session_does_not_conflict_with_its_own_saved_self(setup):
    _programme, hall, ours, _theirs = setup
    session = make_session(ours, DAY, venue=hall)
    session.starts_at = t(8)
    assert session_conflicts(session=session) == []


def test_two_sessions_of_the_same_course_in_one_venue_conflict(setup):
    _programme, hall, ours, _theirs = setup
    make_session(ours, DAY, venue=hall)
    assert kinds(session_conflicts(session=unsaved(ours, venue=hall))) == ["venue"]


def test_lecturer_in_two_places(setup):
    programme, hall, ours, theirs = setup
    lecturer = make_lecturer(topics=list(programme.topics.all()))
    other = make_session(theirs, DAY, lecturer=lecturer, venue=make_venue("Phòng 2"))
    [conflict] = session_conflicts(session=unsaved(ours, lecturer=lecturer, venue=hall))
    assert conflict.kind == "lecturer"
    assert conflict.is_block
    assert conflict.url.endswith(f"#session-{other.pk}")


def test_lecturer_not_approved_for_the_topic_is_a_warning(setup):
    programme, _hall, ours, _theirs = setup
    first, second = programme.topics.order_by("order")
    lecturer = make_lecturer(topics=[first])
    assert session_conflicts(session=unsaved(ours, lecturer=lecturer, topic=first)) == []
    [conflict] = session_conflicts(session=unsaved(ours, lecturer=lecturer, topic=second))
    assert conflict.kind == "approval"
    assert conflict.severity == Severity.WARNING
    assert conflict.url == ""


def test_learners_with_two_sessions_at_once(setup, world):
    _programme, _hall, ours, theirs = setup
    both = make_person(world.org_a1, "Phạm Văn Hai")
    only_ours = make_person(world.org_a1, "Đỗ Thị Một")
    enrol(ours, both)
    enrol(ours, only_ours)
    enrol(theirs, both)
    enrol(theirs, make_person(world.org_b1, "Vũ Văn Ngoài"))
    other = make_session(theirs, DAY, (t(9), t(10)))
    [conflict] = session_conflicts(session=unsaved(ours))
    assert conflict.kind == "learner"
    assert conflict.severity == Severity.WARNING
    assert conflict.message.startswith("1 ") and "Phạm Văn Hai" in conflict.message
    assert "Đỗ Thị Một" not in conflict.message and "Vũ Văn Ngoài" not in conflict.message
    assert conflict.url.endswith(f"#session-{other.pk}")
    # Touching is not clashing for learners either.
    assert session_conflicts(session=unsaved(ours, times=(t(10), t(11)))) == []


def test_a_withdrawn_learner_does_not_clash(setup, world):
    _programme, _hall, ours, theirs = setup
    person = make_person(world.org_a1, "Phạm Văn Hai")
    enrol(ours, person)
    enrol(theirs, person, status="withdrawn", withdrawn_on=DAY, withdrawal_reason="Ốm")
    make_session(theirs, DAY)
    assert session_conflicts(session=unsaved(ours)) == []


def test_capacity_of_the_venue(setup, world):
    _programme, _hall, ours, _theirs = setup
    small = make_venue("Phòng nhỏ", capacity=2)
    for i in range(3):
        enrol(ours, make_person(world.org_a1, f"Học Viên {i}"))
    [conflict] = session_conflicts(session=unsaved(ours, venue=small))
    assert conflict.kind == "capacity"
    assert conflict.is_block
    assert "2" in conflict.message and "3" in conflict.message


def test_seat_limit_of_an_online_room(setup, world):
    _programme, _hall, ours, _theirs = setup
    room = make_venue("Phòng họp trực tuyến", capacity=1, kind=Venue.Kind.ONLINE)
    enrol(ours, make_person(world.org_a1, "Học Viên Một"))
    assert session_conflicts(session=unsaved(ours, venue=room)) == []
    enrol(ours, make_person(world.org_a1, "Học Viên Hai"))
    assert kinds(session_conflicts(session=unsaved(ours, venue=room))) == ["capacity"]


def test_every_conflict_is_reported_at_once(setup, world):
    programme, _hall, ours, theirs = setup
    small = make_venue("Phòng nhỏ", capacity=1)
    topic = programme.topics.first()
    lecturer = make_lecturer()
    person = make_person(world.org_a1, "Phạm Văn Hai")
    enrol(ours, person)
    enrol(ours, make_person(world.org_a1, "Đỗ Thị Một"))
    enrol(theirs, person)
    make_session(theirs, DAY, venue=small, lecturer=lecturer)
    found = session_conflicts(session=unsaved(ours, venue=small, lecturer=lecturer, topic=topic))
    assert kinds(found) == ["approval", "capacity", "learner", "lecturer", "venue"]


# --- Severity settings, session_save ------------------------------------------------------------


def test_a_block_stops_the_save_and_carries_the_conflicts(setup, world):
    _programme, hall, ours, theirs = setup
    make_session(theirs, DAY, venue=hall)
    session = unsaved(ours, venue=hall, part="morning")
    with pytest.raises(ConflictError) as caught:
        session_save(session=session, actor=world.department, confirm_warnings=True)
    assert caught.value.blocked
    assert not caught.value.needs_confirmation
    assert [c.kind for c in caught.value.conflicts] == ["venue"]
    assert session.pk is None


def test_switching_venue_double_booking_to_a_warning_lets_it_be_confirmed(setup, world):
    _programme, hall, ours, theirs = setup
    make_session(theirs, DAY, venue=hall)
    rules = SchedulingRules.current()
    rules.venue_double_booked = Severity.WARNING
    rules.save()
    with pytest.raises(ConflictError) as caught:
        session_save(session=unsaved(ours, venue=hall), actor=world.department)
    assert caught.value.needs_confirmation
    saved, accepted = session_save(
        session=unsaved(ours, venue=hall), actor=world.department, confirm_warnings=True
    )
    assert saved.pk and [c.kind for c in accepted] == ["venue"]


def test_switching_learner_clashes_to_a_block_stops_even_a_confirmed_save(setup, world):
    _programme, _hall, ours, theirs = setup
    person = make_person(world.org_a1, "Phạm Văn Hai")
    enrol(ours, person)
    enrol(theirs, person)
    make_session(theirs, DAY)
    saved, _accepted = session_save(
        session=unsaved(ours), actor=world.department, confirm_warnings=True
    )
    assert saved.pk
    rules = SchedulingRules.current()
    rules.learner_double_booked = Severity.BLOCK
    rules.save()
    with pytest.raises(ConflictError) as caught:
        session_save(session=unsaved(ours, date=DAY), actor=world.department, confirm_warnings=True)
    assert caught.value.blocked


def test_date_errors_and_conflicts_come_together(setup, world):
    _programme, hall, ours, theirs = setup
    late = ours.ends_on + dt.timedelta(days=3)
    theirs.ends_on = late
    theirs.save()
    make_session(theirs, late, venue=hall)
    with pytest.raises(ConflictError) as caught:
        session_save(session=unsaved(ours, date=late, venue=hall), actor=world.department)
    assert "date" in caught.value.message_dict
    assert [c.kind for c in caught.value.conflicts] == ["venue"]


def test_a_half_day_takes_its_times_from_the_settings(setup, world):
    _programme, _hall, ours, _theirs = setup
    rules = SchedulingRules.current()
    rules.afternoon_start, rules.afternoon_end = t(14), t(17, 30)
    rules.save()
    session = unsaved(ours, part="afternoon", times=(t(1), t(2)))
    saved, _accepted = session_save(session=session, actor=world.department)
    saved.refresh_from_db()
    assert (saved.starts_at, saved.ends_at) == (t(14), t(17, 30))


def test_exact_times_must_end_after_they_start(setup, world):
    _programme, _hall, ours, _theirs = setup
    with pytest.raises(ValidationError):
        session_save(session=unsaved(ours, times=(t(10), t(9))), actor=world.department)


def test_lesson_plan_defaults_to_the_latest_version(setup, world):
    programme, _hall, ours, _theirs = setup
    topic = programme.topics.first()
    make_plan(topic, 1)
    latest = make_plan(topic, 3)
    make_plan(topic, 2)
    saved, _ = session_save(session=unsaved(ours, topic=topic), actor=world.department)
    assert saved.lesson_plan == latest


def test_a_topic_of_another_programme_is_refused(setup, world):
    _programme, _hall, ours, _theirs = setup
    foreign = make_programme().topics.first()
    with pytest.raises(ConflictError) as caught:
        session_save(session=unsaved(ours, topic=foreign), actor=world.department)
    assert "topic" in caught.value.message_dict


def test_a_lesson_plan_of_another_topic_is_refused(setup, world):
    programme, _hall, ours, _theirs = setup
    first, second = programme.topics.order_by("order")
    plan = make_plan(second, 1)
    with pytest.raises(ConflictError) as caught:
        session_save(session=unsaved(ours, topic=first, lesson_plan=plan), actor=world.department)
    assert "lesson_plan" in caught.value.message_dict


# --- Query counts -----------------------------------------------------------------------------


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_session_conflicts_query_count_does_not_grow(setup, world):
    programme, hall, ours, theirs = setup
    lecturer = make_lecturer()
    topic = programme.topics.first()
    rules = SchedulingRules.current()

    def check() -> list[Conflict]:
        return session_conflicts(
            session=unsaved(ours, venue=hall, lecturer=lecturer, topic=topic), rules=rules
        )

    person = make_person(world.org_a1, "Người Đầu")
    enrol(ours, person)
    enrol(theirs, person)
    make_session(theirs, DAY, venue=hall, lecturer=lecturer)
    few = _count(check)
    for i in range(30):
        other = make_course(programme, world.org_b)
        make_session(other, DAY, (t(7), t(9)), venue=hall, lecturer=lecturer)
        p = make_person(world.org_a1, f"Người Thứ {i}")
        enrol(ours, p)
        enrol(other, p)
    many = _count(check)
    assert many == few <= 5
    assert len(check()) == 31 * 3 + 1  # venue, lecturer, learners per other session; approval


def test_course_conflicts_query_count_does_not_grow_with_sessions(setup, world):
    programme, hall, ours, theirs = setup
    lecturer = make_lecturer()
    person = make_person(world.org_a1, "Người Đầu")
    enrol(ours, person)
    enrol(theirs, person)
    make_session(ours, DAY, venue=hall, lecturer=lecturer, topic=programme.topics.first())
    make_session(theirs, DAY, venue=hall, lecturer=lecturer)
    SchedulingRules.current()  # the settings row exists, as it does after the first page
    few = _count(lambda: course_conflicts(course=ours))
    start = DAY + dt.timedelta(days=1)
    for i in range(20):
        day = start + dt.timedelta(days=i)
        make_session(ours, day, venue=hall, lecturer=lecturer)
        make_session(theirs, day, venue=hall, lecturer=lecturer)
        make_session(ours, day, AFTERNOON, venue=hall)
    many = _count(lambda: course_conflicts(course=ours))
    assert many == few <= 7
    found = course_conflicts(course=ours)
    assert len(found) == 21
