"""Inspection and supervision: the checklists the department keeps, the year's programme,
inspections with their findings and recommendations, remedies and the team's decision on them.
Reads start from the user's scope (llct.reviews.access); writes are services."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.models import audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.text import clean_text
from llct.organizations.models import Organization
from llct.reviews import figures
from llct.reviews.access import acts_for
from llct.reviews.models import (
    ChecklistItem,
    ChecklistTemplate,
    Evidence,
    Finding,
    Inspection,
    InspectionProgramme,
    Recommendation,
    Remedy,
)

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024

# ---------------------------------------------------------------------------------------------
# Checklists


def checklist_list(*, include_inactive: bool = True) -> QuerySet[ChecklistTemplate]:
    qs = ChecklistTemplate.objects.annotate(item_count=Count("items"))
    return qs if include_inactive else qs.filter(is_active=True)


def checklist_get(*, pk: int) -> ChecklistTemplate:
    try:
        return ChecklistTemplate.objects.prefetch_related("items").get(pk=pk)
    except ChecklistTemplate.DoesNotExist:
        raise Http404 from None


@transaction.atomic
def checklist_save(
    *,
    checklist: ChecklistTemplate | None,
    name: str,
    description: str,
    is_active: bool,
    actor: Any,
) -> ChecklistTemplate:
    checklist = checklist or ChecklistTemplate()
    checklist.name = clean_text(name)
    checklist.description = description.strip()
    checklist.is_active = is_active
    checklist.full_clean()
    checklist.save()
    audit_record(actor=actor, obj=checklist, action="saved", summary=checklist.name)
    return checklist


@transaction.atomic
def checklist_item_save(
    *,
    item: ChecklistItem | None,
    checklist: ChecklistTemplate,
    position: int,
    text: str,
    guidance: str,
    indicator: str,
    actor: Any,
) -> ChecklistItem:
    if indicator and indicator not in figures.checklist_indicators():
        raise ValidationError({"indicator": _("Unknown indicator.")})
    item = item or ChecklistItem(template=checklist)
    item.position = position
    item.text = clean_text(text)
    item.guidance = guidance.strip()
    item.indicator = indicator
    item.full_clean()
    item.save()
    audit_record(actor=actor, obj=checklist, action="item_saved", summary=item.text[:200])
    return item


@transaction.atomic
def checklist_item_delete(*, item: ChecklistItem, actor: Any) -> None:
    if Finding.objects.filter(item=item).exists():
        raise ValidationError(_("Findings were recorded against this item; it cannot go."))
    audit_record(actor=actor, obj=item.template, action="item_deleted", summary=item.text[:200])
    item.delete()


# ---------------------------------------------------------------------------------------------
# Programmes and inspections: reads


def programme_list() -> QuerySet[InspectionProgramme]:
    return InspectionProgramme.objects.annotate(inspection_count=Count("inspections"))


def programme_get(*, year: int) -> InspectionProgramme:
    try:
        return InspectionProgramme.objects.get(year=year)
    except InspectionProgramme.DoesNotExist:
        raise Http404 from None


def programme_for_year(year: int) -> InspectionProgramme | None:
    return InspectionProgramme.objects.filter(year=year).first()


def inspection_scope(*, user: Any) -> QuerySet[Inspection]:
    """Inspections the user may read: all for the department and leaders; for an organization
    officer those of a subject in their subtree; for anyone those whose team they are on."""
    path = scope_path(user)
    qs = Inspection.objects.all()
    if path == ALL:
        return qs
    on_team = Q(team=user) if user.is_authenticated else Q(pk__in=[])
    if path is None:
        return qs.filter(on_team).distinct()
    subject = Organization.objects.filter(inspections=OuterRef("pk"), path__startswith=path).values(
        "pk"
    )
    return qs.filter(Q(Exists(subject)) | on_team).distinct()


def inspection_list(*, user: Any, year: int | None = None) -> QuerySet[Inspection]:
    qs = inspection_scope(user=user).select_related("programme", "checklist", "lead")
    if year is not None:
        qs = qs.filter(programme__year=year)
    return qs.prefetch_related(
        Prefetch("subjects", Organization.objects.order_by("path"))
    ).annotate(
        finding_count=Count("findings", distinct=True),
        not_met_count=Count("findings", filter=Q(findings__result="not_met"), distinct=True),
        recommendation_count=Count("recommendations", distinct=True),
    )


def inspection_get(*, user: Any, pk: int) -> Inspection:
    try:
        return (
            inspection_scope(user=user)
            .select_related("programme", "checklist", "lead")
            .prefetch_related(
                Prefetch("subjects", Organization.objects.order_by("path")),
                "team",
                Prefetch("checklist__items", ChecklistItem.objects.order_by("position", "id")),
            )
            .get(pk=pk)
        )
    except Inspection.DoesNotExist:
        raise Http404 from None


def is_on_team(user: Any, inspection: Inspection) -> bool:
    return any(member.pk == user.pk for member in inspection.team.all())


def can_record(user: Any, inspection: Inspection) -> bool:
    """The department and the team record findings, conclude and decide on remedies."""
    return has_capability(user, Capability.MANAGE_OVERSIGHT) or is_on_team(user, inspection)


def findings_of(inspection: Inspection) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(inspection=inspection)
        .select_related("organization", "item", "recorded_by")
        .prefetch_related("evidence")
    )


def subject_sheet(inspection: Inspection) -> list[dict[str, Any]]:
    """Per subject organization, each checklist item with its figure from the data and its
    finding (if recorded). Figures come from the indicator registry, never typed."""
    items = list(inspection.checklist.items.all())
    subjects = list(inspection.subjects.all())
    found = {(f.organization_id, f.item_id): f for f in findings_of(inspection)}
    values = figures.checklist_values(
        organizations=subjects,
        keys=[i.indicator for i in items if i.indicator],
        start=inspection.period_start,
        end=inspection.period_end,
    )
    return [
        {
            "organization": org,
            "rows": [
                {
                    "item": item,
                    "figure": values.get((org.pk, item.indicator), "") if item.indicator else "",
                    "finding": found.get((org.pk, item.pk)),
                }
                for item in items
            ],
        }
        for org in subjects
    ]


# ---------------------------------------------------------------------------------------------
# Programmes and inspections: writes


@transaction.atomic
def programme_save(
    *, programme: InspectionProgramme | None, year: int, title: str, notes: str, actor: Any
) -> InspectionProgramme:
    programme = programme or InspectionProgramme(created_by=actor)
    programme.year = year
    programme.title = clean_text(title)
    programme.notes = notes.strip()
    programme.full_clean()
    programme.save()
    audit_record(actor=actor, obj=programme, action="saved", summary=programme.title)
    return programme


@transaction.atomic
def inspection_save(
    *,
    inspection: Inspection | None,
    programme: InspectionProgramme,
    kind: str,
    title: str,
    checklist: ChecklistTemplate,
    subjects: Sequence[Organization],
    team: Sequence[Any],
    lead: Any,
    period_start: dt.date,
    period_end: dt.date,
    scheduled_on: dt.date,
    actor: Any,
) -> Inspection:
    errors: dict[str, list[str]] = {}
    if not subjects:
        errors["subjects"] = [_("Choose at least one subject organization.")]
    if lead is not None and lead not in team:
        errors["lead"] = [_("The team leader must be on the team.")]
    if period_end < period_start:
        errors["period_end"] = [_("The period ends before it starts.")]
    if scheduled_on.year != programme.year:
        errors["scheduled_on"] = [_("The date must fall in the programme's year.")]
    if inspection is not None and inspection.status == Inspection.Status.CONCLUDED:
        errors["__all__"] = [_("A concluded inspection can no longer change.")]
    if (
        inspection is not None
        and inspection.checklist_id != checklist.pk
        and Finding.objects.filter(inspection=inspection).exists()
    ):
        errors["checklist"] = [_("Findings were recorded; the checklist cannot change.")]
    if errors:
        raise ValidationError(errors)
    inspection = inspection or Inspection()
    inspection.programme = programme
    inspection.kind = kind
    inspection.title = clean_text(title)
    inspection.checklist = checklist
    inspection.lead = lead
    inspection.period_start = period_start
    inspection.period_end = period_end
    inspection.scheduled_on = scheduled_on
    inspection.full_clean()
    inspection.save()
    inspection.subjects.set(subjects)
    inspection.team.set(team)
    audit_record(actor=actor, obj=inspection, action="saved", summary=inspection.title)
    return inspection


def _evidence(files: Sequence[Any], **owner: Any) -> list[Evidence]:
    rows = []
    for upload in files:
        if upload.size > MAX_EVIDENCE_BYTES:
            raise ValidationError({"files": [_("A file is larger than 20 MB.")]})
        rows.append(Evidence(file=upload, name=upload.name[:255], **owner))
    return rows


@transaction.atomic
def finding_record(
    *,
    inspection: Inspection,
    organization: Organization,
    item: ChecklistItem,
    result: str,
    note: str,
    files: Sequence[Any] = (),
    actor: Any,
) -> Finding:
    if inspection.status == Inspection.Status.CONCLUDED:
        raise ValidationError(_("The inspection is concluded; findings can no longer change."))
    if not inspection.subjects.filter(pk=organization.pk).exists():
        raise ValidationError(_("That organization is not a subject of this inspection."))
    if item.template_id != inspection.checklist_id:
        raise ValidationError(_("That item is not on this inspection's checklist."))
    if result == Finding.Result.NOT_MET and not note.strip():
        raise ValidationError({"note": [_("Say what was not met.")]})
    figure = ""
    if item.indicator:
        figure = figures.checklist_values(
            organizations=[organization],
            keys=[item.indicator],
            start=inspection.period_start,
            end=inspection.period_end,
        ).get((organization.pk, item.indicator), "")
    finding, _created = Finding.objects.update_or_create(
        inspection=inspection,
        organization=organization,
        item=item,
        defaults={"result": result, "note": note.strip(), "figure": figure, "recorded_by": actor},
    )
    for row in _evidence(files, finding=finding, uploaded_by=actor):
        row.save()
    if inspection.status == Inspection.Status.PLANNED:
        inspection.status = Inspection.Status.IN_PROGRESS
        inspection.save(update_fields=["status"])
    audit_record(
        actor=actor,
        obj=inspection,
        action="finding",
        summary=f"{organization.name}: {item.text[:120]} — {finding.get_result_display()}",
    )
    return finding


@transaction.atomic
def recommendation_create(
    *,
    inspection: Inspection,
    organization: Organization,
    text: str,
    deadline: dt.date,
    finding: Finding | None,
    today: dt.date,
    actor: Any,
) -> Recommendation:
    errors: dict[str, list[str]] = {}
    subjects = inspection.subjects.all()
    if not any(organization.is_within(s) for s in subjects):
        errors["organization"] = [_("Choose a subject organization or one below it.")]
    if deadline < today:
        errors["deadline"] = [_("The deadline is in the past.")]
    if finding is not None and finding.inspection_id != inspection.pk:
        errors["finding"] = [_("That finding belongs to another inspection.")]
    if errors:
        raise ValidationError(errors)
    recommendation = Recommendation(
        inspection=inspection,
        organization=organization,
        text=text.strip(),
        deadline=deadline,
        finding=finding,
    )
    recommendation.full_clean()
    recommendation.save()
    audit_record(
        actor=actor, obj=inspection, action="recommendation", summary=recommendation.text[:200]
    )
    return recommendation


@transaction.atomic
def inspection_conclude(
    *, inspection: Inspection, conclusion: str, today: dt.date, actor: Any
) -> Inspection:
    """Conclude: the conclusions are written, and the notice of conclusions gets its number
    from the department's TB series."""
    from llct.reviews.documents import department_issuer, number_issue

    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status == Inspection.Status.CONCLUDED:
        raise ValidationError(_("The inspection is already concluded."))
    if not conclusion.strip():
        raise ValidationError({"conclusion": [_("Write the conclusions.")]})
    if not Finding.objects.filter(inspection=inspection).exists():
        raise ValidationError(_("Record the findings before concluding."))
    issuer = department_issuer()
    if issuer is None:
        raise ValidationError(_("Set up the department as a document issuer first."))
    inspection.conclusion = conclusion.strip()
    inspection.status = Inspection.Status.CONCLUDED
    inspection.concluded_on = today
    inspection.number = number_issue(
        issuer=issuer,
        kind="TB",
        day=today,
        subject=f"Kết luận {inspection.title}",
        actor=actor,
    )
    inspection.full_clean()
    inspection.save()
    audit_record(actor=actor, obj=inspection, action="concluded", summary=inspection.number)
    return inspection


# ---------------------------------------------------------------------------------------------
# Recommendations and remedies


def recommendation_scope(*, user: Any) -> QuerySet[Recommendation]:
    """Recommendations to organizations of the user's subtree (all for department and leaders);
    team members also see those of their inspections."""
    path = scope_path(user)
    qs = Recommendation.objects.select_related("organization", "inspection")
    if path == ALL:
        return qs
    on_team = Q(inspection__team=user) if user.is_authenticated else Q(pk__in=[])
    if path is None:
        return qs.filter(on_team).distinct()
    return qs.filter(Q(organization__path__startswith=path) | on_team).distinct()


def recommendation_list(*, user: Any, show: str = "", today: dt.date) -> QuerySet[Recommendation]:
    qs = recommendation_scope(user=user).annotate(remedy_count=Count("remedies"))
    if show == "open":
        qs = qs.exclude(status=Recommendation.Status.ACCEPTED)
    elif show == "overdue":
        qs = qs.exclude(status=Recommendation.Status.ACCEPTED).filter(deadline__lt=today)
    elif show == "reported":
        qs = qs.filter(status=Recommendation.Status.REPORTED)
    return qs.order_by("deadline", "id")


def recommendations_overdue(*, user: Any, today: dt.date) -> QuerySet[Recommendation]:
    """The watchlist: recommendations not accepted whose deadline has passed, in the user's
    scope, oldest deadline first. Served by the (status, deadline) index."""
    return (
        recommendation_scope(user=user)
        .exclude(status=Recommendation.Status.ACCEPTED)
        .filter(deadline__lt=today)
        .order_by("deadline", "id")
    )


def recommendation_get(*, user: Any, pk: int) -> Recommendation:
    try:
        return (
            recommendation_scope(user=user)
            .select_related("finding__item", "organization__parent")
            .prefetch_related(
                Prefetch(
                    "remedies",
                    Remedy.objects.select_related("reported_by", "decided_by").prefetch_related(
                        "evidence"
                    ),
                ),
                "inspection__team",
            )
            .get(pk=pk)
        )
    except Recommendation.DoesNotExist:
        raise Http404 from None


def can_report_remedy(user: Any, recommendation: Recommendation) -> bool:
    return recommendation.status in (
        Recommendation.Status.OPEN,
        Recommendation.Status.REOPENED,
    ) and acts_for(user, recommendation.organization)


@transaction.atomic
def remedy_report(
    *, recommendation: Recommendation, text: str, files: Sequence[Any] = (), actor: Any
) -> Remedy:
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status not in (
        Recommendation.Status.OPEN,
        Recommendation.Status.REOPENED,
    ):
        raise ValidationError(_("A remedy is already awaiting the team, or was accepted."))
    if not text.strip():
        raise ValidationError({"text": [_("Say what was done.")]})
    remedy = Remedy(recommendation=recommendation, text=text.strip(), reported_by=actor)
    remedy.full_clean()
    remedy.save()
    for row in _evidence(files, remedy=remedy, uploaded_by=actor):
        row.save()
    recommendation.status = Recommendation.Status.REPORTED
    recommendation.save(update_fields=["status"])
    audit_record(actor=actor, obj=recommendation, action="remedy", summary=remedy.text[:200])
    return remedy


@transaction.atomic
def remedy_decide(*, remedy: Remedy, accept: bool, comment: str, actor: Any) -> Remedy:
    remedy = Remedy.objects.select_for_update().select_related("recommendation").get(pk=remedy.pk)
    if remedy.decision != Remedy.Decision.PENDING:
        raise ValidationError(_("This remedy was already decided."))
    if not accept and not comment.strip():
        raise ValidationError({"comment": [_("Say why the recommendation is reopened.")]})
    remedy.decision = Remedy.Decision.ACCEPTED if accept else Remedy.Decision.REOPENED
    remedy.comment = comment.strip()
    remedy.decided_by = actor
    remedy.decided_at = timezone.now()
    remedy.full_clean()
    remedy.save()
    recommendation = remedy.recommendation
    recommendation.status = (
        Recommendation.Status.ACCEPTED if accept else Recommendation.Status.REOPENED
    )
    recommendation.save(update_fields=["status"])
    audit_record(
        actor=actor,
        obj=recommendation,
        action="accepted" if accept else "reopened",
        summary=remedy.comment[:200],
    )
    return remedy
