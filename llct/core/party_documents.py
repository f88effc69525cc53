"""Party documents (.docx) in the form of Hướng dẫn 36-HD/VPTW (2018), shared by every app that
issues one (the annual plan, reports, inspection conclusions).

Top left the superior body and the issuing body in upper case, a star and the number; top right
"ĐẢNG CỘNG SẢN VIỆT NAM" underlined and, in italics, the place and date; the kind of document in
bold upper case and its subject; the body (headings, paragraphs, tables, charts); "Nơi nhận:"
bottom left and the signing block bottom right (T/M ..., position, space to sign, full name).

A department may give its own .docx instead of the built-in layout: its text carries the
placeholders of PLACEHOLDERS (documented in docs/party-documents.md); `{{noi_dung}}` alone in a
paragraph is where the body goes, `{{noi_nhan}}` alone in a paragraph where the recipients go.

A party document is always in Vietnamese, whatever the interface language, so its fixed words are
written here in Vietnamese rather than translated. This module imports no other app: callers
resolve names (as on the document's date) and numbers before building.
"""

import contextlib
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
CENTER = WD_ALIGN_PARAGRAPH.CENTER

# Placeholder -> what it becomes. Kept in step with docs/party-documents.md.
PLACEHOLDERS: dict[str, str] = {
    "co_quan_cap_tren": "Tên cơ quan cấp trên (chữ in hoa), để trống nếu không có",
    "co_quan_ban_hanh": "Tên cơ quan ban hành (chữ in hoa), theo tên vào ngày của văn bản",
    "so_ky_hieu": "Số và ký hiệu, ví dụ “Số 05-BC/BTG”",
    "dia_danh_ngay": "Địa danh và ngày tháng, ví dụ “Hòa Bình Sơn, ngày 05 tháng 12 năm 2026”",
    "ten_loai": "Tên loại văn bản (chữ in hoa), ví dụ “BÁO CÁO”",
    "trich_yeu": "Trích yếu nội dung",
    "noi_dung": "Toàn bộ nội dung (đề mục, đoạn văn, bảng, biểu đồ); đặt một mình trong một đoạn",
    "noi_nhan": "Các dòng “Nơi nhận”; đặt một mình trong một đoạn",
    "tham_quyen_ky": "Thẩm quyền ký, ví dụ “T/M BAN THƯỜNG VỤ”",
    "chuc_vu": "Chức vụ người ký, ví dụ “PHÓ BÍ THƯ”",
    "nguoi_ky": "Họ và tên người ký",
}
BLOCKS = ("noi_dung", "noi_nhan")


class TemplateError(ValueError):
    """The department's .docx cannot serve as a template."""


def vietnamese_date(place: str, day: dt.date) -> str:
    """ "Hòa Bình Sơn, ngày 25 tháng 11 năm 2026". Days below 10 and months below 3 take a
    leading zero, as party documents write them."""
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day_text} tháng {month_text} năm {day.year}"
    return f"{place}, {text}" if place else text[0].upper() + text[1:]


@dataclass
class Letterhead:
    """What the top of the page says. Names are those in force on `day`."""

    superior: str
    issuer: str
    number: str  # "05-BC/BTG"; blank while the document has none yet
    kind_code: str  # "BC": a blank number shows as "Số    -BC"
    place: str
    day: dt.date
    kind_title: str  # "BÁO CÁO"
    subject: str
    draft: bool = False

    @property
    def number_text(self) -> str:
        return f"Số {self.number}" if self.number else f"Số    -{self.kind_code}"


@dataclass
class Signature:
    authority: str  # "T/M BAN THƯỜNG VỤ", "K/T TRƯỞNG BAN"
    position: str = ""  # "PHÓ BÍ THƯ"
    name: str = ""
    recipients: list[str] = field(default_factory=list)


def _format(run: Any, *, bold: bool, italic: bool, underline: bool, size: float | None) -> None:
    run.bold = bold or None
    run.italic = italic or None
    run.underline = underline or None
    run.font.name = FONT
    if size:
        run.font.size = Pt(size)


def write(
    paragraph: Any,
    text: str,
    *,
    align: Any = None,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
) -> Any:
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    _format(paragraph.add_run(text), bold=bold, italic=italic, underline=underline, size=size)
    return paragraph


def para(container: Any, text: str = "", **style: Any) -> Any:
    return write(container.add_paragraph(), text, **style)


def _replace_in_paragraph(paragraph: Any, values: dict[str, str]) -> None:
    """Word splits text into runs at will: join them, replace, keep the first run's format."""
    text = "".join(run.text for run in paragraph.runs)
    if "{{" not in text:
        return
    new = text
    for key, value in values.items():
        new = new.replace("{{" + key + "}}", value)
    if new == text:
        return
    paragraph.runs[0].text = new
    for run in paragraph.runs[1:]:
        run.text = ""


def _paragraphs(document: Any) -> list[Any]:
    """Every paragraph of the body, its tables (nested too), headers and footers."""
    found: list[Any] = []

    def walk(container: Any) -> None:
        found.extend(container.paragraphs)
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(document)
    for section in document.sections:
        for part in (section.header, section.footer):
            walk(part)
    return found


class PartyDocument:
    """Build a party document: `head`, then the body (`heading`, `paragraph`, `table`,
    `picture`), then `close`, then `to_bytes`. With `template` (the bytes of a .docx with the
    placeholders) the head and the close fill placeholders and the body goes where
    `{{noi_dung}}` stands."""

    def __init__(self, template: bytes | None = None) -> None:
        self.templated = template is not None
        self.values: dict[str, str] = {}
        self.recipients: list[str] = []
        if template is not None:
            try:
                self.document = Document(io.BytesIO(template))
            except Exception as error:  # python-docx raises several kinds for a bad file
                raise TemplateError("Tệp không phải là văn bản .docx hợp lệ.") from error
            texts = "\n".join(p.text for p in _paragraphs(self.document))
            if "{{noi_dung}}" not in texts:
                raise TemplateError("Mẫu văn bản phải có chỗ đặt nội dung {{noi_dung}}.")
            self._start = len(self.document.element.body)
            return
        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        normal = self.document.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(14)

    # --- the head ---------------------------------------------------------------------------

    def head(self, letterhead: Letterhead) -> None:
        self.values.update(
            {
                "co_quan_cap_tren": letterhead.superior.upper(),
                "co_quan_ban_hanh": letterhead.issuer.upper(),
                "so_ky_hieu": letterhead.number_text,
                "dia_danh_ngay": vietnamese_date(letterhead.place, letterhead.day),
                "ten_loai": letterhead.kind_title.upper(),
                "trich_yeu": letterhead.subject,
            }
        )
        if self.templated:
            return
        document = self.document
        table = document.add_table(rows=1, cols=2)
        table.autofit = False
        left, right = table.rows[0].cells
        left.width, right.width = Cm(7.5), Cm(9)
        first = left.paragraphs[0]
        if letterhead.superior:
            write(first, letterhead.superior.upper(), align=CENTER, size=14)
            para(left, letterhead.issuer.upper(), align=CENTER, bold=True, size=14)
        else:
            write(first, letterhead.issuer.upper(), align=CENTER, bold=True, size=14)
        para(left, "*", align=CENTER, size=14)
        para(left, letterhead.number_text, align=CENTER)
        write(
            right.paragraphs[0], "ĐẢNG CỘNG SẢN VIỆT NAM", align=CENTER, bold=True, underline=True
        )
        para(right, "", align=CENTER)
        para(right, vietnamese_date(letterhead.place, letterhead.day), align=CENTER, italic=True)
        document.add_paragraph()
        if letterhead.draft:
            para(document, "DỰ THẢO", align=CENTER, bold=True, italic=True)
        para(document, letterhead.kind_title.upper(), align=CENTER, bold=True, size=15)
        para(document, letterhead.subject, align=CENTER, bold=True)
        para(document, "-----", align=CENTER)
        document.add_paragraph()

    # --- the body ---------------------------------------------------------------------------

    def heading(self, text: str) -> None:
        paragraph = para(self.document, text, bold=True)
        paragraph.paragraph_format.first_line_indent = Cm(1)
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.space_after = Pt(6)

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False) -> Any:
        """A paragraph of the body: justified, the first line indented, as party documents are."""
        paragraph = para(
            self.document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, bold=bold, italic=italic
        )
        paragraph.paragraph_format.first_line_indent = Cm(1)
        paragraph.paragraph_format.space_after = Pt(6)
        return paragraph

    def text(self, text: str) -> None:
        """Several paragraphs, one per non-blank line."""
        for line in text.splitlines():
            if line.strip():
                self.paragraph(line.strip())

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        numeric: Sequence[int] = (),
        bold_last: bool = False,
        size: float = 12,
    ) -> Any:
        document = self.document
        table = document.add_table(rows=1, cols=len(headers))
        # A department's template may lack the style: a plain table still reads.
        with contextlib.suppress(KeyError):
            table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, header in enumerate(headers):
            write(table.rows[0].cells[i].paragraphs[0], header, bold=True, align=CENTER, size=size)
        right = WD_ALIGN_PARAGRAPH.RIGHT
        for n, row in enumerate(rows):
            cells = table.add_row().cells
            last = bold_last and n == len(rows) - 1
            for i, value in enumerate(row):
                align = right if i in numeric else None
                write(cells[i].paragraphs[0], value, bold=last, align=align, size=size)
        for table_row in table.rows:
            for i, width in enumerate(widths):
                table_row.cells[i].width = Cm(width)
        document.add_paragraph()
        return table

    def picture(self, png: bytes, *, width_cm: float = 15.5, caption: str = "") -> None:
        self.document.add_picture(io.BytesIO(png), width=Cm(width_cm))
        self.document.paragraphs[-1].alignment = CENTER
        if caption:
            para(self.document, caption, align=CENTER, italic=True, size=12)

    # --- the close --------------------------------------------------------------------------

    def close(self, signature: Signature) -> None:
        self.recipients = list(signature.recipients)
        self.values.update(
            {
                "tham_quyen_ky": signature.authority.upper(),
                "chuc_vu": signature.position.upper(),
                "nguoi_ky": signature.name,
            }
        )
        if self.templated:
            return
        document = self.document
        document.add_paragraph()
        table = document.add_table(rows=1, cols=2)
        table.autofit = False
        left, right = table.rows[0].cells
        left.width, right.width = Cm(8), Cm(8.5)
        write(left.paragraphs[0], "Nơi nhận:", bold=True, italic=True, underline=True, size=12)
        for line in signature.recipients:
            para(left, line, size=11)
        write(right.paragraphs[0], signature.authority.upper(), align=CENTER, bold=True)
        if signature.position:
            para(right, signature.position.upper(), align=CENTER, bold=True)
        for _blank in range(3):
            para(right, "", align=CENTER)
        para(right, signature.name, align=CENTER, bold=True)

    # --- out --------------------------------------------------------------------------------

    def _fill_template(self) -> None:
        body = self.document.element.body
        added = [el for el in list(body)[self._start :] if not el.tag.endswith("sectPr")]
        paragraphs = _paragraphs(self.document)
        for paragraph in paragraphs:
            text = paragraph.text.strip()
            if text == "{{noi_dung}}":
                for element in added:
                    paragraph._p.addprevious(element)
                paragraph._p.getparent().remove(paragraph._p)
            elif text == "{{noi_nhan}}":
                for line in self.recipients:
                    clone = paragraph.insert_paragraph_before("")
                    clone.style = paragraph.style
                    write(clone, line, size=11)
                paragraph._p.getparent().remove(paragraph._p)
        values = {**self.values, "noi_nhan": "\n".join(self.recipients)}
        for paragraph in _paragraphs(self.document):
            _replace_in_paragraph(paragraph, values)

    def to_bytes(self) -> bytes:
        if self.templated:
            self._fill_template()
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def check_template(data: bytes) -> list[str]:
    """The placeholders a department's .docx uses; TemplateError when it cannot serve."""
    document = PartyDocument(template=data).document
    text = "\n".join(p.text for p in _paragraphs(document))
    return [key for key in PLACEHOLDERS if "{{" + key + "}}" in text]
