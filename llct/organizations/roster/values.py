"""Reading a roster's cells: headers, names, dates, levels and stages, in the many ways rosters
write them."""

import datetime as dt
import functools
import re
from collections.abc import Sequence
from typing import Any

from llct.core.text import clean_text, fold, name_sort_key
from llct.organizations.models import MembershipStage, Sex, TheoryLevel

# ---------------------------------------------------------------------------------------------
# Headers


# Cached: a roster repeats the same few words ("Nam", "Nữ", "Trung cấp") thousands of times.
@functools.lru_cache(maxsize=4096)
def lookup_key(value: object) -> str:
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
_HEADER_FIELDS = {
    lookup_key(text): name for name, texts in HEADER_SYNONYMS.items() for text in texts
}


def header_columns(cells: Sequence[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(cells):
        if isinstance(value, str):
            name = _HEADER_FIELDS.get(lookup_key(value))
            if name and name not in columns:
                columns[name] = index
    return columns


# ---------------------------------------------------------------------------------------------
# Values


MEMBER = "member"  # "x" in a "Đảng viên" column: a member, stage from the dates

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
    "x": MEMBER,
    "co": MEMBER,
    "dang vien": MEMBER,
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
    key = " ".join(_LEVEL_NOISE.sub(" ", lookup_key(value)).split())
    return LEVEL_WORDS.get(key)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return clean_text(value)


def cell_name(value: object) -> str:
    name = cell_text(value)
    # Many rosters write names in capitals; the rolls keep them the usual way.
    if name.isupper():
        name = " ".join(word.capitalize() for word in name.split(" "))
    return name


_DMY = re.compile(
    r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
# Two-digit years as Excel reads them: 00-29 are 2000-2029, 30-99 are 1930-1999. The preview
# shows how each such date was read (checking.Readings).
_DMY_SHORT = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_WORDY = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
_PARTIAL = re.compile(r"(?:\d{1,2}\s*[/.\-]\s*)?\d{4}")
INCOMPLETE, INVALID = "incomplete", "invalid"


def parse_date(value: object) -> tuple[dt.date | None, str | None]:
    """(date, None), (None, None) for a blank cell, or (None, INCOMPLETE | INVALID).

    The day always comes first: 05/06/1990 is the 5th of June, whatever the computer's locale."""
    if is_blank(value):
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
        elif match := _DMY_SHORT.fullmatch(text):
            year = int(match[3])
            parts = (str(year + (2000 if year < 30 else 1900)), match[2], match[1])
        elif match := _ISO.fullmatch(text):
            parts = (match[1], match[2], match[3])
        elif match := _WORDY.search(lookup_key(text)):
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
    # Earlier years are typing errors; a date of birth has its own floor (person_validate).
    if day.year < 1800:
        return None, INVALID
    return day, None


@functools.lru_cache(maxsize=16384)
def _fold_word(word: str) -> str:
    return fold(word)


def name_key(name: str) -> str:
    """fold(name) for a name already cleaned (cell_name), a word at a time: a roster repeats
    the same few hundred words, and folding each afresh was a tenth of the checking."""
    return " ".join([_fold_word(word) for word in name.split(" ")])


# The Vietnamese name order of a whole name: a roster repeats many names whole ("Nguyễn Thị Hoa").
name_order_key = functools.lru_cache(maxsize=16384)(name_sort_key)


def card_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value)
