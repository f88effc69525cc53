"""Builders for the membership tests: awareness-class certificates and new-member classes."""

import datetime as dt
from typing import Any

from llct.assessment.certificates import certificates_issue
from llct.assessment.models import Certificate, Result, ResultsApproval
from llct.courses.models import Course, Enrolment
from llct.courses.tests.factories import enrol, make_course, make_programme
from llct.curriculum.models import Programme
from llct.organizations.models import MembershipStage, Organization, Person
from llct.organizations.tests.factories import make_person


def awareness_programme(valid_months: int = 60) -> Programme:
    programme = make_programme("admission", name="Bồi dưỡng nhận thức về Đảng")
    programme.certificate_valid_months = valid_months
    programme.save()
    return programme


def awareness_certificate(
    person: Person,
    organizer: Organization,
    *,
    issued_on: dt.date,
    programme: Programme | None = None,
) -> Certificate:
    """A certificate of the awareness class, issued on the day (valid for the programme's
    months, 60 by default)."""
    course = make_course(
        programme or awareness_programme(),
        organizer,
        starts_on=issued_on - dt.timedelta(days=10),
        ends_on=issued_on - dt.timedelta(days=6),
        status=Course.Status.FINISHED,
    )
    (certificate,) = certificates_issue(
        course=course, enrolments=[enrol(course, person)], issued_on=issued_on
    )
    return certificate


def new_member_programme(**fields: Any) -> Programme:
    programme = make_programme("new_member", name="Bồi dưỡng lý luận chính trị cho đảng viên mới")
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.save()
    return programme


def new_member_class(
    person: Person,
    organizer: Organization,
    *,
    ends_on: dt.date,
    passed: bool = True,
    approved: bool = True,
    withdrawn: bool = False,
    programme: Programme | None = None,
) -> Enrolment:
    """An enrolment in a five-day new-member class ending on the day, with a result."""
    course = make_course(
        programme or new_member_programme(),
        organizer,
        starts_on=ends_on - dt.timedelta(days=4),
        ends_on=ends_on,
        status=Course.Status.FINISHED,
    )
    enrolment = enrol(course, person)
    if withdrawn:
        enrolment.status = Enrolment.Status.WITHDRAWN
        enrolment.withdrawn_on = course.starts_on
        enrolment.withdrawal_reason = "Bận công tác"
        enrolment.save()
    Result.objects.create(enrolment=enrolment, passed=passed)
    if approved:
        ResultsApproval.objects.create(course=course)
    return enrolment


def candidate(organization: Organization, name: str = "Hoàng Thị Cảm", **fields: Any) -> Person:
    fields.setdefault("date_of_birth", dt.date(1995, 4, 12))
    return make_person(organization, name, stage=MembershipStage.CANDIDATE, **fields)


def probationary(
    organization: Organization, name: str = "Lê Văn Dự", *, admitted_on: dt.date, **fields: Any
) -> Person:
    fields.setdefault("date_of_birth", dt.date(1995, 4, 12))
    return make_person(
        organization, name, stage=MembershipStage.PROBATIONARY, admitted_on=admitted_on, **fields
    )
