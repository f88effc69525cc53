"""Roster workbooks built in memory, shaped like the ones organizations send: title rows and
merged cells above the header, a signature block below the list. No tests here."""

import datetime as dt
import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from llct.core.spreadsheets import XLSX_TYPE

HEADER = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Chức vụ",
    "Đơn vị",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số thẻ ĐV",
    "Trình độ LLCT",
]
# With the title rows, the header is row 4 and the first person row 5.
FIRST_ROW = 5


def person_row(
    name: str,
    *,
    born: Any = None,
    sex: str = "Nam",
    position: str = "",
    unit: str = "",
    admitted: Any = None,
    full: Any = None,
    card: str = "",
    level: str = "",
    number: int | None = None,
) -> list[Any]:
    return [number, name, born, sex, position, unit, admitted, full, card, level]


def roster_xlsx(
    rows: list[list[Any]],
    *,
    header: list[str] | None = None,
    title: bool = True,
    footer: bool = True,
    text_cells: tuple[tuple[int, int], ...] = (),
) -> bytes:
    """A roster as an organization would send it. text_cells: (row, column) positions, 1-based
    in the data rows, whose text starting with "=" is text, not a formula."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Danh sách"
    if title:
        sheet.append(["ĐẢNG BỘ TỈNH THỬ NGHIỆM", None, None, None, None, None, "ĐẢNG CỘNG SẢN"])
        sheet.merge_cells("A1:E1")
        sheet.append(["DANH SÁCH ĐẢNG VIÊN NĂM 2026"])
        sheet.merge_cells("A2:J2")
        sheet.append([])
    sheet.append(header or HEADER)
    first = sheet.max_row + 1
    for row in rows:
        sheet.append(row)
    for row_index, column in text_cells:
        cell = sheet.cell(first + row_index - 1, column)
        cell.data_type = "s"
    if footer:
        sheet.append([])
        sheet.append([None] * 6 + ["Hà Nội, ngày 25 tháng 11 năm 2026"])
        sheet.append([None, "Người lập biểu", None, None, None, None, "T/M CHI ỦY"])
        sheet.append([None] * 6 + ["BÍ THƯ"])
        sheet.append([])
        sheet.append([None, "Trần Văn Lập", None, None, None, None, "Lê Thị Bí Thư"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "danh-sach.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_TYPE)


def excel_like_xlsx() -> bytes:
    """What Excel itself writes, unlike openpyxl: shared strings (one of them rich text), a
    built-in date format, a formula with its computed value, and prefixed XML names."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    strings = [
        "Họ và tên",
        "Ngày sinh",
        "Trình độ LLCT",
        "Nguyễn Văn Excel",
        "Trung cấp",
        "Số thẻ",
    ]
    sst = "".join(f"<x:si><x:t>{s}</x:t></x:si>" for s in strings)
    # Rich text: "Lê Thị " in bold, "Giàu" plain, with a phonetic guide to be ignored.
    sst += (
        "<x:si><x:r><x:rPr><x:b/></x:rPr><x:t xml:space='preserve'>Lê Thị </x:t></x:r>"
        "<x:r><x:t>Giàu</x:t></x:r><x:rPh sb='0' eb='1'><x:t>ignored</x:t></x:rPh></x:si>"
        "<x:si><x:t>Ngày vào Đảng</x:t></x:si>"
    )
    born = (dt.date(1985, 3, 14) - dt.date(1899, 12, 30)).days
    sheet = (
        f"<x:worksheet xmlns:x='{ns}'><x:dimension ref='A1:E3'/><x:sheetData>"
        "<x:row r='2'><x:c r='A2' t='s'><x:v>0</x:v></x:c><x:c r='B2' t='s'><x:v>1</x:v></x:c>"
        "<x:c r='C2' t='s'><x:v>2</x:v></x:c><x:c r='D2' t='s'><x:v>5</x:v></x:c>"
        "<x:c r='E2' t='s'><x:v>7</x:v></x:c></x:row>"
        f"<x:row r='3'><x:c r='A3' t='s'><x:v>3</x:v></x:c><x:c r='B3' s='1'><x:v>{born}</x:v>"
        "</x:c><x:c r='C3' t='str'><x:f>B9</x:f><x:v>Trung cấp</x:v></x:c>"
        f"<x:c r='D3'><x:v>12345678</x:v></x:c><x:c r='E3' s='1'><x:v>{born + 9000}</x:v></x:c>"
        "</x:row>"
        f"<x:row r='4'><x:c r='A4' t='s'><x:v>6</x:v></x:c><x:c r='B4' s='1'><x:v>{born + 1}"
        "</x:v></x:c><x:c r='C4' t='s'><x:v>4</x:v></x:c></x:row>"
        "</x:sheetData></x:worksheet>"
    )
    files = {
        "[Content_Types].xml": "<Types xmlns='http://schemas.openxmlformats.org/package/2006/"
        "content-types'/>",
        "_rels/.rels": (
            "<Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'>"
            f"<Relationship Id='rId1' Type='{rel}/officeDocument' Target='xl/workbook.xml'/>"
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f"<workbook xmlns='{ns}' xmlns:r='{rel}'><sheets>"
            "<sheet name='Hướng dẫn' sheetId='1' r:id='rId9' state='hidden'/>"
            "<sheet name='DS' sheetId='2' r:id='rId1'/></sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            "<Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'>"
            f"<Relationship Id='rId1' Type='{rel}/worksheet' Target='worksheets/sheet1.xml'/>"
            f"<Relationship Id='rId9' Type='{rel}/worksheet' Target='worksheets/sheet9.xml'/>"
            f"<Relationship Id='rId2' Type='{rel}/sharedStrings' Target='sharedStrings.xml'/>"
            f"<Relationship Id='rId3' Type='{rel}/styles' Target='/xl/styles.xml'/>"
            "</Relationships>"
        ),
        "xl/sharedStrings.xml": f"<x:sst xmlns:x='{ns}'>{sst}</x:sst>",
        "xl/styles.xml": (
            f"<styleSheet xmlns='{ns}'><cellXfs count='2'><xf numFmtId='0'/><xf numFmtId='14'/>"
            "</cellXfs></styleSheet>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/worksheets/sheet9.xml": f"<worksheet xmlns='{ns}'><sheetData/></worksheet>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode())
    return buffer.getvalue()
