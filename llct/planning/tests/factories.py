"""Builders for the planning tests: nomination rounds and the rolls' history the suggestion
rules read (courses, enrolments, results, certificates), submissions, plans and planned courses
(through the service, so budget lines exist as in real use), and the URLs of the submission's
actions."""

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse

from llct.assessment.certificates import certificates_issue
from llct.assessment.models import Certificate, Result, ResultsApproval
from llct.core.models import User
from llct.courses.models import Course, Enrolment, Venue
from llct.courses.tests.factories import enrol, make_course
from llct.curriculum.models import Lecturer, Programme, Topic
from llct.organizations.models import MembershipStage, Organization, Person
from llct.organizations.tests.factories import make_person
from llct.planning.models import (
    AnnualPlan,
    BudgetNorms,
    Nomination,
    NominationRound,
    PlannedCourse,
    Submission,
)
from llct.planning.plans import services as plan_services

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
DEADLINE = dt.date(2026, 12, 15)
_seq = itertools.count(1)

# The submission page's actions, each at a URL of its own.
ACTIONS = {
    "accept": "suggestions_accept",
    "accept_urgent": "suggestions_accept_urgent",
    "add": "nomination_add",
    "save": "nominations_save",
    "remove": "nomination_remove",
    "submit": "submission_submit",
    "take_back": "submission_take_back",
}


def action_url(
    nomination_round: NominationRound, organization: Organization, action: str, *args: int
) -> str:
    return reverse(
        f"planning:{ACTIONS[action]}", args=[nomination_round.pk, organization.pk, *args]
    )


def programme(code: str) -> Programme:
    """The programmes the data migration made: NTVD (admission), DVM (new members), SC, TC."""
    return Programme.objects.get(code=code)


def make_round(
    year: int = 2027,
    deadline: dt.date = DEADLINE,
    codes: tuple[str, ...] = ("NTVD", "DVM", "SC", "TC"),
    **fields,
) -> NominationRound:
    nomination_round = NominationRound.objects.create(year=year, deadline=deadline, **fields)
    nomination_round.programmes.set(Programme.objects.filter(code__in=codes))
    return nomination_round


def past_course(
    code: str, organizer: Organization, *, ends_on: dt.date = dt.date(2025, 6, 30), **fields
) -> Course:
    return make_course(
        programme(code),
        organizer,
        starts_on=ends_on - dt.timedelta(days=5),
        ends_on=ends_on,
        status=fields.pop("status", Course.Status.FINISHED),
        **fields,
    )


def attended(
    person: Person,
    course: Course,
    *,
    passed: bool | None = None,
    approve: bool = False,
    withdrawn: bool = False,
) -> Enrolment:
    """An enrolment, with a result when `passed` is given, the course's results approved when
    `approve`."""
    fields = {}
    if withdrawn:
        fields = {
            "status": Enrolment.Status.WITHDRAWN,
            "withdrawn_on": course.starts_on,
            "withdrawal_reason": "Bận công tác",
        }
    enrolment = enrol(course, person, **fields)
    if passed is not None:
        Result.objects.create(enrolment=enrolment, passed=passed)
    if approve:
        ResultsApproval.objects.get_or_create(course=course)
    return enrolment


def certificate(
    person: Person,
    code: str,
    organizer: Organization,
    *,
    issued_on: dt.date,
    expires_on: dt.date | None = None,
) -> Certificate:
    course = past_course(code, organizer, ends_on=issued_on)
    enrolment = attended(person, course, passed=True, approve=True)
    (issued,) = certificates_issue(course=course, enrolments=[enrolment], issued_on=issued_on)
    if expires_on is not None:
        issued.expires_on = expires_on
        issued.save(update_fields=["expires_on"])
    return issued


def submitted(nomination_round: NominationRound, organization: Organization, *people, **kw):
    """A submitted submission nominating these people for DVM."""
    kw.setdefault("status", Submission.Status.SUBMITTED)
    if kw["status"] == Submission.Status.SUBMITTED:
        kw.setdefault("submitted_at", NOW)
    submission = Submission.objects.create(round=nomination_round, organization=organization, **kw)
    for person in people:
        Nomination.objects.create(
            submission=submission, person=person, programme=programme("DVM"), quarter=2
        )
    return submission


def probationary(org, name="Lê Văn Dự", admitted_on=dt.date(2026, 3, 1), **fields):
    return make_person(
        org, name, stage=MembershipStage.PROBATIONARY, admitted_on=admitted_on, **fields
    )


def candidate(org, name="Hoàng Thị Cảm", **fields):
    return make_person(org, name, stage=MembershipStage.CANDIDATE, **fields)


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


def year_round(year: int = 2027) -> NominationRound:
    """The year's round as the plan tests need it: no programmes, created once."""
    return NominationRound.objects.get_or_create(
        year=year, defaults={"deadline": dt.date(year - 1, 10, 31)}
    )[0]


def make_submission(
    organization: Organization, *, year: int = 2027, status: str = Submission.Status.SUBMITTED
) -> Submission:
    return Submission.objects.get_or_create(
        round=year_round(year), organization=organization, defaults={"status": status}
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
    actor: User,
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
