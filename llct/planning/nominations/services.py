"""Nomination rounds, submissions and the position-requirement table: writes.

The department opens a round for a year (programmes on offer, a deadline, instructions). Each
grassroots organization has its own Submission: its officer, or an officer of a committee above
it, reviews the people the system suggests, accepts them or adds others, and submits before the
deadline. After the deadline only the department can reopen a submission, until a date."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.models import User, audit_record
from llct.core.text import clean_text, fold
from llct.curriculum.models import Programme
from llct.organizations.models import MembershipStage, Organization, Person, TheoryLevel
from llct.planning.models import (
    Nomination,
    NominationRound,
    PositionRequirement,
    Submission,
    SubmissionEvent,
)
from llct.planning.nominations.selectors import part_ids, submission_state
from llct.planning.nominations.suggestions import suggestions_for


def _check_round(
    *,
    year: int,
    deadline: dt.date,
    programmes: Sequence[Programme],
    errors: dict[str, list[str]],
) -> None:
    if deadline.year > year:
        errors["deadline"].append(
            _("The deadline must fall before the end of %(year)s.") % {"year": year}
        )
    if not programmes:
        errors["programmes"].append(_("Choose at least one programme on offer."))
    inactive = [p.name for p in programmes if not p.is_active]
    if inactive:
        errors["programmes"].append(
            _("These programmes are no longer in use: %(names)s.") % {"names": ", ".join(inactive)}
        )


def _raise(errors: dict[str, list[str]]) -> None:
    found = {k: v for k, v in errors.items() if v}
    if found:
        raise ValidationError(found)


@transaction.atomic
def round_open(
    *,
    year: int,
    deadline: dt.date,
    programmes: Sequence[Programme],
    instructions: str,
    actor: User | None,
    today: dt.date,
) -> NominationRound:
    errors: dict[str, list[str]] = defaultdict(list)
    if year < today.year:
        errors["year"].append(_("A round cannot be opened for a past year."))
    elif NominationRound.objects.filter(year=year).exists():
        errors["year"].append(_("A round for %(year)s already exists.") % {"year": year})
    if deadline < today:
        errors["deadline"].append(_("The deadline cannot be in the past."))
    _check_round(year=year, deadline=deadline, programmes=programmes, errors=errors)
    _raise(errors)
    nomination_round = NominationRound.objects.create(
        year=year,
        deadline=deadline,
        instructions=clean_text_block(instructions),
        opened_by=actor if getattr(actor, "pk", None) else None,
    )
    nomination_round.programmes.set(programmes)
    audit_record(
        actor=actor,
        obj=nomination_round,
        action="opened",
        summary=_("Opened the nomination round for %(year)s") % {"year": year},
    )
    return nomination_round


@transaction.atomic
def round_update(
    *,
    nomination_round: NominationRound,
    deadline: dt.date,
    programmes: Sequence[Programme],
    instructions: str,
    is_closed: bool,
    actor: User,
) -> NominationRound:
    errors: dict[str, list[str]] = defaultdict(list)
    _check_round(
        year=nomination_round.year, deadline=deadline, programmes=programmes, errors=errors
    )
    kept = {p.pk for p in programmes}
    dropped = (
        Nomination.objects.filter(submission__round=nomination_round)
        .exclude(programme_id__in=kept)
        .values("programme__name")
        .annotate(n=Count("id"))
        .order_by("programme__name")
    )
    for row in dropped:
        errors["programmes"].append(
            _("%(programme)s already has %(n)s nominations: it must stay on offer.")
            % {"programme": row["programme__name"], "n": row["n"]}
        )
    _raise(errors)
    changes: list[dict[str, Any]] = []
    if deadline != nomination_round.deadline:
        changes.append(
            {"field": "deadline", "old": str(nomination_round.deadline), "new": str(deadline)}
        )
    if is_closed != nomination_round.is_closed:
        changes.append({"field": "is_closed", "old": nomination_round.is_closed, "new": is_closed})
    nomination_round.deadline = deadline
    nomination_round.instructions = clean_text_block(instructions)
    nomination_round.is_closed = is_closed
    nomination_round.save(update_fields=["deadline", "instructions", "is_closed"])
    nomination_round.programmes.set(programmes)
    audit_record(
        actor=actor,
        obj=nomination_round,
        action="updated",
        summary=_("Changed the nomination round for %(year)s") % {"year": nomination_round.year},
        changes=changes,
    )
    return nomination_round


def clean_text_block(value: str) -> str:
    """NFC, each line's spaces collapsed, blank lines kept: instructions have paragraphs."""
    lines = [clean_text(line) for line in str(value or "").splitlines()]
    return "\n".join(lines).strip()


def _submission_locked(
    *, nomination_round: NominationRound, organization: Organization
) -> Submission:
    """The organization's submission for the round, created as a draft on first use, locked
    for the rest of the transaction."""
    Submission.objects.get_or_create(round=nomination_round, organization=organization)
    return (
        Submission.objects.select_for_update()
        .select_related("round")
        .get(round=nomination_round, organization=organization)
    )


def _require_editable(submission: Submission, *, today: dt.date) -> None:
    state = submission_state(nomination_round=submission.round, submission=submission, today=today)
    if not state.editable:
        raise ValidationError(state.reason)


def _event(submission: Submission, action: str, *, actor: User, note: str = "") -> SubmissionEvent:
    return SubmissionEvent.objects.create(
        submission=submission,
        action=action,
        note=note[:500],
        actor=actor if getattr(actor, "pk", None) else None,
    )


def _other_nominations(
    *, nomination_round: NominationRound, submission: Submission, pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """Of these (person, programme) pairs, those another organization already nominated in the
    round (a person moved between organizations), with that organization's name."""
    if not pairs:
        return {}
    person_ids = {p for p, _programme in pairs}
    found = Nomination.objects.filter(
        submission__round=nomination_round, person_id__in=person_ids
    ).values_list("person_id", "programme_id", "submission_id", "submission__organization__name")
    return {
        (person, programme): name
        for person, programme, submission_id, name in found
        if (person, programme) in pairs and submission_id != submission.pk
    }


@transaction.atomic
def nominations_accept(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    keys: Sequence[str] = (),
    all_urgent: bool = False,
    actor: User,
    today: dt.date,
) -> list[Nomination]:
    """Accept suggestions, by their keys ("person-programme") or all the urgent ones. Each
    nomination keeps the rule that suggested it; urgent ones get high priority."""
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    _require_editable(submission, today=today)
    suggestions = suggestions_for(
        nomination_round=nomination_round, organization=organization, today=today
    )
    by_key = {s.key: s for s in suggestions.items}
    if all_urgent:
        chosen = suggestions.urgent
        if not chosen:
            raise ValidationError({"accept": _("There is no urgent suggestion left to accept.")})
    else:
        if not keys:
            raise ValidationError({"accept": _("Tick the suggestions to accept.")})
        unknown = [k for k in keys if k not in by_key]
        if unknown:
            raise ValidationError(
                {
                    "accept": _(
                        "%(n)s of the ticked suggestions no longer apply (already nominated, "
                        "or the rolls changed). Nothing has been accepted; look again."
                    )
                    % {"n": len(unknown)}
                }
            )
        chosen = [by_key[k] for k in dict.fromkeys(keys)]
    created = Nomination.objects.bulk_create(
        [
            Nomination(
                submission=submission,
                person_id=s.person_id,
                programme_id=s.programme_id,
                quarter=s.quarter,
                priority=Nomination.Priority.HIGH if s.urgent else Nomination.Priority.NORMAL,
                rule=s.rule,
            )
            for s in chosen
        ]
    )
    return created


@transaction.atomic
def nomination_add(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    person_id: int,
    programme: Programme,
    priority: int,
    quarter: int | None,
    note: str,
    actor: User,
    today: dt.date,
) -> Nomination:
    """Nominate someone the rules did not suggest: a person of the organization, for a
    programme on offer, once per programme in the round."""
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    _require_editable(submission, today=today)
    errors: dict[str, list[str]] = defaultdict(list)
    person = (
        Person.objects.filter(pk=person_id, organization_id__in=part_ids(organization))
        .exclude(stage=MembershipStage.LEFT)
        .first()
    )
    if person is None:
        # Someone outside the organization: say nothing about who they are.
        raise Http404
    if not nomination_round.programmes.filter(pk=programme.pk).exists():
        errors["programme"].append(_("This programme is not on offer in this round."))
    if quarter is not None and not 1 <= quarter <= 4:
        errors["quarter"].append(_("Choose a quarter from I to IV."))
    if priority not in Nomination.Priority.values:
        errors["priority"].append(_("Choose a priority."))
    if submission.nominations.filter(person=person, programme=programme).exists():
        errors["person"].append(
            _("%(name)s is already nominated for %(programme)s.")
            % {"name": person.full_name, "programme": programme.name}
        )
    else:
        elsewhere = _other_nominations(
            nomination_round=nomination_round,
            submission=submission,
            pairs={(person.pk, programme.pk)},
        )
        if elsewhere:
            errors["person"].append(
                _("%(name)s is already nominated for %(programme)s by %(organization)s.")
                % {
                    "name": person.full_name,
                    "programme": programme.name,
                    "organization": next(iter(elsewhere.values())),
                }
            )
    _raise(errors)
    return Nomination.objects.create(
        submission=submission,
        person=person,
        programme=programme,
        priority=priority,
        quarter=quarter,
        note=clean_text(note)[:500],
        rule="",
    )


@dataclass(frozen=True)
class NominationChange:
    priority: int
    quarter: int | None
    note: str


@transaction.atomic
def nominations_update(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    changes: dict[int, NominationChange],
    actor: User,
    today: dt.date,
) -> int:
    """Set priority, preferred quarter and note of the organization's nominations. Returns how
    many changed."""
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    _require_editable(submission, today=today)
    errors: dict[str, list[str]] = defaultdict(list)
    for change in changes.values():
        if change.quarter is not None and not 1 <= change.quarter <= 4:
            errors["quarter"].append(_("Choose a quarter from I to IV."))
            break
    for change in changes.values():
        if change.priority not in Nomination.Priority.values:
            errors["priority"].append(_("Choose a priority."))
            break
    _raise(errors)
    nominations = {n.pk: n for n in submission.nominations.filter(pk__in=list(changes))}
    changed = []
    for pk, change in changes.items():
        nomination = nominations.get(pk)
        if nomination is None:
            continue
        note = clean_text(change.note)[:500]
        if (nomination.priority, nomination.quarter, nomination.note) != (
            change.priority,
            change.quarter,
            note,
        ):
            nomination.priority, nomination.quarter, nomination.note = (
                change.priority,
                change.quarter,
                note,
            )
            changed.append(nomination)
    Nomination.objects.bulk_update(changed, ["priority", "quarter", "note"])
    return len(changed)


@transaction.atomic
def nomination_remove(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    nomination_id: int,
    actor: User,
    today: dt.date,
) -> None:
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    _require_editable(submission, today=today)
    deleted, _rows = submission.nominations.filter(pk=nomination_id).delete()
    if not deleted:
        raise Http404


@transaction.atomic
def submission_submit(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    actor: User,
    today: dt.date,
    now: dt.datetime | None = None,
) -> Submission:
    """Send the nominations to the department. Refused after the deadline unless the
    department has reopened the submission and the reopening has not ended."""
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    _require_editable(submission, today=today)
    count = submission.nominations.count()
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = now or timezone.now()
    submission.submitted_by = actor if getattr(actor, "pk", None) else None
    submission.save(update_fields=["status", "submitted_at", "submitted_by"])
    note = _("%(n)s nominations") % {"n": count}
    if today > nomination_round.deadline:
        note = _("%(note)s, after the deadline") % {"note": note}
    _event(submission, "submitted", actor=actor, note=note)
    return submission


@transaction.atomic
def submission_take_back(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    actor: User,
    today: dt.date,
) -> Submission:
    """Take a submitted submission back to change it, while the window is still open (before
    the deadline, or within the department's reopening). It must then be submitted again."""
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    state = submission_state(nomination_round=nomination_round, submission=submission, today=today)
    if not state.can_take_back:
        raise ValidationError(state.reason or _("This submission cannot be taken back."))
    reopened = submission.reopened_until is not None and today <= submission.reopened_until
    submission.status = Submission.Status.REOPENED if reopened else Submission.Status.DRAFT
    submission.save(update_fields=["status"])
    _event(submission, "unlocked", actor=actor)
    return submission


@transaction.atomic
def submission_reopen(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    until: dt.date,
    note: str,
    actor: User,
    today: dt.date,
) -> Submission:
    """The department lets an organization submit or change its nominations until a date."""
    errors: dict[str, list[str]] = defaultdict(list)
    if nomination_round.is_closed:
        errors["__all__"].append(_("This round is closed."))
    if until < today:
        errors["reopened_until"].append(_("The date cannot be in the past."))
    if until.year > nomination_round.year:
        errors["reopened_until"].append(
            _("The date must fall before the end of %(year)s.") % {"year": nomination_round.year}
        )
    _raise(errors)
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    submission.status = Submission.Status.REOPENED
    submission.reopened_until = until
    submission.save(update_fields=["status", "reopened_until"])
    text = _("Until %(date)s") % {"date": until.strftime("%d/%m/%Y")}
    note = clean_text(note)
    _event(submission, "reopened", actor=actor, note=f"{text}. {note}" if note else text)
    audit_record(
        actor=actor,
        obj=submission,
        action="reopened",
        summary=_("Reopened the nominations of %(organization)s until %(date)s")
        % {"organization": organization.name, "date": until.strftime("%d/%m/%Y")},
    )
    return submission


@transaction.atomic
def requirement_save(
    *,
    requirement: PositionRequirement | None,
    position: str,
    required_level: int,
    programme: Programme,
    actor: User,
) -> PositionRequirement:
    errors: dict[str, list[str]] = defaultdict(list)
    position = clean_text(position)
    key = fold(position)
    if not key:
        errors["position"].append(_("Enter the position."))
    others = PositionRequirement.objects.all()
    if requirement is not None:
        others = others.exclude(pk=requirement.pk)
    clash = next((p for p in others.values_list("position", flat=True) if fold(p) == key), None)
    if key and clash:
        errors["position"].append(
            _("“%(position)s” is already in the table.") % {"position": clash}
        )
    if required_level <= TheoryLevel.NONE or required_level not in TheoryLevel.values:
        errors["required_level"].append(_("Choose the required theory level."))
    _raise(errors)
    created = requirement is None
    if requirement is None:
        requirement = PositionRequirement()
    requirement.position = position
    requirement.required_level = required_level
    requirement.programme = programme
    requirement.save()
    audit_record(
        actor=actor,
        obj=requirement,
        action="created" if created else "updated",
        summary=_("Position requirement: %(position)s") % {"position": position},
    )
    return requirement


@transaction.atomic
def requirement_delete(*, requirement: PositionRequirement, actor: User) -> None:
    audit_record(
        actor=actor,
        obj=requirement,
        action="deleted",
        summary=_("Position requirement: %(position)s") % {"position": requirement.position},
    )
    requirement.delete()
