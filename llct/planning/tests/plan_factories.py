"""Builders for the annual plan tests: nomination rounds with submitted nominations, plans and
planned courses (through the service, so budget lines exist as in real use)."""

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from llct.courses.models import Venue
from llct.curriculum.models import Lecturer, Programme, Topic
from llct.organizations.models import Organization, Person
from llct.planning.models import (
    AnnualPlan,
    BudgetNorms,
    Nomination,
    NominationRound,
    PlannedCourse,
    Submission,
)
from llct.planning.plans import services as plan_services

_seq = itertools.count(1)


def make_programme(name: str | None = None, **fields: Any) -> Programme:
    n = next(_seq)
    fields.setdefault("kind", Programme.Kind.PROFESSIONAL)
    fields.setdefault("default_days", Decimal("2"))
    fields.setdefault("default_sessions", 4)
    programme = Programme.objects.create(
        code=fields.pop("code", f"KH{n}"), name=name or f"Chương trình {n}", **fields
    )
    Topic.objects.create(programme=programme, order=1, title="Chuyên đề một", sessions=1)
    return programme


def norms(**values: int) -> BudgetNorms:
    """The norms with round figures the tests can reckon with (the defaults otherwise)."""
    current = BudgetNorms.current()
    for name, value in values.items():
        setattr(current, name, Decimal(value))
    current.save()
    return current


def make_round(year: int = 2027) -> NominationRound:
    return NominationRound.objects.get_or_create(
        year=year, defaults={"deadline": dt.date(year - 1, 10, 31)}
    )[0]


def make_submission(
    organization: Organization, *, year: int = 2027, status: str = Submission.Status.SUBMITTED
) -> Submission:
    return Submission.objects.get_or_create(
        round=make_round(year), organization=organization, defaults={"status": status}
    )[0]


def nominate(
    person: Person,
    programme: Programme,
    *,
    organization: Organization | None = None,
    year: int = 2027,
    quarter: int | None = None,
    status: str = Submission.Status.SUBMITTED,
    **fields: Any,
) -> Nomination:
    submission = make_submission(organization or person.organization, year=year, status=status)
    return Nomination.objects.create(
        submission=submission, person=person, programme=programme, quarter=quarter, **fields
    )


def make_plan(issuer: Organization, *, year: int = 2027, **fields: Any) -> AnnualPlan:
    fields.setdefault("title", f"Kế hoạch đào tạo, bồi dưỡng lý luận chính trị năm {year}")
    return AnnualPlan.objects.create(year=year, issuer=issuer, **fields)


def plan_course(
    plan: AnnualPlan,
    programme: Programme,
    actor: Any,
    *,
    organizer: Organization | None = None,
    lecturers: list[Lecturer] | None = None,
    nominations: list[Nomination] | None = None,
    **data: Any,
) -> PlannedCourse:
    data.setdefault("name", f"Lớp {programme.name}")
    data.setdefault("month", 3)
    data.setdefault("expected_learners", 30)
    data.setdefault("sessions", 4)
    data.setdefault("days", Decimal("2"))
    data.setdefault("venue", None)
    data = {"programme": programme, "organizer": organizer or plan.issuer, **data}
    return plan_services.planned_course_save(
        planned=PlannedCourse(plan=plan),
        data=data,
        actor=actor,
        lecturers=lecturers or [],
        nominations=nominations or [],
    )


def make_lecturer(full_name: str, kind: str = Lecturer.Kind.PART_TIME) -> Lecturer:
    return Lecturer.objects.create(full_name=full_name, kind=kind)


def make_venue(name: str = "Hội trường tỉnh", *, online: bool = False) -> Venue:
    if online:
        return Venue.objects.create(
            name=name, kind=Venue.Kind.ONLINE, capacity=200, meeting_url="https://hop.example.vn/1"
        )
    return Venue.objects.create(name=name, capacity=200)
