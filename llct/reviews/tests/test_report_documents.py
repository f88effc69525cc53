"""A report as a party document: every number of the .docx is on the screen, the header
carries the issuer's name as on the document's date, the party's name underlined, the number,
the place and date in italics, the recipients and the signing block; charts are pictures;
the tables also come as .xlsx; the department's own .docx layout fills its placeholders."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from llct.organizations.services import organization_rename
from llct.reviews import rounds
from llct.reviews.models import Report
from llct.reviews.report_documents import report_docx
from llct.reviews.tests.factories import department_issuer, half_year_round, results_world

pytestmark = pytest.mark.django_db
NUMBER = re.compile(r"\d[\d.,]*%?")


def _texts(document):
    found = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found.extend(p.text for p in cell.paragraphs)
    return found


def _cells(document):
    return [
        [cell.text for cell in row.cells]
        for table in document.tables[1:-1]  # not the header nor the signing block
        for row in table.rows[1:]
    ]


@pytest.fixture
def submitted(world):
    results_world(world)
    department_issuer(world)
    reporting_round = half_year_round(world)
    report = Report.objects.get(round=reporting_round, is_department=True)
    rounds.department_report_issue(report=report, actor=world.department, today=dt.date(2026, 7, 8))
    report.refresh_from_db()
    return report


def test_every_number_of_the_docx_is_on_the_screen(client, world, submitted):
    client.force_login(world.department)
    page = client.get(reverse("reviews:report", args=[submitted.pk]))
    screen_rows = [row for _title, _headers, rows in page.context["tables"] for row in rows]
    response = client.get(reverse("reviews:report_docx", args=[submitted.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    docx_rows = _cells(document)
    assert docx_rows == screen_rows
    html = page.content.decode()
    for row in docx_rows:
        for cell in row:
            for number in NUMBER.findall(cell):
                assert number in html, number
    body = "\n".join(p.text for p in document.paragraphs)
    # Totals written in the sentences, the same as on the screen.
    assert "7/9 học viên có kết quả đạt yêu cầu (77,8%)" in body
    assert "đã chi: 12.500.000 đồng" in body
    assert "12.500.000" in html and "24.000.000" in html


def test_header_names_number_date_recipients_and_signature(world, submitted):
    # Renamed after the document's date: the document keeps the old name.
    organization_rename(
        organization=world.province,
        name="Đảng bộ tỉnh Mới",
        effective_on=dt.date(2026, 8, 1),
        today=dt.date(2026, 8, 1),
        actor=world.department,
    )
    submitted.organization.refresh_from_db()
    document = Document(io.BytesIO(report_docx(report=submitted)))
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs][:2] == [
        "ĐẢNG BỘ TỈNH THỬ NGHIỆM",
        "BAN TUYÊN GIÁO VÀ DÂN VẬN",
    ]
    assert "Số 01-BC/BTG" in [p.text for p in left.paragraphs]
    party = right.paragraphs[0].runs[0]
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM" and party.underline and party.bold
    place = right.paragraphs[2]
    assert place.text == "Hòa Bình Sơn, ngày 08 tháng 7 năm 2026" and place.runs[0].italic
    texts = _texts(document)
    assert "BÁO CÁO" in texts
    title = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert title.runs[0].bold
    assert submitted.round.title in texts
    sign_left, sign_right = document.tables[-1].rows[0].cells
    assert sign_left.paragraphs[0].text == "Nơi nhận:"
    signing = [p.text for p in sign_right.paragraphs]
    assert signing[:2] == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]
    assert signing[-1] == "Nguyễn Thị Thu"


def test_charts_are_pictures_in_the_document(submitted):
    document = Document(io.BytesIO(report_docx(report=submitted)))
    assert len(document.inline_shapes) == 2  # by programme, by organization


def test_tables_as_xlsx(client, world, submitted):
    client.force_login(world.department)
    response = client.get(reverse("reviews:report_xlsx", args=[submitted.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["Học viên theo chương trình", "Xếp loại"]
    last = list(workbook["Học viên theo chương trình"].iter_rows(values_only=True))[-1]
    assert last[0] == "Tổng cộng" and last[5] == "9" and last[6] == "7"


def _layout(extra: str = "") -> bytes:
    document = Document()
    document.add_paragraph("{{co_quan_cap_tren}}")
    document.add_paragraph("{{co_quan_ban_hanh}} — {{so_ky_hieu}}")
    document.add_paragraph("{{dia_danh_ngay}}")
    document.add_paragraph("{{ten_loai}}: {{trich_yeu}}")
    document.add_paragraph("{{noi_dung}}")
    document.add_paragraph("Nơi nhận:")
    document.add_paragraph("{{noi_nhan}}")
    document.add_paragraph("{{tham_quyen_ky}} {{chuc_vu}} {{nguoi_ky}}" + extra)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_the_departments_own_layout_fills_its_placeholders(client, world, submitted):
    client.force_login(world.department)
    url = reverse("reviews:template_edit", args=["half_year"])
    upload = SimpleUploadedFile("mau.docx", _layout())
    response = client.post(url, {"results": "Mẫu", "directions": "Hướng", "docx": upload})
    assert response.status_code == 302
    document = Document(io.BytesIO(report_docx(report=submitted)))
    texts = _texts(document)
    joined = "\n".join(texts)
    assert "{{" not in joined
    assert "BAN TUYÊN GIÁO VÀ DÂN VẬN — Số 01-BC/BTG" in texts
    assert "K/T TRƯỞNG BAN PHÓ TRƯỞNG BAN Nguyễn Thị Thu" in texts
    assert "I. KẾT QUẢ ĐẠT ĐƯỢC" in texts
    assert any(t.startswith("- Thường trực Tỉnh ủy") for t in texts)
    assert len(document.tables) == 5  # the body's tables, in the department's layout


def test_a_layout_without_the_body_placeholder_is_refused(client, world):
    document = Document()
    document.add_paragraph("{{so_ky_hieu}}")
    buffer = io.BytesIO()
    document.save(buffer)
    client.force_login(world.department)
    upload = SimpleUploadedFile("mau.docx", buffer.getvalue())
    response = client.post(reverse("reviews:template_edit", args=["annual"]), {"docx": upload})
    assert response.status_code == 422
    assert "{{noi_dung}}" in response.content.decode()


def test_officer_may_not_change_templates(client, world):
    client.force_login(world.officer_a)
    assert client.get(reverse("reviews:template_edit", args=["annual"])).status_code == 403


def test_targets_against_the_years_milestone(client, world, submitted):
    from llct.monitoring.models import Milestone, Project, Target, TargetEntry

    project = Project.objects.create(
        number="06-ĐA/TU",
        title="Đổi mới công tác giáo dục lý luận chính trị",
        issuer=world.province,
        start_year=2026,
        end_year=2030,
    )
    target = Target.objects.create(
        project=project,
        code="1.1",
        title="Tỷ lệ học viên đạt yêu cầu",
        indicator="pass_rate",
        final_value=98,
    )
    Milestone.objects.create(target=target, year=2026, value=95)
    manual = Target.objects.create(
        project=project, code="2.1", title="Phòng học có thiết bị trực tuyến", final_value=100
    )
    Milestone.objects.create(target=manual, year=2026, value=60)
    TargetEntry.objects.create(
        target=manual,
        organization=world.province,
        year=2026,
        value=65,
        evidence="bien-ban.pdf",
        evidence_name="bien-ban.pdf",
    )
    client.force_login(world.department)
    page = client.get(reverse("reviews:report", args=[submitted.pk]))
    row = ["1.1. Tỷ lệ học viên đạt yêu cầu", "95,0%", "77,8%", "Chậm tiến độ"]
    assert row in [r for _t, _h, rows in page.context["tables"] for r in rows]
    document = Document(io.BytesIO(report_docx(report=submitted)))
    assert row in _cells(document)
    assert ["2.1. Phòng học có thiết bị trực tuyến", "60,0%", "65,0%", "Đạt tiến độ"] in _cells(
        document
    )
    assert "7. Chỉ tiêu Đề án 06-ĐA/TU so với mốc năm" in [p.text for p in document.paragraphs]
