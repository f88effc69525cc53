"""Writes to the organization tree: create, rename, move, merge, split. Each function validates,
writes in one transaction and records who did it. The rules of the rolls and the writes to a
person are in person_services.py."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from llct.core import events
from llct.core.models import User
from llct.core.text import clean_text
from llct.organizations.counts import people_counts_apply
from llct.organizations.models import (
    Organization,
    OrganizationEvent,
    OrganizationKind,
    OrganizationVersion,
    Person,
    Transfer,
)
from llct.organizations.person_services import transfer_event

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
