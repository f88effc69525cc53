"""The one definition of "has finished the new-member class" at its edges."""

import datetime as dt

from llct.assessment.records import Attempt, new_member_class_finished

ADMITTED = dt.date(2025, 3, 2)
ENDS = dt.date(2026, 3, 2)


def attempt(ends_on, *, n=1, **fields):
    values = {
        "programme_id": 1,
        "starts_on": ends_on - dt.timedelta(days=4),
        "ends_on": ends_on,
        "enrolment_id": n,
        "withdrawn": False,
        "passed": True,
        "approved": True,
        "cancelled": False,
    }
    values.update(fields)
    return Attempt(**values)


def finished(*attempts):
    return new_member_class_finished(attempts, admitted_on=ADMITTED, probation_ends_on=ENDS)


def test_a_class_ending_on_the_admission_day_or_the_last_day_of_probation_counts():
    assert finished(attempt(ADMITTED)) is not None
    assert finished(attempt(ENDS)) is not None


def test_a_class_ending_outside_the_probation_does_not_count():
    assert finished(attempt(ADMITTED - dt.timedelta(days=1))) is None
    assert finished(attempt(ENDS + dt.timedelta(days=1))) is None


def test_only_an_approved_pass_with_no_revoked_certificate_counts():
    day = dt.date(2025, 6, 13)
    assert finished(attempt(day, passed=None)) is None
    assert finished(attempt(day, passed=False)) is None
    assert finished(attempt(day, approved=False)) is None
    assert finished(attempt(day, withdrawn=True)) is None
    assert finished(attempt(day, cancelled=True)) is None
    assert finished(attempt(day, revoked=True)) is None


def test_the_earliest_finished_class_is_the_one():
    late, early = attempt(dt.date(2025, 9, 5), n=1), attempt(dt.date(2025, 6, 13), n=2)
    assert finished(late, early) == early


def test_without_an_admission_date_nothing_counts():
    assert (
        new_member_class_finished(
            [attempt(dt.date(2025, 6, 13))], admitted_on=None, probation_ends_on=None
        )
        is None
    )
