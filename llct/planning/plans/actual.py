"""The plan set against what actually happened: courses held, learners, money spent."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Programme
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    Expense,
)
from llct.planning.nominations.selectors import nominations_for_year
from llct.planning.plans.budget import ZERO

HELD = (Course.Status.IN_PROGRESS, Course.Status.FINISHED)


@dataclass
class ActualRow:
    label: str
    courses_planned: int = 0
    courses_held: int = 0
    nominated: int = 0
    enrolled: int = 0
    passed: int = 0
    budget_planned: Decimal = ZERO
    spent: Decimal = ZERO
    is_total: bool = False

    @property
    def held_gap(self) -> bool:
        return self.courses_held < self.courses_planned

    @property
    def enrol_gap(self) -> bool:
        return self.enrolled < self.nominated

    @property
    def overspent(self) -> bool:
        return self.spent > self.budget_planned

    @property
    def held_percent(self) -> int | None:
        return (
            round(100 * self.courses_held / self.courses_planned) if self.courses_planned else None
        )

    @property
    def pass_percent(self) -> int | None:
        return round(100 * self.passed / self.enrolled) if self.enrolled else None

    def add(self, other: "ActualRow") -> None:
        self.courses_planned += other.courses_planned
        self.courses_held += other.courses_held
        self.nominated += other.nominated
        self.enrolled += other.enrolled
        self.passed += other.passed
        self.budget_planned += other.budget_planned
        self.spent += other.spent


@dataclass
class PlanActual:
    by_organization: list[ActualRow]
    by_programme: list[ActualRow]
    total: ActualRow


def _owner(path: str, paths: Sequence[str]) -> str | None:
    """The deepest of `paths` containing `path` (a person's organization rolls up to it)."""
    best = None
    for candidate in paths:
        if path.startswith(candidate) and (best is None or len(candidate) > len(best)):
            best = candidate
    return best


def plan_actual(*, plan: AnnualPlan) -> PlanActual:
    """For the plan's year, per organization and per programme: courses planned vs held (created
    from the plan and in progress or finished), learners nominated vs enrolled vs passed (in the
    plan's courses), budget planned vs spent (expenses of the plan's courses).

    Organizations are those that nominated and those that organize a planned course; a learner
    counts for the deepest of them that contains their organization. Six queries, however many
    rows."""
    courses = list(
        plan.planned_courses.values(
            "id",
            "programme_id",
            "programme__name",
            "organizer__path",
            "organizer__name",
            "course_id",
            "course__status",
        )
    )
    budget = dict(
        BudgetLine.objects.filter(plan=plan)
        .values("planned_course_id")
        .annotate(total=Sum("amount"))
        .values_list("planned_course_id", "total")
    )
    spent = dict(
        Expense.objects.filter(course__planned_course__plan=plan)
        .values("course_id")
        .annotate(total=Sum("amount"))
        .values_list("course_id", "total")
    )
    nominated = list(
        nominations_for_year(year=plan.year)
        .values(
            "programme_id",
            "programme__name",
            "submission__organization__path",
            "submission__organization__name",
        )
        .annotate(n=Count("person_id", distinct=True))
    )
    enrolments = list(
        Enrolment.objects.filter(
            course__planned_course__plan=plan, status=Enrolment.Status.ENROLLED
        )
        .values("course__programme_id", "person__organization__path")
        .annotate(n=Count("id"), passed=Count("id", filter=Q(result__passed=True)))
    )
    names = dict(
        Programme.objects.filter(
            pk__in={c["programme_id"] for c in courses}
            | {r["programme_id"] for r in nominated}
            | {e["course__programme_id"] for e in enrolments}
        ).values_list("pk", "name")
    )

    orgs: dict[str, ActualRow] = {}
    programmes: dict[int, ActualRow] = {}

    def org_row(path: str, name: str) -> ActualRow:
        return orgs.setdefault(path, ActualRow(name))

    def programme_row(pk: int) -> ActualRow:
        return programmes.setdefault(pk, ActualRow(names.get(pk, "")))

    for c in courses:
        held = 1 if c["course_id"] and c["course__status"] in HELD else 0
        money = budget.get(c["id"]) or ZERO
        used = (spent.get(c["course_id"]) or ZERO) if c["course_id"] else ZERO
        for row in (
            org_row(c["organizer__path"], c["organizer__name"]),
            programme_row(c["programme_id"]),
        ):
            row.courses_planned += 1
            row.courses_held += held
            row.budget_planned += money
            row.spent += used
    for r in nominated:
        org_row(
            r["submission__organization__path"], r["submission__organization__name"]
        ).nominated += r["n"]
        programme_row(r["programme_id"]).nominated += r["n"]
    paths = list(orgs)
    other = ActualRow(_("Other organizations"))
    for e in enrolments:
        owner = _owner(e["person__organization__path"] or "", paths)
        for row in (orgs[owner] if owner else other, programme_row(e["course__programme_id"])):
            row.enrolled += e["n"]
            row.passed += e["passed"]
    by_org = [orgs[p] for p in sorted(orgs)]
    if other.enrolled:
        by_org.append(other)
    by_programme = sorted(programmes.values(), key=lambda r: r.label)
    total = ActualRow(_("Total"), is_total=True)
    for row in by_programme:
        total.add(row)
    return PlanActual(by_org, by_programme, total)
