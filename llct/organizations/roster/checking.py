"""Checking the rows against the rules and the rolls: what each row would add, change, or is
refused for."""

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from llct.core.text import fold
from llct.organizations.models import (
    MembershipRules,
    MembershipStage,
    Organization,
    Person,
    TheoryLevel,
)
from llct.organizations.roster.matching import (
    candidates,
    cards_elsewhere,
    match,
    reject_duplicates,
)
from llct.organizations.roster.reader import Sheet
from llct.organizations.roster.values import (
    INCOMPLETE,
    MEMBER,
    SEX_WORDS,
    STAGE_WORDS,
    card_text,
    cell_name,
    cell_text,
    is_blank,
    lookup_key,
    parse_date,
    parse_theory_level,
)
from llct.organizations.services import (
    PERSONAL_FIELDS,
    TRACKED_FIELDS,
    change_display,
    person_validate,
)

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 250


@dataclass(frozen=True)
class RejectedRow:
    row: int
    name: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "name": self.name, "reason": self.reason}


@dataclass
class PlannedCreate:
    row: int
    person: Person


@dataclass
class PlannedUpdate:
    row: int
    person: Person  # the changes applied, not saved
    before: Person
    changes: list[dict[str, Any]]


@dataclass
class RosterAnalysis:
    sheet_title: str
    header_row: int
    # Field name -> the header text found in the file.
    columns: dict[str, str]
    # The last row read: what follows (signature block, notes) is not part of the list.
    last_row: int
    total_rows: int
    to_create: list[PlannedCreate] = field(default_factory=list)
    to_update: list[PlannedUpdate] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Checking the rows


class Organizations:
    """The importing organization's subtree, looked up by code or by name."""

    def __init__(self, organization: Organization) -> None:
        self.root = organization
        self.by_id = {
            o.pk: o for o in Organization.objects.filter(path__startswith=organization.path)
        }
        self.by_code: dict[str, Organization] = {}
        self.by_name: dict[str, list[Organization]] = defaultdict(list)
        self.found: dict[object, tuple[Organization | None, str | None]] = {}
        for org in self.by_id.values():
            if org.dissolved_on is None:
                self.by_code[fold(org.code)] = org
                self.by_name[fold(org.name)].append(org)

    def find(self, value: object) -> tuple[Organization | None, str | None]:
        # A roster names the same few organizations on thousands of rows.
        if value not in self.found:
            self.found[value] = self._find(value)
        return self.found[value]

    def _find(self, value: object) -> tuple[Organization | None, str | None]:
        key = fold(cell_text(value))
        if key in self.by_code:
            return self.by_code[key], None
        named = self.by_name.get(key, [])
        if len(named) == 1:
            return named[0], None
        shown = cell_text(value)
        if named:
            return None, _(
                "Several organizations are named “%(value)s”; write the organization's code."
            ) % {"value": shown}
        return None, _(
            "Unknown organization “%(value)s”: it must be the importing organization or one of "
            "its sub-organizations, written by code or by name."
        ) % {"value": shown}


@dataclass
class Row:
    number: int
    name: str
    values: dict[str, Any]
    key: str = ""  # the folded name, for matching
    card: str = ""
    reasons: list[str] = field(default_factory=list)
    existing: Person | None = None
    person: Person | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)


MAX_LENGTHS: dict[str, int] = {
    name: Person._meta.get_field(name).max_length or 0  # type: ignore[union-attr]
    for name in ("full_name", "position", "party_card_no")
}


def _label(field_name: str) -> str:
    return str(capfirst(getattr(Person._meta.get_field(field_name), "verbose_name", field_name)))


def _date_reason(field_name: str, problem: str, value: object) -> str:
    # The date of birth is personal data: its reason never repeats the value.
    if field_name == "date_of_birth":
        if problem == INCOMPLETE:
            return _(
                "The date of birth is incomplete: write the whole date, day first (dd/mm/yyyy)."
            )
        return _("The date of birth is not a valid date: write it day first (dd/mm/yyyy).")
    if problem == INCOMPLETE:
        return _(
            "%(field)s is incomplete: “%(value)s”; write the whole date, day first (dd/mm/yyyy)."
        ) % {"field": _label(field_name), "value": cell_text(value)}
    return _("%(field)s is not a valid date: “%(value)s”; write it day first (dd/mm/yyyy).") % {
        "field": _label(field_name),
        "value": cell_text(value),
    }


def _read_row(
    number: int, cells: Sequence[Any], columns: dict[str, int], organizations: Organizations
) -> Row:
    """The values the row gives (blank cells give none), and what cannot be read."""

    width = len(cells)

    def cell(name: str) -> Any:
        index = columns.get(name, width)
        return cells[index] if index < width else None

    name = cell_name(cell("full_name"))
    row = Row(number=number, name=name, values={}, key=fold(name))
    if not row.name:
        row.reject(_("The full name is missing."))
    elif len(row.name) > MAX_LENGTHS["full_name"]:
        row.reject(_("The full name is too long."))
    row.values["full_name"] = row.name
    for field_name in ("date_of_birth", "admitted_on", "full_member_on"):
        day, problem = parse_date(raw := cell(field_name))
        if problem:
            row.reject(_date_reason(field_name, problem, raw))
        elif day:
            row.values[field_name] = day
    if not is_blank(raw := cell("sex")):
        sex = SEX_WORDS.get(lookup_key(raw))
        if sex is None:
            row.reject(_("Unknown sex: “%(value)s” (write Nam or Nữ).") % {"value": cell_text(raw)})
        else:
            row.values["sex"] = sex
    if not is_blank(raw := cell("position")):
        position = cell_text(raw)
        if len(position) > MAX_LENGTHS["position"]:
            row.reject(_("The position is too long."))
        row.values["position"] = position
    if not is_blank(raw := cell("organization")):
        org, problem = organizations.find(raw)
        if problem:
            row.reject(problem)
        else:
            row.values["organization"] = org
    if not is_blank(raw := cell("stage")):
        stage = STAGE_WORDS.get(lookup_key(raw))
        if stage is None:
            row.reject(_("Unknown membership stage: “%(value)s”.") % {"value": cell_text(raw)})
        else:
            row.values["stage"] = stage
    if not is_blank(raw := cell("party_card_no")):
        card = card_text(raw)
        if len(card) > MAX_LENGTHS["party_card_no"]:
            row.reject(_("The party card number is too long."))
        row.values["party_card_no"] = row.card = card
    if not is_blank(raw := cell("theory_level")):
        level = parse_theory_level(raw)
        if level is None:
            row.reject(
                _(
                    "Unknown political theory level: “%(value)s” (write Sơ cấp, Trung cấp, Cao "
                    "cấp, Cử nhân, or leave blank)."
                )
                % {"value": cell_text(raw)}
            )
        else:
            row.values["theory_level"] = level
    return row


def _stage_for(values: dict[str, Any], person: Person, *, current: str | None) -> str:
    """The stage the row means. Without a stage cell, the dates tell: a full membership date makes
    a full member, an admission date a probationary one; otherwise the person stays as they are
    (a new person is a non-member)."""
    given = values.get("stage")
    if given and given != MEMBER:
        return str(given)
    dated = "admitted_on" in values or "full_member_on" in values
    if given == MEMBER or (dated and current != MembershipStage.LEFT):
        if person.full_member_on:
            return MembershipStage.FULL
        if person.admitted_on or given == MEMBER:
            return MembershipStage.PROBATIONARY
    return current or MembershipStage.NON_MEMBER


def _validate(
    row: Row, person: Person, *, today: dt.date, before: Person | None, cutover_on: dt.date
) -> None:
    """person_validate's rules, except the card uniqueness check, which it does with a query per
    person: the caller checks cards for the whole file at once. A roster records the past:
    admissions and full memberships from the cut-over on are decisions, not roster rows."""
    card = person.party_card_no
    person.party_card_no = None
    try:
        person_validate(person, today=today, before=before, cutover_on=cutover_on)
    except ValidationError as error:
        for message in error.messages:
            row.reject(message)
    finally:
        person.party_card_no = card
    if card and person.stage in (MembershipStage.NON_MEMBER, MembershipStage.CANDIDATE):
        # The one rule person_validate ties to the card; same message, same catalogue entry.
        row.reject(_("Only party members have a party card."))


def _new_person(
    row: Row, organizations: Organizations, *, today: dt.date, cutover_on: dt.date
) -> Person:
    values = row.values
    person = Person(
        full_name=row.name,
        sex=values.get("sex", ""),
        date_of_birth=values.get("date_of_birth"),
        position=values.get("position", ""),
        organization=values.get("organization", organizations.root),
        admitted_on=values.get("admitted_on"),
        full_member_on=values.get("full_member_on"),
        party_card_no=values.get("party_card_no") or None,
        theory_level=values.get("theory_level", TheoryLevel.NONE),
    )
    person.stage = _stage_for(values, person, current=None)
    _validate(row, person, today=today, before=None, cutover_on=cutover_on)
    return person


def _changed_person(
    row: Row, before: Person, *, today: dt.date, cutover_on: dt.date
) -> Person | None:
    """The person with the row's values applied, or None when nothing changes."""
    person = copy.copy(before)
    values = row.values
    # A name typed without diacritics does not overwrite the same name written with them.
    if not (row.name.isascii() and row.key == before.search_key):
        person.full_name = row.name
    for name in ("sex", "date_of_birth", "position", "admitted_on", "full_member_on"):
        if name in values:
            setattr(person, name, values[name])
    if values.get("party_card_no"):
        person.party_card_no = values["party_card_no"]
    if "theory_level" in values:
        person.theory_level = values["theory_level"]
    if "organization" in values:
        person.organization = values["organization"]
    person.stage = _stage_for(values, person, current=before.stage)
    row.changes = _changes(before, person)
    if not row.changes:
        return None
    _validate(row, person, today=today, before=before, cutover_on=cutover_on)
    return person


def _changes(before: Person, after: Person) -> list[dict[str, Any]]:
    """What person_update records in the audit trail, field by field."""
    changes = []
    for name in TRACKED_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if name == "organization":
            old, new = before.organization_id, after.organization_id
        if name == "party_card_no":
            old, new = old or None, new or None
        if old != new:
            changes.append(
                {
                    "field": name,
                    "label": str(getattr(Person._meta.get_field(name), "verbose_name", name)),
                    "old": change_display(before, name),
                    "new": change_display(after, name),
                    "personal": name in PERSONAL_FIELDS,
                }
            )
    return changes


def plan(
    sheet: Sheet, *, organization: Organization, today: dt.date, progress: Progress | None
) -> RosterAnalysis:
    organizations = Organizations(organization)
    cutover_on = MembershipRules.current().cutover_on
    total = len(sheet.rows)
    rows = [_read_row(number, cells, sheet.columns, organizations) for number, cells in sheet.rows]
    by_card: dict[str, Person] = {}
    by_name: dict[str, list[Person]] = defaultdict(list)
    for person in candidates(rows, organizations):
        # Loaded once for the whole file: no query per row, and history shows the names.
        person.organization = organizations.by_id[person.organization_id]
        if person.party_card_no:
            by_card[person.party_card_no] = person
        by_name[person.search_key].append(person)
    elsewhere = cards_elsewhere({r.card for r in rows if r.card} - by_card.keys())
    for done, row in enumerate(rows, start=1):
        if not row.reasons:
            match(row, by_card=by_card, by_name=by_name, elsewhere=elsewhere)
        if not row.reasons:
            if row.existing is None:
                row.person = _new_person(row, organizations, today=today, cutover_on=cutover_on)
            else:
                row.person = _changed_person(row, row.existing, today=today, cutover_on=cutover_on)
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    if progress and not total:
        progress(0, 0)
    reject_duplicates(rows)

    analysis = RosterAnalysis(
        sheet_title=sheet.title,
        header_row=sheet.header_row,
        columns={name: sheet.headers[index] for name, index in sheet.columns.items()},
        last_row=sheet.last_row,
        total_rows=total,
    )
    for row in rows:
        if row.reasons:
            analysis.rejected.append(RejectedRow(row.number, row.name, "; ".join(row.reasons)))
        elif row.existing is None:
            assert row.person is not None
            analysis.to_create.append(PlannedCreate(row.number, row.person))
        elif row.person is None:
            analysis.unchanged.append(row.number)
        else:
            analysis.to_update.append(
                PlannedUpdate(row.number, row.person, row.existing, row.changes)
            )
    return analysis
