"""Writes to the rolls: the rules of the rolls (all checked at once, so a form shows every error),
creating and updating a person, and the membership rules' settings. Each write validates, writes
in one transaction and records who did it."""

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from llct.core import events
from llct.core.models import User, audit_record, audit_value
from llct.organizations.models import (
    MembershipChange,
    MembershipRules,
    MembershipStage,
    Person,
    TheoryLevel,
    TheoryLevelChange,
    Transfer,
    add_months,
)

# ---------------------------------------------------------------------------------------------
# People

PERSONAL_FIELDS = {"date_of_birth", "party_card_no"}
# A person's facts: what the person form edits, a roster row or an API row carries, and the
# audit trail records when it changes.
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
    _identity_rules(person, today, add)
    _admission_rules(person, today, add)
    _full_membership_rules(person, today, add)
    _stage_rules(person, add)
    return errors


type _Add = Callable[[str, str], None]


def _identity_rules(person: PersonValues, today: dt.date, add: _Add) -> None:
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


def _admission_rules(person: PersonValues, today: dt.date, add: _Add) -> None:
    if not person.admitted_on:
        return
    if person.admitted_on > today:
        add("admitted_on", _("The admission date cannot be in the future."))
    if person.date_of_birth and years_between(person.date_of_birth, person.admitted_on) < 18:
        add("admitted_on", _("A person can be admitted to the Party only at 18 or older."))


def _full_membership_rules(person: PersonValues, today: dt.date, add: _Add) -> None:
    if not person.full_member_on:
        return
    if not person.admitted_on:
        add("full_member_on", _("Enter the admission date before the full membership date."))
    elif person.full_member_on <= person.admitted_on:
        add("full_member_on", _("Full membership must come after admission."))
    elif person.full_member_on < add_months(person.admitted_on, 12):
        add("full_member_on", _("Full membership can start only after the 12 months of probation."))
    if person.full_member_on > today:
        add("full_member_on", _("The full membership date cannot be in the future."))


def _stage_rules(person: PersonValues, add: _Add) -> None:
    """The dates and card each stage has, and has not."""
    members = (MembershipStage.PROBATIONARY, MembershipStage.FULL)
    if person.stage in members and not person.admitted_on:
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
