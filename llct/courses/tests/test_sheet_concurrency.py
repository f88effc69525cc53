"""Two saves of the same roll-call mark or the same score at the same instant: real threads,
each with its own connection and transaction, against PostgreSQL (SQLite takes one writer at
a time, so it proves nothing). One save wins; the other is told, and overwrites nothing."""

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from llct.assessment import services as results
from llct.assessment.models import Result
from llct.assessment.tests.factories import ready_course
from llct.courses.models import Attendance
from llct.courses.roll_call import roll_call_save
from llct.courses.tests.test_attendance import MONDAY, make_setup

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite takes one writer at a time, so threads cannot race; "
        "run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 10
WAIT_SECONDS = 20


def race(*jobs):
    """Start the jobs together, each in its own thread; return their results in order."""
    start = threading.Barrier(len(jobs), timeout=WAIT_SECONDS)
    answers: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(i, job):
        try:
            start.wait()
            answers[i] = job()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_SECONDS)
        assert not thread.is_alive(), "a saving thread hung"
    if errors:
        raise errors[0]
    return answers


def test_two_first_marks_at_once_one_is_saved_the_other_told(world):
    setup = make_setup(world)
    session, enrolment = setup["session"], setup["enrol_a"]
    for _ in range(ROUNDS):
        Attendance.objects.all().delete()

        def tap(status, actor):
            return lambda: roll_call_save(
                session=session,
                enrolment=enrolment,
                status=status,
                original="",
                actor=actor,
                today=MONDAY,
            )

        first, second = race(
            tap("present", world.department), tap("absent", setup["lecturer_user"])
        )
        stored = Attendance.objects.get().status
        assert sorted([first.clash, second.clash]) == [False, True]
        winner = first if not first.clash else second
        loser = second if winner is first else first
        assert winner.status == stored and loser.status == stored


def test_two_saves_of_one_score_at_once_one_is_written_the_other_told(world):
    course, (enrolment,) = ready_course(world.province, world.person_a)
    for _ in range(ROUNDS):
        Result.objects.all().delete()

        def save(value):
            return lambda: results.scores_save(
                course=course,
                changes={enrolment.pk: {"essay_score": Decimal(value)}},
                originals={enrolment.pk: {"essay_score": None}},
                actor=world.department,
                today=dt.date(2026, 6, 1),
            )

        first, second = race(save("8"), save("6"))
        stored = Result.objects.get(enrolment=enrolment).essay_score
        clashes = [bool(first.clashes), bool(second.clashes)]
        assert sorted(clashes) == [False, True]
        loser = first if first.clashes else second
        (clash,) = loser.clashes.values()
        assert clash.stored == stored
