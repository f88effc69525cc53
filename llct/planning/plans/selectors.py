"""Annual plans: reads (plans, planned courses, the nominations they are built from, expenses,
the names a plan document carries on its date)."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.models import User
from llct.courses.models import Course
from llct.curriculum.models import Lecturer
from llct.organizations.models import Organization
from llct.organizations.selectors import organization_version_on
from llct.planning.models import (
    AnnualPlan,
    Expense,
    Nomination,
    PlanDecision,
    PlannedCourse,
)
from llct.planning.nominations.selectors import nominations_for_year
from llct.planning.plans.permissions import can_read_plans

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations  # a development dependency

Status = AnnualPlan.Status


def status_label(status: str) -> str:
    """The plan's status in words of its own: the model's labels ("Draft", "Submitted") are
    shared with nomination submissions and courses, whose translations do not fit a plan."""
    labels: dict[str, str] = {
        Status.DRAFT: _("Being drafted"),
        Status.SUBMITTED: _("Submitted for approval"),
        Status.RETURNED: _("Returned with comments"),
        Status.APPROVED: _("Approved"),
    }
    return str(labels.get(status, status))


def plan_list(*, user: User) -> QuerySet[AnnualPlan]:
    qs = AnnualPlan.objects.select_related("issuer").annotate(
        course_count=Count("planned_courses", distinct=True)
    )
    if not can_read_plans(user):
        return qs.none()
    return qs.order_by("-year")


def plan_get(*, user: User, pk: int) -> AnnualPlan:
    """The plan, for those who may read plans; anyone else may not (403)."""
    if not can_read_plans(user):
        raise PermissionDenied
    try:
        return AnnualPlan.objects.select_related("issuer", "issuer__parent", "created_by").get(
            pk=pk
        )
    except AnnualPlan.DoesNotExist:
        raise Http404 from None


def planned_course_get(*, user: User, pk: int) -> PlannedCourse:
    try:
        planned = PlannedCourse.objects.select_related("programme", "course", "venue").get(pk=pk)
    except PlannedCourse.DoesNotExist:
        raise Http404 from None
    planned.plan = plan_get(user=user, pk=planned.plan_id)
    return planned


class NominationCount(TypedDict):
    nomination_count: int


type PlannedCourseRow = WithAnnotations[PlannedCourse, NominationCount]
"""A planned course as the plan's tables read it: with the number of its nominations."""


def planned_courses(*, plan: AnnualPlan) -> QuerySet[PlannedCourseRow]:
    """The plan's courses by month, with what the tables show, in a fixed number of queries."""
    return (
        plan.planned_courses.select_related("programme", "venue", "organizer", "course")
        .prefetch_related(Prefetch("lecturers", queryset=Lecturer.objects.order_by("full_name")))
        .annotate(nomination_count=Count("nominations", distinct=True))
        .order_by("month", "programme__name", "id")
    )


def nomination_choices(
    *,
    plan: AnnualPlan,
    programme_id: int | None = None,
    free: bool = False,
    keep: int | None = None,
) -> QuerySet[Nomination]:
    """Nominations for the plan's year with who, where and whether a planned course of this plan
    already takes them (`planned_in`: its id, or None). One query. `free` leaves out those a
    planned course takes, except planned course `keep`."""
    qs = (
        nominations_for_year(year=plan.year)
        .select_related("person", "programme", "submission__organization")
        .annotate(planned_in=Max("planned_courses__id", filter=Q(planned_courses__plan=plan)))
        .order_by("programme__name", "submission__organization__path", "person__sort_key", "id")
    )
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if free:
        qs = qs.filter(Q(planned_in__isnull=True) | Q(planned_in=keep or 0))
    return qs


@dataclass
class SummaryRow:
    programme_id: int
    programme: str
    organization: str
    quarters: list[int]  # Q1..Q4, then "no preference"
    total: int
    planned: int
    is_subtotal: bool = False


def nomination_summary(*, plan: AnnualPlan) -> list[SummaryRow]:
    """Nominations summed by programme, organization and preferred quarter, with a subtotal per
    programme and how many a planned course of this plan already takes. One query."""
    rows = (
        nominations_for_year(year=plan.year)
        .values(
            "programme_id",
            "programme__name",
            "submission__organization__name",
            "submission__organization__path",
            "quarter",
        )
        .annotate(
            n=Count("id", distinct=True),
            planned=Count("id", filter=Q(planned_courses__plan=plan), distinct=True),
        )
        .order_by("programme__name", "submission__organization__path")
    )
    grouped: dict[tuple[str, int], dict[str, SummaryRow]] = {}
    for row in rows:
        key = (row["programme__name"], row["programme_id"])
        per_org = grouped.setdefault(key, {})
        org = row["submission__organization__path"]
        if org not in per_org:
            per_org[org] = SummaryRow(
                row["programme_id"],
                row["programme__name"],
                row["submission__organization__name"],
                [0] * 5,
                0,
                0,
            )
        target = per_org[org]
        target.quarters[(row["quarter"] or 5) - 1] += row["n"]
        target.total += row["n"]
        target.planned += row["planned"]
    out: list[SummaryRow] = []
    for (name, programme_id), per_org in sorted(grouped.items()):
        subtotal = SummaryRow(programme_id, name, "", [0] * 5, 0, 0, is_subtotal=True)
        for _path, summary_row in sorted(per_org.items()):
            out.append(summary_row)
            subtotal.quarters = [
                a + b for a, b in zip(subtotal.quarters, summary_row.quarters, strict=True)
            ]
            subtotal.total += summary_row.total
            subtotal.planned += summary_row.planned
        out.append(subtotal)
    return out


def plan_approval(*, plan: AnnualPlan) -> PlanDecision | None:
    """The decision that approved the plan (its date and signer go on the document)."""
    return (
        PlanDecision.objects.filter(version__plan=plan, decision=PlanDecision.Decision.APPROVED)
        .select_related("decided_by", "version")
        .order_by("-decided_at")
        .first()
    )


def expense_course_get(*, user: User, pk: int) -> Course:
    if not can_read_plans(user):
        raise PermissionDenied
    try:
        return Course.objects.select_related("programme", "organizer").get(pk=pk)
    except Course.DoesNotExist:
        raise Http404 from None


def course_expenses(*, course: Course) -> list[Expense]:
    return list(course.expenses.select_related("recorded_by").order_by("spent_on", "id"))


def names_on(organization: Organization, day: dt.date) -> tuple[str, str]:
    """(parent's name, organization's name) as they were on that day: a document keeps the
    names of its date even after a merger or a renaming."""
    own = organization_version_on(organization.pk, day)
    name = own.name if own else organization.name
    parent_id = own.parent_id if own else organization.parent_id
    if not parent_id:
        return "", name
    parent_version = organization_version_on(parent_id, day)
    if parent_version is not None:
        return parent_version.name, name
    parent = Organization.objects.filter(pk=parent_id).first()
    return (parent.name if parent else ""), name


def document_date(plan: AnnualPlan) -> dt.date:
    approval = plan_approval(plan=plan)
    if approval is not None:
        return timezone.localdate(approval.decided_at)
    return timezone.localdate()


def new_plan_initial(*, today: dt.date) -> dict[str, Any]:
    """A new plan is for next year, under the usual title."""
    year = today.year + 1
    title = _("Training and refresher courses in political theory, %(year)s") % {"year": year}
    return {"year": year, "title": title}
