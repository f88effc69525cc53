"""Serial numbers when approvals run at the same time: real threads, each with its own database
connection and transaction, against PostgreSQL (SQLite serializes writers, so it proves nothing).
The numbers of a series must come out 1..N with no gap and no duplicate."""

import datetime as dt
import threading
import time

import pytest
from django.db import close_old_connections, connection, connections, transaction

from llct.assessment.certificates import certificates_issue
from llct.assessment.models import Certificate, CertificateSeries
from llct.assessment.tests.test_certificates import admission_course
from llct.courses.tests.factories import enrol
from llct.organizations.tests.factories import make_person

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite takes one writer at a time, so threads cannot race; "
        "run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]

ISSUED = dt.date(2026, 6, 30)
WAIT_SECONDS = 20


def courses_with_learners(world, courses, per_course):
    programme = admission_course(world.province).programme
    result = []
    for c in range(courses):
        course = admission_course(world.province, programme, name=f"Lớp song song {c}")
        people = [make_person(world.org_a1, f"Học Viên {c}-{i:02d}") for i in range(per_course)]
        result.append((course, [enrol(course, p) for p in people]))
    return programme, result


def run_in_threads(jobs):
    """Run each job in its own thread (its own connection); re-raise the first error."""
    errors = []

    def wrap(job):
        try:
            job()
        except BaseException as error:  # handed to the test thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    return threads, errors


def join(threads, errors):
    for thread in threads:
        thread.join(WAIT_SECONDS)
        assert not thread.is_alive(), "an issuing thread hung"
    if errors:
        raise errors[0]


def waiting_on_a_lock() -> int:
    """How many other sessions of this database are blocked on a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def assert_numbered_one_to(programme, n):
    numbers = sorted(
        Certificate.objects.filter(programme=programme, series__year=ISSUED.year).values_list(
            "number", flat=True
        )
    )
    assert numbers == list(range(1, n + 1))
    serials = list(Certificate.objects.values_list("serial", flat=True))
    assert len(serials) == len(set(serials)) == n
    assert CertificateSeries.objects.get(programme=programme, year=ISSUED.year).last_number == n


def test_a_second_approval_waits_for_the_first_and_continues_its_numbers(world):
    """Deterministic: the first approval holds its transaction open until the second is seen
    blocked on the series lock; then the first commits and the second numbers after it."""
    programme, [(course_a, enrol_a), (course_b, enrol_b)] = courses_with_learners(world, 2, 5)
    # The series exists already, so only its row lock can keep the second from reading the
    # same last_number as the first.
    CertificateSeries.objects.create(programme=programme, year=ISSUED.year)
    first_issued = threading.Event()
    second_blocked = threading.Event()

    def first():
        with transaction.atomic():
            certificates_issue(course=course_a, enrolments=enrol_a, issued_on=ISSUED)
            first_issued.set()
            assert second_blocked.wait(WAIT_SECONDS), "the second approval never blocked"

    def second():
        assert first_issued.wait(WAIT_SECONDS)
        certificates_issue(course=course_b, enrolments=enrol_b, issued_on=ISSUED)

    threads, errors = run_in_threads([first, second])
    deadline = time.monotonic() + WAIT_SECONDS
    while not errors and time.monotonic() < deadline:
        if first_issued.is_set() and waiting_on_a_lock() >= 1:
            second_blocked.set()
            break
        time.sleep(0.01)  # polling pg_stat_activity, not waiting for a guessed duration
    join(threads, errors)
    close_old_connections()

    assert_numbered_one_to(programme, 10)
    assert sorted(c.number for c in Certificate.objects.filter(course=course_a)) == [1, 2, 3, 4, 5]
    assert sorted(c.number for c in Certificate.objects.filter(course=course_b)) == [
        6,
        7,
        8,
        9,
        10,
    ]


def test_many_approvals_at_once_give_one_to_n_without_gaps_or_duplicates(world):
    """Four approvals released together by a barrier, the series not yet created: they race to
    create it and to take numbers."""
    programme, batches = courses_with_learners(world, 4, 6)
    start = threading.Barrier(len(batches), timeout=WAIT_SECONDS)

    def job(course, enrolments):
        def run():
            start.wait()
            certificates_issue(course=course, enrolments=enrolments, issued_on=ISSUED)

        return run

    threads, errors = run_in_threads([job(c, e) for c, e in batches])
    join(threads, errors)
    close_old_connections()

    assert_numbered_one_to(programme, 24)
    # Each approval got a consecutive run: numbers are allocated under one lock per batch.
    for course, _enrolments in batches:
        numbers = sorted(Certificate.objects.filter(course=course).values_list("number", flat=True))
        assert numbers == list(range(numbers[0], numbers[0] + 6))
