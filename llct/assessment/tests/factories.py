"""Builders for the assessment tests: graded courses with their sessions, marks and learners
(the results tests), awareness-class certificates and new-member classes (the membership tests)."""

import datetime as dt
import itertools
from typing import Any

from llct.assessment.certificates import certificates_issue
from llct.assessment.models import Certificate, Result, ResultsApproval
from llct.courses.models import Attendance, Course, Enrolment, Session
from llct.courses.tests.factories import enrol, make_course, make_programme
from llct.curriculum.models import Lecturer, Programme
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
    organization: Organization,
    name: str = "Lê Văn Dự",
    *,
    admitted_on: dt.date | None,
    **fields: Any,
) -> Person:
    fields.setdefault("date_of_birth", dt.date(1995, 4, 12))
    return make_person(
        organization, name, stage=MembershipStage.PROBATIONARY, admitted_on=admitted_on, **fields
    )


# --- Graded courses (the results tests) ----------------------------------------------------

MONDAY = dt.date(2026, 3, 2)
_seq = itertools.count(1)


def graded_programme(
    *, kind: str = "professional", assessment_kind: str = "essay", **fields: Any
) -> Programme:
    n = next(_seq)
    return Programme.objects.create(
        code=fields.pop("code", f"KQ{n}"),
        name=fields.pop("name", f"Chương trình kết quả {n}"),
        kind=kind,
        assessment_kind=assessment_kind,
        **fields,
    )


def graded_course(
    organizer: Any,
    programme: Programme | None = None,
    *,
    status: str = Course.Status.FINISHED,
    **fields: Any,
) -> Course:
    n = next(_seq)
    return make_course(
        programme or graded_programme(),
        organizer,
        code=fields.pop("code", f"KQ-{n}"),
        name=fields.pop("name", f"Lớp kết quả {n}"),
        starts_on=fields.pop("starts_on", MONDAY),
        ends_on=fields.pop("ends_on", MONDAY + dt.timedelta(days=30)),
        status=status,
        **fields,
    )


def add_sessions(course: Course, count: int, *, lecturer: Lecturer | None = None) -> list[Session]:
    """`count` morning sessions on consecutive days from the course's start."""
    return Session.objects.bulk_create(
        Session(
            course=course,
            date=course.starts_on + dt.timedelta(days=i),
            part=Session.Part.MORNING,
            starts_at=dt.time(7, 30),
            ends_at=dt.time(11, 30),
            lecturer=lecturer,
        )
        for i in range(count)
    )


def attend(sessions: list[Session], *enrolments: Enrolment, present: int | None = None) -> None:
    """Mark each enrolment present at the first `present` sessions (all when None)."""
    count = len(sessions) if present is None else present
    Attendance.objects.bulk_create(
        Attendance(session=s, enrolment=e, status=Attendance.Status.PRESENT)
        for e in enrolments
        for s in sessions[:count]
    )


def enrol_all(course: Course, *people: Any) -> list[Enrolment]:
    return [Enrolment.objects.create(course=course, person=p) for p in people]


def ready_course(organizer: Any, *people: Any, **kw: Any) -> tuple[Course, list[Enrolment]]:
    """A finished course of five sessions, every learner present at all of them."""
    course = graded_course(organizer, **kw)
    sessions = add_sessions(course, 5)
    enrolments = enrol_all(course, *people)
    attend(sessions, *enrolments)
    return course, enrolments
