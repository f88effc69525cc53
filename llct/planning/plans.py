"""Annual plans: building the plan from the nominations, its budget, the approval workflow, turning
planned courses into real courses, and the plan set against what actually happened.

Who may do what: department officers build and submit plans and record expenses; leaders read
plans and approve or return them (they never edit one); nobody else sees plans. A plan is
edited only while it is a draft or has been returned; each submission freezes a PlanVersion.

Selectors (reads) come first, then the budget arithmetic, then services (writes).
"""

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.models import AuditEntry, Role, audit_record
from llct.core.permissions import is_department
from llct.core.text import clean_text
from llct.courses import services as course_services
from llct.courses.models import Course, Enrolment, Venue
from llct.courses.selectors import working_days
from llct.curriculum.models import Lecturer, Programme
from llct.organizations.models import Organization, OrganizationVersion
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    BudgetNorms,
    Expense,
    FacilityNeed,
    Nomination,
    PlanDecision,
    PlannedCourse,
    PlanVersion,
)
from llct.planning.nominations import nominations_for_year

Status = AnnualPlan.Status
Kind = BudgetLine.Kind
EDITABLE = (Status.DRAFT, Status.RETURNED)
# The order budget lines are shown and totalled in (the model orders kinds alphabetically).
KINDS: tuple[str, ...] = (Kind.LECTURER_FEES, Kind.MATERIALS, Kind.VENUE, Kind.OTHER)
HELD = (Course.Status.IN_PROGRESS, Course.Status.FINISHED)
ZERO = Decimal(0)


# ---------------------------------------------------------------------------------------------
# Permissions


def is_leader(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.LEADER)


def can_read_plans(user: Any) -> bool:
    return is_department(user) or is_leader(user)


def can_edit_plan(user: Any, plan: AnnualPlan) -> bool:
    """Department officers, while the plan is a draft or has been returned. Leaders approve and
    never edit, so what they approve is what the department wrote."""
    return is_department(user) and plan.status in EDITABLE


def can_submit(user: Any, plan: AnnualPlan) -> bool:
    return is_department(user) and plan.status in EDITABLE


def can_decide(user: Any, plan: AnnualPlan) -> bool:
    """Only a leader (the role, not a superuser) approves or returns, and only a submitted plan."""
    return is_leader(user) and plan.status == Status.SUBMITTED


def can_create_courses(user: Any, plan: AnnualPlan) -> bool:
    return is_department(user) and plan.status == Status.APPROVED


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


# ---------------------------------------------------------------------------------------------
# Money


def vnd(amount: Decimal | int | None) -> str:
    """Vietnamese style: 1.500.000 đ (whole đồng, dots between thousands)."""
    value = int(Decimal(amount or 0).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value):,}".replace(",", ".") + " đ"


def whole(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------
# Selectors


def plan_list(*, user: Any) -> QuerySet[AnnualPlan]:
    qs = AnnualPlan.objects.select_related("issuer").annotate(
        course_count=Count("planned_courses", distinct=True)
    )
    if not can_read_plans(user):
        return qs.none()
    return qs.order_by("-year")


def plan_get(*, user: Any, pk: int) -> AnnualPlan:
    """The plan, for those who may read plans; anyone else may not (403)."""
    if not can_read_plans(user):
        raise PermissionDenied
    try:
        return AnnualPlan.objects.select_related("issuer", "issuer__parent", "created_by").get(
            pk=pk
        )
    except AnnualPlan.DoesNotExist:
        raise Http404 from None


def planned_course_get(*, user: Any, pk: int) -> PlannedCourse:
    try:
        planned = PlannedCourse.objects.select_related("programme", "course", "venue").get(pk=pk)
    except PlannedCourse.DoesNotExist:
        raise Http404 from None
    planned.plan = plan_get(user=user, pk=planned.plan_id)
    return planned


def planned_courses(*, plan: AnnualPlan) -> QuerySet[PlannedCourse]:
    """The plan's courses by month, with what the tables show, in a fixed number of queries."""
    return (
        plan.planned_courses.select_related("programme", "venue", "organizer", "course")
        .prefetch_related(Prefetch("lecturers", queryset=Lecturer.objects.order_by("full_name")))
        .annotate(nomination_count=Count("nominations", distinct=True))
        .order_by("month", "programme__name", "id")
    )


def budget_lines(*, plan: AnnualPlan) -> list[BudgetLine]:
    lines = list(plan.budget_lines.select_related("planned_course"))
    order = {k: i for i, k in enumerate(KINDS)}
    lines.sort(
        key=lambda line: (
            line.planned_course.month if line.planned_course else 13,
            line.planned_course_id or 0,
            order.get(line.kind, 9),
        )
    )
    return lines


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


@dataclass
class Totals:
    by_kind: dict[str, Decimal]
    facilities: Decimal

    @property
    def courses(self) -> Decimal:
        return sum(self.by_kind.values(), ZERO)

    @property
    def grand(self) -> Decimal:
        return self.courses + self.facilities

    def rows(self) -> list[tuple[str, Decimal]]:
        labels = dict(Kind.choices)
        return [(str(labels[k]), self.by_kind[k]) for k in KINDS]

    def as_json(self) -> dict[str, int]:
        return {
            **{k: int(v) for k, v in self.by_kind.items()},
            "courses": int(self.courses),
            "facilities": int(self.facilities),
            "grand": int(self.grand),
        }


def plan_totals(lines: Iterable[BudgetLine], needs: Iterable[FacilityNeed]) -> Totals:
    by_kind = dict.fromkeys(KINDS, ZERO)
    for line in lines:
        by_kind[line.kind] = by_kind.get(line.kind, ZERO) + line.amount
    return Totals(by_kind, sum((n.estimated_cost for n in needs), ZERO))


@dataclass
class CourseBudget:
    """One planned course's budget lines, in the order of KINDS, and their sum."""

    planned: PlannedCourse
    lines: list[BudgetLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def budget_by_course(courses: Sequence[PlannedCourse], lines: Sequence[BudgetLine]) -> list[Any]:
    grouped: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in lines:
        grouped[line.planned_course_id or 0].append(line)
    return [CourseBudget(pc, grouped.get(pc.pk, [])) for pc in courses]


# --- Snapshots and their differences ---------------------------------------------------------


def plan_snapshot(*, plan: AnnualPlan) -> dict[str, Any]:
    """Everything the approver approves, as plain JSON: header, planned courses, budget lines,
    facility needs, totals. Keys are stable across edits so that versions can be compared."""
    courses = list(planned_courses(plan=plan))
    lines = budget_lines(plan=plan)
    needs = list(plan.facility_needs.order_by("id"))
    names = {pc.pk: pc.name for pc in courses}
    return {
        "plan": {
            "year": plan.year,
            "number": plan.number,
            "title": plan.title,
            "issuer": plan.issuer.name,
            "place": plan.place,
            "introduction": plan.introduction,
        },
        "courses": [
            {
                "key": str(pc.pk),
                "programme": pc.programme.name,
                "name": pc.name,
                "month": pc.month,
                "expected_learners": pc.expected_learners,
                "sessions": pc.sessions,
                "days": str(pc.days),
                "venue": pc.venue.name if pc.venue else "",
                "organizer": pc.organizer.name,
                "lecturers": ", ".join(lecturer.full_name for lecturer in pc.lecturers.all()),
                "nominations": pc.nomination_count,  # type: ignore[attr-defined]
            }
            for pc in courses
        ],
        "budget": [
            {
                "key": f"{line.planned_course_id or 0}:{line.kind}",
                "course": names.get(line.planned_course_id or 0, ""),
                "kind": line.kind,
                "description": line.description,
                "computed_amount": int(line.computed_amount),
                "amount": int(line.amount),
                "adjustment_note": line.adjustment_note,
            }
            for line in lines
        ],
        "facilities": [
            {
                "key": str(need.pk),
                "kind": need.kind,
                "description": need.description,
                "quantity": need.quantity,
                "estimated_cost": int(need.estimated_cost),
            }
            for need in needs
        ],
        "totals": plan_totals(lines, needs).as_json(),
    }


MONEY_FIELDS = {"amount", "computed_amount", "estimated_cost"}


def _field_labels() -> dict[str, str]:
    return {
        "year": _("Year"),
        "number": _("Document number"),
        "title": _("Plan title"),
        "issuer": _("Issuing organization"),
        "place": _("Place"),
        "introduction": _("Purpose and requirements"),
        "programme": _("Programme"),
        "name": _("Name"),
        "month": _("Month"),
        "expected_learners": _("Expected learners"),
        "sessions": _("Sessions"),
        "days": _("Days"),
        "venue": _("Venue"),
        "organizer": _("Organized by"),
        "lecturers": _("Lecturers"),
        "nominations": _("Linked nominations"),
        "description": _("Description"),
        "computed_amount": _("Computed amount"),
        "amount": _("Amount"),
        "adjustment_note": _("Reason for adjustment"),
        "kind": _("Kind"),
        "quantity": _("Quantity"),
        "estimated_cost": _("Estimated cost"),
    }


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ItemChange:
    label: str
    changes: list[FieldChange]


@dataclass
class SectionDiff:
    title: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass
class PlanDiff:
    sections: list[SectionDiff]

    @property
    def empty(self) -> bool:
        return all(s.empty for s in self.sections)


def _shown(name: str, value: Any) -> str:
    if name in MONEY_FIELDS:
        return vnd(value)
    if name == "kind":
        labels = {**dict(Kind.choices), **dict(FacilityNeed.Kind.choices)}
        return str(labels.get(value, value))
    if value in (None, ""):
        return "—"
    return str(value)


def _describe(section: str, item: dict[str, Any]) -> str:
    if section == "courses":
        return _("%(name)s (month %(month)s, %(n)s learners)") % {
            "name": item["name"],
            "month": item["month"],
            "n": item["expected_learners"],
        }
    if section == "budget":
        return f"{item['course'] or _('Plan')} — {_shown('kind', item['kind'])}: " + vnd(
            item["amount"]
        )
    return f"{_shown('kind', item['kind'])}: {item['description']} × {item['quantity']}, " + vnd(
        item["estimated_cost"]
    )


def _item_label(section: str, item: dict[str, Any]) -> str:
    if section == "courses":
        return str(item["name"])
    if section == "budget":
        return f"{item['course'] or _('Plan')} — {_shown('kind', item['kind'])}"
    return str(item["description"])


def _compare(old: dict[str, Any], new: dict[str, Any], labels: dict[str, str]) -> list[FieldChange]:
    return [
        FieldChange(labels.get(name, name), _shown(name, old.get(name)), _shown(name, new[name]))
        for name in new
        if name != "key" and old.get(name) != new[name]
    ]


def snapshot_diff(old: dict[str, Any], new: dict[str, Any]) -> PlanDiff:
    """What changed from one version to the next: planned courses, budget lines and facility needs
    added, removed or changed (with old → new values), the header and the totals."""
    labels = _field_labels()
    sections: list[SectionDiff] = []
    header = SectionDiff(_("Plan"))
    changes = _compare(old.get("plan", {}), new.get("plan", {}), labels)
    if changes:
        header.changed.append(ItemChange(new["plan"].get("title", ""), changes))
    sections.append(header)
    titles = {
        "courses": _("Planned courses"),
        "budget": _("Budget lines"),
        "facilities": _("Facility needs"),
    }
    for section, title in titles.items():
        diff = SectionDiff(title)
        before = {item["key"]: item for item in old.get(section, [])}
        after = {item["key"]: item for item in new.get(section, [])}
        for key, item in after.items():
            if key not in before:
                diff.added.append(_describe(section, item))
            else:
                item_changes = _compare(before[key], item, labels)
                if item_changes:
                    diff.changed.append(ItemChange(_item_label(section, item), item_changes))
        diff.removed = [
            _describe(section, item) for key, item in before.items() if key not in after
        ]
        sections.append(diff)
    totals = SectionDiff(_("Totals"))
    total_labels = {
        **{k: str(v) for k, v in Kind.choices},
        "courses": _("Courses"),
        "facilities": _("Facilities"),
        "grand": _("Grand total"),
    }
    old_totals, new_totals = old.get("totals", {}), new.get("totals", {})
    changed_totals = [
        FieldChange(total_labels.get(k, k), vnd(old_totals.get(k, 0)), vnd(v))
        for k, v in new_totals.items()
        if old_totals.get(k, 0) != v
    ]
    if changed_totals:
        totals.changed.append(ItemChange(_("Totals"), changed_totals))
    sections.append(totals)
    return PlanDiff(sections)


def snapshot_view(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A frozen version made ready for a page: labels for kinds, money in Vietnamese style."""
    kinds = dict(Kind.choices)
    facility_kinds = dict(FacilityNeed.Kind.choices)
    totals = snapshot.get("totals", {})
    return {
        "plan": snapshot.get("plan", {}),
        "courses": snapshot.get("courses", []),
        "budget": [
            {
                **line,
                "kind_label": str(kinds.get(line["kind"], line["kind"])),
                "amount_text": vnd(line["amount"]),
                "computed_text": vnd(line["computed_amount"]),
            }
            for line in snapshot.get("budget", [])
        ],
        "facilities": [
            {
                **need,
                "kind_label": str(facility_kinds.get(need["kind"], need["kind"])),
                "cost_text": vnd(need["estimated_cost"]),
            }
            for need in snapshot.get("facilities", [])
        ],
        "totals": [
            *((str(kinds[k]), vnd(totals.get(k, 0))) for k in KINDS),
            (_("Facilities"), vnd(totals.get("facilities", 0))),
            (_("Grand total"), vnd(totals.get("grand", 0))),
        ],
    }


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def plan_versions(*, plan: AnnualPlan) -> list[PlanVersion]:
    return list(
        plan.versions.select_related("submitted_by", "decision", "decision__decided_by").order_by(
            "number"
        )
    )


def version_diff(*, plan: AnnualPlan, number: int) -> tuple[PlanVersion, PlanDiff | None]:
    """A version and what changed since the one before (None for the first)."""
    versions = {v.number: v for v in plan.versions.filter(number__in=[number - 1, number])}
    if number not in versions:
        raise Http404
    previous = versions.get(number - 1)
    version = versions[number]
    return version, snapshot_diff(previous.snapshot, version.snapshot) if previous else None


def is_revised(*, plan: AnnualPlan, snapshot: dict[str, Any] | None = None) -> bool:
    """A returned plan counts as revised once it differs from the version that was returned."""
    if plan.status != Status.RETURNED:
        return False
    last = plan.versions.order_by("-number").first()
    if last is None:
        return True
    return not _same(last.snapshot, snapshot or plan_snapshot(plan=plan))


@dataclass
class Step:
    at: dt.datetime
    action: str  # created | submitted | returned | approved | revised
    label: str
    actor: str
    comment: str = ""
    version: int | None = None


def plan_timeline(*, plan: AnnualPlan, versions: Sequence[PlanVersion] | None = None) -> list[Step]:
    """Every step of the plan's life, in order: created, each submission (a version), each
    decision, and the first edit after each return (the plan was revised).

    The order comes from the versions and, for revisions, from the audit trail's ids: within one
    database transaction every timestamp may be the same."""
    versions = list(versions if versions is not None else plan_versions(plan=plan))
    creator = plan.created_by.display_name if plan.created_by else ""
    steps = [Step(plan.created_at, "created", _("Created"), creator)]
    # The first edit after each return, in the order of the returns.
    revisions: list[AuditEntry | None] = []
    waiting = False
    for entry in (
        AuditEntry.objects.filter(
            content_type__app_label="planning",
            content_type__model="annualplan",
            object_id=plan.pk,
            action__in=["edit", "submit", PlanDecision.Decision.RETURNED],
        )
        .select_related("actor")
        .order_by("id")
    ):
        if entry.action == PlanDecision.Decision.RETURNED:
            revisions.append(None)
            waiting = True
        elif entry.action == "submit":
            waiting = False
        elif waiting:
            revisions[-1] = entry
            waiting = False
    returns = 0
    for version in versions:
        steps.append(
            Step(
                version.submitted_at,
                "submitted",
                _("Submitted for approval (version %(n)s)") % {"n": version.number},
                version.submitted_by.display_name if version.submitted_by else "",
                version=version.number,
            )
        )
        decision = getattr(version, "decision", None)
        if decision is None:
            continue
        returned = decision.decision == PlanDecision.Decision.RETURNED
        steps.append(
            Step(
                decision.decided_at,
                decision.decision,
                _("Returned with comments") if returned else _("Approved"),
                decision.decided_by.display_name if decision.decided_by else "",
                decision.comment,
                version.number,
            )
        )
        if returned:
            revision = revisions[returns] if returns < len(revisions) else None
            returns += 1
            if revision is not None:
                steps.append(
                    Step(
                        revision.at,
                        "revised",
                        _("Revised"),
                        revision.actor.display_name if revision.actor else "",
                        revision.summary,
                    )
                )
    return steps


# ---------------------------------------------------------------------------------------------
# Budget arithmetic


def lecturer_fee(norms: BudgetNorms, kind: str) -> Decimal:
    fees: dict[str, Decimal] = {
        Lecturer.Kind.PART_TIME: norms.fee_part_time,
        Lecturer.Kind.GUEST: norms.fee_guest,
        Lecturer.Kind.FULL_TIME: norms.fee_full_time,
    }
    return fees.get(kind, norms.fee_part_time)


def budget_compute(
    *, planned: PlannedCourse, lecturers: Sequence[Lecturer], norms: BudgetNorms
) -> dict[str, tuple[Decimal, str]]:
    """The computed amount and how it was worked out, per kind, for one planned course.

    - lecturer fees: each session is paid at the fee of the kind of the lecturer who teaches it.
      The sessions are shared out evenly among the lecturers; the sessions left over go to the
      best-paid ones, so the estimate errs on the safe side. No lecturer yet: the part-time fee.
    - materials: expected learners × the norm per learner;
    - venue: days × the norm per day, nothing for an online room;
    - other: the norm per course.
    """
    sessions = int(planned.sessions or 0)
    shares: list[tuple[int, Decimal, str]] = []
    if lecturers:
        labels = dict(Lecturer.Kind.choices)
        ranked = sorted(lecturers, key=lambda lec: (-lecturer_fee(norms, lec.kind), lec.full_name))
        base, extra = divmod(sessions, len(ranked))
        counts: Counter[tuple[Decimal, str]] = Counter()
        for i, lecturer in enumerate(ranked):
            n = base + (1 if i < extra else 0)
            counts[(lecturer_fee(norms, lecturer.kind), str(labels[lecturer.kind]))] += n
        shares = [(n, fee, label) for (fee, label), n in counts.items() if n]
        shares.sort(key=lambda s: (-s[1], s[2]))
    else:
        shares = [(sessions, norms.fee_part_time, str(_("part-time fee, no lecturer yet")))]
    fees = sum((n * fee for n, fee, _label in shares), ZERO)
    fee_text = " + ".join(f"{n} × {vnd(fee)} ({label})" for n, fee, label in shares)
    learners = int(planned.expected_learners or 0)
    days = Decimal(planned.days or 0)
    online = planned.venue is not None and planned.venue.kind == Venue.Kind.ONLINE
    venue = ZERO if online else whole(days * norms.venue_per_day)
    venue_text = (
        str(_("online room: no venue cost"))
        if online
        else f"{days.normalize():f} × {vnd(norms.venue_per_day)}"
    )
    return {
        Kind.LECTURER_FEES: (whole(fees), fee_text),
        Kind.MATERIALS: (
            whole(learners * norms.materials_per_learner),
            f"{learners} × {vnd(norms.materials_per_learner)}",
        ),
        Kind.VENUE: (venue, venue_text),
        Kind.OTHER: (whole(norms.other_per_course), str(_("per course"))),
    }


def _recompute_lines(planned: PlannedCourse, norms: BudgetNorms) -> int:
    """Bring one planned course's lines in step with the norms. An adjusted line keeps its amount
    and its note (it stays flagged); only its computed amount moves. Returns lines changed."""
    computed = budget_compute(planned=planned, lecturers=list(planned.lecturers.all()), norms=norms)
    existing = {line.kind: line for line in planned.budget_lines.all()}
    changed = 0
    for kind, (amount, description) in computed.items():
        line = existing.get(kind)
        if line is None:
            BudgetLine.objects.create(
                plan_id=planned.plan_id,
                planned_course=planned,
                kind=kind,
                description=description[:255],
                computed_amount=amount,
                amount=amount,
            )
            changed += 1
            continue
        adjusted = bool(line.adjustment_note)
        new_amount = line.amount if adjusted else amount
        if (line.computed_amount, line.amount, line.description) != (
            amount,
            new_amount,
            description[:255],
        ):
            line.computed_amount, line.amount = amount, new_amount
            line.description = description[:255]
            line.save(update_fields=["computed_amount", "amount", "description"])
            changed += 1
    return changed


def budget_is_stale(
    *, courses: Sequence[PlannedCourse], lines: Sequence[BudgetLine], norms: BudgetNorms
) -> bool:
    """True when a computed amount is not what the current norms give (the norms changed)."""
    stored = {(line.planned_course_id, line.kind): line.computed_amount for line in lines}
    for pc in courses:
        computed = budget_compute(planned=pc, lecturers=list(pc.lecturers.all()), norms=norms)
        for kind, (amount, _text) in computed.items():
            if stored.get((pc.pk, kind)) != amount:
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Services: the plan and its contents


def _require_editable(plan: AnnualPlan) -> None:
    if plan.status not in EDITABLE:
        raise ValidationError(
            _("This plan has been submitted or approved; it can no longer be changed.")
        )


def _require_department(actor: Any) -> None:
    if not is_department(actor):
        raise PermissionDenied


def _edited(plan: AnnualPlan, actor: Any, summary: str) -> None:
    """Every change to a plan's contents is kept on the plan (the timeline reads them)."""
    audit_record(actor=actor, obj=plan, action="edit", summary=summary[:500])


PLAN_FIELDS = ("year", "number", "title", "issuer", "place", "introduction")


def _plan_validate(plan: AnnualPlan) -> None:
    errors: dict[str, list[str]] = {}
    if not plan.year or not 2000 <= plan.year <= 2100:
        errors["year"] = [_("Enter a year between 2000 and 2100.")]
    elif AnnualPlan.objects.filter(year=plan.year).exclude(pk=plan.pk).exists():
        errors["year"] = [_("There is already a plan for %(year)s.") % {"year": plan.year}]
    if not plan.title:
        errors["title"] = [_("Enter the plan's title.")]
    if not plan.issuer_id:
        errors["issuer"] = [_("Choose the issuing organization.")]
    if len(plan.number) > 40:
        errors["number"] = [_("At most 40 characters.")]
    if len(plan.place) > 100:
        errors["place"] = [_("At most 100 characters.")]
    if errors:
        raise ValidationError(errors)


def _plan_apply(plan: AnnualPlan, data: dict[str, Any]) -> None:
    for name in PLAN_FIELDS:
        if name in data:
            setattr(plan, name, data[name])
    plan.number = clean_text(plan.number)
    plan.title = clean_text(plan.title)
    plan.place = clean_text(plan.place)
    plan.introduction = (plan.introduction or "").strip()


@transaction.atomic
def plan_create(*, data: dict[str, Any], actor: Any) -> AnnualPlan:
    _require_department(actor)
    plan = AnnualPlan(created_by=actor)
    _plan_apply(plan, data)
    _plan_validate(plan)
    plan.save()
    plan.refresh_from_db(fields=["created_at"])
    audit_record(actor=actor, obj=plan, action="create", summary=plan.title)
    return plan


@transaction.atomic
def plan_update(*, plan: AnnualPlan, data: dict[str, Any], actor: Any) -> AnnualPlan:
    _require_department(actor)
    _require_editable(plan)
    _plan_apply(plan, data)
    _plan_validate(plan)
    plan.save()
    _edited(plan, actor, _("Plan details edited"))
    return plan


PLANNED_FIELDS = (
    "programme",
    "name",
    "month",
    "expected_learners",
    "sessions",
    "days",
    "venue",
    "organizer",
)


def _planned_validate(
    planned: PlannedCourse, nominations: Sequence[Nomination], plan: AnnualPlan
) -> None:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not planned.programme_id:
        add("programme", _("Choose the programme."))
    if not planned.name:
        add("name", _("Enter the course's name."))
    if not planned.month or not 1 <= planned.month <= 12:
        add("month", _("Choose a month from 1 to 12."))
    if not planned.expected_learners or planned.expected_learners < 1:
        add("expected_learners", _("At least one learner."))
    if not planned.sessions or planned.sessions < 1:
        add("sessions", _("At least one session."))
    if planned.days is None or planned.days <= 0:
        add("days", _("Enter the number of days (more than 0)."))
    if not planned.organizer_id:
        add("organizer", _("Choose the organizing organization."))
    if nominations:
        ids = [n.pk for n in nominations]
        allowed = set(
            nominations_for_year(year=plan.year).filter(pk__in=ids).values_list("pk", flat=True)
        )
        if len(allowed) < len(set(ids)):
            add("nominations", _("Some nominations are not nominations submitted for this year."))
        other_programme = [n for n in nominations if n.programme_id != planned.programme_id]
        if other_programme and planned.programme_id:
            add(
                "nominations",
                _("%(n)s nomination(s) are for another programme.") % {"n": len(other_programme)},
            )
        taken = (
            PlannedCourse.objects.filter(plan=plan, nominations__in=ids)
            .exclude(pk=planned.pk or 0)
            .values_list("name", flat=True)
            .distinct()
        )
        for name in taken:
            add(
                "nominations",
                _("Some of these nominations are already in the planned course “%(name)s”.")
                % {"name": name},
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def planned_course_save(
    *,
    planned: PlannedCourse,
    data: dict[str, Any],
    actor: Any,
    lecturers: Sequence[Lecturer] | None = None,
    nominations: Sequence[Nomination] | None = None,
) -> PlannedCourse:
    """Create or change a planned course, then recompute its budget lines (adjusted lines keep
    their amount). `lecturers` / `nominations` replace the current ones when given."""
    _require_department(actor)
    plan = planned.plan
    _require_editable(plan)
    for name in PLANNED_FIELDS:
        if name in data:
            setattr(planned, name, data[name])
    planned.name = clean_text(planned.name)
    current = list(planned.nominations.all()) if planned.pk else []
    _planned_validate(planned, list(nominations) if nominations is not None else current, plan)
    is_new = planned.pk is None
    planned.save()
    if lecturers is not None:
        planned.lecturers.set(lecturers)
    if nominations is not None:
        planned.nominations.set(nominations)
    _recompute_lines(planned, BudgetNorms.current())
    _edited(
        plan,
        actor,
        (_("Planned course added: %(name)s") if is_new else _("Planned course edited: %(name)s"))
        % {"name": planned.name},
    )
    return planned


def _quarter_month(nominations: Sequence[Nomination]) -> int:
    """The first month of the quarter most of them asked for (the earliest on a tie)."""
    quarters = Counter(n.quarter for n in nominations if n.quarter)
    if not quarters:
        return 1
    best = max(quarters.values())
    return (min(q for q, n in quarters.items() if n == best) - 1) * 3 + 1


@transaction.atomic
def planned_course_from_nominations(
    *, plan: AnnualPlan, nominations: Sequence[Nomination], actor: Any
) -> PlannedCourse:
    """A planned course for the chosen nominations, all of one programme: as many expected
    learners as nominations, the month of the quarter most asked for, the programme's usual
    length, organized by the plan's issuer. The department then completes it."""
    _require_department(actor)
    _require_editable(plan)
    if not nominations:
        raise ValidationError({"nominations": [_("Choose at least one nomination.")]})
    programmes = {n.programme_id for n in nominations}
    if len(programmes) > 1:
        raise ValidationError(
            {"nominations": [_("Choose nominations of one programme only (one course each).")]}
        )
    programme = Programme.objects.get(pk=programmes.pop())
    ordinal = plan.planned_courses.filter(programme=programme).count() + 1
    planned = PlannedCourse(
        plan=plan,
        programme=programme,
        name=_("%(programme)s, course %(n)s") % {"programme": programme.name, "n": ordinal},
        month=_quarter_month(nominations),
        expected_learners=len({n.person_id for n in nominations}),
        sessions=programme.default_sessions or 1,
        days=programme.default_days or Decimal(1),
        organizer=plan.issuer,
    )
    return planned_course_save(
        planned=planned, data={}, actor=actor, lecturers=[], nominations=list(nominations)
    )


@transaction.atomic
def planned_course_delete(*, planned: PlannedCourse, actor: Any) -> None:
    _require_department(actor)
    _require_editable(planned.plan)
    name = planned.name
    plan = planned.plan
    planned.delete()
    _edited(plan, actor, _("Planned course removed: %(name)s") % {"name": name})


@transaction.atomic
def budget_recompute(*, plan: AnnualPlan, actor: Any) -> int:
    """Recompute every line from the current norms; adjusted lines stay adjusted."""
    _require_department(actor)
    _require_editable(plan)
    norms = BudgetNorms.current()
    changed = sum(
        _recompute_lines(pc, norms)
        for pc in plan.planned_courses.select_related("venue").prefetch_related(
            "lecturers", "budget_lines"
        )
    )
    if changed:
        _edited(plan, actor, _("Budget recomputed from the norms"))
    return changed


@transaction.atomic
def budget_line_adjust(*, line: BudgetLine, amount: Decimal, note: str, actor: Any) -> BudgetLine:
    """Change a line by hand. An amount other than the computed one needs a note saying why;
    the computed amount is kept beside it. Giving back the computed amount clears the note."""
    _require_department(actor)
    _require_editable(line.plan)
    note = clean_text(note)
    errors: dict[str, list[str]] = {}
    if amount is None or amount < 0:
        errors["amount"] = [_("Enter an amount of 0 or more.")]
    elif amount != line.computed_amount and not note:
        errors["adjustment_note"] = [_("Say why the amount differs from the norms.")]
    if len(note) > 500:
        errors["adjustment_note"] = [_("At most 500 characters.")]
    if errors:
        raise ValidationError(errors)
    old = line.amount
    line.amount = whole(amount)
    line.adjustment_note = note if line.amount != line.computed_amount else ""
    line.save(update_fields=["amount", "adjustment_note"])
    course = line.planned_course.name if line.planned_course else ""
    _edited(
        line.plan,
        actor,
        _("Budget line adjusted: %(line)s, %(old)s → %(new)s")
        % {
            "line": f"{course} — {line.get_kind_display()}",
            "old": vnd(old),
            "new": vnd(line.amount),
        },
    )
    return line


FACILITY_FIELDS = ("kind", "description", "quantity", "estimated_cost")


@transaction.atomic
def facility_save(*, need: FacilityNeed, data: dict[str, Any], actor: Any) -> FacilityNeed:
    _require_department(actor)
    _require_editable(need.plan)
    for name in FACILITY_FIELDS:
        if name in data:
            setattr(need, name, data[name])
    need.description = clean_text(need.description)
    errors: dict[str, list[str]] = {}
    if need.kind not in FacilityNeed.Kind.values:
        errors["kind"] = [_("Choose the kind.")]
    if not need.description:
        errors["description"] = [_("Describe what is needed.")]
    if not need.quantity or need.quantity < 1:
        errors["quantity"] = [_("At least 1.")]
    if need.estimated_cost is None or need.estimated_cost < 0:
        errors["estimated_cost"] = [_("Enter an amount of 0 or more.")]
    if errors:
        raise ValidationError(errors)
    is_new = need.pk is None
    need.save()
    _edited(
        need.plan,
        actor,
        (_("Facility need added: %(what)s") if is_new else _("Facility need edited: %(what)s"))
        % {"what": need.description},
    )
    return need


@transaction.atomic
def facility_delete(*, need: FacilityNeed, actor: Any) -> None:
    _require_department(actor)
    _require_editable(need.plan)
    plan, what = need.plan, need.description
    need.delete()
    _edited(plan, actor, _("Facility need removed: %(what)s") % {"what": what})


NORM_FIELDS = (
    "fee_part_time",
    "fee_guest",
    "fee_full_time",
    "materials_per_learner",
    "venue_per_day",
    "other_per_course",
)


@transaction.atomic
def norms_update(*, data: dict[str, Any], actor: Any) -> BudgetNorms:
    """Change the norms. Plans keep their amounts until the department recomputes them."""
    _require_department(actor)
    norms = BudgetNorms.current()
    errors: dict[str, list[str]] = {}
    changes = []
    for name in NORM_FIELDS:
        value = data.get(name)
        if value is None or value < 0:
            errors[name] = [_("Enter an amount of 0 or more.")]
            continue
        old = getattr(norms, name)
        if old != value:
            changes.append(
                {
                    "field": name,
                    "label": str(getattr(BudgetNorms._meta.get_field(name), "verbose_name", name)),
                    "old": vnd(old),
                    "new": vnd(value),
                }
            )
            setattr(norms, name, whole(Decimal(value)))
    if errors:
        raise ValidationError(errors)
    if changes:
        norms.full_clean()
        norms.save()
        audit_record(actor=actor, obj=norms, action="update", changes=changes)
    return norms


# ---------------------------------------------------------------------------------------------
# Services: the workflow


def _locked(plan: AnnualPlan) -> AnnualPlan:
    """The plan row, locked: two clicks at once cannot both move it on."""
    locked = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    plan.status = locked.status
    return plan


@transaction.atomic
def plan_submit(*, plan: AnnualPlan, actor: Any) -> PlanVersion:
    """draft → submitted, or returned (and revised) → submitted. Freezes a PlanVersion."""
    if not is_department(actor):
        raise PermissionDenied
    plan = _locked(plan)
    if plan.status not in EDITABLE:
        raise ValidationError(
            _("Only a draft or a returned plan can be submitted; this one is “%(status)s”.")
            % {"status": status_label(plan.status)}
        )
    courses = list(planned_courses(plan=plan))
    if not courses:
        raise ValidationError(_("Add at least one planned course before submitting."))
    if budget_is_stale(courses=courses, lines=budget_lines(plan=plan), norms=BudgetNorms.current()):
        raise ValidationError(
            _("The norms have changed since the budget was computed: recompute it first.")
        )
    snapshot = plan_snapshot(plan=plan)
    last = plan.versions.order_by("-number").first()
    if plan.status == Status.RETURNED and last is not None and _same(last.snapshot, snapshot):
        raise ValidationError(
            _("The plan was returned with comments: revise it before submitting it again.")
        )
    version = PlanVersion.objects.create(
        plan=plan,
        number=(last.number + 1) if last else 1,
        snapshot=snapshot,
        submitted_by=actor,
    )
    version.refresh_from_db(fields=["submitted_at"])
    plan.status = Status.SUBMITTED
    plan.save(update_fields=["status"])
    audit_record(
        actor=actor, obj=plan, action="submit", summary=_("Version %(n)s") % {"n": version.number}
    )
    return version


def _decide(*, plan: AnnualPlan, actor: Any, decision: str, comment: str) -> PlanDecision:
    if not is_leader(actor):
        raise PermissionDenied
    plan = _locked(plan)
    comment = (comment or "").strip()
    if plan.status != Status.SUBMITTED:
        raise ValidationError(
            _("Only a submitted plan can be approved or returned; this one is “%(status)s”.")
            % {"status": status_label(plan.status)}
        )
    if decision == PlanDecision.Decision.RETURNED and not comment:
        raise ValidationError({"comment": [_("Say what must be changed.")]})
    version = plan.versions.order_by("-number").first()
    if version is None or hasattr(version, "decision"):
        raise ValidationError(_("There is no submitted version awaiting a decision."))
    made = PlanDecision.objects.create(
        version=version, decision=decision, comment=comment, decided_by=actor
    )
    made.refresh_from_db(fields=["decided_at"])
    plan.status = Status.APPROVED if decision == PlanDecision.Decision.APPROVED else Status.RETURNED
    plan.save(update_fields=["status"])
    audit_record(actor=actor, obj=plan, action=decision, summary=comment[:500])
    return made


@transaction.atomic
def plan_approve(*, plan: AnnualPlan, actor: Any, comment: str = "") -> PlanDecision:
    """submitted → approved, by a leader."""
    return _decide(plan=plan, actor=actor, decision=PlanDecision.Decision.APPROVED, comment=comment)


@transaction.atomic
def plan_return(*, plan: AnnualPlan, actor: Any, comment: str) -> PlanDecision:
    """submitted → returned, by a leader, with comments saying what to change."""
    return _decide(plan=plan, actor=actor, decision=PlanDecision.Decision.RETURNED, comment=comment)


def plan_approval(*, plan: AnnualPlan) -> PlanDecision | None:
    """The decision that approved the plan (its date and signer go on the document)."""
    return (
        PlanDecision.objects.filter(version__plan=plan, decision=PlanDecision.Decision.APPROVED)
        .select_related("decided_by", "version")
        .order_by("-decided_at")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# From plan to courses


def course_dates(planned: PlannedCourse, year: int) -> tuple[dt.date, dt.date]:
    """The first working day of the planned month, and the end after the planned days."""
    days = working_days(dt.date(year, planned.month, 1), int(whole(Decimal(planned.days)).max(1)))
    return days[0], days[-1]


def _course_code(planned: PlannedCourse, year: int) -> str:
    base = f"{planned.programme.code[:24]}-{year}-{planned.pk}".upper()
    code, n = base, 1
    while Course.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


@dataclass
class CourseFromPlan:
    course: Course
    created: bool
    enrolled: int = 0
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def planned_course_create_course(
    *,
    planned: PlannedCourse,
    actor: Any,
    override_reason: str = "",
    confirm_warnings: bool = False,
) -> CourseFromPlan:
    """Turn an approved planned course into a course open for enrolment and enrol its nominees.

    Idempotent: the planned course keeps its course, and asking again returns it. All or
    nothing: when the enrolment is refused (eligibility warnings without a reason, scheduling
    conflicts per the course rules), no course is created and the ConflictError goes up."""
    if not is_department(actor):
        raise PermissionDenied
    locked = (
        PlannedCourse.objects.select_for_update(of=("self",))
        .select_related("plan", "programme", "venue", "organizer", "course")
        .get(pk=planned.pk)
    )
    if locked.course is not None:
        return CourseFromPlan(locked.course, created=False)
    plan = locked.plan
    if plan.status != Status.APPROVED:
        raise ValidationError(_("Courses are created only from an approved plan."))
    people = []
    seen: set[int] = set()
    for nomination in locked.nominations.select_related("person").order_by("person__sort_key"):
        if nomination.person_id not in seen:
            seen.add(nomination.person_id)
            people.append(nomination.person)
    starts_on, ends_on = course_dates(locked, plan.year)
    course = course_services.course_create(
        data={
            "code": _course_code(locked, plan.year),
            "name": locked.name,
            "programme": locked.programme,
            "organizer": locked.organizer,
            "partner": "",
            "starts_on": starts_on,
            "ends_on": ends_on,
            "venue": locked.venue,
            # Every nominee gets a seat even if more were nominated than expected.
            "capacity": max(locked.expected_learners, len(people), 1),
            "status": Course.Status.OPEN,
        },
        actor=actor,
    )
    result = CourseFromPlan(course, created=True)
    if people:
        enrolled = course_services.enrolment_create_many(
            course=course,
            people=people,
            actor=actor,
            override_reason=override_reason,
            confirm_warnings=confirm_warnings,
        )
        result.enrolled = enrolled.count
        result.warnings = enrolled.warnings
    locked.course = course
    locked.save(update_fields=["course"])
    planned.course = course
    audit_record(
        actor=actor,
        obj=plan,
        action="course_create",
        summary=_("Course created from the plan: %(name)s (%(code)s)")
        % {"name": course.name, "code": course.code},
    )
    return result


def nominees(*, planned: PlannedCourse) -> list[Nomination]:
    return list(
        planned.nominations.select_related("person", "submission__organization").order_by(
            "person__sort_key", "id"
        )
    )


def nominee_warnings(*, planned: PlannedCourse, people: Iterable[Any]) -> list[str]:
    """The eligibility warnings the nominees would raise, to show before creating the course."""
    out: list[str] = []
    for person in people:
        out.extend(course_services.eligibility_warnings(programme=planned.programme, person=person))
    return out


# ---------------------------------------------------------------------------------------------
# Expenses


EXPENSE_FIELDS = ("kind", "amount", "spent_on", "note")


@transaction.atomic
def expense_record(*, course: Course, data: dict[str, Any], actor: Any) -> Expense:
    _require_department(actor)
    expense = Expense(course=course, recorded_by=actor)
    for name in EXPENSE_FIELDS:
        if name in data:
            setattr(expense, name, data[name])
    expense.note = clean_text(expense.note)
    errors: dict[str, list[str]] = {}
    if expense.kind not in Kind.values:
        errors["kind"] = [_("Choose the kind.")]
    if expense.amount is None or expense.amount <= 0:
        errors["amount"] = [_("Enter an amount greater than 0.")]
    if expense.spent_on is None:
        errors["spent_on"] = [_("Enter the date.")]
    if errors:
        raise ValidationError(errors)
    expense.amount = whole(Decimal(expense.amount))
    expense.save()
    audit_record(
        actor=actor,
        obj=course,
        action="expense",
        summary=f"{expense.get_kind_display()}: {vnd(expense.amount)}",
    )
    return expense


@transaction.atomic
def expense_delete(*, expense: Expense, actor: Any) -> None:
    _require_department(actor)
    course = expense.course
    summary = f"{expense.get_kind_display()}: {vnd(expense.amount)} ({expense.spent_on:%d/%m/%Y})"
    expense.delete()
    audit_record(actor=actor, obj=course, action="expense_delete", summary=summary)


def expense_course_get(*, user: Any, pk: int) -> Course:
    if not can_read_plans(user):
        raise PermissionDenied
    try:
        return Course.objects.select_related("programme", "organizer").get(pk=pk)
    except Course.DoesNotExist:
        raise Http404 from None


def course_expenses(*, course: Course) -> list[Expense]:
    return list(course.expenses.select_related("recorded_by").order_by("spent_on", "id"))


def course_planned_lines(*, course: Course) -> list[BudgetLine]:
    """The plan's budget for this course, when it was created from a plan."""
    lines = list(
        BudgetLine.objects.filter(planned_course__course=course).select_related("planned_course")
    )
    order = {k: i for i, k in enumerate(KINDS)}
    lines.sort(key=lambda line: order.get(line.kind, 9))
    return lines


# ---------------------------------------------------------------------------------------------
# Plan against actual


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


# ---------------------------------------------------------------------------------------------
# The party document's names


def _version_on(organization_id: int, day: dt.date) -> OrganizationVersion | None:
    return (
        OrganizationVersion.objects.filter(organization_id=organization_id, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .first()
    )


def names_on(organization: Organization, day: dt.date) -> tuple[str, str]:
    """(parent's name, organization's name) as they were on that day: a document keeps the
    names of its date even after a merger or a renaming."""
    own = _version_on(organization.pk, day)
    name = own.name if own else organization.name
    parent_id = own.parent_id if own else organization.parent_id
    if not parent_id:
        return "", name
    parent_version = _version_on(parent_id, day)
    if parent_version is not None:
        return parent_version.name, name
    parent = Organization.objects.filter(pk=parent_id).first()
    return (parent.name if parent else ""), name


def document_date(plan: AnnualPlan) -> dt.date:
    approval = plan_approval(plan=plan)
    if approval is not None:
        return timezone.localdate(approval.decided_at)
    return timezone.localdate()
