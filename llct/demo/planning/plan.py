"""The demo's annual plan: its planned courses drawn from the year's courses and nominations,
submitted, returned, revised and approved."""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Q

from llct.core.models import User
from llct.courses.models import Course, Enrolment, Session
from llct.curriculum.models import Lecturer, Programme
from llct.demo.planning.shared import (
    APPROVE_COMMENT,
    FACILITIES,
    MATERIALS_NOTE,
    OFFERED_KINDS,
    PLAN_INTRODUCTION,
    PLAN_STAMPED,
    RETURN_COMMENT,
    STABLE,
    VENUE_NOTE,
    Kind,
    at,
    dated,
)
from llct.organizations.models import Organization
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    FacilityNeed,
    Nomination,
    PlannedCourse,
)
from llct.planning.nominations import selectors as nom_selectors
from llct.planning.plans import services as plan_services


@dataclass
class Spec:
    """A planned course to be: its programme and month, and the course it matches, if any."""

    programme: Programme
    month: int
    name: str
    organizer: Organization
    expected: int
    venue: Any = None
    lecturers: list[Lecturer] = field(default_factory=list)
    course: Course | None = None
    nominations: list[Nomination] = field(default_factory=list)
    planned: PlannedCourse | None = None


# ---------------------------------------------------------------------------------------------
# The annual plan


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


def _to(amount: Decimal, step: int) -> Decimal:
    return (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _specs(rng: random.Random, *, year: int, today: dt.date, province: Organization) -> list[Spec]:
    """One planned course per course of the year (resolution study: the province's only), one
    more per programme nominated for but never run, one not held that should have been, and two
    still to come. Then the year's nominations shared out among them, by quarter."""
    programmes = list(
        Programme.objects.filter(
            is_active=True, kind__in=[*OFFERED_KINDS, Kind.RESOLUTION]
        ).order_by("code")
    )
    by_programme: dict[int, list[Lecturer]] = defaultdict(list)
    specs = _course_specs(year, programmes, province, by_programme)

    def extra(programme: Programme, month: int, label: str, organizer: Organization) -> Spec:
        name = f"Lớp {_lower_first(programme.name)}{label} năm {year} ({organizer.name})"
        return Spec(
            programme=programme,
            month=month,
            name=name,
            organizer=organizer,
            expected=30,
            lecturers=by_programme.get(programme.pk, [])[:2],
        )

    committees = list(
        Organization.objects.filter(parent=province, dissolved_on=None).order_by(*STABLE)
    )
    kinds = {p.kind: p for p in programmes}
    # Not held: a professional course the committee did not get round to.
    missed = kinds.get(Kind.PROFESSIONAL)
    if missed is not None:
        organizer = rng.choice(committees) if committees else province
        specs.append(extra(missed, max(1, today.month - 3), "", organizer))
    # Still to come: new members and admission candidates who could not join this year's classes.
    upcoming = min(12, today.month + 1)
    for kind in (Kind.NEW_MEMBER, Kind.ADMISSION):
        if kind in kinds:
            specs.append(extra(kinds[kind], upcoming, " khóa bổ sung", province))

    nominations = _nominations_by_programme(year)
    by_id = {p.pk: p for p in programmes}
    for programme_id in sorted(nominations):
        mine = sorted((s for s in specs if s.programme.pk == programme_id), key=lambda s: s.month)
        if not mine and programme_id in by_id:
            # Nominated for, but no course this year: planned in the quarter most asked for.
            month = plan_services._quarter_month(nominations[programme_id])
            spec = extra(by_id[programme_id], month, "", province)
            specs.append(spec)
            mine = [spec]
        wanted = nominations[programme_id]
        for i, spec in enumerate(mine):
            spec.nominations = wanted[
                i * len(wanted) // len(mine) : (i + 1) * len(wanted) // len(mine)
            ]
            spec.expected = max(spec.expected, len(spec.nominations))
    specs.sort(key=lambda s: (s.month, s.programme.code, s.name))
    return specs


def _course_specs(
    year: int,
    programmes: list[Programme],
    province: Organization,
    by_programme: dict[int, list[Lecturer]],
) -> list[Spec]:
    """One spec per course of the year (resolution study: the province's only), with the
    lecturers who taught most of its sessions (three at most); `by_programme` collects them
    per programme."""
    courses = [
        c
        for c in Course.objects.filter(
            starts_on__year=year, programme__in=programmes, planned_course__isnull=True
        )
        .exclude(status=Course.Status.CANCELLED)
        .select_related("programme", "organizer", "venue")
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED))
        )
        .order_by("starts_on", "code")
        if c.programme.kind != Kind.RESOLUTION or c.organizer_id == province.pk
    ]
    taught: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for course_id, lecturer_id, n in (
        Session.objects.filter(course__in=courses, lecturer__isnull=False)
        .values_list("course_id", "lecturer_id")
        .annotate(n=Count("id"))
        .order_by("course_id", "lecturer_id")
    ):
        taught[course_id][lecturer_id] = n
    lecturers = Lecturer.objects.in_bulk([pk for per in taught.values() for pk in per])
    specs: list[Spec] = []
    for course in courses:
        ranked = sorted(taught[course.pk].items(), key=lambda item: (-item[1], item[0]))
        chosen = [lecturers[pk] for pk, _n in ranked[:3]]
        for lecturer in chosen:
            if lecturer not in by_programme[course.programme_id]:
                by_programme[course.programme_id].append(lecturer)
        specs.append(
            Spec(
                programme=course.programme,
                month=course.starts_on.month,
                name=course.name,
                organizer=course.organizer,
                expected=_round_up(max(course.enrolled, 10), 5),
                venue=course.venue,
                lecturers=chosen,
                course=course,
            )
        )
    return specs


def _nominations_by_programme(year: int) -> dict[int, list[Nomination]]:
    """The year's nominations per programme, by quarter (none last), priority, organization."""
    nominations: dict[int, list[Nomination]] = defaultdict(list)
    for nomination in (
        nom_selectors.nominations_for_year(year=year)
        .select_related("person")
        .order_by(
            models.F("quarter").asc(nulls_last=True),
            "priority",
            "submission__organization__code",
            "person__sort_key",
            "pk",
        )
    ):
        nominations[nomination.programme_id].append(nomination)
    return nominations


def _save(spec: Spec, plan: AnnualPlan, actor: User) -> PlannedCourse:
    """From the nominations when there are some (the department then completes the course),
    by hand otherwise."""
    data = {
        "name": spec.name,
        "month": spec.month,
        "expected_learners": spec.expected,
        "venue": spec.venue,
        "organizer": spec.organizer,
    }
    if spec.nominations:
        planned = plan_services.planned_course_from_nominations(
            plan=plan, nominations=spec.nominations, actor=actor
        )
    else:
        planned = PlannedCourse(plan=plan)
        data.update(
            programme=spec.programme,
            sessions=spec.programme.default_sessions or 1,
            days=spec.programme.default_days or Decimal(1),
        )
    spec.planned = plan_services.planned_course_save(
        planned=planned, data=data, actor=actor, lecturers=spec.lecturers
    )
    return spec.planned


def _revision_spec(specs: list[Spec]) -> Spec | None:
    """The course the leader asks for when returning the plan: a held course of the third
    quarter, a professional one if possible."""
    held = [s for s in specs if s.course is not None and s.programme.kind != Kind.RESOLUTION]
    for wanted in (
        [s for s in held if s.programme.kind == Kind.PROFESSIONAL and 7 <= s.month <= 9],
        [s for s in held if 7 <= s.month <= 9],
        held[-1:],
    ):
        if wanted:
            return wanted[0]
    return None


def annual_plan(
    rng: random.Random,
    *,
    today: dt.date,
    province: Organization,
    department: Any,
    leader: Any,
    counts: dict[str, int],
) -> tuple[AnnualPlan, list[Spec]]:
    """Drafted in November of last year, submitted, returned with comments, revised, submitted
    again and approved before the new year."""
    year = today.year
    specs = _specs(rng, year=year, today=today, province=province)
    later = _revision_spec(specs)
    days = {
        "created": dt.date(year - 1, 11, 18),
        "submitted": dt.date(year - 1, 12, 2),
        "returned": dt.date(year - 1, 12, 9),
        "revised": dt.date(year - 1, 12, 12),
        "resubmitted": dt.date(year - 1, 12, 16),
        "approved": dt.date(year - 1, 12, 23),
    }
    with dated(at(days["created"], 8, 40), PLAN_STAMPED):
        plan = plan_services.plan_create(
            data={
                "year": year,
                "number": f"{rng.randint(120, 190)}-KH/TU",
                "title": f"Kế hoạch đào tạo, bồi dưỡng lý luận chính trị năm {year}",
                "issuer": province,
                "place": "Hòa Bình Sơn",
                "introduction": PLAN_INTRODUCTION,
            },
            actor=department,
        )
        for spec in specs:
            if spec is not later:
                _save(spec, plan, department)
        for kind, description, quantity, cost in FACILITIES:
            plan_services.facility_save(
                need=FacilityNeed(plan=plan),
                data={
                    "kind": kind,
                    "description": description,
                    "quantity": quantity,
                    "estimated_cost": Decimal(cost),
                },
                actor=department,
            )
        # The long course is held in the school's own hall: the norm's venue cost does not apply.
        line = (
            BudgetLine.objects.filter(plan=plan, kind=BudgetLine.Kind.VENUE)
            .select_related("plan", "planned_course")
            .order_by("-computed_amount", "pk")
            .first()
        )
        if line is not None and line.computed_amount > 0:
            plan_services.budget_line_adjust(
                line=line,
                amount=max(_to(line.computed_amount / 5, 1_000_000), Decimal(1_000_000)),
                note=VENUE_NOTE,
                actor=department,
            )
    with dated(at(days["submitted"], 15, 10), PLAN_STAMPED):
        plan_services.plan_submit(plan=plan, actor=department)
    comment = RETURN_COMMENT.format(
        course=later.name if later else "", month=later.month if later else ""
    )
    if later is None:
        comment = "Đề nghị tính lại kinh phí tài liệu cho phù hợp với giáo trình mới; trình lại."
    with dated(at(days["returned"], 10, 25), PLAN_STAMPED):
        plan_services.plan_return(plan=plan, actor=leader, comment=comment)
    with dated(at(days["revised"], 9, 5), PLAN_STAMPED):
        if later is not None:
            # Added whole, so that the timeline's "revised" step names the course.
            later.planned = plan_services.planned_course_save(
                planned=PlannedCourse(plan=plan),
                data={
                    "programme": later.programme,
                    "name": later.name,
                    "month": later.month,
                    "expected_learners": later.expected,
                    "sessions": later.programme.default_sessions or 1,
                    "days": later.programme.default_days or Decimal(1),
                    "venue": later.venue,
                    "organizer": later.organizer,
                },
                actor=department,
                lecturers=later.lecturers,
                nominations=later.nominations,
            )
        materials = (
            BudgetLine.objects.filter(plan=plan, kind=BudgetLine.Kind.MATERIALS)
            .select_related("plan", "planned_course")
            .order_by(
                models.Case(
                    models.When(planned_course__programme__kind=Kind.SO_CAP, then=0),
                    default=1,
                ),
                "-computed_amount",
                "pk",
            )
            .first()
        )
        if materials is not None:
            plan_services.budget_line_adjust(
                line=materials,
                amount=_to(materials.computed_amount * Decimal("1.25"), 100_000),
                note=MATERIALS_NOTE,
                actor=department,
            )
    with dated(at(days["resubmitted"], 14, 30), PLAN_STAMPED):
        plan_services.plan_submit(plan=plan, actor=department)
    with dated(at(days["approved"], 16, 0), PLAN_STAMPED):
        plan_services.plan_approve(plan=plan, actor=leader, comment=APPROVE_COMMENT)

    counts["planned_courses"] = plan.planned_courses.count()
    counts["budget_lines"] = plan.budget_lines.count()
    counts["adjusted_lines"] = plan.budget_lines.exclude(adjustment_note="").count()
    counts["facility_needs"] = plan.facility_needs.count()
    return plan, specs
