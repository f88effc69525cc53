import io

from openpyxl import load_workbook

from llct.core.xlsx_stream import text_cell, write_xlsx_rows, write_xlsx_stream


def test_a_streamed_workbook_opens_with_its_values_and_no_formulas():
    buffer = io.BytesIO()
    rows = [
        [1, "Nguyễn Văn An", None, '=HYPERLINK("x")'],
        [2, "Trần <Thị> & Bình\x01", 3.5, "-12"],
    ]
    seen: list[int] = []
    count = write_xlsx_stream(
        buffer,
        ["STT", "Họ và tên", "Điểm", "Ghi chú"],
        rows,
        title="Danh sách",
        progress=seen.append,
    )
    assert count == 2
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book["Danh sách"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["STT", "Họ và tên", "Điểm", "Ghi chú"]
    assert values[1] == [1, "Nguyễn Văn An", None, '=HYPERLINK("x")']
    assert sheet["D2"].data_type == "s"  # text, never a live formula
    assert values[2] == [2, "Trần <Thị> & Bình", 3.5, "-12"]
    assert sheet["A1"].font.b is True


def test_rows_written_as_xml_keep_spaces_at_either_end_and_drop_forbidden_characters():
    buffer = io.BytesIO()
    rows = [f"<row>{text_cell(' lề ')}{text_cell('a&b<c>')}{text_cell('x\x01y')}</row>"]
    assert write_xlsx_rows(buffer, ["A", "B", "C"], rows) == 1
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["Sheet"]
    assert [c.value for c in sheet[2]] == [" lề ", "a&b<c>", "xy"]
