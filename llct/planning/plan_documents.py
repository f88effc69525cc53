"""The annual plan as files: a .docx in the form of a party document (the form leaders sign and
send out) and an .xlsx with the planned courses and the budget, for working with the figures.

A party document is always in Vietnamese, whatever the interface language, so its fixed words
are written here in Vietnamese rather than translated.
"""

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from llct.core.spreadsheets import FORMULA_PREFIXES
from llct.planning import plans
from llct.planning.models import AnnualPlan, BudgetLine, FacilityNeed, PlannedCourse

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

KIND_NAMES: dict[str, str] = {
    BudgetLine.Kind.LECTURER_FEES: "Thù lao giảng viên",
    BudgetLine.Kind.MATERIALS: "Tài liệu",
    BudgetLine.Kind.VENUE: "Hội trường",
    BudgetLine.Kind.OTHER: "Chi khác",
}
FACILITY_NAMES: dict[str, str] = {
    FacilityNeed.Kind.HALL: "Hội trường, phòng học",
    FacilityNeed.Kind.ONLINE: "Phòng họp trực tuyến",
    FacilityNeed.Kind.EQUIPMENT: "Trang thiết bị",
}
FONT = "Times New Roman"


def vietnamese_date(place: str, day: dt.date) -> str:
    """ "Hòa Bình Sơn, ngày 25 tháng 11 năm 2026". Days below 10 and months below 3 take a
    leading zero, as party documents write them."""
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day_text} tháng {month_text} năm {day.year}"
    return f"{place}, {text}" if place else text[0].upper() + text[1:]


def money(amount: Decimal | int) -> str:
    """1.500.000 (the tables say "đồng" in their headers)."""
    return plans.vnd(amount).removesuffix(" đ")


@dataclass
class PlanData:
    plan: AnnualPlan
    courses: list[PlannedCourse]
    lines: list[BudgetLine]
    needs: list[FacilityNeed]
    totals: plans.Totals
    day: dt.date
    parent_name: str
    issuer_name: str
    signer: str


def plan_data(*, plan: AnnualPlan, on: dt.date | None = None) -> PlanData:
    courses = list(plans.planned_courses(plan=plan))
    lines = plans.budget_lines(plan=plan)
    needs = list(plan.facility_needs.order_by("id"))
    approval = plans.plan_approval(plan=plan)
    day = on or plans.document_date(plan)
    parent_name, issuer_name = plans.names_on(plan.issuer, day)
    signer = ""
    if approval is not None and approval.decided_by is not None:
        signer = approval.decided_by.display_name
    return PlanData(
        plan,
        courses,
        lines,
        needs,
        plans.plan_totals(lines, needs),
        day,
        parent_name,
        issuer_name,
        signer,
    )


def by_programme(courses: Sequence[PlannedCourse]) -> list[tuple[str, list[PlannedCourse]]]:
    """Planned courses grouped by programme, the programmes in the order of their first course."""
    groups: dict[int, tuple[str, list[PlannedCourse]]] = {}
    for pc in courses:
        groups.setdefault(pc.programme_id, (pc.programme.name, []))[1].append(pc)
    return list(groups.values())


# ---------------------------------------------------------------------------------------------
# .docx


def _format(run: Any, *, bold: bool, italic: bool, underline: bool, size: float | None) -> None:
    run.bold = bold or None
    run.italic = italic or None
    run.underline = underline or None
    run.font.name = FONT
    if size:
        run.font.size = Pt(size)


def _write(
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


def _para(container: Any, text: str = "", **style: Any) -> Any:
    return _write(container.add_paragraph(), text, **style)


def _body(document: Any, text: str, *, bold: bool = False) -> Any:
    """A paragraph of the body: justified, the first line indented, as party documents are."""
    paragraph = _para(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, bold=bold)
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_after = Pt(6)
    return paragraph


def _cell(cell: Any, text: str, *, bold: bool = False, align: Any = None, size: float = 12) -> None:
    _write(cell.paragraphs[0], text, bold=bold, align=align, size=size)


def _table(
    document: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widths: Sequence[float],
    numeric: Sequence[int] = (),
    bold_last: bool = False,
) -> Any:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, header in enumerate(headers):
        _cell(table.rows[0].cells[i], header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for n, row in enumerate(rows):
        cells = table.add_row().cells
        last = bold_last and n == len(rows) - 1
        for i, value in enumerate(row):
            align = WD_ALIGN_PARAGRAPH.RIGHT if i in numeric else None
            _cell(cells[i], value, bold=last, align=align)
    for row in table.rows:
        for i, width in enumerate(widths):
            row.cells[i].width = Cm(width)
    document.add_paragraph()
    return table


def _header(document: Any, data: PlanData) -> None:
    """Left: the parent organization, the issuer (bold), a star and the number. Right: the
    Party's name (bold, underlined) and, in italics, the place and date."""
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(7.5), Cm(9)
    center = WD_ALIGN_PARAGRAPH.CENTER
    first = left.paragraphs[0]
    if data.parent_name:
        _write(first, data.parent_name.upper(), align=center, size=14)
        _para(left, data.issuer_name.upper(), align=center, bold=True, size=14)
    else:
        _write(first, data.issuer_name.upper(), align=center, bold=True, size=14)
    _para(left, "*", align=center, size=14)
    _para(left, f"Số {data.plan.number}" if data.plan.number else "Số    -KH", align=center)
    _write(right.paragraphs[0], "ĐẢNG CỘNG SẢN VIỆT NAM", align=center, bold=True, underline=True)
    _para(right, "", align=center)
    _para(right, vietnamese_date(data.plan.place, data.day), align=center, italic=True)
    document.add_paragraph()


def _title(document: Any, data: PlanData) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    if data.plan.status != AnnualPlan.Status.APPROVED:
        _para(document, "DỰ THẢO", align=center, bold=True, italic=True)
    _para(document, "KẾ HOẠCH", align=center, bold=True, size=15)
    _para(document, data.plan.title, align=center, bold=True)
    _para(document, "-----", align=center)
    document.add_paragraph()


def _heading(document: Any, text: str) -> None:
    paragraph = _para(document, text, bold=True)
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.space_after = Pt(6)


def _purpose(document: Any, data: PlanData) -> None:
    _heading(document, "I. MỤC ĐÍCH, YÊU CẦU")
    text = data.plan.introduction.strip() or (
        "Nâng cao nhận thức chính trị, bản lĩnh, phẩm chất đạo đức cho cán bộ, đảng viên; "
        "bảo đảm đúng đối tượng, đủ số lượng theo đề xuất của các tổ chức đảng; tổ chức các "
        "lớp học nghiêm túc, hiệu quả, tiết kiệm."
    )
    for line in text.splitlines():
        if line.strip():
            _body(document, line.strip())


def _content(document: Any, data: PlanData) -> None:
    _heading(document, "II. NỘI DUNG")
    year = data.plan.year
    learners = sum(pc.expected_learners for pc in data.courses)
    _body(
        document,
        f"Trong năm {year} tổ chức {len(data.courses)} lớp với khoảng {learners} học viên, "
        "cụ thể như sau:",
    )
    for n, (programme, courses) in enumerate(by_programme(data.courses), start=1):
        _body(document, f"{n}. {programme}", bold=True)
        rows = [
            [
                str(i),
                programme,
                pc.name,
                f"Tháng {pc.month}/{year}",
                str(pc.expected_learners),
                pc.organizer.name,
            ]
            for i, pc in enumerate(courses, start=1)
        ]
        rows.append(
            [
                "",
                "Cộng",
                f"{len(courses)} lớp",
                "",
                str(sum(pc.expected_learners for pc in courses)),
                "",
            ]
        )
        _table(
            document,
            ["STT", "Chương trình", "Lớp học", "Thời gian", "Số học viên", "Đơn vị tổ chức"],
            rows,
            widths=[1.1, 3.6, 4.2, 2.4, 1.9, 3.3],
            numeric=[4],
            bold_last=True,
        )


def _budget(document: Any, data: PlanData) -> None:
    _heading(document, "III. KINH PHÍ")
    _body(
        document,
        "Kinh phí dự kiến theo định mức hiện hành (đơn vị tính: đồng); các khoản điều chỉnh "
        "có ghi rõ lý do.",
    )
    grouped: dict[int, dict[str, Decimal]] = {}
    notes: list[str] = []
    for line in data.lines:
        grouped.setdefault(line.planned_course_id or 0, {})[line.kind] = line.amount
        if line.adjustment_note:
            course = line.planned_course.name if line.planned_course else ""
            notes.append(
                f"{course} — {KIND_NAMES.get(line.kind, line.kind)}: điều chỉnh từ "
                f"{money(line.computed_amount)} thành {money(line.amount)} ({line.adjustment_note})"
            )
    rows = []
    for i, pc in enumerate(data.courses, start=1):
        amounts = grouped.get(pc.pk, {})
        values = [amounts.get(k, Decimal(0)) for k in plans.KINDS]
        rows.append([str(i), pc.name, *(money(v) for v in values), money(sum(values, Decimal(0)))])
    rows.append(
        [
            "",
            "Tổng cộng",
            *(money(data.totals.by_kind[k]) for k in plans.KINDS),
            money(data.totals.courses),
        ]
    )
    _table(
        document,
        ["STT", "Lớp học", *(KIND_NAMES[k] for k in plans.KINDS), "Cộng"],
        rows,
        widths=[1.1, 4.3, 2.5, 2.2, 2.2, 2.0, 2.3],
        numeric=[2, 3, 4, 5, 6],
        bold_last=True,
    )
    for note in notes:
        _body(document, f"(*) {note}.")
    _body(
        document,
        f"Tổng kinh phí các lớp học: {money(data.totals.courses)} đồng; kinh phí đầu tư cơ sở "
        f"vật chất: {money(data.totals.facilities)} đồng. Tổng cộng: "
        f"{money(data.totals.grand)} đồng.",
        bold=True,
    )


def _facilities(document: Any, data: PlanData) -> None:
    _heading(document, "IV. CƠ SỞ VẬT CHẤT")
    if not data.needs:
        _body(document, "Sử dụng cơ sở vật chất hiện có; không đề xuất đầu tư thêm.")
        return
    _body(document, "Đề nghị đầu tư, bổ sung cơ sở vật chất phục vụ các lớp học:")
    rows = [
        [
            str(i),
            FACILITY_NAMES.get(need.kind, need.kind),
            need.description,
            str(need.quantity),
            money(need.estimated_cost),
        ]
        for i, need in enumerate(data.needs, start=1)
    ]
    rows.append(["", "Tổng cộng", "", "", money(data.totals.facilities)])
    _table(
        document,
        ["STT", "Loại", "Nội dung", "Số lượng", "Kinh phí dự kiến (đồng)"],
        rows,
        widths=[1.1, 3.6, 6.0, 2.0, 3.8],
        numeric=[3, 4],
        bold_last=True,
    )


def _implementation(document: Any, data: PlanData) -> None:
    _heading(document, "V. TỔ CHỨC THỰC HIỆN")
    for text in (
        "1. Ban Tuyên giáo và Dân vận chủ trì, phối hợp với các cơ quan liên quan tổ chức "
        "các lớp học theo Kế hoạch; theo dõi, đôn đốc, tổng hợp kết quả, báo cáo sơ kết 6 "
        "tháng và tổng kết năm.",
        "2. Các tổ chức đảng trực thuộc cử cán bộ, đảng viên tham gia học tập theo danh sách "
        "đã đề xuất, bảo đảm đúng đối tượng, đủ số lượng và thời gian.",
        "3. Kinh phí thực hiện theo dự toán được duyệt và các quy định hiện hành.",
    ):
        _body(document, text)


def _signature(document: Any, data: PlanData) -> None:
    document.add_paragraph()
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(8), Cm(8.5)
    _write(left.paragraphs[0], "Nơi nhận:", bold=True, italic=True, underline=True, size=12)
    recipients = []
    if data.parent_name:
        recipients.append(f"- Ban Thường vụ {data.parent_name} (để báo cáo),")
    recipients += [
        "- Các tổ chức đảng trực thuộc,",
        "- Ban Tuyên giáo và Dân vận,",
        "- Lưu Văn phòng.",
    ]
    for line in recipients:
        _para(left, line, size=11)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _write(right.paragraphs[0], "T/M BAN THƯỜNG VỤ", align=center, bold=True)
    for _blank in range(3):
        _para(right, "", align=center)
    _para(right, data.signer, align=center, bold=True)


def plan_docx(*, plan: AnnualPlan, on: dt.date | None = None) -> bytes:
    data = plan_data(plan=plan, on=on)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    _header(document, data)
    _title(document, data)
    _purpose(document, data)
    _content(document, data)
    _budget(document, data)
    _facilities(document, data)
    _implementation(document, data)
    _signature(document, data)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# .xlsx


def _xcell(sheet: Any, value: Any, *, bold: bool = False, amount: bool = False) -> Any:
    if isinstance(value, Decimal):
        value = int(value) if amount or value == value.to_integral_value() else float(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        # Text that looks like a formula stays text.
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    if amount:
        cell.number_format = "#,##0"
    return cell


def _sheet(
    workbook: Any,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    amounts: Sequence[int] = (),
    bold_rows: Sequence[int] = (),
) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_xcell(sheet, h, bold=True) for h in headers])
    for n, row in enumerate(rows):
        sheet.append(
            [
                _xcell(sheet, v, bold=n in bold_rows, amount=i in amounts and v != "")
                for i, v in enumerate(row)
            ]
        )


def plan_xlsx(*, plan: AnnualPlan) -> bytes:
    data = plan_data(plan=plan)
    workbook = Workbook(write_only=True)
    course_rows = [
        [
            i,
            pc.programme.name,
            pc.name,
            pc.month,
            pc.expected_learners,
            pc.sessions,
            pc.days,
            pc.venue.name if pc.venue else "",
            pc.organizer.name,
            ", ".join(lecturer.full_name for lecturer in pc.lecturers.all()),
            pc.nomination_count,  # type: ignore[attr-defined]
            pc.course.code if pc.course else "",
        ]
        for i, pc in enumerate(data.courses, start=1)
    ]
    _sheet(
        workbook,
        "Lớp học",
        [
            "STT",
            "Chương trình",
            "Lớp học",
            "Tháng",
            "Số học viên dự kiến",
            "Số buổi",
            "Số ngày",
            "Địa điểm",
            "Đơn vị tổ chức",
            "Giảng viên",
            "Số người được đề xuất",
            "Mã lớp đã mở",
        ],
        course_rows,
    )
    budget_rows: list[list[Any]] = [
        [
            i,
            line.planned_course.name if line.planned_course else "",
            KIND_NAMES.get(line.kind, line.kind),
            line.description,
            line.computed_amount,
            line.amount,
            line.adjustment_note,
        ]
        for i, line in enumerate(data.lines, start=1)
    ]
    first_total = len(budget_rows) + 1
    budget_rows.append(["", "", "", "", "", "", ""])
    for kind in plans.KINDS:
        budget_rows.append(["", "Cộng", KIND_NAMES[kind], "", "", data.totals.by_kind[kind], ""])
    budget_rows.append(["", "Cộng kinh phí các lớp học", "", "", "", data.totals.courses, ""])
    budget_rows.append(["", "Cơ sở vật chất", "", "", "", data.totals.facilities, ""])
    budget_rows.append(["", "Tổng cộng", "", "", "", data.totals.grand, ""])
    _sheet(
        workbook,
        "Kinh phí",
        [
            "STT",
            "Lớp học",
            "Khoản chi",
            "Diễn giải",
            "Theo định mức (đồng)",
            "Số tiền (đồng)",
            "Lý do điều chỉnh",
        ],
        budget_rows,
        amounts=[4, 5],
        bold_rows=range(first_total, len(budget_rows)),
    )
    _sheet(
        workbook,
        "Cơ sở vật chất",
        ["STT", "Loại", "Nội dung", "Số lượng", "Kinh phí dự kiến (đồng)"],
        [
            [
                i,
                FACILITY_NAMES.get(need.kind, need.kind),
                need.description,
                need.quantity,
                need.estimated_cost,
            ]
            for i, need in enumerate(data.needs, start=1)
        ],
        amounts=[4],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
