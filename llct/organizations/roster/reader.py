"""Reading the .xlsx: the one sheet with a header row, down to the end of the list."""

import datetime as dt
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, cast
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from llct.core.spreadsheets import WorkbookRefused, WorkbookUnreadable, xlsx_check_bounds
from llct.core.text import fold
from llct.organizations.roster.values import cell_text, header_columns, is_blank

PathOrFile = str | Path | IO[bytes]

HEADER_SEARCH_ROWS = 20
MAX_DATA_ROWS = 100_000
# No roster has more columns; cells beyond are ignored, so a crafted file cannot fill memory.
MAX_COLUMNS = 200
MAX_PART_BYTES = 500 * 1024 * 1024


class RosterFileError(Exception):
    """The file cannot be imported at all (not an .xlsx, no header row...). The message is
    user-facing."""


# ---------------------------------------------------------------------------------------------
# Reading the sheet

_FOOTER_NAME = re.compile(
    r"(người lập( biểu| danh sách)?|t/m\b.*|tm\..*|k/t\b.*|(phó )?bí thư\b.*|xác nhận\b.*"
    r"|nơi nhận\b.*|ký tên\b.*|\(?ký,? ghi rõ họ(,| và)? tên\)?|đóng dấu\b.*"
    r"|tổng( cộng| số)\b.*|cộng\s*:.*)"
)
_FOOTER_CELL = re.compile(
    r"(nguoi lap|t\s*/\s*m\b|k\s*/\s*t\b|tm\.|(pho )?bi thu\b|xac nhan\b|noi nhan\b|ky ten\b"
    r"|\(?ky,? ghi ro|dong dau\b|tong cong\b|tong so\b|cong\s*:)"
)
# On lower-case text, with or without diacritics.
_DATE_LINE = re.compile(r"\bng[àa]y\b[\s\d./…_-]*\bth[áa]ng\b[\s\d./…_-]*\bn[ăa]m\b")
_LOOKS_LIKE_DATA = re.compile(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}|^\d+$")
_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?")


def _is_footer(name: object, filled: list[Any]) -> bool:
    """The signature block ("Người lập biểu", "T/M CHI ỦY", "Hà Nội, ngày ... tháng ... năm"):
    the end of the list, so the signers' names below it are not taken for people."""
    if not is_blank(name):
        if not isinstance(name, str):
            return False
        # Not clean_text: this runs on every row, and only NFC and single spaces matter here.
        text = " ".join(unicodedata.normalize("NFC", name).lower().split())
        return bool(_FOOTER_NAME.fullmatch(text) or _DATE_LINE.search(text))
    texts = [fold(v) for v in filled if isinstance(v, str)]
    if len(texts) != len(filled):
        return False
    footer = [t for t in texts if _FOOTER_CELL.match(t) or _DATE_LINE.search(t)]
    return bool(footer) and all(t in footer or not _LOOKS_LIKE_DATA.search(t) for t in texts)


def _is_column_numbers(filled: list[Any]) -> bool:
    """The row of column numbers, "(1) (2) (3)...", that official forms put under the header."""
    return len(filled) >= 3 and all(
        (isinstance(v, int) and not isinstance(v, bool) and v < 100)
        or (isinstance(v, str) and _COLUMN_NUMBER.fullmatch(v.strip()))
        for v in filled
    )


@dataclass
class Sheet:
    title: str
    header_row: int
    headers: list[str]
    columns: dict[str, int]
    rows: list[tuple[int, Sequence[Any]]]
    last_row: int


# An .xlsx is a zip of XML parts. openpyxl reads them faithfully but builds objects for every
# cell, which took half of an import's time; this reader streams the one sheet it needs and keeps
# plain values, two to three times faster (measured on 20,000 rows). It also sees a formula and
# its computed value at once, which openpyxl gives only in two separate readings. openpyxl still
# decides which number formats are dates.
_PACKAGE_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


# The standard library's parser is safe here: with expat 2.4.1 or later (Python 3.13 ships
# 2.6) entity expansion attacks are refused, and ElementTree never fetches external entities or
# DTDs. What remains, decompression bombs, is bounded by MAX_PART_BYTES and MAX_COLUMNS.
def _xml(data: bytes) -> Any:
    return ElementTree.fromstring(data)  # noqa: S314


def _xml_events(
    source: IO[bytes], events: tuple[Literal["start", "end"], ...]
) -> Iterator[tuple[str, Any]]:
    return ElementTree.iterparse(source, events=events)  # noqa: S314


def _namespace(tag: str) -> str:
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _part_path(base: str, target: str) -> str:
    """A relationship target as a path in the archive: absolute ("/xl/...") or relative to the
    folder of the part that points to it."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _string_item(item: Any, ns: str) -> str:
    """The text of a shared or inline string: plain (<t>) or rich (<r><t>), never the phonetic
    guide (<rPh>)."""
    plain = item.find(f"{ns}t")
    if plain is not None:
        return plain.text or ""
    return "".join(t.text or "" for t in item.iterfind(f"{ns}r/{ns}t"))


class Workbook:
    def __init__(self, path_or_file: PathOrFile) -> None:
        if hasattr(path_or_file, "seek"):
            path_or_file.seek(0)
        self.archive = zipfile.ZipFile(path_or_file)
        try:
            self._read_workbook()
        except BaseException:
            self.archive.close()
            raise

    def _read_workbook(self) -> None:
        package = self._relationships("")
        self.path = next(
            (path for kind, path in package.values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        root = _xml(self._read(self.path))
        ns = _namespace(root.tag)
        properties = root.find(f"{ns}workbookPr")
        self.epoch = (
            CALENDAR_MAC_1904
            if properties is not None and properties.get("date1904") in ("1", "true")
            else CALENDAR_WINDOWS_1900
        )
        rels = self._relationships(self.path)
        self.sheets: list[tuple[str, str]] = []
        for sheet in root.iterfind(f"{ns}sheets/{ns}sheet"):
            # r:id, in whichever namespace (transitional or strict) the file uses.
            rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
            kind, path = rels.get(rel_id, ("", ""))
            if kind.endswith("/worksheet") and sheet.get("state", "visible") == "visible":
                self.sheets.append((sheet.get("name", ""), path))
        self.shared_strings: list[str] = []
        self.date_styles: set[int] = set()
        for kind, path in rels.values():
            if kind.endswith("/sharedStrings"):
                self.shared_strings = self._read_shared_strings(path)
            elif kind.endswith("/styles"):
                self.date_styles = self._read_date_styles(path)

    def close(self) -> None:
        self.archive.close()

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Id -> (type, path in the archive) of the relationships of a part."""
        name = posixpath.basename(part) + ".rels"
        rels = posixpath.join(posixpath.dirname(part), "_rels", name)
        if rels not in self.archive.namelist():
            return {}
        root = _xml(self._read(rels))
        return {
            rel.get("Id", ""): (rel.get("Type", ""), _part_path(part, rel.get("Target", "")))
            for rel in root.iter(f"{_PACKAGE_RELS_NS}Relationship")
        }

    def _read(self, path: str) -> bytes:
        self._check_size(path)
        return self.archive.read(path)

    def _open(self, path: str) -> IO[bytes]:
        self._check_size(path)
        return self.archive.open(path)

    def _check_size(self, path: str) -> None:
        if self.archive.getinfo(path).file_size > MAX_PART_BYTES:
            raise RosterFileError(
                _("The workbook is too large to import; split the roster into several files.")
            )

    def _read_shared_strings(self, path: str) -> list[str]:
        strings = []
        with self._open(path) as source:
            ns = ""
            for event, element in _xml_events(source, ("start", "end")):
                if event == "start":
                    ns = ns or _namespace(element.tag)
                elif element.tag == f"{ns}si":
                    strings.append(_string_item(element, ns))
                    element.clear()
        return strings

    def _read_date_styles(self, path: str) -> set[int]:
        root = _xml(self._read(path))
        ns = _namespace(root.tag)
        formats = dict(BUILTIN_FORMATS)
        for fmt in root.iterfind(f"{ns}numFmts/{ns}numFmt"):
            formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
        return {
            index
            for index, xf in enumerate(root.iterfind(f"{ns}cellXfs/{ns}xf"))
            if is_date_format(formats.get(int(xf.get("numFmtId", "0")), ""))
        }

    def rows(self, path: str) -> Iterator[tuple[int, list[Any]]]:
        """(Excel row number, values) for every row down to the last, blank ones included."""
        expected = 1
        tags: _Tags | None = None
        with self._open(path) as source:
            for _event, element in _xml_events(source, ("end",)):
                if tags is None:
                    tags = _Tags.of(_namespace(element.tag))
                if element.tag != tags.row:
                    continue
                number = int(element.get("r") or expected)
                while expected < number:
                    yield expected, []
                    expected += 1
                yield number, self._row_values(element, tags)
                expected = number + 1
                element.clear()

    def _row_values(self, row: Any, tags: "_Tags") -> list[Any]:
        cell_tag = tags.cell
        values: list[Any] = []
        for cell in row:
            if cell.tag != cell_tag:
                continue
            column = len(values)
            if ref := cell.get("r"):
                column = -1
                for char in ref:
                    if char <= "9":
                        break
                    column = (column + 1) * 26 + ord(char) - 65
            if column >= MAX_COLUMNS:
                break
            if column > len(values):
                values.extend([None] * (column - len(values)))
            values.append(self._value(cell, tags))
        return values

    def _value(self, cell: Any, tags: "_Tags") -> Any:
        kind = cell.get("t", "n")
        raw = cell.findtext(tags.value)
        # openpyxl writes a formula without a computed value as an empty <v/>.
        if raw is None or (not raw and kind != "str"):
            return _value_not_stored(cell, kind, tags)
        if kind == "s":
            return self.shared_strings[int(raw)]
        if kind in ("str", "inlineStr", "e"):
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return dt.datetime.fromisoformat(raw)
        return self._number(cell, raw)

    def _number(self, cell: Any, raw: str) -> Any:
        number: int | float = float(raw)
        if number.is_integer() and "." not in raw and "E" not in raw.upper():
            number = int(raw)
        if int(cell.get("s", "0")) in self.date_styles:
            return from_excel(number, self.epoch)
        return number


@dataclass(frozen=True, slots=True)
class _Tags:
    """A sheet's element names, in the namespace the file uses."""

    ns: str
    row: str
    cell: str
    value: str
    formula: str
    inline: str

    @classmethod
    def of(cls, ns: str) -> "_Tags":
        return cls(ns, f"{ns}row", f"{ns}c", f"{ns}v", f"{ns}f", f"{ns}is")


def _value_not_stored(cell: Any, kind: str, tags: _Tags) -> Any:
    """The value of a cell without a stored one: an inline string, or a formula never computed
    (a file written by a program, not Excel), whose text stays plain text from here on."""
    if kind == "inlineStr":
        item = cell.find(tags.inline)
        return _string_item(item, tags.ns) if item is not None else None
    formula = cell.findtext(tags.formula)
    return f"={formula}" if formula else None


def read_sheet(path_or_file: PathOrFile) -> Sheet:
    """The first visible sheet with a header row, read down to the end of the list.

    Raises RosterFileError when the file is not a readable .xlsx, would expand past the bounds
    of xlsx_check_bounds, or has no header row."""
    unreadable = _(
        "The file cannot be read as an Excel workbook (.xlsx). Open it in Excel, save it as "
        "“Excel Workbook (.xlsx)” and upload it again."
    )
    try:
        counts = xlsx_check_bounds(path_or_file)
        if not counts.formulas:
            return _read_sheet_calamine(path_or_file)
        workbook = Workbook(path_or_file)
    except WorkbookUnreadable:
        raise RosterFileError(unreadable) from None
    except WorkbookRefused as error:
        raise RosterFileError(str(error)) from None
    except RosterFileError:
        raise
    except Exception as error:
        raise RosterFileError(unreadable) from error
    try:
        for title, path in workbook.sheets:
            if sheet := _sheet_with_header(title, workbook.rows(path)):
                return sheet
    except RosterFileError:
        raise
    except Exception as error:
        raise RosterFileError(
            _("The workbook is damaged and cannot be read. Save it again in Excel and retry.")
        ) from error
    finally:
        workbook.close()
    raise RosterFileError(_no_header())


def _sheet_with_header(title: str, rows: Iterator[tuple[int, list[Any]]]) -> Sheet | None:
    """The sheet read down to the end of the list, when a header row is among its first rows."""
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        columns = header_columns(cells)
        if "full_name" in columns and len(columns) >= 2:
            headers = [cell_text(v) for v in cells]
            body, last_row = _body(rows, columns["full_name"], start=number)
            return Sheet(title, number, headers, columns, body, last_row)
    return None


def _read_sheet_calamine(path_or_file: PathOrFile) -> Sheet:
    """read_sheet through calamine (Rust): three to five times faster than Workbook on 10,000
    and 100,000 rows (bench/RESULTS.md, "roster-reader"). Used for sheets without formulas:
    calamine gives a formula that was never computed as an empty cell, where Workbook keeps its
    text, so a sheet holding formulas goes through Workbook."""
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
        workbook = CalamineWorkbook.from_filelike(cast(Any, path_or_file))
    else:
        workbook = CalamineWorkbook.from_path(str(path_or_file))
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            rows = _calamine_rows(workbook.get_sheet_by_name(meta.name))
            if sheet := _sheet_with_header(meta.name, rows):
                return sheet
    finally:
        workbook.close()
    raise RosterFileError(_no_header())


def _calamine_rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, values) as Workbook.rows gives them: blank cells None, whole numbers
    int (calamine gives every number as a float)."""
    first = 1
    if sheet.start is not None and sheet.height != sheet.end[0] + 1:
        first += sheet.start[0]
    for number, values in enumerate(sheet.iter_rows(), start=first):
        yield (
            number,
            [
                None if v == "" else (int(v) if type(v) is float and v.is_integer() else v)
                for v in values[:MAX_COLUMNS]
            ],
        )


def _no_header() -> str:
    return _(
        "No header row was found in the first %(n)s rows. The list needs a row of column "
        "headers with at least “Họ và tên” and one more known column (for example “Ngày "
        "sinh”, “Số thẻ đảng viên”, “Trình độ LLCT”)."
    ) % {"n": HEADER_SEARCH_ROWS}


def _body(
    rows: Iterator[tuple[int, Sequence[Any]]], name_column: int, *, start: int
) -> tuple[list[tuple[int, Sequence[Any]]], int]:
    """The rows of people: from below the header to the signature block or two blank rows.
    Single blank rows, group titles (one cell outside the name column) and the row of column
    numbers are skipped."""
    body: list[tuple[int, Sequence[Any]]] = []
    blank_run = 0
    last_row = start
    for number, cells in rows:
        filled = [v for v in cells if v is not None and (type(v) is not str or v.strip())]
        if not filled:
            if body:
                blank_run += 1
                if blank_run >= 2:
                    break
            continue
        blank_run = 0
        name = cells[name_column] if name_column < len(cells) else None
        if _is_footer(name, filled):
            break
        last_row = number
        if _is_column_numbers(filled) or (is_blank(name) and len(filled) == 1):
            continue
        body.append((number, cells))
        if len(body) > MAX_DATA_ROWS:
            raise RosterFileError(
                _("The list has more than %(n)s rows; split it into several files.")
                % {"n": MAX_DATA_ROWS}
            )
    return body, last_row
