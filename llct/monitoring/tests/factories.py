"""Builders for the monitoring tests: results, certificates, plans and ratings written directly,
so a small world can be counted by hand."""

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from llct.assessment.models import (
    Certificate,
    CertificateSeries,
    LecturerRating,
    Result,
    ResultsApproval,
    SurveyResponse,
)
from llct.courses.models import Course, Enrolment, Session
from llct.curriculum.models import Lecturer, Programme
from llct.organizations.models import Organization, Person
from llct.planning.models import AnnualPlan, BudgetLine, Expense, PlannedCourse

_seq = itertools.count(1)


def programme(kind: str) -> Programme:
    """The programme of a kind (the data migration made one of each; browser tests flush it)."""
    found = Programme.objects.filter(kind=kind).order_by("pk").first()
    if found is not None:
        return found
    n = next(_seq)
    return Programme.objects.create(
        code=f"M{n}", name=f"Chương trình {kind} {n}", kind=kind, certificate_valid_months=60
    )


def course(
    kind: str,
    organizer: Organization,
    *,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    status: str = Course.Status.FINISHED,
    approved_on: dt.date | None = None,
) -> Course:
    n = next(_seq)
    created = Course.objects.create(
        code=f"MON-{n}",
        name=f"Lớp thử {n}",
        programme=programme(kind),
        organizer=organizer,
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        status=status,
    )
    if approved_on is not None:
        approval = ResultsApproval.objects.create(course=created)
        ResultsApproval.objects.filter(pk=approval.pk).update(
            approved_at=dt.datetime.combine(approved_on, dt.time(9), tzinfo=dt.UTC)
        )
    return created


def result(
    in_course: Course,
    person: Person,
    *,
    passed: bool,
    band: str = "",
    score: str | None = None,
    withdrawn: bool = False,
) -> Enrolment:
    enrolment = Enrolment.objects.create(
        course=in_course,
        person=person,
        status=Enrolment.Status.WITHDRAWN if withdrawn else Enrolment.Status.ENROLLED,
        withdrawn_on=in_course.starts_on if withdrawn else None,
        withdrawal_reason="Chuyển công tác" if withdrawn else "",
    )
    Result.objects.create(
        enrolment=enrolment,
        passed=passed,
        band=band,
        final_score=Decimal(score) if score else None,
        attendance_percent=100,
    )
    return enrolment


def certificate(
    person: Person,
    kind: str,
    *,
    issued_on: dt.date,
    expires_on: dt.date | None = None,
    revoked_on: dt.date | None = None,
) -> Certificate:
    held = course(kind, person.organization, starts_on=issued_on - dt.timedelta(days=5))
    enrolment = Enrolment.objects.create(course=held, person=person)
    series, _created = CertificateSeries.objects.get_or_create(
        programme=held.programme, year=issued_on.year
    )
    series.last_number += 1
    series.save()
    return Certificate.objects.create(
        enrolment=enrolment,
        person=person,
        programme=held.programme,
        course=held,
        series=series,
        number=series.last_number,
        serial=f"{series.last_number:03d}/GCN",
        issued_on=issued_on,
        issuer=person.organization,
        issuer_name=person.organization.name,
        holder_name=person.full_name,
        expires_on=expires_on,
        status=Certificate.Status.REVOKED if revoked_on else Certificate.Status.VALID,
        revoked_on=revoked_on,
        revoke_reason="Cấp nhầm" if revoked_on else "",
    )


def approved_plan(issuer: Organization, year: int) -> AnnualPlan:
    return AnnualPlan.objects.create(
        year=year, issuer=issuer, title=f"Kế hoạch năm {year}", status=AnnualPlan.Status.APPROVED
    )


def planned(
    plan: AnnualPlan,
    organizer: Organization,
    *,
    month: int,
    held: Course | None = None,
    budget: int = 0,
) -> PlannedCourse:
    planned_course = PlannedCourse.objects.create(
        plan=plan,
        programme=programme(Programme.Kind.PROFESSIONAL),
        name=f"Lớp kế hoạch {next(_seq)}",
        month=month,
        expected_learners=30,
        organizer=organizer,
        course=held,
    )
    if budget:
        BudgetLine.objects.create(
            plan=plan,
            planned_course=planned_course,
            kind=BudgetLine.Kind.OTHER,
            computed_amount=Decimal(budget),
            amount=Decimal(budget),
        )
    return planned_course


def expense(on_course: Course, amount: int, spent_on: dt.date) -> Expense:
    return Expense.objects.create(
        course=on_course, kind=BudgetLine.Kind.OTHER, amount=Decimal(amount), spent_on=spent_on
    )


def rating(
    on_course: Course, lecturer: Lecturer, points: tuple[int, int, int], on: dt.date
) -> LecturerRating:
    session = Session.objects.filter(course=on_course).first() or Session.objects.create(
        course=on_course,
        date=on_course.starts_on,
        part=Session.Part.MORNING,
        starts_at=dt.time(7, 30),
        ends_at=dt.time(11, 30),
        lecturer=lecturer,
    )
    response = SurveyResponse.objects.create(
        course=on_course, organization_rating=4, facilities_rating=4, submitted_on=on
    )
    content, method, practice = points
    return LecturerRating.objects.create(
        response=response,
        session=session,
        lecturer=lecturer,
        content=content,
        method=method,
        practice=practice,
    )


def lecturer(full_name: str = "Lê Văn Giảng", **fields: Any) -> Lecturer:
    return Lecturer.objects.create(full_name=full_name, **fields)
