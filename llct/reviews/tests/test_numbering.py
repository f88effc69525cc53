"""Document numbers: a series per issuer, kind and year that never repeats or skips, also
under concurrent issue (two threads on PostgreSQL)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction

from llct.reviews.documents import default_abbreviation, issuer_for, number_issue
from llct.reviews.models import DocumentSeries, IssuedNumber
from llct.reviews.tests.factories import department_issuer

DAY = dt.date(2026, 12, 5)


@pytest.mark.django_db
def test_numbers_follow_each_other_per_issuer_kind_and_year(world):
    issuer = department_issuer(world)
    first = number_issue(issuer=issuer, kind="BC", day=DAY, subject="Báo cáo 1", actor=None)
    second = number_issue(issuer=issuer, kind="BC", day=DAY, subject="Báo cáo 2", actor=None)
    notice = number_issue(issuer=issuer, kind="TB", day=DAY, subject="Thông báo", actor=None)
    next_year = number_issue(
        issuer=issuer, kind="BC", day=dt.date(2027, 1, 2), subject="Báo cáo", actor=None
    )
    assert (first, second, notice, next_year) == (
        "01-BC/BTG",
        "02-BC/BTG",
        "01-TB/BTG",
        "01-BC/BTG",
    )
    assert IssuedNumber.objects.count() == 4


@pytest.mark.django_db
def test_a_failed_issue_does_not_skip_a_number(world):
    issuer = department_issuer(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        number_issue(issuer=issuer, kind="BC", day=DAY, subject="Hỏng", actor=None)
        raise RuntimeError
    assert (
        number_issue(issuer=issuer, kind="BC", day=DAY, subject="Báo cáo", actor=None)
        == "01-BC/BTG"
    )


@pytest.mark.django_db
def test_an_organization_issues_under_its_own_abbreviation(world):
    assert default_abbreviation("Đảng ủy xã Đồng Tâm") == "ĐU"
    issuer = issuer_for(world.org_a)
    assert number_issue(issuer=issuer, kind="BC", day=DAY, subject="x", actor=None) == "01-BC/ĐU"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_two_concurrent_issues_get_consecutive_numbers(world):
    issuer = department_issuer(world)
    number_issue(issuer=issuer, kind="BC", day=DAY, subject="first", actor=None)
    barrier = threading.Barrier(2)
    got: list[str] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                got.append(number_issue(issuer=issuer, kind="BC", day=DAY, subject="t", actor=None))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(got) == ["02-BC/BTG", "03-BC/BTG"]
    assert DocumentSeries.objects.get(issuer=issuer, kind="BC", year=2026).last_number == 3
