"""Writes to the organization tree and the rolls. Each function validates, writes in one
transaction and records who did it.

Over 600 lines on purpose: the tree's changes (rename, move, merge, split, transfer) share their
history rules and one path-rewriting helper, and read best side by side."""

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from llct.core import events
from llct.core.models import User, audit_record, audit_value
from llct.core.text import clean_text
from llct.organizations.counts import people_counts_apply
from llct.organizations.models import (
    MembershipChange,
    MembershipRules,
    MembershipStage,
    Organization,
    OrganizationEvent,
    OrganizationKind,
    OrganizationVersion,
    Person,
    TheoryLevel,
    TheoryLevelChange,
    Transfer,
    add_months,
)

# ---------------------------------------------------------------------------------------------
# The organization tree


def _current_version(organization: Organization) -> OrganizationVersion:
    return organization.versions.get(valid_to__isnull=True)


def _check_effective_date(
    organization: Organization, effective_on: dt.date, today: dt.date
) -> None:
    if effective_on > today:
        raise ValidationError({"effective_on": _("The effective date cannot be in the future.")})
    if organization.dissolved_on is not None:
        raise ValidationError(_("%(name)s no longer exists.") % {"name": organization.name})
    current = _current_version(organization)
    # History is a sequence of intervals: a change may not be slipped in before the last one.
    # (Two changes on the same day fold into one version; see _new_version.)
    if effective_on < current.valid_from:
        raise ValidationError(
            {
                "effective_on": _(
                    "The effective date cannot be before %(date)s, the date of this "
                    "organization's last change."
                )
                % {"date": current.valid_from.strftime("%d/%m/%Y")}
            }
        )


def _new_version(
    organization: Organization, *, effective_on: dt.date, event: OrganizationEvent
) -> None:
    """Close the current version on effective_on and open one that mirrors the organization.
    A second change on the same day amends that day's version: a state that lasted no time
    is not history."""
    current = OrganizationVersion.objects.filter(organization=organization, valid_to__isnull=True)
    # By id: a caller moving many children need not load each one's parent and kind.
    if current.filter(valid_from=effective_on).update(
        name=organization.name,
        parent_id=organization.parent_id,
        kind_id=organization.kind_id,
        event=event,
    ):
        return
    current.update(valid_to=effective_on)
    OrganizationVersion.objects.create(
        organization=organization,
        name=organization.name,
        parent_id=organization.parent_id,
        kind_id=organization.kind_id,
        valid_from=effective_on,
        event=event,
    )


def _event(
    *,
    kind: str,
    effective_on: dt.date,
    description: str,
    organizations: list[Organization],
    actor: User | None,
    note: str = "",
) -> OrganizationEvent:
    event = OrganizationEvent.objects.create(
        kind=kind,
        effective_on=effective_on,
        description=description,
        note=note,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    event.organizations.set(organizations)
    return event


def _repath_subtree(organization: Organization, old_path: str) -> None:
    """Rewrite the paths of every descendant after a move, in one UPDATE; the subtree's people
    leave the old ancestors' counts and join the new ones'."""
    new_path = organization.path
    depth_delta = new_path.count("/") - old_path.count("/")
    Organization.objects.filter(path__startswith=old_path).exclude(pk=organization.pk).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    people = Organization.objects.filter(pk=organization.pk).values_list(
        "subtree_people_count", flat=True
    )[0]
    if people:
        old_ancestors = [int(p) for p in old_path.strip("/").split("/")[:-1] if p]
        new_ancestors = [int(p) for p in new_path.strip("/").split("/")[:-1] if p]
        Organization.objects.filter(pk__in=old_ancestors).update(
            subtree_people_count=F("subtree_people_count") - people
        )
        Organization.objects.filter(pk__in=new_ancestors).update(
            subtree_people_count=F("subtree_people_count") + people
        )


@transaction.atomic
def organization_create(
    *,
    code: str,
    name: str,
    kind: OrganizationKind,
    parent: Organization | None,
    founded_on: dt.date,
    actor: User | None = None,
    record_event: bool = True,
) -> Organization:
    code = clean_text(code).upper()
    name = clean_text(name)
    if parent is not None and parent.dissolved_on is not None:
        raise ValidationError({"parent": _("The parent organization no longer exists.")})
    organization = Organization(
        code=code, name=name, kind=kind, parent=parent, founded_on=founded_on
    )
    organization.full_clean(exclude=["path", "depth"])
    organization.save()
    organization.path = organization.compute_path()
    organization.depth = organization.path.count("/") - 2
    organization.save(update_fields=["path", "depth"])
    event = None
    if record_event:
        event = _event(
            kind=OrganizationEvent.Kind.CREATED,
            effective_on=founded_on,
            description=_("Created %(name)s") % {"name": name},
            organizations=[organization],
            actor=actor,
        )
    OrganizationVersion.objects.create(
        organization=organization,
        name=name,
        parent=parent,
        kind=kind,
        valid_from=founded_on,
        event=event,
    )
    return organization


@transaction.atomic
def organization_rename(
    *,
    organization: Organization,
    name: str,
    effective_on: dt.date,
    today: dt.date,
    actor: User | None = None,
    note: str = "",
) -> Organization:
    name = clean_text(name)
    if not name:
        raise ValidationError({"name": _("Enter the new name.")})
    if name == organization.name:
        raise ValidationError({"name": _("The new name is the same as the current one.")})
    _check_effective_date(organization, effective_on, today)
    old_name = organization.name
    organization.name = name
    organization.save(update_fields=["name"])
    event = _event(
        kind=OrganizationEvent.Kind.RENAMED,
        effective_on=effective_on,
        description=_("Renamed %(old)s to %(new)s") % {"old": old_name, "new": name},
        organizations=[organization],
        actor=actor,
        note=note,
    )
    _new_version(organization, effective_on=effective_on, event=event)
    return organization


@transaction.atomic
def organization_move(
    *,
    organization: Organization,
    new_parent: Organization,
    effective_on: dt.date,
    today: dt.date,
    actor: User | None = None,
    note: str = "",
) -> Organization:
    if new_parent.path.startswith(organization.path):
        raise ValidationError(
            {"new_parent": _("An organization cannot be moved under itself or its own subtree.")}
        )
    if new_parent.dissolved_on is not None:
        raise ValidationError({"new_parent": _("The new parent organization no longer exists.")})
    if new_parent.pk == organization.parent_id:
        raise ValidationError({"new_parent": _("The organization is already there.")})
    _check_effective_date(organization, effective_on, today)
    old_parent = organization.parent
    old_path = organization.path
    organization.parent = new_parent
    organization.path = organization.compute_path()
    organization.depth = organization.path.count("/") - 2
    organization.save(update_fields=["parent", "path", "depth"])
    _repath_subtree(organization, old_path)
    event = _event(
        kind=OrganizationEvent.Kind.MOVED,
        effective_on=effective_on,
        description=_("Moved %(name)s from %(old)s to %(new)s")
        % {
            "name": organization.name,
            "old": old_parent.name if old_parent else "—",
            "new": new_parent.name,
        },
        organizations=[organization, new_parent],
        actor=actor,
        note=note,
    )
    _new_version(organization, effective_on=effective_on, event=event)
    return organization


def _dissolve(organization: Organization, *, effective_on: dt.date) -> None:
    if effective_on < organization.founded_on:
        raise ValidationError(
            {
                "effective_on": _("%(name)s did not exist yet on that date.")
                % {"name": organization.name}
            }
        )
    organization.dissolved_on = effective_on
    organization.save(update_fields=["dissolved_on"])
    current = OrganizationVersion.objects.filter(organization=organization, valid_to__isnull=True)
    # A version that would start and end on the same day described nothing.
    current.filter(valid_from=effective_on).delete()
    current.update(valid_to=effective_on)


def _transfer_people(
    *,
    source: Organization,
    target: Organization,
    effective_on: dt.date,
    actor: User | None,
    note: str,
) -> int:
    people = list(Person.objects.filter(organization=source).only("id", "full_name"))
    Transfer.objects.bulk_create(
        Transfer(
            person=p,
            from_organization=source,
            to_organization=target,
            effective_on=effective_on,
            note=note,
            actor=actor if getattr(actor, "pk", None) else None,
        )
        for p in people
    )
    moved = Person.objects.filter(organization=source).update(organization=target)
    people_counts_apply({source.pk: -moved, target.pk: moved})
    events.emit(
        transfer_event(
            person_id=p.pk,
            full_name=p.full_name,
            from_id=source.pk,
            to_id=target.pk,
            effective_on=effective_on,
        )
        for p in people
    )
    return moved


def _move_children(
    *, source: Organization, target: Organization, effective_on: dt.date, event: OrganizationEvent
) -> None:
    for child in Organization.objects.filter(parent=source, dissolved_on__isnull=True):
        if _current_version(child).valid_from > effective_on:
            raise ValidationError(
                {
                    "effective_on": _("%(name)s changed after that date; choose a later date.")
                    % {"name": child.name}
                }
            )
        old_path = child.path
        child.parent = target
        child.path = child.compute_path()
        child.depth = child.path.count("/") - 2
        child.save(update_fields=["parent", "path", "depth"])
        _repath_subtree(child, old_path)
        _new_version(child, effective_on=effective_on, event=event)


@transaction.atomic
def organization_merge(
    *,
    sources: list[Organization],
    target: Organization,
    effective_on: dt.date,
    today: dt.date,
    actor: User | None = None,
    note: str = "",
) -> Organization:
    """Merge sources into target: their people and sub-organizations move to target, and the
    sources end on effective_on (their names stay in history)."""
    sources = [s for s in sources if s.pk != target.pk]
    if not sources:
        raise ValidationError({"sources": _("Choose at least one organization to merge.")})
    if target.dissolved_on is not None:
        raise ValidationError({"target": _("The target organization no longer exists.")})
    for source in sources:
        if target.path.startswith(source.path):
            raise ValidationError(
                {
                    "target": _("%(name)s cannot be merged into its own sub-organization.")
                    % {"name": source.name}
                }
            )
        _check_effective_date(source, effective_on, today)
    event = _event(
        kind=OrganizationEvent.Kind.MERGED,
        effective_on=effective_on,
        description=_("Merged %(sources)s into %(target)s")
        % {"sources": ", ".join(s.name for s in sources), "target": target.name},
        organizations=[*sources, target],
        actor=actor,
        note=note,
    )
    for source in sources:
        _move_children(source=source, target=target, effective_on=effective_on, event=event)
        _transfer_people(
            source=source,
            target=target,
            effective_on=effective_on,
            actor=actor,
            note=_("Merged into %(name)s") % {"name": target.name},
        )
        _dissolve(source, effective_on=effective_on)
    return target


@dataclass(frozen=True)
class SplitPart:
    code: str
    name: str


@transaction.atomic
def organization_change(
    *, action: str, organization: Organization, data: dict[str, Any], actor: User, today: dt.date
) -> list[Organization]:
    """One change to the tree from a validated form (rename, move, merge or split); returns the
    organizations a split created."""
    common = {
        "effective_on": data["effective_on"],
        "today": today,
        "actor": actor,
        "note": data.get("note", ""),
    }
    if action == "rename":
        organization_rename(organization=organization, name=data["name"], **common)
    elif action == "move":
        organization_move(organization=organization, new_parent=data["new_parent"], **common)
    elif action == "merge":
        organization_merge(sources=list(data["sources"]), target=organization, **common)
    elif action == "split":
        return organization_split(
            organization=organization,
            parts=data["parts"],
            keep_original=data["keep_original"],
            **common,
        )
    else:
        raise ValueError(action)
    return []


def organization_split(
    *,
    organization: Organization,
    parts: list[SplitPart],
    effective_on: dt.date,
    today: dt.date,
    keep_original: bool,
    actor: User | None = None,
    note: str = "",
) -> list[Organization]:
    """Split an organization into new sibling organizations. When the original does not go on,
    its people and sub-organizations move to the first new part, to be transferred on from there."""
    if not parts:
        raise ValidationError({"parts": _("Enter at least one new organization.")})
    _check_effective_date(organization, effective_on, today)
    if organization.parent is None:
        raise ValidationError(_("The root of the tree cannot be split."))
    created = [
        organization_create(
            code=part.code,
            name=part.name,
            kind=organization.kind,
            parent=organization.parent,
            founded_on=effective_on,
            actor=actor,
            record_event=False,
        )
        for part in parts
    ]
    event = _event(
        kind=OrganizationEvent.Kind.SPLIT,
        effective_on=effective_on,
        description=_("Split %(name)s into %(parts)s")
        % {"name": organization.name, "parts": ", ".join(p.name for p in created)},
        organizations=[organization, *created],
        actor=actor,
        note=note,
    )
    OrganizationVersion.objects.filter(organization__in=created).update(event=event)
    if not keep_original:
        _move_children(
            source=organization, target=created[0], effective_on=effective_on, event=event
        )
        _transfer_people(
            source=organization,
            target=created[0],
            effective_on=effective_on,
            actor=actor,
            note=_("Split from %(name)s") % {"name": organization.name},
        )
        _dissolve(organization, effective_on=effective_on)
    return created


# ---------------------------------------------------------------------------------------------
# People

PERSONAL_FIELDS = {"date_of_birth", "party_card_no"}
TRACKED_FIELDS = [
    "full_name",
    "sex",
    "date_of_birth",
    "position",
    "organization",
    "stage",
    "admitted_on",
    "full_member_on",
    "party_card_no",
    "theory_level",
]


def transfer_event(
    *, person_id: int, full_name: str, from_id: int | None, to_id: int, effective_on: dt.date
) -> events.Event:
    """What listeners are told when a person moves (chuyển sinh hoạt, a merge or a split):
    both organizations are concerned, the one left and the one joined."""
    return events.Event(
        kind=events.PERSON_TRANSFERRED,
        data={
            "person_id": person_id,
            "full_name": full_name,
            "from_organization_id": from_id,
            "to_organization_id": to_id,
            "effective_on": effective_on.isoformat(),
        },
        organization_ids=tuple(i for i in (from_id, to_id) if i is not None),
    )


def years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


class PersonValues(Protocol):
    """What the rules of the rolls read: a Person, or the plain values of a roster row."""

    full_name: str
    date_of_birth: dt.date | None
    stage: str
    admitted_on: dt.date | None
    full_member_on: dt.date | None
    party_card_no: str | None


def person_validate(
    person: Person,
    *,
    today: dt.date,
    before: Person | None = None,
    cutover_on: dt.date | None = None,
) -> None:
    """The rules of the rolls, all checked at once so a form can show every error. With
    `cutover_on`, also that the change keeps admission and full membership dates before the
    cut-over (from then on they are decisions, see history_errors); `before` is the person as
    they were (None for a new person)."""
    person.refresh_keys()
    errors = person_rule_errors(person, today=today, before=before, cutover_on=cutover_on)
    if person.party_card_no:
        clash = Person.objects.filter(party_card_no=person.party_card_no).exclude(pk=person.pk)
        if clash.exists():
            errors.setdefault("party_card_no", []).append(card_taken_message())
    if errors:
        raise ValidationError(errors)


def person_rule_errors(
    person: PersonValues,
    *,
    today: dt.date,
    before: PersonValues | None = None,
    cutover_on: dt.date | None = None,
) -> dict[str, list[str]]:
    """person_validate's rules that need no query, on values already cleaned (refresh_keys):
    field -> messages, in the order person_validate reports them. The roster import runs them
    on plain values, ten thousand rows at a time, and checks the cards for the whole file."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if cutover_on is not None:
        for field, messages in history_errors(before, person, cutover_on=cutover_on).items():
            for message in messages:
                add(field, message)

    if not person.full_name:
        add("full_name", _("Enter the full name."))
    if person.date_of_birth and person.date_of_birth > today:
        add("date_of_birth", _("The date of birth cannot be in the future."))
    if person.date_of_birth and person.date_of_birth.year < settings.LLCT_MIN_BIRTH_YEAR:
        add(
            "date_of_birth",
            _("The date of birth cannot be before %(year)s: check the year.")
            % {"year": settings.LLCT_MIN_BIRTH_YEAR},
        )
    if person.admitted_on:
        if person.admitted_on > today:
            add("admitted_on", _("The admission date cannot be in the future."))
        if person.date_of_birth and years_between(person.date_of_birth, person.admitted_on) < 18:
            add("admitted_on", _("A person can be admitted to the Party only at 18 or older."))
    if person.full_member_on:
        if not person.admitted_on:
            add("full_member_on", _("Enter the admission date before the full membership date."))
        elif person.full_member_on <= person.admitted_on:
            add("full_member_on", _("Full membership must come after admission."))
        elif person.full_member_on < add_months(person.admitted_on, 12):
            add(
                "full_member_on",
                _("Full membership can start only after the 12 months of probation."),
            )
        if person.full_member_on > today:
            add("full_member_on", _("The full membership date cannot be in the future."))
    if (
        person.stage in (MembershipStage.PROBATIONARY, MembershipStage.FULL)
        and not person.admitted_on
    ):
        add("admitted_on", _("A party member needs an admission date."))
    if person.stage == MembershipStage.FULL and not person.full_member_on:
        add("full_member_on", _("A full member needs the date of full membership."))
    if person.stage == MembershipStage.PROBATIONARY and person.full_member_on:
        add("full_member_on", _("A probationary member has no full membership date yet."))
    if person.stage in (MembershipStage.NON_MEMBER, MembershipStage.CANDIDATE):
        if person.admitted_on:
            add("admitted_on", _("Only party members have an admission date."))
        if person.party_card_no:
            add("party_card_no", _("Only party members have a party card."))
    return errors


def card_taken_message() -> str:
    """The one answer when a card number is held by someone else, wherever they are: saying
    "in another organization" would tell an officer about people outside their scope."""
    return _("This party card number cannot be recorded for this person; check it on the card.")


def history_errors(
    before: PersonValues | None, person: PersonValues, *, cutover_on: dt.date
) -> dict[str, list[str]]:
    """Rosters and the person form record a person's past: an admission or full membership date
    on or after the cut-over is a decision (llct.assessment.membership), never typed in, and a
    date a decision set is not edited away."""
    errors: dict[str, list[str]] = {}
    for field in ("admitted_on", "full_member_on"):
        old = getattr(before, field) if before is not None else None
        new = getattr(person, field)
        if old != new and (
            (old is not None and old >= cutover_on) or (new is not None and new >= cutover_on)
        ):
            errors[field] = [_history_message(field) % {"date": cutover_on.strftime("%d/%m/%Y")}]
    return errors


def _history_message(field: str) -> str:
    if field == "admitted_on":
        return _(
            "From %(date)s an admission is a decision: record it on the person's page "
            "(“Record the admission”), not here."
        )
    return _(
        "From %(date)s full membership is a decision: record it on the person's page "
        "(“Record full membership”), not here."
    )


def is_history(effective_on: dt.date, *, cutover_on: dt.date) -> bool:
    """A stage change recorded from a roster or the person form before the cut-over: accepted as
    history, without the checks of a decision."""
    return effective_on < cutover_on


@transaction.atomic
def membership_rules_update(
    *, rules: MembershipRules, cutover_on: dt.date, exceptions_allowed: bool, actor: User
) -> MembershipRules:
    changes = []
    for field, value in (("cutover_on", cutover_on), ("exceptions_allowed", exceptions_allowed)):
        old = audit_value(rules, field)
        setattr(rules, field, value)
        if old != audit_value(rules, field):
            changes.append(
                {
                    "field": field,
                    "label": str(
                        getattr(MembershipRules._meta.get_field(field), "verbose_name", field)
                    ),
                    "old": old,
                    "new": audit_value(rules, field),
                }
            )
    if not changes:
        return rules
    rules.full_clean()
    rules.save()
    audit_record(actor=actor, obj=rules, action="update", summary=_("Party rules"), changes=changes)
    return rules


def stage_date(person: PersonValues, default: dt.date) -> dt.date:
    if person.stage == MembershipStage.PROBATIONARY and person.admitted_on:
        return person.admitted_on
    if person.stage == MembershipStage.FULL and person.full_member_on:
        return person.full_member_on
    return default


def change_display(person: Person, field: str) -> str:
    # The history shows that personal data changed, never the values themselves.
    return "" if field in PERSONAL_FIELDS else audit_value(person, field)


@transaction.atomic
def person_create(*, data: dict[str, Any], actor: User | None, today: dt.date) -> Person:
    person = Person(**data)
    cutover_on = MembershipRules.current().cutover_on
    person_validate(person, today=today, cutover_on=cutover_on)
    person.save()
    effective_on = stage_date(person, today)
    MembershipChange.objects.create(
        person=person,
        stage=person.stage,
        effective_on=effective_on,
        actor=actor,
        as_history=is_history(effective_on, cutover_on=cutover_on),
    )
    if person.theory_level != TheoryLevel.NONE:
        TheoryLevelChange.objects.create(
            person=person, level=person.theory_level, effective_on=today, actor=actor
        )
    audit_record(actor=actor, obj=person, action="create", summary=_("Added to the rolls"))
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    data: dict[str, Any],
    actor: User | None,
    today: dt.date,
    effective_on: dt.date | None = None,
    note: str = "",
) -> Person:
    """Apply the changes; a new organization, stage or level also gets its dated history row."""
    before = Person.objects.select_related("organization").get(pk=person.pk)
    for field, value in data.items():
        setattr(person, field, value)
    cutover_on = MembershipRules.current().cutover_on
    person_validate(person, today=today, before=before, cutover_on=cutover_on)
    effective_on = effective_on or today
    changes = []
    for field in TRACKED_FIELDS:
        old, new = getattr(before, field), getattr(person, field)
        if field == "organization":
            old, new = before.organization_id, person.organization_id
        if field == "party_card_no":
            old, new = old or None, new or None
        if old != new:
            changes.append(
                {
                    "field": field,
                    "label": str(getattr(Person._meta.get_field(field), "verbose_name", field)),
                    "old": change_display(before, field),
                    "new": change_display(person, field),
                    "personal": field in PERSONAL_FIELDS,
                }
            )
    if not changes:
        return person
    person.save()
    changed = {c["field"] for c in changes}
    if "organization" in changed:
        Transfer.objects.create(
            person=person,
            from_organization=before.organization,
            to_organization=person.organization,
            effective_on=effective_on,
            note=note,
            actor=actor,
        )
        events.emit(
            [
                transfer_event(
                    person_id=person.pk,
                    full_name=person.full_name,
                    from_id=before.organization_id,
                    to_id=person.organization_id,
                    effective_on=effective_on,
                )
            ]
        )
    if "stage" in changed:
        stage_on = stage_date(person, effective_on)
        MembershipChange.objects.create(
            person=person,
            stage=person.stage,
            effective_on=stage_on,
            note=note,
            actor=actor,
            as_history=is_history(stage_on, cutover_on=cutover_on),
        )
    if "theory_level" in changed:
        TheoryLevelChange.objects.create(
            person=person,
            level=person.theory_level,
            effective_on=effective_on,
            actor=actor,
            source=note,
        )
    audit_record(actor=actor, obj=person, action="update", summary=note, changes=changes)
    return person
