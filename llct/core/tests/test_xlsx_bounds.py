"""Uploaded .xlsx files are bounded before any parser sees them: zip bombs (a small file that
unpacks to a huge sheet, shared-string table or part) are refused with a clear message."""

import io
import zipfile
from collections.abc import Iterable

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from llct.core.spreadsheets import (
    XLSX_TYPE,
    WorkbookRefused,
    WorkbookUnreadable,
    check_xlsx_upload,
    write_xlsx,
    xlsx_check_bounds,
)

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def bomb(sheet: Iterable[bytes], *, extra: dict[str, Iterable[bytes]] | None = None) -> bytes:
    """A workbook whose sheet XML (and any extra part) is streamed into the zip, compressed
    hard: megabytes of XML in a few kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        parts = {"xl/worksheets/sheet1.xml": sheet, **(extra or {})}
        for name, chunks in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return buffer.getvalue()


def many_cells(rows: int, columns: int = 10) -> Iterable[bytes]:
    yield f'<worksheet xmlns="{NS}"><sheetData>'.encode()
    row = b"".join(b'<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(columns))
    for _ in range(rows):
        yield b"<row>" + row + b"</row>"
    yield b"</sheetData></worksheet>"


def test_a_normal_workbook_passes():
    content = write_xlsx(["Họ và tên", "Ngày sinh"], [["Lê Văn Một", "01/01/1980"]] * 100)
    xlsx_check_bounds(io.BytesIO(content))


def test_a_sheet_unpacking_to_too_many_cells_is_refused(settings):
    settings.LLCT_XLSX_MAX_CELLS = 50_000
    content = bomb(many_cells(10_000))
    assert len(content) < 20_000
    with pytest.raises(WorkbookRefused, match="50000 cells"):
        xlsx_check_bounds(io.BytesIO(content))


def test_a_declared_dimension_past_the_limit_is_refused():
    sheet = [
        f'<worksheet xmlns="{NS}"><dimension ref="A1:XFD1048576"/><sheetData>'.encode(),
        b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>',
    ]
    with pytest.raises(WorkbookRefused, match="cells"):
        xlsx_check_bounds(io.BytesIO(bomb(sheet)))


def test_a_far_away_cell_counts_as_the_grid_readers_would_pad():
    # Two cells, but row readers would pad every row out to column XFD, down to row 200,000.
    sheet = [
        f'<worksheet xmlns="{NS}"><sheetData>'.encode(),
        b'<row r="1"><c r="A1"><v>1</v></c></row>',
        b'<row r="200000"><c r="XFD200000"><v>1</v></c></row></sheetData></worksheet>',
    ]
    with pytest.raises(WorkbookRefused, match="cells"):
        xlsx_check_bounds(io.BytesIO(bomb(sheet)))


def test_too_many_shared_strings_are_refused(settings):
    settings.LLCT_XLSX_MAX_SHARED_STRINGS = 1000

    def strings() -> Iterable[bytes]:
        yield f'<sst xmlns="{NS}">'.encode()
        for _ in range(5000):
            yield b"<si><t>x</t></si>"
        yield b"</sst>"

    content = bomb(many_cells(1), extra={"xl/sharedStrings.xml": strings()})
    with pytest.raises(WorkbookRefused, match="1000 texts"):
        xlsx_check_bounds(io.BytesIO(content))


def test_a_part_unpacking_past_the_byte_limit_is_refused(settings):
    settings.LLCT_XLSX_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    styles = (b" " * (1 << 20) for _ in range(8))
    content = bomb(many_cells(1), extra={"xl/styles.xml": styles})
    assert len(content) < 50_000
    with pytest.raises(WorkbookRefused, match="MB"):
        xlsx_check_bounds(io.BytesIO(content))


def test_a_styles_part_larger_than_any_real_one_is_refused():
    styles = (b" " * (1 << 20) for _ in range(20))
    with pytest.raises(WorkbookRefused):
        xlsx_check_bounds(io.BytesIO(bomb(many_cells(1), extra={"xl/styles.xml": styles})))


def test_a_file_that_is_not_a_zip_is_unreadable():
    with pytest.raises(WorkbookUnreadable):
        xlsx_check_bounds(io.BytesIO(b"PK\x03\x04 not a zip"))


def test_every_upload_form_check_refuses_a_bomb():
    # check_xlsx_upload serves the grade, marks and question-bank uploads, parsed in the
    # request: they keep to a smaller grid.
    upload = SimpleUploadedFile("diem.xlsx", bomb(many_cells(30_000)), content_type=XLSX_TYPE)
    with pytest.raises(forms.ValidationError, match="too large to import"):
        check_xlsx_upload(upload, max_bytes=5 * 1024 * 1024)
    assert upload.tell() == 0
