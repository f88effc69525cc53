"""Import of the organization tree from a spreadsheet (Mã, Tên, Loại, Mã cấp trên).

All rows are checked first; if any is rejected nothing is written. Existing codes are renamed or
moved through the services, so history keeps what they were."""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from llct.core.models import User
from llct.core.spreadsheets import WorkbookRefused, xlsx_check_bounds
from llct.core.text import clean_text, fold
from llct.organizations import services
from llct.organizations.models import Organization, OrganizationKind

COLUMNS = {
    "code": ("ma", "ma to chuc"),
    "name": ("ten", "ten to chuc"),
    "kind": ("loai", "loai to chuc"),
    "parent": ("ma cap tren", "cap tren"),
}


@dataclass(frozen=True)
class RejectedRow:
    row: int
    reason: str


@dataclass
class TreeImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)


def _read_rows(path: Path) -> list[tuple[int, list[Any]]]:
    if path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        return [(i, row) for i, row in enumerate(csv.reader(io.StringIO(text)), start=1)]
    try:
        xlsx_check_bounds(path)
    except WorkbookRefused as error:
        raise ValidationError(str(error)) from None
    workbook = load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = [(i, list(row)) for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    workbook.close()
    return rows


def _header(rows: list[tuple[int, list[Any]]]) -> tuple[int, dict[str, int]]:
    for index, (_number, row) in enumerate(rows[:20]):
        names = [fold(c) for c in row]
        mapping = {key: names.index(s) for key, syns in COLUMNS.items() for s in syns if s in names}
        if {"code", "name", "kind"} <= mapping.keys():
            return index, mapping
    raise ValidationError(_("No header row with the columns Mã, Tên, Loại, Mã cấp trên."))


def organizations_import(
    *, path: Path, founded_on: dt.date, actor: User | None
) -> TreeImportResult:
    result = TreeImportResult()
    try:
        rows = _read_rows(path)
        start, columns = _header(rows)
    except ValidationError as error:
        result.rejected.append(RejectedRow(row=0, reason=error.messages[0]))
        return result
    kinds = {fold(k.name): k for k in OrganizationKind.objects.all()}
    kinds.update({fold(k.code): k for k in OrganizationKind.objects.all()})
    existing = {o.code: o for o in Organization.objects.select_related("parent", "kind")}
    planned = _plan(rows[start + 1 :], columns, kinds, result)
    _check_parents(planned, existing, result)
    if result.rejected:
        result.rejected.sort(key=lambda r: r.row)
        return result

    try:
        with transaction.atomic():
            _write(planned, existing, founded_on=founded_on, actor=actor, result=result)
    except ValidationError as error:
        result.created = result.updated = result.unchanged = 0
        result.rejected.append(RejectedRow(row=0, reason="; ".join(error.messages)))
    return result


_Planned = dict[str, tuple[int, str, OrganizationKind, str]]


def _plan(
    rows: list[tuple[int, list[Any]]],
    columns: dict[str, int],
    kinds: dict[str, OrganizationKind],
    result: TreeImportResult,
) -> _Planned:
    """The rows that name a code, a name and a known kind, by code: (row, name, kind, parent
    code). The others go to `result.rejected`."""

    def cell(row: list[Any], key: str) -> str:
        i = columns.get(key)
        return clean_text(row[i]) if i is not None and i < len(row) else ""

    planned: _Planned = {}
    for number, row in rows:
        code, name = cell(row, "code").upper(), cell(row, "name")
        kind_text, parent_code = cell(row, "kind"), cell(row, "parent").upper()
        if not any((code, name, kind_text, parent_code)):
            continue
        reasons = []
        if not code:
            reasons.append(_("the code is missing"))
        if not name:
            reasons.append(_("the name is missing"))
        kind = kinds.get(fold(kind_text))
        if kind is None:
            reasons.append(_("unknown kind “%(kind)s”") % {"kind": kind_text})
        if code in planned:
            reasons.append(_("code %(code)s appears twice") % {"code": code})
        if reasons or kind is None:
            result.rejected.append(RejectedRow(row=number, reason="; ".join(reasons)))
            continue
        planned[code] = (number, name, kind, parent_code)
    return planned


def _check_parents(
    planned: _Planned, existing: dict[str, Organization], result: TreeImportResult
) -> None:
    """Every parent is in the file or the tree, and the file's parents form no cycle."""
    for code, (number, _name, _kind, parent_code) in planned.items():
        if parent_code and parent_code not in planned and parent_code not in existing:
            result.rejected.append(
                RejectedRow(
                    row=number, reason=_("parent code %(code)s not found") % {"code": parent_code}
                )
            )
        # Walk up through the file to catch cycles (A under B under A).
        seen, cursor = {code}, parent_code
        while cursor in planned:
            if cursor in seen:
                result.rejected.append(
                    RejectedRow(row=number, reason=_("the parents form a cycle"))
                )
                break
            seen.add(cursor)
            cursor = planned[cursor][3]


def _write(
    planned: _Planned,
    existing: dict[str, Organization],
    *,
    founded_on: dt.date,
    actor: User | None,
    result: TreeImportResult,
) -> None:
    done: dict[str, Organization] = dict(existing)
    seen: set[str] = set()  # existing organizations already compared with the file

    def ensure(code: str) -> Organization:
        _number, name, kind, parent_code = planned[code]
        parent = None
        if parent_code:
            parent = ensure(parent_code) if parent_code in planned else done[parent_code]
        org = done.get(code)
        if org is None:
            org = services.organization_create(
                code=code, name=name, kind=kind, parent=parent, founded_on=founded_on, actor=actor
            )
            result.created += 1
        elif code in existing and code not in seen:
            changed = False
            if org.name != name:
                services.organization_rename(
                    organization=org,
                    name=name,
                    effective_on=founded_on,
                    today=founded_on,
                    actor=actor,
                )
                changed = True
            if parent is not None and org.parent_id != parent.pk:
                services.organization_move(
                    organization=org,
                    new_parent=parent,
                    effective_on=founded_on,
                    today=founded_on,
                    actor=actor,
                )
                changed = True
            result.updated += changed
            result.unchanged += not changed
        seen.add(code)
        done[code] = org
        return org

    for code in planned:
        ensure(code)
