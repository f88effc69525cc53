"""Writes: projects, targets and milestones, tasks and their assignments, progress reports,
values entered by hand, the settings, and the yearly snapshots of indicator values."""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.models import User, audit_record
from llct.core.text import clean_text
from llct.monitoring import indicators
from llct.monitoring.models import (
    Assignment,
    IndicatorSnapshot,
    Milestone,
    MonitoringSettings,
    ProgressReport,
    Project,
    Target,
    TargetEntry,
    Task,
)
from llct.monitoring.selectors import can_act_for, can_manage_projects
from llct.organizations.models import Organization

PROJECT_FIELDS = (
    "number",
    "title",
    "issuer",
    "issued_on",
    "start_year",
    "end_year",
    "resolutions",
    "summary",
)
TARGET_FIELDS = (
    "code",
    "title",
    "indicator",
    "variant",
    "manual_unit",
    "direction",
    "baseline",
    "baseline_year",
    "final_value",
    "scope",
    "scope_kind",
)
TASK_FIELDS = ("kind", "code", "title", "description", "deadline")


def _require_manager(actor: User) -> None:
    if not can_manage_projects(actor):
        raise PermissionDenied


def _apply(obj: Any, data: dict[str, Any], fields: Sequence[str]) -> None:
    for name in fields:
        if name in data:
            value = data[name]
            setattr(obj, name, clean_text(value) if isinstance(value, str) else value)


@transaction.atomic
def project_save(*, project: Project | None, data: dict[str, Any], actor: User) -> Project:
    _require_manager(actor)
    creating = project is None
    project = project or Project()
    _apply(project, data, PROJECT_FIELDS)
    project.resolutions = "\n".join(
        line.strip() for line in (data.get("resolutions") or "").splitlines() if line.strip()
    )
    project.full_clean()
    if not creating and project.targets.filter(milestones__year__lt=project.start_year).exists():
        raise ValidationError({"start_year": _("Some milestones fall before this year.")})
    project.save()
    audit_record(
        actor=actor,
        obj=project,
        action="create" if creating else "edit",
        summary=str(project),
    )
    return project


def _validate_target(target: Target, milestones: dict[int, Decimal]) -> None:
    errors: dict[str, list[str]] = {}
    project = target.project
    if target.indicator:
        if target.indicator not in indicators.REGISTRY:
            errors.setdefault("indicator", []).append(_("Unknown indicator."))
        elif target.variant and target.variant not in {
            v for v, _label in indicators.get(target.indicator).variants()
        }:
            errors.setdefault("variant", []).append(_("This indicator has no such position group."))
    elif target.variant:
        errors.setdefault("variant", []).append(
            _("A position group applies only to an indicator that has them.")
        )
    if target.scope != Target.Scope.EACH_OF_KIND:
        target.scope_kind = None
    elif target.scope_kind is None:
        errors.setdefault("scope_kind", []).append(_("Choose the kind of organization."))
    outside = sorted(y for y in milestones if not project.start_year <= y <= project.end_year)
    if outside:
        errors.setdefault("__all__", []).append(
            _("Milestones must fall within the project's years (%(years)s).")
            % {"years": ", ".join(str(y) for y in outside)}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def target_save(
    *,
    target: Target | None,
    project: Project,
    data: dict[str, Any],
    milestones: dict[int, Decimal],
    actor: User,
) -> Target:
    """Save a target and replace its milestones (year -> value) in one go."""
    _require_manager(actor)
    creating = target is None
    target = target or Target(project=project)
    _apply(target, data, TARGET_FIELDS)
    target.indicator = target.indicator or ""
    _validate_target(target, milestones)
    target.full_clean()
    target.save()
    target.milestones.exclude(year__in=list(milestones)).delete()
    for year, value in milestones.items():
        Milestone.objects.update_or_create(target=target, year=year, defaults={"value": value})
    audit_record(
        actor=actor, obj=target, action="create" if creating else "edit", summary=str(target)
    )
    return target


@transaction.atomic
def task_save(
    *,
    task: Task | None,
    project: Project,
    data: dict[str, Any],
    organizations: Iterable[Organization],
    actor: User,
) -> Task:
    """Save a task and its assignments. An organization that has reported on the task cannot
    be taken off it (its reports would be lost)."""
    _require_manager(actor)
    creating = task is None
    task = task or Task(project=project)
    _apply(task, data, TASK_FIELDS)
    task.full_clean()
    wanted = {o.pk for o in organizations}
    if not wanted:
        raise ValidationError({"organizations": _("Assign the task to at least one organization.")})
    task.save()
    current = {a.organization_id: a for a in task.assignments.all()}
    dropped = [a for pk, a in current.items() if pk not in wanted]
    if any(a.reports.exists() for a in dropped):
        raise ValidationError(
            {"organizations": _("An organization that has reported on the task cannot be removed.")}
        )
    Assignment.objects.filter(pk__in=[a.pk for a in dropped]).delete()
    Assignment.objects.bulk_create(
        [Assignment(task=task, organization_id=pk) for pk in wanted if pk not in current]
    )
    audit_record(actor=actor, obj=task, action="create" if creating else "edit", summary=task.title)
    return task


@transaction.atomic
def progress_report(
    *,
    assignment: Assignment,
    status: str,
    note: str,
    evidence: Any,
    reported_on: dt.date,
    actor: User,
) -> ProgressReport:
    """An organization reports on its assignment; the assignment takes the reported status
    (done on the report's date)."""
    if not can_act_for(actor, assignment.organization):
        raise PermissionDenied
    report = ProgressReport(
        assignment=assignment,
        status=status,
        note=(note or "").strip(),
        reported_on=reported_on,
        reported_by=actor,
    )
    if evidence:
        report.evidence = evidence
        report.evidence_name = evidence.name[:255]
    report.full_clean()
    report.save()
    assignment.status = status
    assignment.done_on = reported_on if status == Assignment.Status.DONE else None
    assignment.save(update_fields=["status", "done_on"])
    audit_record(
        actor=actor,
        obj=assignment,
        action="report",
        summary=_("Progress reported: %(status)s") % {"status": report.get_status_display()},
    )
    return report


@transaction.atomic
def target_entry_add(
    *,
    target: Target,
    organization: Organization,
    year: int,
    value: Decimal,
    note: str,
    evidence: Any,
    actor: User,
) -> TargetEntry:
    """A value for a target no data can measure, with its evidence file (required)."""
    if not can_act_for(actor, organization):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if target.indicator:
        errors["__all__"] = [_("This target is measured from the data.")]
    if not target.project.start_year <= year <= target.project.end_year:
        errors["year"] = [_("The year must fall within the project's years.")]
    if not evidence:
        errors["evidence"] = [_("Attach the evidence the value rests on.")]
    if errors:
        raise ValidationError(errors)
    entry = TargetEntry(
        target=target,
        organization=organization,
        year=year,
        value=value,
        note=(note or "").strip(),
        evidence=evidence,
        evidence_name=evidence.name[:255],
        entered_by=actor,
    )
    entry.full_clean()
    entry.save()
    audit_record(
        actor=actor, obj=target, action="entry", summary=f"{organization.name} {year}: {value}"
    )
    return entry


@transaction.atomic
def settings_save(*, data: dict[str, Any], actor: User) -> MonitoringSettings:
    _require_manager(actor)
    current = MonitoringSettings.current()
    for name in ("probation_watch_days", "certificate_watch_days", "at_risk_points"):
        if name in data:
            setattr(current, name, data[name])
    current.full_clean()
    current.save()
    audit_record(actor=actor, obj=current, action="edit", summary=str(current))
    return current


# -- snapshots ---------------------------------------------------------------------------------


def measured_indicators() -> list[tuple[str, str]]:
    """(indicator, variant) pairs some target uses: the ones worth snapshotting."""
    return sorted(
        set(Target.objects.exclude(indicator="").values_list("indicator", "variant").distinct())
    )


def snapshots_compute(
    *,
    year: int,
    as_of: dt.date | None = None,
    pairs: Sequence[tuple[str, str]] | None = None,
) -> int:
    """Compute and store each indicator's value for every organization's subtree for a year
    (as of 31 December, or `as_of` for the year in progress): one aggregate query per
    indicator for the whole tree, then one upsert. Returns the number of rows written."""
    day = as_of or dt.date(year, 12, 31)
    organizations = list(Organization.objects.only("pk", "path"))
    now = timezone.now()
    rows = []
    for code, variant in pairs if pairs is not None else measured_indicators():
        values = indicators.get(code).compute_many(
            orgs=organizations, as_of=day, year=year, variant=variant
        )
        rows += [
            IndicatorSnapshot(
                indicator=code,
                variant=variant,
                organization_id=pk,
                year=year,
                numerator=value.numerator,
                denominator=value.denominator,
                as_of=day,
                computed_at=now,
            )
            for pk, value in values.items()
        ]
    IndicatorSnapshot.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["indicator", "variant", "organization", "year"],
        update_fields=["numerator", "denominator", "as_of", "computed_at"],
    )
    return len(rows)
