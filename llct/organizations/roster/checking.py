"""Checking the rows against the rules and the rolls: what each row would add, change, or is
refused for."""

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from llct.organizations.models import (
    MembershipRules,
    MembershipStage,
    Organization,
    Person,
    Sex,
    TheoryLevel,
)
from llct.organizations.person_services import (
    PERSONAL_FIELDS,
    TRACKED_FIELDS,
    change_display,
    person_rule_errors,
)
from llct.organizations.roster.matching import (
    candidates,
    cards_elsewhere,
    match,
    reject_duplicates,
)
from llct.organizations.roster.placement import AS_WRITTEN, Organizations, Readings
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
    name_key,
    name_order_key,
    parse_date,
    parse_theory_level,
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


@dataclass(slots=True)
class NewPerson:
    """A person a row adds, as plain values: the attributes of an unsaved Person (cleaned, keys
    computed) without building a model instance per row; the writer gives it its id."""

    full_name: str
    search_key: str
    sort_key: str
    sex: str
    date_of_birth: dt.date | None
    position: str
    organization: Organization
    stage: str
    admitted_on: dt.date | None
    full_member_on: dt.date | None
    party_card_no: str | None
    theory_level: int
    pk: int | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @property
    def organization_id(self) -> int | None:
        return self.organization.pk


@dataclass
class PlannedCreate:
    row: int
    person: NewPerson


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
    # [{"name": "Chi bộ 5", "rows": 12}]: organization cells that match no organization.
    missing_organizations: list[dict[str, Any]] = field(default_factory=list)
    # The cells to create under the importing organization (placement CREATE), unsaved.
    new_organizations: list[Organization] = field(default_factory=list)
    # [{"column": ..., "written": "1/2/85", "read": "01/02/1985", "rows": 3}]
    readings: list[dict[str, Any]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Checking the rows


@dataclass
class Row:
    number: int
    name: str
    values: dict[str, Any]
    key: str = ""  # the folded name, for matching
    card: str = ""
    reasons: list[str] = field(default_factory=list)
    existing: Person | None = None
    person: Person | NewPerson | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)


FIELDS = (
    "full_name",
    "date_of_birth",
    "admitted_on",
    "full_member_on",
    "sex",
    "position",
    "organization",
    "stage",
    "party_card_no",
    "theory_level",
)
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
    number: int,
    cells: Sequence[Any],
    columns: dict[str, int],
    organizations: Organizations,
    readings: Readings,
) -> Row:
    """The values the row gives (blank cells give none), and what cannot be read."""
    # Every field's cell, None for a column the sheet lacks or the row stops before.
    width = len(cells)
    cell = {
        name: cells[i] if (i := columns.get(name, width)) < width else None for name in FIELDS
    }.get

    name = cell_name(cell("full_name"))
    row = Row(number=number, name=name, values={}, key=name_key(name))
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
            if isinstance(raw, str):  # a date cell is no messy spelling
                readings.note(field_name, raw, f"{day.day:02}/{day.month:02}/{day.year:04}")
    if not is_blank(raw := cell("sex")):
        sex = SEX_WORDS.get(lookup_key(raw))
        if sex is None:
            row.reject(_("Unknown sex: “%(value)s” (write Nam or Nữ).") % {"value": cell_text(raw)})
        else:
            row.values["sex"] = sex
            readings.note("sex", raw, readings.label(Sex, sex))
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
            assert org is not None
            row.values["organization"] = org
            readings.note("organization", raw, org.name)
    if not is_blank(raw := cell("stage")):
        stage = STAGE_WORDS.get(lookup_key(raw))
        if stage is None:
            row.reject(_("Unknown membership stage: “%(value)s”.") % {"value": cell_text(raw)})
        else:
            row.values["stage"] = stage
            readings.note("stage", raw, _stage_label(stage))
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
            readings.note("theory_level", raw, readings.label(TheoryLevel, level))
    return row


def _stage_label(stage: str) -> str:
    if stage == MEMBER:
        return _("Party member (probationary or full, from the dates)")
    return str(MembershipStage(stage).label)


def _stage_for(values: dict[str, Any], person: Person | NewPerson, *, current: str | None) -> str:
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
    row: Row,
    person: Person | NewPerson,
    *,
    today: dt.date,
    before: Person | None,
    cutover_on: dt.date,
) -> None:
    """person_validate's rules, except the card uniqueness check, which it does with a query per
    person: the caller checks cards for the whole file at once. A roster records the past:
    admissions and full memberships from the cut-over on are decisions, not roster rows."""
    errors = person_rule_errors(person, today=today, before=before, cutover_on=cutover_on)
    for messages in errors.values():
        for message in messages:
            row.reject(message)


def _new_person(
    row: Row, organizations: Organizations, *, today: dt.date, cutover_on: dt.date
) -> NewPerson:
    values = row.values
    person = NewPerson(
        full_name=row.name,
        search_key=row.key,
        sort_key=name_order_key(row.name),
        sex=values.get("sex", ""),
        date_of_birth=values.get("date_of_birth"),
        position=values.get("position", ""),
        organization=values.get("organization", organizations.root),
        stage="",
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
    person.refresh_keys()
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
    sheet: Sheet,
    *,
    organization: Organization,
    today: dt.date,
    progress: Progress | None,
    placement: str = AS_WRITTEN,
) -> RosterAnalysis:
    """What each row would do. `placement` says what an organization cell naming no
    organization means (placement.py)."""
    organizations = Organizations(organization, placement=placement)
    readings = Readings()
    cutover_on = MembershipRules.current().cutover_on
    total = len(sheet.rows)
    if (column := sheet.columns.get("organization")) is not None:
        organizations.prefetch(
            cells[column] for _number, cells in sheet.rows if column < len(cells)
        )
    rows = [
        _read_row(number, cells, sheet.columns, organizations, readings)
        for number, cells in sheet.rows
    ]
    by_card: dict[str, Person] = {}
    by_name: dict[str, list[Person]] = defaultdict(list)
    found = list(candidates(rows, organizations))
    organizations.load(p.organization_id for p in found)
    for person in found:
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
        missing_organizations=organizations.missing_list(),
        new_organizations=list(organizations.planned.values()),
        readings=readings.as_list({name: _label(name) for name in sheet.columns}),
    )
    for row in rows:
        if row.reasons:
            analysis.rejected.append(RejectedRow(row.number, row.name, "; ".join(row.reasons)))
        elif row.existing is None:
            assert isinstance(row.person, NewPerson)
            analysis.to_create.append(PlannedCreate(row.number, row.person))
        elif row.person is None:
            analysis.unchanged.append(row.number)
        else:
            assert isinstance(row.person, Person)
            analysis.to_update.append(
                PlannedUpdate(row.number, row.person, row.existing, row.changes)
            )
    return analysis
