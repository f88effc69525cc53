"""The annual plan as files: a .docx in the form of a party document (the form leaders sign and
send out) and an .xlsx with the planned courses and the budget, for working with the figures.

A party document is always in Vietnamese, whatever the interface language, so its fixed words
are written here in Vietnamese rather than translated.
"""

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from llct.core.party_documents import DOCX_TYPE as DOCX_TYPE
from llct.core.party_documents import Letterhead, PartyDocument, Signature
from llct.core.party_documents import vietnamese_date as vietnamese_date
from llct.core.spreadsheets import FORMULA_PREFIXES
from llct.planning.models import AnnualPlan, BudgetLine, FacilityNeed, PlannedCourse
from llct.planning.plans import budget as plan_budget
from llct.planning.plans import selectors as plan_selectors

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


def money(amount: Decimal | int) -> str:
    """1.500.000 (the tables say "đồng" in their headers)."""
    return plan_budget.vnd(amount).removesuffix(" đ")


@dataclass
class PlanData:
    plan: AnnualPlan
    courses: list[plan_selectors.PlannedCourseRow]
    lines: list[BudgetLine]
    needs: list[FacilityNeed]
    totals: plan_budget.Totals
    day: dt.date
    parent_name: str
    issuer_name: str
    signer: str


def plan_data(*, plan: AnnualPlan, on: dt.date | None = None) -> PlanData:
    courses = list(plan_selectors.planned_courses(plan=plan))
    lines = plan_budget.budget_lines(plan=plan)
    needs = list(plan.facility_needs.order_by("id"))
    approval = plan_selectors.plan_approval(plan=plan)
    day = on or plan_selectors.document_date(plan)
    parent_name, issuer_name = plan_selectors.names_on(plan.issuer, day)
    signer = ""
    if approval is not None and approval.decided_by is not None:
        signer = approval.decided_by.display_name
    return PlanData(
        plan,
        courses,
        lines,
        needs,
        plan_budget.plan_totals(lines, needs),
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
# .docx (the layout of a party document is llct.core.party_documents)


def _content(document: PartyDocument, data: PlanData) -> None:
    document.heading("II. NỘI DUNG")
    year = data.plan.year
    learners = sum(pc.expected_learners for pc in data.courses)
    document.paragraph(
        f"Trong năm {year} tổ chức {len(data.courses)} lớp với khoảng {learners} học viên, "
        "cụ thể như sau:",
    )
    for n, (programme, courses) in enumerate(by_programme(data.courses), start=1):
        document.paragraph(f"{n}. {programme}", bold=True)
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
        document.table(
            ["STT", "Chương trình", "Lớp học", "Thời gian", "Số học viên", "Đơn vị tổ chức"],
            rows,
            widths=[1.1, 3.6, 4.2, 2.4, 1.9, 3.3],
            numeric=[4],
            bold_last=True,
        )


def _budget(document: PartyDocument, data: PlanData) -> None:
    document.heading("III. KINH PHÍ")
    document.paragraph(
        "Kinh phí dự kiến theo định mức hiện hành (đơn vị tính: đồng); các khoản điều chỉnh "
        "có ghi rõ lý do.",
    )
    grouped: dict[int, dict[str, Decimal]] = {}
    notes: list[str] = []
    for line in data.lines:
        grouped.setdefault(line.planned_course_id or 0, {})[line.kind] = line.amount
        if line.adjustment_note and plan_budget.whole(line.amount) != plan_budget.whole(
            line.computed_amount
        ):
            # "adjusted from 1.200.000 to 1.200.000" says nothing: only real changes are noted.
            course = line.planned_course.name if line.planned_course else ""
            notes.append(
                f"{course} — {KIND_NAMES.get(line.kind, line.kind)}: điều chỉnh từ "
                f"{money(line.computed_amount)} thành {money(line.amount)} ({line.adjustment_note})"
            )
    rows = []
    for i, pc in enumerate(data.courses, start=1):
        amounts = grouped.get(pc.pk, {})
        values = [amounts.get(k, Decimal(0)) for k in plan_budget.KINDS]
        rows.append([str(i), pc.name, *(money(v) for v in values), money(sum(values, Decimal(0)))])
    rows.append(
        [
            "",
            "Tổng cộng",
            *(money(data.totals.by_kind[k]) for k in plan_budget.KINDS),
            money(data.totals.courses),
        ]
    )
    document.table(
        ["STT", "Lớp học", *(KIND_NAMES[k] for k in plan_budget.KINDS), "Cộng"],
        rows,
        widths=[1.1, 4.3, 2.5, 2.2, 2.2, 2.0, 2.3],
        numeric=[2, 3, 4, 5, 6],
        bold_last=True,
    )
    for note in notes:
        document.paragraph(f"(*) {note}.")
    document.paragraph(
        f"Tổng kinh phí các lớp học: {money(data.totals.courses)} đồng; kinh phí đầu tư cơ sở "
        f"vật chất: {money(data.totals.facilities)} đồng. Tổng cộng: "
        f"{money(data.totals.grand)} đồng.",
        bold=True,
    )


def _facilities(document: PartyDocument, data: PlanData) -> None:
    document.heading("IV. CƠ SỞ VẬT CHẤT")
    if not data.needs:
        document.paragraph("Sử dụng cơ sở vật chất hiện có; không đề xuất đầu tư thêm.")
        return
    document.paragraph("Đề nghị đầu tư, bổ sung cơ sở vật chất phục vụ các lớp học:")
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
    document.table(
        ["STT", "Loại", "Nội dung", "Số lượng", "Kinh phí dự kiến (đồng)"],
        rows,
        widths=[1.1, 3.6, 6.0, 2.0, 3.8],
        numeric=[3, 4],
        bold_last=True,
    )


_NUMBERED = re.compile(r"^\s*\d+\s*-")
# The blank a number leaves in a party document until it is given ("Số     -KH/BTG").
NUMBER_BLANK = "    "


def abbreviation(name: str) -> str:
    """The initials a number's suffix uses: "Ban Tuyên giáo" → "BTG" ("và" is left out)."""
    words = [w for w in name.split() if w.lower() != "và"]
    return "".join(w[0] for w in words).upper()


def document_number(plan: AnnualPlan) -> str:
    """The number as printed after "Số": complete ("12-KH/BTG"), or, while the plan has none
    (or only its suffix, "-KH/TU"), the blank party documents leave ("    -KH/BTG")."""
    number = plan.number.strip()
    if _NUMBERED.match(number):
        return re.sub(r"\s*-\s*", "-", number, count=1)
    suffix = number.split("-", 1)[1].strip() if "-" in number else ""
    if not suffix:
        body = abbreviation(plan.issuing_body)
        suffix = f"KH/{body}" if body else "KH"
    return f"{NUMBER_BLANK}-{suffix}"


def header_names(plan: AnnualPlan, data: "PlanData") -> tuple[str, str]:
    """(upper line, issuing body) of the head: under the issuing organization, the body that
    issues ("ĐẢNG BỘ TỈNH X" / "BAN TUYÊN GIÁO VÀ DÂN VẬN"); without one, the organization
    under its own superior."""
    if plan.issuing_body:
        return data.issuer_name, plan.issuing_body
    return data.parent_name, data.issuer_name


def keep_signature_with_text(document: PartyDocument) -> None:
    """The signature block (the last table) never starts a page alone: the paragraphs before it
    keep with it, and its row neither splits nor leaves its cells' lines behind."""
    body = document.document
    if not body.tables:
        return
    table = body.tables[-1]
    previous = table._tbl.getprevious()
    # The last paragraphs of the text (and the blank before the table) keep with the block.
    kept = 0
    while previous is not None and kept < 2:
        if previous.tag == qn("w:p"):
            properties = previous.get_or_add_pPr()
            properties.append(OxmlElement("w:keepNext"))
            if (previous.xpath("string(.)") or "").strip():
                kept += 1
        previous = previous.getprevious()
    for row in table.rows:
        row_properties = row._tr.get_or_add_trPr()
        row_properties.append(OxmlElement("w:cantSplit"))
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_together = True
                paragraph.paragraph_format.keep_with_next = True


def plan_docx(*, plan: AnnualPlan, on: dt.date | None = None) -> bytes:
    data = plan_data(plan=plan, on=on)
    document = PartyDocument()
    superior, issuer = header_names(data.plan, data)
    document.head(
        Letterhead(
            superior=superior,
            issuer=issuer,
            number=document_number(data.plan),
            kind_code="KH",
            place=data.plan.place,
            day=data.day,
            kind_title="KẾ HOẠCH",
            subject=data.plan.title,
            draft=data.plan.status != AnnualPlan.Status.APPROVED,
        )
    )
    document.heading("I. MỤC ĐÍCH, YÊU CẦU")
    document.text(
        data.plan.introduction.strip()
        or (
            "Nâng cao nhận thức chính trị, bản lĩnh, phẩm chất đạo đức cho cán bộ, đảng viên; "
            "bảo đảm đúng đối tượng, đủ số lượng theo đề xuất của các tổ chức đảng; tổ chức các "
            "lớp học nghiêm túc, hiệu quả, tiết kiệm."
        )
    )
    _content(document, data)
    _budget(document, data)
    _facilities(document, data)
    document.heading("V. TỔ CHỨC THỰC HIỆN")
    for text in (
        f"1. {data.plan.issuing_body or 'Ban Tuyên giáo và Dân vận'} chủ trì, phối hợp với "
        "các cơ quan liên quan tổ chức "
        "các lớp học theo Kế hoạch; theo dõi, đôn đốc, tổng hợp kết quả, báo cáo sơ kết 6 "
        "tháng và tổng kết năm.",
        "2. Các tổ chức đảng trực thuộc cử cán bộ, đảng viên tham gia học tập theo danh sách "
        "đã đề xuất, bảo đảm đúng đối tượng, đủ số lượng và thời gian.",
        "3. Kinh phí thực hiện theo dự toán được duyệt và các quy định hiện hành.",
    ):
        document.paragraph(text)
    recipients = []
    if data.parent_name:
        recipients.append(f"- Ban Thường vụ {data.parent_name} (để báo cáo),")
    recipients += [
        "- Các tổ chức đảng trực thuộc,",
        "- Ban Tuyên giáo và Dân vận,",
        "- Lưu Văn phòng.",
    ]
    document.close(
        Signature(
            authority=data.plan.signing_authority or "T/M BAN THƯỜNG VỤ",
            position=data.plan.signer_position,
            name=data.signer,
            recipients=recipients,
        )
    )
    if not document.templated:
        keep_signature_with_text(document)
    return document.to_bytes()


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
            pc.nomination_count,
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
    for kind in plan_budget.KINDS:
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
