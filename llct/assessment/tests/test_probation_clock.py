"""The probation clock: the day probation ends, the 30th working day after it by which the cell
must decide (weekends and the holiday calendar left out), and the members past it."""

import datetime as dt

import pytest

from llct.assessment.membership import decision_deadline, probation_clock, probation_overdue
from llct.assessment.tests.factories import probationary
from llct.core.models import Role
from llct.courses.models import Holiday
from llct.organizations.tests.factories import make_person, make_user

# Probation of someone admitted on 10/04/2025 ends on Friday 10/04/2026.
ADMITTED = dt.date(2025, 4, 10)
ENDS = dt.date(2026, 4, 10)


@pytest.fixture
def no_holidays(db):
    """A calendar without holidays (the data migration fills in Vietnam's), so that each test
    says which holidays it counts."""
    Holiday.objects.all().delete()


def add_holidays(*days):
    for day in days:
        Holiday.objects.create(date=day, name="Ngày lễ")


def test_the_30th_working_day_skips_weekends(no_holidays):
    # 13/04 is a Monday: six weeks of five days end on Friday 22/05.
    assert decision_deadline(ENDS) == dt.date(2026, 5, 22)


def test_the_30th_working_day_across_a_holiday_comes_later(no_holidays):
    add_holidays(dt.date(2026, 4, 30), dt.date(2026, 5, 1))
    assert decision_deadline(ENDS) == dt.date(2026, 5, 26)


@pytest.mark.django_db
def test_the_default_calendar_counts_the_holidays_of_april_and_may():
    # 27/04 (Hùng Kings, moved), 30/04 and 01/05 are in the calendar the data migration made.
    assert decision_deadline(ENDS) == dt.date(2026, 5, 27)


def test_the_day_probation_ends_is_not_counted():
    # Ends on a Monday: the count starts on Tuesday.
    assert decision_deadline(dt.date(2026, 4, 13), holidays=set()) == dt.date(2026, 5, 25)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "state"),
    [
        (ENDS - dt.timedelta(days=1), "running"),
        (ENDS, "due"),
        (dt.date(2026, 5, 22), "due"),
        (dt.date(2026, 5, 23), "overdue"),
    ],
)
def test_the_clock_at_its_edges(world, no_holidays, today, state):
    person = probationary(world.org_a1, admitted_on=ADMITTED)
    clock = probation_clock(person, today=today)
    assert clock is not None
    assert (clock.ends_on, clock.decide_by, clock.state) == (ENDS, dt.date(2026, 5, 22), state)
    assert clock.days_overdue == (1 if state == "overdue" else 0)


@pytest.mark.django_db
def test_only_probationary_members_have_a_clock(world):
    assert probation_clock(world.person_a, today=ENDS) is None


@pytest.fixture
def overdue_world(world, no_holidays):
    late_a = probationary(world.org_a1, "Đỗ Văn Trễ", admitted_on=ADMITTED)
    later_a = probationary(
        world.org_a1, "Đỗ Văn Muộn", admitted_on=ADMITTED - dt.timedelta(days=30)
    )
    in_time = probationary(world.org_a1, "Đỗ Văn Kịp", admitted_on=dt.date(2025, 5, 20))
    late_b = probationary(world.org_b1, "Đỗ Thị Bê", admitted_on=ADMITTED)
    make_person(world.org_a1, "Đỗ Văn Chính", stage="full")
    return late_a, later_a, in_time, late_b


TODAY = dt.date(2026, 6, 1)


def test_the_overdue_list_is_scoped_and_longest_overdue_first(
    world, overdue_world, django_assert_max_num_queries
):
    late_a, later_a, _in_time, late_b = overdue_world
    with django_assert_max_num_queries(3):
        rows = probation_overdue(user=world.department, today=TODAY)
    # Same day late: Vietnamese name order (Bê before Trễ).
    assert [r.person for r in rows] == [later_a, late_b, late_a]
    assert rows[2].clock.days_overdue == (TODAY - dt.date(2026, 5, 22)).days
    with django_assert_max_num_queries(3):
        mine = probation_overdue(user=world.officer_a, today=TODAY)
    assert [r.person for r in mine] == [later_a, late_a]
    assert [r.person for r in probation_overdue(user=world.officer_b, today=TODAY)] == [late_b]


def test_the_overdue_list_of_one_organization(world, overdue_world):
    late_a, later_a, _in_time, _late_b = overdue_world
    rows = probation_overdue(user=world.department, today=TODAY, organization=world.org_a)
    assert [r.person for r in rows] == [later_a, late_a]


def test_nobody_is_overdue_for_those_who_see_no_rolls(world, overdue_world):
    lecturer = make_user("giangvien", Role.LECTURER)
    assert probation_overdue(user=lecturer, today=TODAY) == []
    assert probation_overdue(user=world.learner, today=TODAY) == []


def test_the_overdue_list_counts_holidays(world, overdue_world):
    late_a, *_rest = overdue_world
    add_holidays(dt.date(2026, 4, 30), dt.date(2026, 5, 1))
    assert late_a not in [
        r.person for r in probation_overdue(user=world.department, today=dt.date(2026, 5, 26))
    ]
    assert late_a in [
        r.person for r in probation_overdue(user=world.department, today=dt.date(2026, 5, 27))
    ]
