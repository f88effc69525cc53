"""The import itself: a file, or rows given as data, checked, then written all together or not
at all."""

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from llct.core.models import User
from llct.core.permissions import can_edit_rolls, scope_path
from llct.organizations.models import Organization
from llct.organizations.person_services import TRACKED_FIELDS
from llct.organizations.roster.checking import Progress, RejectedRow, RosterAnalysis, plan
from llct.organizations.roster.placement import AS_WRITTEN
from llct.organizations.roster.reader import PathOrFile, Sheet, read_sheet
from llct.organizations.roster.writing import write


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    rejected: list[RejectedRow]
    dry_run: bool = False


@contextlib.contextmanager
def bulk_work() -> Iterator[None]:
    """An import allocates hundreds of thousands of objects that all live until it ends; the
    cyclic garbage collector would walk them over and over (a sixth of the time of a large
    import, measured). Reference counting still frees what is dropped."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def roster_analyse(
    *,
    path_or_file: PathOrFile,
    organization: Organization,
    today: dt.date,
    progress: Progress | None = None,
    placement: str = AS_WRITTEN,
) -> RosterAnalysis:
    """Read and check the whole file against the rolls; write nothing.

    Raises RosterFileError when the file cannot be read or has no header row."""
    with bulk_work():
        sheet = read_sheet(path_or_file)
        return plan(
            sheet, organization=organization, today=today, progress=progress, placement=placement
        )


def _may_import(actor: User, organization: Organization) -> bool:
    path = scope_path(actor)
    return can_edit_rolls(actor) and path is not None and organization.path.startswith(path)


def _note(file: PathOrFile) -> str:
    """What the history rows say about where they came from."""
    name = file if isinstance(file, str | Path) else getattr(file, "name", "")
    if not name:
        return _("Roster import")
    return (_("Roster import: %(file)s") % {"file": Path(str(name)).name})[:255]


def person_import_roster(
    *,
    file: PathOrFile,
    organization: Organization,
    actor: User | None,
    today: dt.date,
    dry_run: bool = False,
    progress: Progress | None = None,
    all_or_nothing: bool = False,
    placement: str = AS_WRITTEN,
) -> ImportResult:
    """Check every row, then write all valid rows in one transaction, or nothing.

    The rolls are read again inside the transaction, so a preview made earlier cannot let a stale
    row through. Progress counts the checking as the first half and the writing as the second.
    With `all_or_nothing`, a single rejected row means nothing is written (other systems send
    files that must land whole). `placement` says what an organization cell naming no
    organization means (placement.py: refused, a new cell, or the importing organization). Raises
    RosterFileError when the file cannot be read,
    PermissionDenied when the actor may not edit the organization's rolls (actor None: a command
    run by the administrator)."""
    if actor is not None and not _may_import(actor, organization):
        raise PermissionDenied
    with bulk_work():
        sheet = read_sheet(file)
        return _import(
            sheet,
            organization=organization,
            actor=actor,
            today=today,
            dry_run=dry_run,
            progress=progress,
            note=_note(file),
            all_or_nothing=all_or_nothing,
            placement=placement,
        )


# The fields a row given as data may carry, in the roster's own terms: each value is read as the
# roster reader reads a cell ("Trung cấp", "TC"; "05/06/1990", "1990-06-05"; an organization by
# code or name), so the API and the interchange file accept what a roster accepts.
ROW_FIELDS = tuple(TRACKED_FIELDS)  # a person's facts, as the form and the audit trail know them


def person_import_rows(
    *,
    rows: Sequence[Mapping[str, Any]],
    organization: Organization,
    actor: User | None,
    today: dt.date,
    note: str,
    dry_run: bool = False,
) -> ImportResult:
    """The roster import for rows given as data (another system's records): the same reading,
    the same checks, the same bulk writes, numbered from 1 in the order given. All or nothing:
    when any row is rejected, nothing is written and every rejected row comes back with its
    reasons. A missing or blank field says nothing, as a blank cell does."""
    if actor is not None and not _may_import(actor, organization):
        raise PermissionDenied
    columns = {name: index for index, name in enumerate(ROW_FIELDS)}
    body: list[tuple[int, Sequence[Any]]] = [
        (number, [row.get(name) for name in ROW_FIELDS]) for number, row in enumerate(rows, start=1)
    ]
    sheet = Sheet("", 0, list(ROW_FIELDS), columns, body, len(body))
    with bulk_work():
        return _import(
            sheet,
            organization=organization,
            actor=actor,
            today=today,
            dry_run=dry_run,
            progress=None,
            note=note[:255],
            all_or_nothing=True,
        )


def _import(
    sheet: Sheet,
    *,
    organization: Organization,
    actor: User | None,
    today: dt.date,
    dry_run: bool,
    progress: Progress | None,
    note: str,
    all_or_nothing: bool,
    placement: str = AS_WRITTEN,
) -> ImportResult:
    total = len(sheet.rows)

    def checking(done: int, _total: int) -> None:
        if progress:
            progress(done, 2 * total)

    def writing(done: int, writes: int) -> None:
        if progress:
            progress(total + total * done // max(writes, 1), 2 * total)

    def analyse() -> RosterAnalysis:
        return plan(
            sheet, organization=organization, today=today, progress=checking, placement=placement
        )

    if dry_run:
        analysis = analyse()
    else:
        with transaction.atomic():
            analysis = analyse()
            if not (all_or_nothing and analysis.rejected):
                write(
                    analysis,
                    organization=organization,
                    actor=actor,
                    today=today,
                    note=note,
                    progress=writing,
                )
    if progress:
        progress(2 * total, 2 * total)
    # Nothing written: the result says what would have been, marked as a dry run.
    return ImportResult(
        created=len(analysis.to_create),
        updated=len(analysis.to_update),
        unchanged=len(analysis.unchanged),
        rejected=analysis.rejected,
        dry_run=dry_run or bool(all_or_nothing and analysis.rejected),
    )
