"""The approved plan as a party document (.docx) and as a workbook (.xlsx), opened back."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from llct.organizations.services import organization_rename
from llct.planning.models import FacilityNeed
from llct.planning.plan_documents import plan_docx, plan_xlsx, vietnamese_date
from llct.planning.plans import budget as plan_budget
from llct.planning.plans import services as plan_services
from llct.planning.tests.plan_factories import (
    make_lecturer,
    make_plan,
    make_programme,
    norms,
    plan_course,
)

DAY = dt.date(2026, 11, 25)


@pytest.fixture
def approved(world):
    norms(
        fee_part_time=500_000,
        fee_guest=800_000,
        fee_full_time=300_000,
        materials_per_learner=150_000,
        venue_per_day=2_000_000,
        other_per_course=1_000_000,
    )
    plan = make_plan(
        world.org_a,
        number="131-KH/ĐUK",
        place="Hòa Bình Sơn",
        title="Đào tạo, bồi dưỡng lý luận chính trị năm 2027",
        introduction="Trang bị kiến thức cơ bản.\nBảo đảm đúng đối tượng.",
    )
    new_members = make_programme("Bồi dưỡng đảng viên mới")
    professional = make_programme("Bồi dưỡng nghiệp vụ")
    plan_course(
        plan,
        new_members,
        world.department,
        name="Lớp đảng viên mới khóa 1",
        month=3,
        expected_learners=40,
        organizer=world.org_a,
    )
    plan_course(
        plan,
        new_members,
        world.department,
        name="Lớp đảng viên mới khóa 2",
        month=9,
        expected_learners=35,
        organizer=world.org_a,
    )
    planned = plan_course(
        plan,
        professional,
        world.department,
        name="=Lớp nghiệp vụ",
        month=5,
        expected_learners=20,
        sessions=2,
        lecturers=[make_lecturer("Trần Báo Cáo", "guest")],
        organizer=world.org_a1,
    )
    line = planned.budget_lines.get(kind="other")
    plan_services.budget_line_adjust(
        line=line, amount=Decimal(1_500_000), note="Thuê xe đưa đón", actor=world.department
    )
    FacilityNeed.objects.create(
        plan=plan,
        kind="equipment",
        description="Máy chiếu và màn chiếu",
        quantity=2,
        estimated_cost=Decimal(30_000_000),
    )
    plan_services.plan_submit(plan=plan, actor=world.department)
    plan_services.plan_approve(plan=plan, actor=world.leader)
    plan.refresh_from_db()
    return plan


def _texts(document):
    return [p.text for p in document.paragraphs]


def _cells(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_party_document_header(world, approved):
    document = Document(io.BytesIO(plan_docx(plan=approved, on=DAY)))
    header = document.tables[0]
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        "ĐẢNG BỘ TỈNH THỬ NGHIỆM",
        "ĐẢNG ỦY KHỐI A",
        "*",
        "Số 131-KH/ĐUK",
    ]
    assert left.paragraphs[1].runs[0].bold
    party, _blank, date = right.paragraphs
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert party.runs[0].bold and party.runs[0].underline
    assert date.text == "Hòa Bình Sơn, ngày 25 tháng 11 năm 2026"
    assert date.runs[0].italic


def test_title_and_sections(world, approved):
    texts = _texts(Document(io.BytesIO(plan_docx(plan=approved, on=DAY))))
    assert "KẾ HOẠCH" in texts
    assert "Đào tạo, bồi dưỡng lý luận chính trị năm 2027" in texts
    assert "DỰ THẢO" not in texts
    headings = [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NỘI DUNG",
        "III. KINH PHÍ",
        "IV. CƠ SỞ VẬT CHẤT",
        "V. TỔ CHỨC THỰC HIỆN",
    ]
    positions = [texts.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "Trang bị kiến thức cơ bản." in texts and "Bảo đảm đúng đối tượng." in texts
    assert "1. Bồi dưỡng đảng viên mới" in texts
    assert "2. Bồi dưỡng nghiệp vụ" in texts
    assert any("Trong năm 2027 tổ chức 3 lớp với khoảng 95 học viên" in t for t in texts)


def test_course_tables_by_programme(world, approved):
    document = Document(io.BytesIO(plan_docx(plan=approved, on=DAY)))
    new_members, professional = document.tables[1], document.tables[2]
    assert _cells(new_members) == [
        ["STT", "Chương trình", "Lớp học", "Thời gian", "Số học viên", "Đơn vị tổ chức"],
        [
            "1",
            "Bồi dưỡng đảng viên mới",
            "Lớp đảng viên mới khóa 1",
            "Tháng 3/2027",
            "40",
            "Đảng ủy Khối A",
        ],
        [
            "2",
            "Bồi dưỡng đảng viên mới",
            "Lớp đảng viên mới khóa 2",
            "Tháng 9/2027",
            "35",
            "Đảng ủy Khối A",
        ],
        ["", "Cộng", "2 lớp", "", "75", ""],
    ]
    assert _cells(professional)[1][2:] == ["=Lớp nghiệp vụ", "Tháng 5/2027", "20", "Chi bộ A1"]


def test_budget_table_with_totals(world, approved):
    document = Document(io.BytesIO(plan_docx(plan=approved, on=DAY)))
    budget = _cells(document.tables[3])
    assert budget[0] == [
        "STT",
        "Lớp học",
        "Thù lao giảng viên",
        "Tài liệu",
        "Hội trường",
        "Chi khác",
        "Cộng",
    ]
    # Lớp nghiệp vụ: 2 sessions × 800.000 (guest), 20 × 150.000, 2 days × 2.000.000, other adjusted.
    assert budget[2] == [
        "2",
        "=Lớp nghiệp vụ",
        "1.600.000",
        "3.000.000",
        "4.000.000",
        "1.500.000",
        "10.100.000",
    ]
    totals = plan_budget.plan_totals(
        plan_budget.budget_lines(plan=approved), approved.facility_needs.all()
    )
    assert budget[-1][1] == "Tổng cộng"
    assert budget[-1][-1] == plan_budget.vnd(totals.courses).removesuffix(" đ")
    texts = _texts(document)
    assert any("Thuê xe đưa đón" in t and "1.000.000 thành 1.500.000" in t for t in texts)
    grand = plan_budget.vnd(totals.grand).removesuffix(" đ")
    assert any(f"Tổng cộng: {grand} đồng" in t for t in texts)


def test_facilities_table_and_signature(world, approved):
    document = Document(io.BytesIO(plan_docx(plan=approved, on=DAY)))
    facilities = _cells(document.tables[4])
    assert facilities[1] == ["1", "Trang thiết bị", "Máy chiếu và màn chiếu", "2", "30.000.000"]
    assert facilities[-1][-1] == "30.000.000"
    left, right = document.tables[-1].rows[0].cells
    assert left.paragraphs[0].text == "Nơi nhận:"
    assert "- Lưu Văn phòng." in [p.text for p in left.paragraphs]
    signature = [p.text for p in right.paragraphs]
    assert signature[0] == "T/M BAN THƯỜNG VỤ"
    assert signature[-1] == world.leader.display_name


def test_document_keeps_the_names_of_its_date(world, approved):
    organization_rename(
        organization=world.org_a,
        name="Đảng ủy các cơ quan Đảng tỉnh",
        effective_on=dt.date(2026, 12, 1),
        today=dt.date(2026, 12, 31),
        actor=world.department,
    )
    before = Document(io.BytesIO(plan_docx(plan=approved, on=DAY))).tables[0]
    assert before.rows[0].cells[0].paragraphs[1].text == "ĐẢNG ỦY KHỐI A"
    after = Document(io.BytesIO(plan_docx(plan=approved, on=dt.date(2026, 12, 2)))).tables[0]
    assert after.rows[0].cells[0].paragraphs[1].text == "ĐẢNG ỦY CÁC CƠ QUAN ĐẢNG TỈNH"


@pytest.mark.parametrize(
    ("place", "day", "text"),
    [
        ("Hòa Bình Sơn", dt.date(2026, 11, 25), "Hòa Bình Sơn, ngày 25 tháng 11 năm 2026"),
        ("Hòa Bình", dt.date(2027, 1, 5), "Hòa Bình, ngày 05 tháng 01 năm 2027"),
        ("", dt.date(2027, 3, 15), "Ngày 15 tháng 3 năm 2027"),
    ],
)
def test_vietnamese_date(place, day, text):
    assert vietnamese_date(place, day) == text


def test_a_draft_is_marked_as_such(world):
    plan = make_plan(world.province, year=2029)
    texts = _texts(Document(io.BytesIO(plan_docx(plan=plan, on=DAY))))
    assert "DỰ THẢO" in texts


def test_workbook_has_the_courses_and_the_budget(world, approved):
    workbook = load_workbook(io.BytesIO(plan_xlsx(plan=approved)))
    assert workbook.sheetnames == ["Lớp học", "Kinh phí", "Cơ sở vật chất"]
    courses = list(workbook["Lớp học"].iter_rows(values_only=True))
    assert courses[0][:5] == ("STT", "Chương trình", "Lớp học", "Tháng", "Số học viên dự kiến")
    assert [row[2] for row in courses[1:]] == [
        "Lớp đảng viên mới khóa 1",
        "=Lớp nghiệp vụ",
        "Lớp đảng viên mới khóa 2",
    ]
    # Text that looks like a formula stays text.
    assert workbook["Lớp học"]["C3"].data_type == "s"
    budget = list(workbook["Kinh phí"].iter_rows(values_only=True))
    assert budget[0] == (
        "STT",
        "Lớp học",
        "Khoản chi",
        "Diễn giải",
        "Theo định mức (đồng)",
        "Số tiền (đồng)",
        "Lý do điều chỉnh",
    )
    [adjusted] = [row for row in budget if row[6] == "Thuê xe đưa đón"]
    assert adjusted[1:3] == ("=Lớp nghiệp vụ", "Chi khác")
    assert adjusted[4:6] == (1_000_000, 1_500_000)
    totals = plan_budget.plan_totals(
        plan_budget.budget_lines(plan=approved), approved.facility_needs.all()
    )
    assert budget[-1][1] == "Tổng cộng" and budget[-1][5] == int(totals.grand)
    facilities = list(workbook["Cơ sở vật chất"].iter_rows(values_only=True))
    assert facilities[1] == (1, "Trang thiết bị", "Máy chiếu và màn chiếu", 2, 30_000_000)


def test_downloads(client, world, approved):
    client.force_login(world.leader)
    docx = client.get(reverse("planning:plan_docx", args=[approved.pk]))
    assert docx.status_code == 200
    assert docx["Content-Disposition"] == 'attachment; filename="ke-hoach-2027.docx"'
    assert "KẾ HOẠCH" in _texts(Document(io.BytesIO(docx.content)))
    xlsx = client.get(reverse("planning:plan_xlsx", args=[approved.pk]))
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "Lớp học"
    client.force_login(world.officer_a)
    assert client.get(reverse("planning:plan_docx", args=[approved.pk])).status_code == 403
