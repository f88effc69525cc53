"""The indicator "new members trained within probation" and the probation watchlist count the
new-member class as `assessment.selectors.new_member_class_finished` defines it: their SQL twin
(`new_member_class_finished_sql`) agrees with it person by person, and a pass recorded without
approval (or whose certificate was revoked) is not counted."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Exists

from llct.assessment.models import Certificate, CertificateSeries, ResultsApproval
from llct.assessment.records import (
    new_member_attempts,
    new_member_class_finished,
    new_member_class_finished_sql,
)
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Programme
from llct.monitoring import indicators
from llct.monitoring import watchlists as w
from llct.monitoring.indicators import Value
from llct.monitoring.tests import factories as f
from llct.organizations.models import MembershipStage, Person
from llct.organizations.tests.factories import make_person

NEW_MEMBER = Programme.Kind.NEW_MEMBER
PROBATIONARY = MembershipStage.PROBATIONARY


def V(numerator: int, denominator: int) -> Value:
    return Value(Decimal(numerator), Decimal(denominator))


def certify(enrolment: Enrolment, *, revoked: bool) -> Certificate:
    course = enrolment.course
    series, _created = CertificateSeries.objects.get_or_create(
        programme=course.programme, year=course.ends_on.year
    )
    series.last_number += 1
    series.save()
    return Certificate.objects.create(
        enrolment=enrolment,
        person=enrolment.person,
        programme=course.programme,
        course=course,
        series=series,
        number=series.last_number,
        serial=f"{series.last_number:03d}/GCN",
        issued_on=course.ends_on,
        issuer=course.organizer,
        issuer_name=course.organizer.name,
        holder_name=enrolment.person.full_name,
        status=Certificate.Status.REVOKED if revoked else Certificate.Status.VALID,
        revoked_on=course.ends_on + dt.timedelta(days=3) if revoked else None,
        revoke_reason="Cấp nhầm" if revoked else "",
    )


def attempt(person, ends_on, *, passed=True, approved=True, withdrawn=False, cancelled=False):
    course = f.course(
        NEW_MEMBER,
        person.organization,
        starts_on=ends_on - dt.timedelta(days=4),
        ends_on=ends_on,
        status=Course.Status.CANCELLED if cancelled else Course.Status.FINISHED,
        approved_on=ends_on if approved else None,
    )
    return f.result(course, person, passed=passed, withdrawn=withdrawn)


@pytest.fixture
def members(world):
    """One member per edge of the rule; the expected answer is in the name."""
    admitted = dt.date(2025, 3, 10)

    def member(name, on=admitted):
        return make_person(world.org_a1, name, stage=PROBATIONARY, admitted_on=on)

    attempt(member("Có Đạt Duyệt"), dt.date(2025, 6, 30))
    attempt(member("Không Chưa Duyệt"), dt.date(2025, 6, 30), approved=False)
    attempt(member("Không Trượt"), dt.date(2025, 6, 30), passed=False)
    attempt(member("Không Rút"), dt.date(2025, 6, 30), withdrawn=True)
    attempt(member("Không Lớp Hủy"), dt.date(2025, 6, 30), cancelled=True)
    certify(attempt(member("Không Thu Hồi"), dt.date(2025, 6, 30)), revoked=True)
    again = attempt(member("Có Cấp Lại"), dt.date(2025, 6, 30))
    certify(again, revoked=True)
    certify(again, revoked=False)
    certify(attempt(member("Có Còn Hiệu Lực"), dt.date(2025, 6, 30)), revoked=False)
    attempt(member("Không Trước Kết Nạp"), dt.date(2025, 3, 9))
    attempt(member("Có Ngày Kết Nạp"), dt.date(2025, 3, 10))
    attempt(member("Có Ngày Cuối"), dt.date(2026, 3, 10))
    attempt(member("Không Sau Hạn"), dt.date(2026, 3, 11))
    leap = member("Có Nhuận Ngày Cuối", dt.date(2024, 2, 29))
    attempt(leap, dt.date(2025, 2, 28))
    attempt(member("Không Nhuận Quá Hạn", dt.date(2024, 2, 29)), dt.date(2025, 3, 1))
    second = member("Có Lần Hai")
    attempt(second, dt.date(2025, 5, 1), passed=False)
    attempt(second, dt.date(2025, 9, 1))
    member("Không Chưa Học")
    return world


def test_the_sql_twin_agrees_with_the_one_definition(members):
    by_sql = dict(
        Person.objects.annotate(done=Exists(new_member_class_finished_sql())).values_list(
            "full_name", "done"
        )
    )
    checked = 0
    for person in Person.objects.filter(stage=PROBATIONARY):
        attempts, _courses = new_member_attempts(person=person)
        finished = new_member_class_finished(
            attempts,
            admitted_on=person.admitted_on,
            probation_ends_on=person.probation_ends_on(),
        )
        assert (finished is not None) == by_sql[person.full_name], person.full_name
        assert by_sql[person.full_name] == person.full_name.startswith("Có"), person.full_name
        checked += 1
    assert checked == 16


def test_a_pass_recorded_without_approval_does_not_count(world):
    person = make_person(
        world.org_a1, "Lê Văn Chờ", stage=PROBATIONARY, admitted_on=dt.date(2025, 3, 10)
    )
    enrolment = attempt(person, dt.date(2025, 6, 30), approved=False)
    trained = indicators.get("new_member_trained")
    as_of = dt.date(2026, 6, 30)
    assert trained.compute(org=world.org_a1, as_of=as_of, year=2026) == V(0, 1)
    ResultsApproval.objects.create(
        course=enrolment.course, approved_at=dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
    )
    assert trained.compute(org=world.org_a1, as_of=as_of, year=2026) == V(1, 1)


def test_the_indicator_reads_the_approval_as_of_its_date(world):
    person = make_person(
        world.org_a1, "Lê Văn Muộn", stage=PROBATIONARY, admitted_on=dt.date(2025, 3, 10)
    )
    course = f.course(
        NEW_MEMBER,
        world.province,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 5),
        approved_on=dt.date(2026, 4, 2),
    )
    f.result(course, person, passed=True)
    trained = indicators.get("new_member_trained")
    assert trained.compute(org=world.org_a1, as_of=dt.date(2026, 4, 1), year=2026) == V(0, 1)
    assert trained.compute(org=world.org_a1, as_of=dt.date(2026, 4, 3), year=2026) == V(1, 1)


def test_the_watchlist_keeps_a_member_whose_pass_is_not_approved_or_revoked(world):
    today = dt.date(2026, 6, 1)
    waiting = make_person(
        world.org_a1, "Lê Văn Chờ", stage=PROBATIONARY, admitted_on=dt.date(2025, 7, 1)
    )
    attempt(waiting, dt.date(2025, 9, 5), approved=False)
    revoked = make_person(
        world.org_a1, "Lê Văn Hủy", stage=PROBATIONARY, admitted_on=dt.date(2025, 7, 1)
    )
    certify(attempt(revoked, dt.date(2025, 9, 5)), revoked=True)
    done = make_person(
        world.org_a1, "Lê Văn Xong", stage=PROBATIONARY, admitted_on=dt.date(2025, 7, 1)
    )
    attempt(done, dt.date(2025, 9, 5))
    full = {x.code: x for x in w.watchlists(user=world.department, today=today)}
    assert [i.name for i in full[w.PROBATION].items] == ["Lê Văn Chờ", "Lê Văn Hủy"]
    counts = {
        x.code: x.count for x in w.watchlists(user=world.department, today=today, counts_only=True)
    }
    assert counts[w.PROBATION] == 2
