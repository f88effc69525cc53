"""Roster import: an .xlsx roster in, people on the rolls out.

Reading is forgiving: the header row may sit anywhere in the first 20 rows, headers and values are
matched without case or diacritics, and the signature block below the list is recognised.
Writing is strict: every row is checked first, then all valid rows are written in one transaction
with bulk queries, or nothing is. A rejected row is reported with its Excel row number and every
reason at once.

Matching keeps a re-import idempotent: a row is the person holding its party card number, else
the person with the same name (without case or diacritics) and date of birth in the importing
organization's subtree (or the one namesake there recorded without a date of birth, or, when the
row has none, the one namesake at all). A blank cell says nothing: it never clears what the rolls
hold, and a blank organization cell puts a new person in the importing organization but leaves
a known one where they are.
"""

import contextlib
import copy
import datetime as dt
import functools
import gc
import posixpath
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal
from xml.etree import ElementTree

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from llct.core import events
from llct.core.models import AuditEntry, audit_record
from llct.core.permissions import ALL, can_edit_rolls, scope_path
from llct.core.spreadsheets import write_xlsx
from llct.core.text import clean_text, fold
from llct.organizations.counts import people_counts_apply
from llct.organizations.models import (
    MembershipChange,
    MembershipRules,
    MembershipStage,
    Organization,
    Person,
    RosterImport,
    Sex,
    TheoryLevel,
    TheoryLevelChange,
    Transfer,
)
from llct.organizations.services import (
    PERSONAL_FIELDS,
    TRACKED_FIELDS,
    change_display,
    is_history,
    person_validate,
    stage_date,
    transfer_event,
)

Progress = Callable[[int, int], None]
PathOrFile = str | Path | IO[bytes]

HEADER_SEARCH_ROWS = 20
MAX_DATA_ROWS = 100_000
# No roster has more columns; cells beyond are ignored, so a crafted file cannot fill memory.
MAX_COLUMNS = 200
MAX_PART_BYTES = 500 * 1024 * 1024
BATCH_SIZE = 1000
PROGRESS_EVERY = 250


class RosterFileError(Exception):
    """The file cannot be imported at all (not an .xlsx, no header row...). The message is
    user-facing."""


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


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    rejected: list[RejectedRow]
    dry_run: bool = False


# ---------------------------------------------------------------------------------------------
# Headers


# Cached: a roster repeats the same few words ("Nam", "Nữ", "Trung cấp") thousands of times.
@functools.lru_cache(maxsize=4096)
def _key(value: object) -> str:
    """A header or a word as a lookup key: folded, without parentheses or punctuation."""
    text = re.sub(r"\(.*?\)", " ", fold(value))
    return " ".join(re.findall(r"[a-z0-9]+", text))


HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": ("Họ và tên", "Họ tên", "Họ, tên", "Họ và tên đảng viên"),
    "party_card_no": ("Số thẻ ĐV", "Số thẻ đảng viên", "Số thẻ", "Số thẻ Đảng"),
    "theory_level": (
        "Trình độ LLCT",
        "Lý luận chính trị",
        "LLCT",
        "Trình độ lý luận chính trị",
        "Trình độ chính trị",
    ),
    "date_of_birth": ("Ngày sinh", "Ngày, tháng, năm sinh"),
    "sex": ("Giới tính", "Nam/Nữ"),
    "position": ("Chức vụ",),
    "organization": ("Đơn vị", "Chi bộ", "Tổ chức đảng"),
    "admitted_on": ("Ngày vào Đảng", "Ngày kết nạp", "Ngày kết nạp Đảng"),
    "full_member_on": ("Ngày chính thức", "Ngày công nhận chính thức", "Ngày chuyển chính thức"),
    "stage": ("Đối tượng", "Tình trạng", "Đảng viên", "Tình trạng đảng viên"),
}
_HEADER_FIELDS = {_key(text): name for name, texts in HEADER_SYNONYMS.items() for text in texts}


def _header_columns(cells: Sequence[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(cells):
        if isinstance(value, str):
            name = _HEADER_FIELDS.get(_key(value))
            if name and name not in columns:
                columns[name] = index
    return columns


# ---------------------------------------------------------------------------------------------
# Values


_MEMBER = "member"  # "x" in a "Đảng viên" column: a member, stage from the dates

_LEVEL_NOISE = re.compile(r"\b(trinh do|ly luan chinh tri|ly luan|chinh tri|llct|hanh chinh|hc)\b")
LEVEL_WORDS: dict[str, int] = {
    "": TheoryLevel.NONE,
    "chua co": TheoryLevel.NONE,
    "chua qua dao tao": TheoryLevel.NONE,
    "chua dao tao": TheoryLevel.NONE,
    "chua": TheoryLevel.NONE,
    "khong": TheoryLevel.NONE,
    "khong co": TheoryLevel.NONE,
    "so cap": TheoryLevel.SO_CAP,
    "sc": TheoryLevel.SO_CAP,
    "trung cap": TheoryLevel.TRUNG_CAP,
    "tc": TheoryLevel.TRUNG_CAP,
    "cao cap": TheoryLevel.CAO_CAP,
    "cc": TheoryLevel.CAO_CAP,
    "cu nhan": TheoryLevel.CU_NHAN,
    "cn": TheoryLevel.CU_NHAN,
}
STAGE_WORDS: dict[str, str] = {
    "chinh thuc": MembershipStage.FULL,
    "dang vien chinh thuc": MembershipStage.FULL,
    "dv chinh thuc": MembershipStage.FULL,
    "dvct": MembershipStage.FULL,
    "du bi": MembershipStage.PROBATIONARY,
    "dang vien du bi": MembershipStage.PROBATIONARY,
    "dv du bi": MembershipStage.PROBATIONARY,
    "dvdb": MembershipStage.PROBATIONARY,
    "quan chung": MembershipStage.NON_MEMBER,
    "cam tinh dang": MembershipStage.CANDIDATE,
    "cam tinh": MembershipStage.CANDIDATE,
    "doi tuong ket nap": MembershipStage.CANDIDATE,
    "doi tuong ket nap dang": MembershipStage.CANDIDATE,
    "doi tuong dang": MembershipStage.CANDIDATE,
    "doi tuong": MembershipStage.CANDIDATE,
    "ra khoi dang": MembershipStage.LEFT,
    "da ra khoi dang": MembershipStage.LEFT,
    "chuyen sinh hoat di": MembershipStage.LEFT,
    "da chuyen sinh hoat di": MembershipStage.LEFT,
    "x": _MEMBER,
    "co": _MEMBER,
    "dang vien": _MEMBER,
}
SEX_WORDS = {
    "nam": Sex.MALE,
    "male": Sex.MALE,
    "m": Sex.MALE,
    "nu": Sex.FEMALE,
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
}


def parse_theory_level(value: object) -> int | None:
    """The level a roster means, or None when the spelling is unknown."""
    key = " ".join(_LEVEL_NOISE.sub(" ", _key(value)).split())
    return LEVEL_WORDS.get(key)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return clean_text(value)


def _name(value: object) -> str:
    name = _text(value)
    # Many rosters write names in capitals; the rolls keep them the usual way.
    if name.isupper():
        name = " ".join(word.capitalize() for word in name.split(" "))
    return name


_DMY = re.compile(
    r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_WORDY = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
_PARTIAL = re.compile(r"(?:\d{1,2}\s*[/.\-]\s*)?\d{4}")
INCOMPLETE, INVALID = "incomplete", "invalid"


def parse_date(value: object) -> tuple[dt.date | None, str | None]:
    """(date, None), (None, None) for a blank cell, or (None, INCOMPLETE | INVALID).

    The day always comes first: 05/06/1990 is the 5th of June, whatever the computer's locale."""
    if _blank(value):
        return None, None
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, bool):
        return None, INVALID
    elif isinstance(value, int | float):
        # A bare number is not a date cell: a year typed as a number, or a serial that lost
        # its date format. Guessing would be silent; the row is rejected instead.
        if float(value).is_integer() and 1000 <= value <= 9999:
            return None, INCOMPLETE
        return None, INVALID
    elif isinstance(value, str):
        text = value.strip()
        parts: tuple[str, str, str] | None = None
        if match := _DMY.fullmatch(text):
            parts = (match[3], match[2], match[1])
        elif match := _ISO.fullmatch(text):
            parts = (match[1], match[2], match[3])
        elif match := _WORDY.search(_key(text)):
            parts = (match[3], match[2], match[1])
        elif _PARTIAL.fullmatch(text):
            return None, INCOMPLETE
        else:
            return None, INVALID
        try:
            day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            return None, INVALID
    else:
        return None, INVALID
    if day.year < 1900:
        return None, INVALID
    return day, None


def _card(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value)


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
    if not _blank(name):
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
class _Sheet:
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


class _Workbook:
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
        ns = row_tag = cell_tag = value_tag = formula_tag = inline_tag = ""
        with self._open(path) as source:
            for _event, element in _xml_events(source, ("end",)):
                if not ns:
                    ns = _namespace(element.tag)
                    row_tag, cell_tag = f"{ns}row", f"{ns}c"
                    value_tag, formula_tag, inline_tag = f"{ns}v", f"{ns}f", f"{ns}is"
                if element.tag != row_tag:
                    continue
                number = int(element.get("r") or expected)
                while expected < number:
                    yield expected, []
                    expected += 1
                values: list[Any] = []
                for cell in element:
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
                    values.append(self._value(cell, value_tag, formula_tag, inline_tag, ns))
                yield number, values
                expected = number + 1
                element.clear()

    def _value(self, cell: Any, value_tag: str, formula_tag: str, inline_tag: str, ns: str) -> Any:
        kind = cell.get("t", "n")
        raw = cell.findtext(value_tag)
        # openpyxl writes a formula without a computed value as an empty <v/>.
        if raw is None or (not raw and kind != "str"):
            if kind == "inlineStr":
                item = cell.find(inline_tag)
                return _string_item(item, ns) if item is not None else None
            # A formula never computed (a file written by a program, not Excel): its text,
            # which stays plain text from here on.
            formula = cell.findtext(formula_tag)
            return f"={formula}" if formula else None
        if kind == "s":
            return self.shared_strings[int(raw)]
        if kind in ("str", "inlineStr", "e"):
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return dt.datetime.fromisoformat(raw)
        number: int | float = float(raw)
        if number.is_integer() and "." not in raw and "E" not in raw.upper():
            number = int(raw)
        if int(cell.get("s", "0")) in self.date_styles:
            return from_excel(number, self.epoch)
        return number


def _read_sheet(path_or_file: PathOrFile) -> _Sheet:
    """The first visible sheet with a header row, read down to the end of the list.

    Raises RosterFileError when the file is not a readable .xlsx or has no header row."""
    try:
        workbook = _Workbook(path_or_file)
    except RosterFileError:
        raise
    except Exception as error:
        raise RosterFileError(
            _(
                "The file cannot be read as an Excel workbook (.xlsx). Open it in Excel, save it "
                "as “Excel Workbook (.xlsx)” and upload it again."
            )
        ) from error
    try:
        for title, path in workbook.sheets:
            rows = workbook.rows(path)
            for number, cells in rows:
                if number > HEADER_SEARCH_ROWS:
                    break
                columns = _header_columns(cells)
                if "full_name" in columns and len(columns) >= 2:
                    headers = [_text(v) for v in cells]
                    body, last_row = _body(rows, columns["full_name"], start=number)
                    return _Sheet(title, number, headers, columns, body, last_row)
    except RosterFileError:
        raise
    except Exception as error:
        raise RosterFileError(
            _("The workbook is damaged and cannot be read. Save it again in Excel and retry.")
        ) from error
    finally:
        workbook.close()
    raise RosterFileError(
        _(
            "No header row was found in the first %(n)s rows. The list needs a row of column "
            "headers with at least “Họ và tên” and one more known column (for example “Ngày "
            "sinh”, “Số thẻ đảng viên”, “Trình độ LLCT”)."
        )
        % {"n": HEADER_SEARCH_ROWS}
    )


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
        if _is_column_numbers(filled) or (_blank(name) and len(filled) == 1):
            continue
        body.append((number, cells))
        if len(body) > MAX_DATA_ROWS:
            raise RosterFileError(
                _("The list has more than %(n)s rows; split it into several files.")
                % {"n": MAX_DATA_ROWS}
            )
    return body, last_row


# ---------------------------------------------------------------------------------------------
# Checking the rows


class _Organizations:
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
        key = fold(_text(value))
        if key in self.by_code:
            return self.by_code[key], None
        named = self.by_name.get(key, [])
        if len(named) == 1:
            return named[0], None
        shown = _text(value)
        if named:
            return None, _(
                "Several organizations are named “%(value)s”; write the organization's code."
            ) % {"value": shown}
        return None, _(
            "Unknown organization “%(value)s”: it must be the importing organization or one of "
            "its sub-organizations, written by code or by name."
        ) % {"value": shown}


@dataclass
class _Row:
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
        ) % {"field": _label(field_name), "value": _text(value)}
    return _("%(field)s is not a valid date: “%(value)s”; write it day first (dd/mm/yyyy).") % {
        "field": _label(field_name),
        "value": _text(value),
    }


def _read_row(
    number: int, cells: Sequence[Any], columns: dict[str, int], organizations: _Organizations
) -> _Row:
    """The values the row gives (blank cells give none), and what cannot be read."""

    width = len(cells)

    def cell(name: str) -> Any:
        index = columns.get(name, width)
        return cells[index] if index < width else None

    name = _name(cell("full_name"))
    row = _Row(number=number, name=name, values={}, key=fold(name))
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
    if not _blank(raw := cell("sex")):
        sex = SEX_WORDS.get(_key(raw))
        if sex is None:
            row.reject(_("Unknown sex: “%(value)s” (write Nam or Nữ).") % {"value": _text(raw)})
        else:
            row.values["sex"] = sex
    if not _blank(raw := cell("position")):
        position = _text(raw)
        if len(position) > MAX_LENGTHS["position"]:
            row.reject(_("The position is too long."))
        row.values["position"] = position
    if not _blank(raw := cell("organization")):
        org, problem = organizations.find(raw)
        if problem:
            row.reject(problem)
        else:
            row.values["organization"] = org
    if not _blank(raw := cell("stage")):
        stage = STAGE_WORDS.get(_key(raw))
        if stage is None:
            row.reject(_("Unknown membership stage: “%(value)s”.") % {"value": _text(raw)})
        else:
            row.values["stage"] = stage
    if not _blank(raw := cell("party_card_no")):
        card = _card(raw)
        if len(card) > MAX_LENGTHS["party_card_no"]:
            row.reject(_("The party card number is too long."))
        row.values["party_card_no"] = row.card = card
    if not _blank(raw := cell("theory_level")):
        level = parse_theory_level(raw)
        if level is None:
            row.reject(
                _(
                    "Unknown political theory level: “%(value)s” (write Sơ cấp, Trung cấp, Cao "
                    "cấp, Cử nhân, or leave blank)."
                )
                % {"value": _text(raw)}
            )
        else:
            row.values["theory_level"] = level
    return row


def _stage_for(values: dict[str, Any], person: Person, *, current: str | None) -> str:
    """The stage the row means. Without a stage cell, the dates tell: a full membership date makes
    a full member, an admission date a probationary one; otherwise the person stays as they are
    (a new person is a non-member)."""
    given = values.get("stage")
    if given and given != _MEMBER:
        return str(given)
    dated = "admitted_on" in values or "full_member_on" in values
    if given == _MEMBER or (dated and current != MembershipStage.LEFT):
        if person.full_member_on:
            return MembershipStage.FULL
        if person.admitted_on or given == _MEMBER:
            return MembershipStage.PROBATIONARY
    return current or MembershipStage.NON_MEMBER


def _validate(
    row: _Row, person: Person, *, today: dt.date, before: Person | None, cutover_on: dt.date
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
    row: _Row, organizations: _Organizations, *, today: dt.date, cutover_on: dt.date
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
    row: _Row, before: Person, *, today: dt.date, cutover_on: dt.date
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


def _cards_elsewhere(cards: Iterable[str]) -> set[str]:
    """The cards among these that someone on the rolls already holds (callers pass only cards
    held by nobody in the subtree, so any holder found is outside it)."""
    cards = sorted(cards)
    found: set[str] = set()
    for start in range(0, len(cards), BATCH_SIZE):
        batch = cards[start : start + BATCH_SIZE]
        holders = Person.objects.filter(party_card_no__in=batch)
        found.update(card for card in holders.values_list("party_card_no", flat=True) if card)
    return found


def _match(
    row: _Row,
    *,
    by_card: dict[str, Person],
    by_name: dict[str, list[Person]],
    elsewhere: set[str],
) -> None:
    card, dob = row.card, row.values.get("date_of_birth")
    if card in elsewhere:
        # Never say who: the holder is outside what this user may see.
        row.reject(_("This party card number belongs to a person of another organization."))
        return
    if card and card in by_card:
        holder = by_card[card]
        if holder.search_key != row.key and dob and holder.date_of_birth not in (None, dob):
            row.reject(
                _(
                    "This party card number belongs to another person on the rolls (the name "
                    "and the date of birth differ)."
                )
            )
            return
        row.existing = holder
        return
    namesakes = by_name.get(row.key, [])
    if dob:
        # The same date of birth, else someone recorded without one (the row completes them);
        # a namesake born on another day is someone else.
        namesakes = [p for p in namesakes if p.date_of_birth == dob] or [
            p for p in namesakes if p.date_of_birth is None
        ]
    if len(namesakes) > 1:
        row.reject(
            _(
                "Several people on the rolls have this name and date of birth; add the party "
                "card number (or the date of birth) to tell them apart."
            )
        )
    elif namesakes:
        holder = namesakes[0]
        if card and holder.party_card_no and holder.party_card_no != card:
            row.reject(
                _(
                    "A person with this name and date of birth is already on the rolls with a "
                    "different party card number."
                )
            )
        else:
            row.existing = holder


def _reject_duplicates(rows: list[_Row]) -> None:
    """Two rows for one person cannot both be right: all of them are rejected, naming each other."""
    groups: dict[tuple[str, Any], list[_Row]] = defaultdict(list)
    for row in rows:
        if row.card:
            groups["card", row.card].append(row)
        if row.existing is not None:
            groups["person", row.existing.pk].append(row)
        elif row.name and not row.card and not row.reasons:
            groups["new", (row.key, row.values.get("date_of_birth"))].append(row)
    messages = {
        "card": _("The same party card number is on rows %(rows)s."),
        "person": _("Rows %(rows)s are the same person on the rolls."),
        "new": _("Rows %(rows)s have the same name and date of birth."),
    }
    flagged: set[int] = set()
    for (kind, _value), group in groups.items():
        # Rows sharing a card also share the person they match: one reason is enough.
        if len(group) > 1 and not (kind == "person" and {r.number for r in group} <= flagged):
            numbers = ", ".join(str(r.number) for r in group)
            for row in group:
                row.reject(messages[kind] % {"rows": numbers})
                flagged.add(row.number)


def _candidates(rows: list[_Row], organizations: _Organizations) -> Iterator[Person]:
    """The people of the subtree a row could be: holders of the file's cards, namesakes born on
    the row's day, and namesakes of unknown birth (any namesake for a row without a date).
    Indexed lookups by card and by (name, birth date) pairs, a thousand rows a statement, kept
    when their organization is in the subtree; never the whole subtree, which at a province of
    a million people was two gigabytes of objects."""
    cards = sorted({r.card for r in rows if r.card})
    pairs = sorted(
        {
            (r.key, r.values["date_of_birth"])
            for r in rows
            if r.key and r.values.get("date_of_birth")
        }
    )
    names = sorted({r.key for r in rows if r.key})
    undated = {r.key for r in rows if r.key and not r.values.get("date_of_birth")}
    table = connection.ops.quote_name(Person._meta.db_table)

    def born_on(batch: list[tuple[str, dt.date]]) -> Iterable[Person]:
        values = ", ".join(["(%s, %s)"] * len(batch))
        return Person.objects.raw(
            f"WITH v(k, d) AS (VALUES {values}) SELECT p.* FROM {table} p "  # noqa: S608 (ours)
            "JOIN v ON p.search_key = v.k AND p.date_of_birth = v.d",
            [x for pair in batch for x in pair],
        )

    def without_date(batch: list[str]) -> Iterable[Person]:
        return Person.objects.filter(
            Q(search_key__in=[k for k in batch if k in undated])
            | Q(search_key__in=batch, date_of_birth__isnull=True)
        )

    seen: set[int] = set()
    batches: list[tuple[list[Any], Callable[[list[Any]], Iterable[Person]]]] = [
        (cards, lambda batch: Person.objects.filter(party_card_no__in=batch)),
        (pairs, born_on),
        (names, without_date),
    ]
    for values, query in batches:
        for start in range(0, len(values), BATCH_SIZE):
            for person in query(values[start : start + BATCH_SIZE]):
                if person.organization_id in organizations.by_id and person.pk not in seen:
                    seen.add(person.pk)
                    yield person


def _plan(
    sheet: _Sheet, *, organization: Organization, today: dt.date, progress: Progress | None
) -> RosterAnalysis:
    organizations = _Organizations(organization)
    cutover_on = MembershipRules.current().cutover_on
    total = len(sheet.rows)
    rows = [_read_row(number, cells, sheet.columns, organizations) for number, cells in sheet.rows]
    by_card: dict[str, Person] = {}
    by_name: dict[str, list[Person]] = defaultdict(list)
    for person in _candidates(rows, organizations):
        # Loaded once for the whole file: no query per row, and history shows the names.
        person.organization = organizations.by_id[person.organization_id]
        if person.party_card_no:
            by_card[person.party_card_no] = person
        by_name[person.search_key].append(person)
    elsewhere = _cards_elsewhere({r.card for r in rows if r.card} - by_card.keys())
    for done, row in enumerate(rows, start=1):
        if not row.reasons:
            _match(row, by_card=by_card, by_name=by_name, elsewhere=elsewhere)
        if not row.reasons:
            if row.existing is None:
                row.person = _new_person(row, organizations, today=today, cutover_on=cutover_on)
            else:
                row.person = _changed_person(row, row.existing, today=today, cutover_on=cutover_on)
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    if progress and not total:
        progress(0, 0)
    _reject_duplicates(rows)

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


@contextlib.contextmanager
def _bulk_work() -> Iterator[None]:
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
) -> RosterAnalysis:
    """Read and check the whole file against the rolls; write nothing.

    Raises RosterFileError when the file cannot be read or has no header row."""
    with _bulk_work():
        sheet = _read_sheet(path_or_file)
        return _plan(sheet, organization=organization, today=today, progress=progress)


# ---------------------------------------------------------------------------------------------
# Writing


def _write(
    analysis: RosterAnalysis,
    *,
    organization: Organization,
    actor: Any,
    today: dt.date,
    note: str,
    progress: Callable[[int, int], None],
) -> None:
    """The people in bulk, then the history rows and audit entries person_create and
    person_update would write one by one."""
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    now = timezone.now()
    content_type_id = ContentType.objects.get_for_model(Person).pk
    total = len(analysis.to_create) + len(analysis.to_update)
    done = 0

    created = [c.person for c in analysis.to_create]
    for person in created:
        person.created_at = person.updated_at = now
    for start in range(0, len(created), BATCH_SIZE):
        batch = created[start : start + BATCH_SIZE]
        _create(Person, batch)
        done += len(batch)
        progress(done, total)
    updated = [u.person for u in analysis.to_update]
    fields = {c["field"] for u in analysis.to_update for c in u.changes}
    for person in updated:
        person.updated_at = now
    for start in range(0, len(updated), BATCH_SIZE):
        batch = updated[start : start + BATCH_SIZE]
        _update(Person, batch, sorted(fields | {"search_key", "sort_key", "updated_at"}))
        done += len(batch)
        progress(done, total)

    cutover_on = MembershipRules.current().cutover_on

    def stage_row(person: Person) -> dict[str, Any]:
        effective_on = stage_date(person, today)
        return {
            "person_id": person.pk,
            "stage": person.stage,
            "effective_on": effective_on,
            "note": note,
            "actor_id": actor_id,
            "as_history": is_history(effective_on, cutover_on=cutover_on),
        }

    def level_row(person: Person) -> dict[str, Any]:
        return {
            "person_id": person.pk,
            "level": person.theory_level,
            "effective_on": today,
            "source": note,
            "actor_id": actor_id,
        }

    # A new person's history starts with these rows, which say who imported them and from which
    # file; the audit trail gets one entry for the whole import (below), not one per person.
    stages = [stage_row(p) for p in created]
    levels = [level_row(p) for p in created if p.theory_level != TheoryLevel.NONE]
    transfers = []
    audit = []
    for update in analysis.to_update:
        person, before = update.person, update.before
        changed = {c["field"] for c in update.changes}
        if "organization" in changed:
            transfers.append(
                {
                    "person_id": person.pk,
                    "from_organization_id": before.organization_id,
                    "to_organization_id": person.organization_id,
                    "effective_on": today,
                    "note": note,
                    "actor_id": actor_id,
                }
            )
        if "stage" in changed:
            stages.append(stage_row(person))
        if "theory_level" in changed:
            levels.append(level_row(person))
        audit.append(
            {
                "actor_id": actor_id,
                "at": now,
                "content_type_id": content_type_id,
                "object_id": person.pk,
                "action": "import",
                "summary": note,
                "changes": update.changes,
            }
        )
    _insert(MembershipChange, stages)
    _insert(TheoryLevelChange, levels)
    _insert(Transfer, transfers)
    # The tree's stored counts: bulk writes skip Person.save, which keeps them otherwise.
    moved: Counter[int] = Counter(p.organization_id for p in created)
    for update in analysis.to_update:
        if update.before.organization_id != update.person.organization_id:
            moved[update.before.organization_id] -= 1
            moved[update.person.organization_id] += 1
    people_counts_apply(moved)
    events.emit(
        transfer_event(
            person_id=u.person.pk,
            full_name=u.person.full_name,
            from_id=u.before.organization_id,
            to_id=u.person.organization_id,
            effective_on=today,
        )
        for u in analysis.to_update
        if u.before.organization_id != u.person.organization_id
    )
    # audit_record writes one row per call; the same entries, in one statement.
    _insert(AuditEntry, audit)
    audit_record(
        actor=actor,
        obj=organization,
        action="import",
        summary=(
            _("%(note)s: %(created)s added, %(updated)s updated, %(unchanged)s unchanged")
            % {
                "note": note,
                "created": len(created),
                "updated": len(updated),
                "unchanged": len(analysis.unchanged),
            }
        )[:500],
    )


# History rows and updates skip the ORM's bulk methods, measured on 20,000 rows: bulk_create
# spends more time compiling its statement (an expression and a placeholder per value) than the
# database spends running it, and bulk_update builds a CASE with one WHEN per row for every
# field, half a millisecond a row (12 s for 20,000 updates). One executemany does the same
# writes three to twenty times faster. Each value is still prepared by its field, as the ORM
# would, and columns left out get their database default. New people, whose ids the history
# rows need, go in with one INSERT ... RETURNING per thousand: bulk_create on SQLite sends 62
# rows per statement (Django's 999-parameter ceiling) and compiles each; a third of an API
# bulk insert of 10,000 people, measured.


def _connection() -> Any:
    """The default connection itself, not `django.db.connection`: that proxy looks the
    connection up again on every attribute, and preparing a value touches it several times
    (a tenth of a bulk write, measured)."""
    return connections[DEFAULT_DB_ALIAS]


# SQLite since 3.32 accepts 32,766 parameters a statement, PostgreSQL 65,535.
MAX_PARAMETERS = 32_000


def _create(model: type[Model], objs: Sequence[Model]) -> None:
    """bulk_create for new rows whose ids are needed back: sets each object's pk, in order
    (as bulk_create does on SQLite 3.35+ and PostgreSQL, from the same RETURNING)."""
    if not objs:
        return
    meta = model._meta
    pk: Any = meta.pk
    fields: list[Any] = [f for f in meta.concrete_fields if not f.primary_key]
    db = _connection()
    quote = db.ops.quote_name
    per_statement = max(1, MAX_PARAMETERS // len(fields))
    row = "({})".format(", ".join(["%s"] * len(fields)))
    for start in range(0, len(objs), per_statement):
        batch = objs[start : start + per_statement]
        sql = "INSERT INTO {} ({}) VALUES {} RETURNING {}".format(  # noqa: S608 (model names)
            quote(meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join([row] * len(batch)),
            quote(pk.column),
        )
        params = [f.get_db_prep_save(getattr(obj, f.attname), db) for obj in batch for f in fields]
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [r[0] for r in cursor.fetchall()]
        for obj, new_id in zip(batch, ids, strict=True):
            obj.pk = new_id
            obj._state.adding = False
            obj._state.db = db.alias


def _insert(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """bulk_create for rows whose ids nobody needs back; rows map field names to values."""
    if not rows:
        return
    fields: list[Any] = [model._meta.get_field(name) for name in rows[0]]
    db = _connection()
    quote = db.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model)
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    prepared = [
        [f.get_db_prep_save(value, db) for f, value in zip(fields, row.values(), strict=True)]
        for row in rows
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, prepared)


def _update(model: type[Model], objs: Sequence[Model], names: Sequence[str]) -> None:
    """bulk_update: these fields of these saved objects."""
    if not objs:
        return
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    db = _connection()
    quote = db.ops.quote_name
    pk: Any = model._meta.pk
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names from the model)
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(pk.column),
    )
    prepared = [
        [f.get_db_prep_save(getattr(obj, f.attname), db) for f in fields] + [obj.pk] for obj in objs
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, prepared)


def _may_import(actor: Any, organization: Organization) -> bool:
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
    actor: Any,
    today: dt.date,
    dry_run: bool = False,
    progress: Progress | None = None,
    all_or_nothing: bool = False,
) -> ImportResult:
    """Check every row, then write all valid rows in one transaction, or nothing.

    The rolls are read again inside the transaction, so a preview made earlier cannot let a stale
    row through. Progress counts the checking as the first half and the writing as the second.
    With `all_or_nothing`, a single rejected row means nothing is written (other systems send
    files that must land whole). Raises RosterFileError when the file cannot be read,
    PermissionDenied when the actor may not edit the organization's rolls (actor None: a command
    run by the administrator)."""
    if actor is not None and not _may_import(actor, organization):
        raise PermissionDenied
    with _bulk_work():
        sheet = _read_sheet(file)
        return _import(
            sheet,
            organization=organization,
            actor=actor,
            today=today,
            dry_run=dry_run,
            progress=progress,
            note=_note(file),
            all_or_nothing=all_or_nothing,
        )


# The fields a row given as data may carry, in the roster's own terms: each value is read as the
# roster reader reads a cell ("Trung cấp", "TC"; "05/06/1990", "1990-06-05"; an organization by
# code or name), so the API and the interchange file accept what a roster accepts.
ROW_FIELDS = (
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
)


def person_import_rows(
    *,
    rows: Sequence[Mapping[str, Any]],
    organization: Organization,
    actor: Any,
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
    sheet = _Sheet("", 0, list(ROW_FIELDS), columns, body, len(body))
    with _bulk_work():
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
    sheet: _Sheet,
    *,
    organization: Organization,
    actor: Any,
    today: dt.date,
    dry_run: bool,
    progress: Progress | None,
    note: str,
    all_or_nothing: bool,
) -> ImportResult:
    total = len(sheet.rows)

    def checking(done: int, _total: int) -> None:
        if progress:
            progress(done, 2 * total)

    def writing(done: int, writes: int) -> None:
        if progress:
            progress(total + total * done // max(writes, 1), 2 * total)

    if dry_run:
        analysis = _plan(sheet, organization=organization, today=today, progress=checking)
    else:
        with transaction.atomic():
            analysis = _plan(sheet, organization=organization, today=today, progress=checking)
            if not (all_or_nothing and analysis.rejected):
                _write(
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


# ---------------------------------------------------------------------------------------------
# The rejected rows, back as a workbook


def _export_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        # As text, day first: what the user typed, and what the importer reads back.
        return _text(value)
    return value


def rejected_rows_xlsx(*, path_or_file: PathOrFile, rejected: Sequence[RejectedRow]) -> bytes:
    """The rejected rows as they are in the file (its own columns), with the row number first
    and the reason last: fixed, the file can be imported again as it is."""
    sheet = _read_sheet(path_or_file)
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
