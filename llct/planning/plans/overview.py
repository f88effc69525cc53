"""What the plan pages show, gathered in one place: the plan with its courses, budget, facility
needs, versions and timeline; the leader's decision page; a course's spending against its plan;
the page that turns a planned course into a course. Reads only."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from llct.core.models import User
from llct.courses.models import Course
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    BudgetNorms,
    Expense,
    PlannedCourse,
    PlanVersion,
)
from llct.planning.plans import budget as plan_budget
from llct.planning.plans import courses as plan_courses
from llct.planning.plans import history as plan_history
from llct.planning.plans import permissions as plan_permissions
from llct.planning.plans import selectors as plan_selectors


def plan_page(*, plan: AnnualPlan, user: User) -> dict[str, Any]:
    """The plan page: courses by month, the budget per course and in total, the facility needs,
    the versions and timeline, what the user may do, and, for a returned plan, what changed
    since it was returned."""
    courses = list(plan_selectors.planned_courses(plan=plan))
    lines = plan_budget.budget_lines(plan=plan)
    needs = list(plan.facility_needs.order_by("id"))
    versions = plan_history.plan_versions(plan=plan)
    editable = plan_permissions.can_edit_plan(user, plan)
    last = versions[-1] if versions else None
    changes, revised = None, False
    if plan.status == AnnualPlan.Status.RETURNED and last is not None:
        snapshot = plan_history.plan_snapshot(plan=plan)
        revised = plan_history.is_revised(plan=plan, snapshot=snapshot)
        changes = plan_history.snapshot_diff(last.snapshot, snapshot)
    returned_with = None
    if last is not None and hasattr(last, "decision") and last.decision.decision == "returned":
        returned_with = last.decision
    norms = BudgetNorms.current()
    return {
        "plan": plan,
        "status_label": plan_selectors.status_label(plan.status),
        "courses": courses,
        "budget": plan_budget.budget_by_course(courses, lines),
        "kind_labels": [dict(BudgetLine.Kind.choices)[k] for k in plan_budget.KINDS],
        "totals": plan_budget.plan_totals(lines, needs),
        "needs": needs,
        "versions": versions,
        "timeline": plan_history.plan_timeline(plan=plan, versions=versions),
        "can_edit": editable,
        "can_submit": plan_permissions.can_submit(user, plan),
        "can_decide": plan_permissions.can_decide(user, plan),
        "can_create_courses": plan_permissions.can_create_courses(user, plan),
        "stale": editable
        and plan_budget.budget_is_stale(courses=courses, lines=lines, norms=norms),
        "revised": revised,
        "changes": changes,
        "returned_with": returned_with,
    }


@dataclass
class DecisionPage:
    version: PlanVersion
    previous: PlanVersion | None
    diff: plan_history.PlanDiff | None
    snapshot: dict[str, Any]


def decision_page(*, plan: AnnualPlan) -> DecisionPage:
    """The submitted version the leader decides on, and what changed since the one before."""
    versions = plan_history.plan_versions(plan=plan)
    current = versions[-1]
    previous = versions[-2] if len(versions) > 1 else None
    diff = plan_history.snapshot_diff(previous.snapshot, current.snapshot) if previous else None
    return DecisionPage(current, previous, diff, plan_history.snapshot_view(current.snapshot))


@dataclass
class Spending:
    """A course's expenses against its planned budget, kind by kind."""

    expenses: list[Expense]
    rows: list[tuple[str, Decimal, Decimal, bool]] = field(default_factory=list)
    total_planned: Decimal = plan_budget.ZERO
    total_spent: Decimal = plan_budget.ZERO
    planned_course: PlannedCourse | None = None

    @property
    def overspent(self) -> bool:
        return self.total_spent > self.total_planned


def course_spending(*, course: Course) -> Spending:
    expenses = plan_selectors.course_expenses(course=course)
    planned_lines = plan_budget.course_planned_lines(course=course)
    kinds = dict(BudgetLine.Kind.choices)
    spending = Spending(expenses)
    for kind in plan_budget.KINDS:
        spent = sum((e.amount for e in expenses if e.kind == kind), plan_budget.ZERO)
        planned = sum((li.amount for li in planned_lines if li.kind == kind), plan_budget.ZERO)
        spending.rows.append((str(kinds[kind]), planned, spent, spent > planned))
        spending.total_planned += planned
        spending.total_spent += spent
    spending.planned_course = (
        PlannedCourse.objects.filter(course=course).select_related("plan").first()
    )
    return spending


def to_course_page(*, planned: PlannedCourse) -> dict[str, Any]:
    """Before a planned course becomes a course: its nominees, the warnings they raise, the
    dates and the capacity the course will get."""
    nominees = plan_courses.nominees(planned=planned)
    people = [n.person for n in nominees]
    starts_on, ends_on = plan_courses.course_dates(planned, planned.plan.year)
    return {
        "planned": planned,
        "plan": planned.plan,
        "nominees": nominees,
        "warnings": plan_courses.nominee_warnings(planned=planned, people=people),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "capacity": max(planned.expected_learners, len({p.pk for p in people}), 1),
    }


def nominations_page(
    *, plan: AnnualPlan, programme_id: int | None, chosen: set[str]
) -> dict[str, Any]:
    """The year's nominations the plan is built from, summed and listed (with the planned
    course already taking each)."""
    choices = plan_selectors.nomination_choices(plan=plan, programme_id=programme_id)
    planned_names = dict(plan.planned_courses.values_list("pk", "name"))
    return {
        "plan": plan,
        "summary": plan_selectors.nomination_summary(plan=plan),
        "rows": [
            (n, planned_names.get(getattr(n, "planned_in", None) or 0), str(n.pk) in chosen)
            for n in choices
        ],
    }
