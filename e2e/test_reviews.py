"""A reporting round in a browser: the department opens the round, an officer fills the
narrative and submits, the department returns it with a comment, the officer resubmits, and
the province's report downloads as a party document."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from e2e.conftest import pick_organization
from llct.reviews.models import DocumentIssuer, Report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _open_round(page, base, world, deadline):
    """The department opens the round for organizations A and B."""
    page.goto(f"{base}/bao-cao/")
    page.get_by_role("link", name="Mở đợt báo cáo").first.click()
    page.get_by_label("Tên đợt báo cáo").fill("Sơ kết 6 tháng đầu năm")
    page.get_by_label("Hạn nộp").fill(deadline)
    pick_organization(page, "Các tổ chức báo cáo", world.org_a)
    pick_organization(page, "Các tổ chức báo cáo", world.org_b)
    page.get_by_role("button", name="Mở đợt báo cáo").click()
    expect(page.get_by_text("Đã mở đợt báo cáo.")).to_be_visible()
    expect(page.locator("#status-counts")).to_contain_text("2")


def _correct_and_resubmit(page, base, world):
    """The officer sees the comment, corrects and resubmits; the number stays."""
    page.goto(f"{base}/bao-cao/")
    page.get_by_role("link", name="Sơ kết 6 tháng đầu năm — Đảng ủy Khối A").click()
    expect(page.get_by_role("alert")).to_contain_text("Bổ sung nguyên nhân của hạn chế.")
    page.get_by_label("Hạn chế và nguyên nhân").fill("Một lớp tổ chức chậm do trùng lịch hội nghị.")
    page.get_by_role("button", name="Gửi lại").click()
    expect(page.get_by_text("Đã gửi, số 01-BC/ĐU.")).to_be_visible()
    report = Report.objects.get(organization=world.org_a)
    assert report.status == Report.Status.SUBMITTED
    assert list(report.events.values_list("action", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
    ]


def test_open_fill_submit_return_resubmit_and_download(world, sign_in, live_server):
    DocumentIssuer.objects.create(
        organization=world.province,
        body="Ban Tuyên giáo và Dân vận",
        abbreviation="BTG",
        place="Hòa Bình Sơn",
        signer_name="Nguyễn Thị Thu",
        is_department=True,
    )
    today = timezone.localdate()
    deadline = (today + dt.timedelta(days=10)).strftime("%d/%m/%Y")

    # The department opens the round.
    page = sign_in("bantuyengiao")
    _open_round(page, live_server.url, world, deadline)
    page.context.clear_cookies()

    # The officer of A fills the narrative and submits.
    page = sign_in("canbo_a")
    page.goto(f"{live_server.url}/bao-cao/")
    page.get_by_role("link", name="Sơ kết 6 tháng đầu năm — Đảng ủy Khối A").click()
    expect(page.get_by_role("heading", name="Đảng ủy Khối A")).to_be_visible()
    page.get_by_label("Kết quả đạt được").fill("Đã tổ chức 3 lớp bồi dưỡng đảng viên mới.")
    page.get_by_label("Hạn chế và nguyên nhân").fill("Một lớp tổ chức chậm.")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_text("Đã gửi, số 01-BC/ĐU.")).to_be_visible()
    expect(page.locator("#report-status")).to_have_text("Đã nộp")
    page.context.clear_cookies()

    # The department returns it with a comment.
    page = sign_in("bantuyengiao")
    page.goto(f"{live_server.url}/bao-cao/")
    page.get_by_role("link", name="Sơ kết 6 tháng đầu năm").click()
    page.locator("#results").get_by_role("link", name="Đảng ủy Khối A").click()
    page.get_by_label("Nội dung cần chỉnh sửa").fill("Bổ sung nguyên nhân của hạn chế.")
    page.get_by_role("button", name="Trả lại kèm ý kiến").click()
    expect(page.locator("#report-status")).to_have_text("Đã trả lại")
    page.context.clear_cookies()

    # The officer sees the comment, corrects and resubmits; the number stays.
    page = sign_in("canbo_a")
    _correct_and_resubmit(page, live_server.url, world)
    page.context.clear_cookies()

    # The department downloads the province's report.
    page = sign_in("bantuyengiao")
    page.goto(f"{live_server.url}/bao-cao/")
    page.get_by_role("link", name="Sơ kết 6 tháng đầu năm").click()
    page.get_by_role("link", name="Báo cáo của Ban").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về .docx").click()
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    header = [p.text for p in document.tables[0].cell(0, 0).paragraphs]
    assert header[:2] == ["ĐẢNG BỘ TỈNH THỬ NGHIỆM", "BAN TUYÊN GIÁO VÀ DÂN VẬN"]
    assert "BÁO CÁO" in [p.text for p in document.paragraphs]
