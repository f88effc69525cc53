"""A plan's history: snapshots frozen at each submission, their differences, the timeline."""

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from llct.core.models import AuditEntry
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    FacilityNeed,
    PlanDecision,
    PlanVersion,
)
from llct.planning.plans.budget import KINDS, budget_lines, plan_totals, vnd
from llct.planning.plans.selectors import planned_courses

Status = AnnualPlan.Status
Kind = BudgetLine.Kind


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
                "nominations": pc.nomination_count,
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


def same_snapshot(a: dict[str, Any], b: dict[str, Any]) -> bool:
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
    return not same_snapshot(last.snapshot, snapshot or plan_snapshot(plan=plan))


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
