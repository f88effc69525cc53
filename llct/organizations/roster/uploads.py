"""An uploaded roster from upload to commit: its row, its file (personal data), the rejected rows
as a workbook."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from llct.core.permissions import ALL, scope_path
from llct.core.spreadsheets import write_xlsx
from llct.organizations.models import RosterImport
from llct.organizations.roster.checking import RejectedRow
from llct.organizations.roster.reader import PathOrFile, read_sheet
from llct.organizations.roster.values import cell_text

# ---------------------------------------------------------------------------------------------
# The rejected rows, back as a workbook


def _export_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        # As text, day first: what the user typed, and what the importer reads back.
        return cell_text(value)
    return value


def rejected_rows_xlsx(*, path_or_file: PathOrFile, rejected: Sequence[RejectedRow]) -> bytes:
    """The rejected rows as they are in the file (its own columns), with the row number first
    and the reason last: fixed, the file can be imported again as it is."""
    sheet = read_sheet(path_or_file)
    cells = dict(sheet.rows)
    width = max([len(sheet.headers), *(len(cells.get(r.row, ())) for r in rejected)])

    def padded(values: Sequence[Any]) -> list[Any]:
        return [_export_value(v) for v in values] + [None] * (width - len(values))

    rows = [
        [r.row, *padded(cells.get(r.row, ())), r.reason]
        for r in sorted(rejected, key=lambda r: r.row)
    ]
    return write_xlsx(["Dòng", *padded(sheet.headers), "Lý do"], rows, title="Dòng bị từ chối")


def roster_rejected_xlsx(*, roster_import: RosterImport) -> bytes:
    rejected = [
        RejectedRow(row=r["row"], name=r["name"], reason=r["reason"])
        for r in roster_import.rejected_rows
    ]
    with roster_import.file.open("rb") as file:
        return rejected_rows_xlsx(path_or_file=file, rejected=rejected)


# ---------------------------------------------------------------------------------------------
# Reads of the imports (selectors.py holds the rest; these live with the feature they serve)


def roster_import_list(*, user: Any) -> QuerySet[RosterImport]:
    """Imports into organizations within the user's scope, newest first."""
    path = scope_path(user)
    qs = RosterImport.objects.select_related("organization", "uploaded_by")
    if path is None:
        return qs.none()
    if path != ALL:
        qs = qs.filter(organization__path__startswith=path)
    return qs.order_by("-created_at", "-id")


def roster_import_get(*, user: Any, pk: int) -> RosterImport:
    """The import if it is within the user's scope; 404 otherwise."""
    try:
        return roster_import_list(user=user).get(pk=pk)
    except RosterImport.DoesNotExist:
        raise Http404 from None
