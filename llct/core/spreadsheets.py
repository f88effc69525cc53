"""Writing .xlsx and .csv safely: text that looks like a formula is written as text."""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from llct.core.text import clean_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet"
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_header(sheet, h) for h in headers])
    for row in rows:
        sheet.append([_text_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(sheet: Any, value: str) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def _text_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        # openpyxl would store "=..." as a formula; forcing the type to string keeps it text.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    # A BOM so that Excel opens Vietnamese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def file_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Files parsed during the request (grades, marks, question banks) stay this small so that the
# parse keeps within a couple of seconds; a form whose file goes to a task passes `max_cells`.
IN_REQUEST_MAX_CELLS = 200_000


def check_xlsx_upload(upload: Any, *, max_bytes: int, max_cells: int | None = None) -> Any:
    """The checks every .xlsx upload form makes: the name, the size, that it is really a zip (an
    .xlsx) rather than an old .xls or a renamed file, and that its content stays within the
    bounds of xlsx_check_bounds. Raises a form ValidationError."""
    if not upload.name.lower().endswith(".xlsx"):
        raise forms.ValidationError(
            _("Only Excel .xlsx files can be imported. Start from the template.")
        )
    if upload.size > max_bytes:
        raise forms.ValidationError(
            _("The file is larger than %(size)s.") % {"size": filesizeformat(max_bytes)}
        )
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04":
        raise forms.ValidationError(
            _("This file is not a real .xlsx workbook. Save it again in Excel as .xlsx.")
        )
    try:
        xlsx_check_bounds(upload, max_cells=max_cells or IN_REQUEST_MAX_CELLS)
    except WorkbookRefused as error:
        raise forms.ValidationError(str(error)) from None
    finally:
        upload.seek(0)
    return upload


# ---------------------------------------------------------------------------------------------
# Bounds on what an uploaded .xlsx may expand to, checked before any parser sees it.
#
# An .xlsx is a zip of XML parts: a few kilobytes can unzip to gigabytes of XML, a sheet can
# declare a million rows by a million columns, a cell far out (XFD1048576) makes row readers pad
# every row to that width, and a shared-string table can hold millions of entries. Parsers
# (openpyxl, the roster reader) build objects for all of that. So every part is decompressed
# once, as a stream, counting its actual bytes (the sizes the zip declares can lie), the cells,
# rows and the widest column of each sheet, and the shared strings; past any limit the file is
# refused with a message saying so. Memory stays at one chunk; time is bounded by the byte limit.

_CHUNK = 1 << 20
# Workbook, styles and relationship parts are parsed whole by every reader; none is this big in
# a real workbook.
MAX_SMALL_PART_BYTES = 16 * 1024 * 1024
MAX_PARTS = 10_000
_ROOT_PREFIX = re.compile(rb"<(\w+:)?(?:worksheet|sst)\b")
_DIMENSION = re.compile(rb'dimension\b[^>]*?\bref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
_UNIQUE_COUNT = re.compile(rb'uniqueCount="(\d+)"')
_ROW_NUMBER = re.compile(rb'r="(\d+)"')
_CELL_COLUMN = re.compile(rb'r="([A-Z]{1,3})\d')


@dataclass(frozen=True)
class XlsxCounts:
    """What the bounds check saw: cells (an upper bound) and formula tags in the sheets."""

    cells: int
    formulas: int


class WorkbookRefused(Exception):
    """The .xlsx would expand past a bound; the message is user-facing."""


class WorkbookUnreadable(WorkbookRefused):
    """Not a zip at all, or a damaged one."""


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


class _SheetCount:
    """Cells, rows and the widest column of one sheet, from its XML as it streams by."""

    def __init__(self) -> None:
        self.prefix = b""
        self.started = False
        self.cells = 0
        self.rows = 0
        self.max_row = 0
        self.max_column = 0
        self.declared = 0
        self.formulas = 0

    def feed(self, data: bytes) -> None:
        if not self.started:
            self.started = True
            if match := _ROOT_PREFIX.search(data):
                self.prefix = match[1] or b""
            if match := _DIMENSION.search(data):
                first_col, first_row, last_col, last_row = match.groups()
                if last_col and last_row:
                    self.declared = (int(last_row) - int(first_row or 1) + 1) * (
                        _column_number(last_col) - _column_number(first_col or b"A") + 1
                    )
        p = self.prefix
        # "<c" also counts the few <col> and <cfRule> tags: an upper bound, one pass.
        self.cells += data.count(b"<" + p + b"c")
        self.rows += data.count(b"<" + p + b"row")
        # "<f" also counts <filters> and the like: an upper bound again.
        self.formulas += data.count(b"<" + p + b"f")
        last_row = data.rfind(b"<" + p + b"row ")
        if last_row >= 0 and (match := _ROW_NUMBER.search(data, last_row, last_row + 200)):
            self.max_row = max(self.max_row, int(match[1]))
        # The distinct column letters of the cell references (a few dozen in any chunk).
        columns = set(_CELL_COLUMN.findall(data))
        if columns:
            self.max_column = max(self.max_column, *(_column_number(c) for c in columns))

    @property
    def area(self) -> int:
        """The cells a reader that pads rows and columns would build."""
        return max(self.max_row, self.rows) * self.max_column


def xlsx_check_bounds(
    file: str | Path | IO[bytes],
    *,
    max_cells: int | None = None,
    max_shared_strings: int | None = None,
    max_bytes: int | None = None,
) -> XlsxCounts:
    """Raise WorkbookRefused when the workbook holds, or declares, more cells, shared strings or
    uncompressed bytes than the settings allow (LLCT_XLSX_MAX_CELLS, ..._SHARED_STRINGS,
    ..._UNCOMPRESSED_BYTES), or is not a readable zip. Reads the file once, a chunk at a time."""
    scan = _Scan(
        max_cells=min(max_cells or settings.LLCT_XLSX_MAX_CELLS, settings.LLCT_XLSX_MAX_CELLS),
        max_shared_strings=max_shared_strings or settings.LLCT_XLSX_MAX_SHARED_STRINGS,
        max_bytes=max_bytes or settings.LLCT_XLSX_MAX_UNCOMPRESSED_BYTES,
    )
    if hasattr(file, "seek"):
        file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookUnreadable(
            _("This file is not a real .xlsx workbook. Save it again in Excel as .xlsx.")
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise _too_big(_("%(n)s parts") % {"n": MAX_PARTS})
        if sum(info.file_size for info in infos) > scan.max_bytes:
            raise _too_big(filesizeformat(scan.max_bytes))
        for info in infos:
            scan.read_part(archive, info)
    return XlsxCounts(cells=scan.cells, formulas=scan.formulas)


def _too_big(limit: str) -> WorkbookRefused:
    return WorkbookRefused(
        _(
            "This workbook is too large to import: once unpacked it holds more than %(limit)s. "
            "Keep only the list (one sheet, no empty formatted rows or columns), save it again "
            "in Excel, or split it into several files."
        )
        % {"limit": limit}
    )


@dataclass
class _Scan:
    """The workbook's totals so far, checked against the limits as each chunk is read."""

    max_cells: int
    max_shared_strings: int
    max_bytes: int
    total: int = 0  # uncompressed bytes
    cells: int = 0
    strings: int = 0
    declared: int = 0  # the shared strings' uniqueCount
    formulas: int = 0

    def read_part(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        name = info.filename.lower()
        sheet = _SheetCount() if name.startswith("xl/worksheets/") else None
        shared = name.endswith("sharedstrings.xml")
        small = sheet is None and not shared and name.endswith((".xml", ".rels"))
        part = 0
        carry = b""
        try:
            with archive.open(info) as source:
                while chunk := source.read(_CHUNK):
                    part += len(chunk)
                    self.total += len(chunk)
                    if self.total > self.max_bytes or (small and part > MAX_SMALL_PART_BYTES):
                        raise _too_big(filesizeformat(self.max_bytes))
                    if sheet is None and not shared:
                        continue
                    # Whole tags only: the tail after the last ">" waits for the next chunk.
                    data = carry + chunk
                    cut = data.rfind(b">") + 1
                    data, carry = data[:cut], data[cut:][-4096:]
                    if sheet is not None:
                        self._feed_sheet(sheet, data)
                    else:
                        self._feed_strings(data)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            raise WorkbookUnreadable(
                _("The workbook is damaged and cannot be read. Save it again in Excel.")
            ) from None
        if sheet is not None:
            self.cells += max(sheet.cells, sheet.area)
            self.formulas += sheet.formulas

    def _feed_sheet(self, sheet: _SheetCount, data: bytes) -> None:
        sheet.feed(data)
        if max(sheet.cells, sheet.declared, sheet.area) + self.cells > self.max_cells:
            raise _too_big(_("%(n)s cells") % {"n": self.max_cells})

    def _feed_strings(self, data: bytes) -> None:
        if not self.declared and (match := _UNIQUE_COUNT.search(data)):
            self.declared = int(match[1])
        self.strings += data.count(b"<si>") + data.count(b"<si ")
        self.strings += data.count(b":si>") + data.count(b":si ")
        if max(self.strings, self.declared) > self.max_shared_strings:
            raise _too_big(_("%(n)s texts") % {"n": self.max_shared_strings})


def cell_int(value: Any) -> int | None:
    """A whole number from a cell, whether Excel stored it as a number or as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = clean_text(value)
    return int(text) if text.isdigit() else None


def write_workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """Several sheets (title, headers, rows) in one workbook; text stays text."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([_header(sheet, h) for h in headers])
        for row in rows:
            sheet.append([_text_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_first_sheet(
    file: IO[bytes], *, max_rows: int, error: type[Exception]
) -> list[tuple[Any, ...]]:
    """Every row of the workbook's first sheet as values, for the small sheets read inside a
    request (grades, marks); `error` carries a Vietnamese reason when the file cannot be read or
    has more than `max_rows` rows."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:
        raise error(
            _("This file is not a real .xlsx workbook. Save it again in Excel as .xlsx.")
        ) from None
    try:
        rows = []
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > max_rows:
                raise error(_("The file has too many rows."))
        return rows
    finally:
        workbook.close()
