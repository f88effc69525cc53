"""Annual plans: writes (the plan, its courses, facilities, budget, norms, the approval workflow,
expenses). Each submission freezes a PlanVersion."""

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.models import User, audit_record
from llct.core.text import clean_text
from llct.courses.models import Course
from llct.curriculum.models import Lecturer, Programme
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
from llct.planning.nominations.selectors import nominations_for_year
from llct.planning.plans.budget import budget_is_stale, budget_lines, recompute_lines, vnd, whole
from llct.planning.plans.history import plan_snapshot, same_snapshot
from llct.planning.plans.permissions import EDITABLE, is_leader
from llct.planning.plans.selectors import planned_courses, status_label

Status = AnnualPlan.Status
Kind = BudgetLine.Kind


def _require_editable(plan: AnnualPlan) -> None:
    if plan.status not in EDITABLE:
        raise ValidationError(
            _("This plan has been submitted or approved; it can no longer be changed.")
        )


def _require_department(actor: User) -> None:
    if not has_capability(actor, Capability.EDIT_PLANS):
        raise PermissionDenied


def _edited(plan: AnnualPlan, actor: User, summary: str) -> None:
    """Every change to a plan's contents is kept on the plan (the timeline reads them)."""
    audit_record(actor=actor, obj=plan, action="edit", summary=summary[:500])


PLAN_FIELDS = (
    "year",
    "number",
    "title",
    "issuer",
    "issuing_body",
    "place",
    "signing_authority",
    "signer_position",
    "introduction",
)
# What a plan the department writes is signed as, unless changed.
DEPARTMENT_DOCUMENT = {
    "issuing_body": "Ban Tuyên giáo và Dân vận",
    "signing_authority": "K/T TRƯỞNG BAN",
    "signer_position": "Phó Trưởng ban",
}


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
    plan.issuing_body = clean_text(plan.issuing_body)
    plan.signing_authority = clean_text(plan.signing_authority)
    plan.signer_position = clean_text(plan.signer_position)
    plan.introduction = (plan.introduction or "").strip()


@transaction.atomic
def plan_create(*, data: dict[str, Any], actor: User) -> AnnualPlan:
    _require_department(actor)
    plan = AnnualPlan(created_by=actor)
    _plan_apply(plan, data)
    _plan_validate(plan)
    plan.save()
    plan.refresh_from_db(fields=["created_at"])
    audit_record(actor=actor, obj=plan, action="create", summary=plan.title)
    return plan


@transaction.atomic
def plan_update(*, plan: AnnualPlan, data: dict[str, Any], actor: User) -> AnnualPlan:
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
    errors = _planned_field_errors(planned)
    if nominations and (problems := _nominations_errors(planned, nominations, plan)):
        errors["nominations"] = problems
    if errors:
        raise ValidationError(errors)


def _planned_field_errors(planned: PlannedCourse) -> dict[str, list[str]]:
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
    return errors


def _nominations_errors(
    planned: PlannedCourse, nominations: Sequence[Nomination], plan: AnnualPlan
) -> list[str]:
    """The nominations a planned course takes: submitted for the plan's year, for its
    programme, and in no other planned course of the plan."""
    errors: list[str] = []
    ids = [n.pk for n in nominations]
    allowed = set(
        nominations_for_year(year=plan.year).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if len(allowed) < len(set(ids)):
        errors.append(_("Some nominations are not nominations submitted for this year."))
    other_programme = [n for n in nominations if n.programme_id != planned.programme_id]
    if other_programme and planned.programme_id:
        errors.append(
            _("%(n)s nomination(s) are for another programme.") % {"n": len(other_programme)}
        )
    taken = (
        PlannedCourse.objects.filter(plan=plan, nominations__in=ids)
        .exclude(pk=planned.pk or 0)
        .values_list("name", flat=True)
        .distinct()
    )
    for name in taken:
        errors.append(
            _("Some of these nominations are already in the planned course “%(name)s”.")
            % {"name": name}
        )
    return errors


@transaction.atomic
def planned_course_save(
    *,
    planned: PlannedCourse,
    data: dict[str, Any],
    actor: User,
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
    _length_from_programme(planned, data)
    planned.name = clean_text(planned.name)
    current = list(planned.nominations.all()) if planned.pk else []
    _planned_validate(planned, list(nominations) if nominations is not None else current, plan)
    is_new = planned.pk is None
    planned.save()
    if lecturers is not None:
        planned.lecturers.set(lecturers)
    if nominations is not None:
        planned.nominations.set(nominations)
    recompute_lines(planned, BudgetNorms.current())
    _edited(
        plan,
        actor,
        (_("Planned course added: %(name)s") if is_new else _("Planned course edited: %(name)s"))
        % {"name": planned.name},
    )
    return planned


def _length_from_programme(planned: PlannedCourse, data: dict[str, Any]) -> None:
    """Sessions and days left empty (or not given for a new course) come from the programme,
    so the budget counts the length the programme takes."""
    programme = planned.programme if planned.programme_id else None
    if programme is None:
        return
    new = planned.pk is None
    if data.get("sessions") is None and (new or "sessions" in data):
        planned.sessions = programme.default_sessions or 1
    if data.get("days") is None and (new or "days" in data):
        planned.days = programme.default_days or Decimal(1)


def _quarter_month(nominations: Sequence[Nomination]) -> int:
    """The first month of the quarter most of them asked for (the earliest on a tie)."""
    quarters = Counter(n.quarter for n in nominations if n.quarter)
    if not quarters:
        return 1
    best = max(quarters.values())
    return (min(q for q, n in quarters.items() if n == best) - 1) * 3 + 1


@transaction.atomic
def planned_course_from_nominations(
    *, plan: AnnualPlan, nominations: Sequence[Nomination], actor: User
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
def planned_course_delete(*, planned: PlannedCourse, actor: User) -> None:
    _require_department(actor)
    _require_editable(planned.plan)
    name = planned.name
    plan = planned.plan
    planned.delete()
    _edited(plan, actor, _("Planned course removed: %(name)s") % {"name": name})


@transaction.atomic
def budget_recompute(*, plan: AnnualPlan, actor: User) -> int:
    """Recompute every line from the current norms; adjusted lines stay adjusted."""
    _require_department(actor)
    _require_editable(plan)
    norms = BudgetNorms.current()
    changed = sum(
        recompute_lines(pc, norms)
        for pc in plan.planned_courses.select_related("venue").prefetch_related(
            "lecturers", "budget_lines"
        )
    )
    if changed:
        _edited(plan, actor, _("Budget recomputed from the norms"))
    return changed


@transaction.atomic
def budget_line_adjust(*, line: BudgetLine, amount: Decimal, note: str, actor: User) -> BudgetLine:
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
def facility_save(*, need: FacilityNeed, data: dict[str, Any], actor: User) -> FacilityNeed:
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
def facility_delete(*, need: FacilityNeed, actor: User) -> None:
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
def norms_update(*, data: dict[str, Any], actor: User) -> BudgetNorms:
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


def _locked(plan: AnnualPlan) -> AnnualPlan:
    """The plan row, locked: two clicks at once cannot both move it on."""
    locked = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    plan.status = locked.status
    return plan


@transaction.atomic
def plan_submit(*, plan: AnnualPlan, actor: User) -> PlanVersion:
    """draft → submitted, or returned (and revised) → submitted. Freezes a PlanVersion."""
    if not has_capability(actor, Capability.EDIT_PLANS):
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
    if (
        plan.status == Status.RETURNED
        and last is not None
        and same_snapshot(last.snapshot, snapshot)
    ):
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


def _decide(*, plan: AnnualPlan, actor: User, decision: str, comment: str) -> PlanDecision:
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
def plan_approve(*, plan: AnnualPlan, actor: User, comment: str = "") -> PlanDecision:
    """submitted → approved, by a leader."""
    return _decide(plan=plan, actor=actor, decision=PlanDecision.Decision.APPROVED, comment=comment)


@transaction.atomic
def plan_return(*, plan: AnnualPlan, actor: User, comment: str) -> PlanDecision:
    """submitted → returned, by a leader, with comments saying what to change."""
    return _decide(plan=plan, actor=actor, decision=PlanDecision.Decision.RETURNED, comment=comment)


EXPENSE_FIELDS = ("kind", "amount", "spent_on", "note")


@transaction.atomic
def expense_record(*, course: Course, data: dict[str, Any], actor: User) -> Expense:
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
def expense_delete(*, expense: Expense, actor: User) -> None:
    _require_department(actor)
    course = expense.course
    summary = f"{expense.get_kind_display()}: {vnd(expense.amount)} ({expense.spent_on:%d/%m/%Y})"
    expense.delete()
    audit_record(actor=actor, obj=course, action="expense_delete", summary=summary)
