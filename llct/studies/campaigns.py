"""Resolution-study campaigns: the audience, conferences and their attendance, who missed
them, essays and their grading, and participation rolled up the tree.

A person has studied the document once they attended one of the campaign's conferences (a
make-up one counts). Participation of an organization = studied / audience over its whole
subtree; parents sum their children's numerators and denominators, never average rates.
The audience is read from the rolls as they are (the person's current organization and
stage): a person who moved keeps their attendance and counts where they are now.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.models import audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.text import clean_text
from llct.organizations.models import MembershipStage, Organization, Person
from llct.studies.models import Campaign, ConferenceAttendance, Essay, StudyConference

ESSAY_TYPES = (".pdf", ".docx", ".doc", ".odt", ".txt")
MAX_ESSAY_BYTES = 10 * 1024 * 1024


# --- Audience ---------------------------------------------------------------------------------


def audience_filter(campaign: Campaign, *, prefix: str = "") -> Q:
    """The campaign's audience as a filter on Person (or on `prefix`person)."""
    p = prefix
    condition = Q(**{f"{p}organization__path__startswith": campaign.organization.path})
    condition &= ~Q(**{f"{p}stage": MembershipStage.LEFT})
    if campaign.stages:
        condition &= Q(**{f"{p}stage__in": campaign.stages})
    if campaign.positions:
        matches = Q()
        for word in campaign.positions:
            matches |= Q(**{f"{p}position__icontains": word})
        condition &= matches
    return condition


def campaign_audience(
    campaign: Campaign, *, within: Organization | None = None
) -> QuerySet[Person]:
    qs = Person.objects.filter(audience_filter(campaign))
    if within is not None:
        qs = qs.filter(organization__path__startswith=within.path)
    return qs


def in_audience(campaign: Campaign, person: Person) -> bool:
    return campaign_audience(campaign).filter(pk=person.pk).exists()


# --- Reads ------------------------------------------------------------------------------------


def campaign_list(*, user: Any) -> QuerySet[Campaign]:
    """Staff see the campaigns reaching their scope; a learner, the campaigns they are in."""
    qs = Campaign.objects.select_related("document", "organization")
    path = scope_path(user)
    if path == ALL:
        return qs
    if path is not None:
        # Campaigns over their subtree, or over an organization above them.
        return qs.filter(
            Q(organization__path__startswith=path) | Q(organization__path__in=_ancestors(path))
        )
    if user.is_authenticated and user.person_id:
        person = Person.objects.select_related("organization").get(pk=user.person_id)
        ids = [c.pk for c in qs if in_audience(c, person)]
        return qs.filter(pk__in=ids)
    return qs.none()


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def campaign_get(*, user: Any, pk: int) -> Campaign:
    try:
        return campaign_list(user=user).get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def scope_root(user: Any, campaign: Campaign) -> Organization:
    """Where a user's view of a campaign starts: the campaign's organization, or the user's own
    when it lies below it."""
    path = scope_path(user)
    if path in (None, ALL) or campaign.organization.path.startswith(str(path)):
        return campaign.organization
    return Organization.objects.get(pk=user.organization_id)


def may_manage_campaigns(user: Any) -> bool:
    return has_capability(user, Capability.MANAGE_CAMPAIGNS)


def may_record_for(user: Any, organization: Organization) -> bool:
    """Department officers anywhere; an organization officer in their own subtree."""
    if not has_capability(user, Capability.RECORD_STUDY):
        return False
    path = scope_path(user)
    return path is not None and (path == ALL or organization.path.startswith(path))


def conference_list(*, campaign: Campaign, within: Organization) -> QuerySet[StudyConference]:
    return (
        campaign.conferences.filter(organization__path__startswith=within.path)
        .select_related("organization")
        .order_by("held_on", "id")
    )


def conference_get(*, user: Any, pk: int) -> StudyConference:
    try:
        conference = StudyConference.objects.select_related(
            "campaign__organization", "campaign__document", "organization"
        ).get(pk=pk)
    except StudyConference.DoesNotExist:
        raise Http404 from None
    path = scope_path(user)
    if path is None or not conference.organization.path.startswith(path):
        raise Http404
    return conference


def studied_ids(campaign: Campaign, *, as_of: dt.date) -> QuerySet[ConferenceAttendance, Any]:
    return ConferenceAttendance.objects.filter(
        conference__campaign=campaign, conference__held_on__lte=as_of
    ).values("person_id")


def absentees(*, campaign: Campaign, within: Organization, as_of: dt.date) -> QuerySet[Person]:
    """The audience below `within` who attended no conference held by `as_of`."""
    return (
        campaign_audience(campaign, within=within)
        .exclude(pk__in=studied_ids(campaign, as_of=as_of))
        .select_related("organization")
        .order_by("organization__path", "sort_key")
    )


# --- Participation ----------------------------------------------------------------------------


@dataclass
class ParticipationRow:
    organization: Organization
    depth: int
    audience: int = 0
    studied: int = 0
    essays: int = 0
    own_audience: int = 0
    own_studied: int = 0
    own_essays: int = 0
    children: list["ParticipationRow"] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return round(self.studied * 100 / self.audience, 2) if self.audience else None

    @property
    def missed(self) -> int:
        return self.audience - self.studied


def _counts_by_org(
    campaign: Campaign, *, within: Organization, as_of: dt.date
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Per organization (where people are on the rolls): audience, studied, essays. Three
    grouped queries, whatever the size of the tree."""
    from django.db.models import Count

    audience = campaign_audience(campaign, within=within)
    totals = dict(
        audience.values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    studied = dict(
        audience.filter(pk__in=studied_ids(campaign, as_of=as_of))
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    essays = dict(
        audience.filter(essays__campaign=campaign, essays__submitted_at__date__lte=as_of)
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    return totals, studied, essays


def participation_tree(
    *, campaign: Campaign, within: Organization, as_of: dt.date
) -> list[ParticipationRow]:
    """Rows for `within` and every organization below it, in tree order, each with its own
    and its subtree's figures (sums of numerators and denominators)."""
    totals, studied, essays = _counts_by_org(campaign, within=within, as_of=as_of)
    orgs = list(
        Organization.objects.filter(path__startswith=within.path, dissolved_on__isnull=True)
        .order_by("path")
        .only("id", "name", "path", "parent_id")
    )
    rows = {
        o.pk: ParticipationRow(
            organization=o,
            depth=o.path.count("/") - within.path.count("/"),
            own_audience=totals.get(o.pk, 0),
            own_studied=studied.get(o.pk, 0),
            own_essays=essays.get(o.pk, 0),
        )
        for o in orgs
    }
    for o in orgs:
        parent = rows.get(o.parent_id) if o.parent_id else None
        if parent is not None and o.pk != within.pk:
            parent.children.append(rows[o.pk])
    for o in reversed(orgs):  # children come after their parent in path order
        row = rows[o.pk]
        row.audience = row.own_audience + sum(c.audience for c in row.children)
        row.studied = row.own_studied + sum(c.studied for c in row.children)
        row.essays = row.own_essays + sum(c.essays for c in row.children)
    return [rows[o.pk] for o in orgs if rows[o.pk].audience or o.pk == within.pk]


def participation(*, campaign: Campaign, within: Organization, as_of: dt.date) -> tuple[int, int]:
    """(studied, audience) over the subtree: the indicator's numerator and denominator."""
    audience = campaign_audience(campaign, within=within)
    return (
        audience.filter(pk__in=studied_ids(campaign, as_of=as_of)).count(),
        audience.count(),
    )


# --- Writes -----------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    title: str,
    document: Any,
    organization: Organization,
    stages: list[str],
    positions: str,
    starts_on: dt.date,
    deadline: dt.date,
    essay_required: bool = True,
    actor: Any,
) -> Campaign:
    if not may_manage_campaigns(actor):
        raise PermissionDenied
    campaign = Campaign(
        title=clean_text(title),
        document=document,
        organization=organization,
        stages=sorted(stages),
        # Matched case-insensitively against the position as written on the rolls.
        positions=[clean_text(p) for p in positions.split(",") if clean_text(p)],
        starts_on=starts_on,
        deadline=deadline,
        essay_required=essay_required,
        created_by=actor,
    )
    campaign.full_clean()
    campaign.save()
    audit_record(actor=actor, obj=campaign, action="created", summary=campaign.title)
    return campaign


def _check_attendees(
    campaign: Campaign, organization: Organization, people: list[Person]
) -> list[int]:
    ids = {p.pk for p in people}
    allowed = set(
        campaign_audience(campaign, within=organization)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    if ids - allowed:
        raise ValidationError(
            {"attendees": _("Only people of this organization in the campaign's audience.")}
        )
    return sorted(ids)


@transaction.atomic
def conference_record(
    *,
    campaign: Campaign,
    organization: Organization,
    held_on: dt.date,
    title: str,
    place: str = "",
    is_makeup: bool = False,
    attendees: list[Person],
    today: dt.date,
    actor: Any,
) -> StudyConference:
    """Record a conference held (with who attended), or plan one (a future date, nobody yet)."""
    if not may_record_for(actor, organization):
        raise PermissionDenied
    if not organization.path.startswith(campaign.organization.path):
        raise ValidationError({"organization": _("This organization is not in the campaign.")})
    if held_on < campaign.starts_on:
        raise ValidationError({"held_on": _("The campaign had not started on that date.")})
    if held_on > today and attendees:
        raise ValidationError(
            {"attendees": _("Attendance is recorded once the conference is held.")}
        )
    ids = _check_attendees(campaign, organization, attendees)
    conference = StudyConference(
        campaign=campaign,
        organization=organization,
        held_on=held_on,
        title=clean_text(title),
        place=clean_text(place),
        is_makeup=is_makeup,
        created_by=actor,
    )
    conference.full_clean()
    conference.save()
    ConferenceAttendance.objects.bulk_create(
        ConferenceAttendance(conference=conference, person_id=pk) for pk in ids
    )
    audit_record(
        actor=actor, obj=conference, action="created", summary=f"{conference.title}: {len(ids)}"
    )
    return conference


@transaction.atomic
def conference_set_attendance(
    *, conference: StudyConference, attendees: list[Person], today: dt.date, actor: Any
) -> StudyConference:
    if not may_record_for(actor, conference.organization):
        raise PermissionDenied
    if conference.held_on > today:
        raise ValidationError(_("Attendance is recorded once the conference is held."))
    ids = _check_attendees(conference.campaign, conference.organization, attendees)
    conference.attendance.exclude(person_id__in=ids).delete()
    have = set(conference.attendance.values_list("person_id", flat=True))
    ConferenceAttendance.objects.bulk_create(
        ConferenceAttendance(conference=conference, person_id=pk) for pk in ids if pk not in have
    )
    audit_record(actor=actor, obj=conference, action="attendance", summary=str(len(ids)))
    return conference


@transaction.atomic
def essay_submit(
    *, campaign: Campaign, person: Person, text: str, upload: Any, now: dt.datetime, actor: Any
) -> Essay:
    """The learner's own essay, once, until the deadline; resubmitting replaces an ungraded one."""
    if not actor.is_authenticated or actor.person_id != person.pk:
        raise PermissionDenied
    if not in_audience(campaign, person):
        raise PermissionDenied
    from django.utils import timezone

    if timezone.localtime(now).date() > campaign.deadline:
        raise ValidationError(_("The deadline of this campaign has passed."))
    text = text.strip()
    if not text and upload is None:
        raise ValidationError(_("Write the essay or attach its file."))
    essay = Essay.objects.filter(campaign=campaign, person=person).first()
    if essay is not None and essay.grade:
        raise ValidationError(_("Your essay is already graded."))
    essay = essay or Essay(campaign=campaign, person=person)
    essay.text = text
    essay.submitted_at = now
    if upload is not None:
        name = clean_text(upload.name)
        if not name.lower().endswith(ESSAY_TYPES):
            raise ValidationError(_("Attach a .pdf, .docx, .doc, .odt or .txt file."))
        if upload.size > MAX_ESSAY_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."))
        if essay.file:
            essay.file.delete(save=False)
        essay.file.save(name, upload, save=False)
        essay.original_name = name
    essay.save()
    return essay


def may_grade(user: Any, essay: Essay) -> bool:
    return may_record_for(user, essay.person.organization)


@transaction.atomic
def essay_grade(*, essay: Essay, grade: str, comment: str, now: dt.datetime, actor: Any) -> Essay:
    if not may_grade(actor, essay):
        raise PermissionDenied
    from llct.assessment.models import GradeBand

    if grade not in GradeBand.values:
        raise ValidationError({"grade": _("Choose a grade.")})
    essay.grade = grade
    essay.comment = clean_text(comment)
    essay.graded_by = actor
    essay.graded_at = now
    essay.save(update_fields=["grade", "comment", "graded_by", "graded_at"])
    audit_record(actor=actor, obj=essay, action="graded", summary=grade)
    return essay


def essays_to_grade(*, user: Any, campaign: Campaign) -> QuerySet[Essay]:
    path = scope_path(user)
    if path is None or not has_capability(user, Capability.RECORD_STUDY):
        return Essay.objects.none()
    qs = campaign.essays.select_related("person__organization")
    if path != ALL:
        qs = qs.filter(person__organization__path__startswith=path)
    return qs.order_by("grade", "person__organization__path", "person__sort_key")


def essay_get(*, user: Any, pk: int) -> Essay:
    try:
        essay = Essay.objects.select_related("person__organization", "campaign").get(pk=pk)
    except Essay.DoesNotExist:
        raise Http404 from None
    own = user.is_authenticated and user.person_id == essay.person_id
    path = scope_path(user)
    if not own and not (path is not None and essay.person.organization.path.startswith(path)):
        raise Http404
    return essay


def attendance_map(campaign: Campaign, person_ids: list[int]) -> dict[int, list[dt.date]]:
    out: dict[int, list[dt.date]] = defaultdict(list)
    for pid, on in ConferenceAttendance.objects.filter(
        conference__campaign=campaign, person_id__in=person_ids
    ).values_list("person_id", "conference__held_on"):
        out[pid].append(on)
    return out
