import re

import pytest
from playwright.sync_api import expect

from llct.curriculum.models import LessonPlan
from llct.curriculum.tests.factories import make_programme

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_edit_a_programme_with_a_bad_grade_band_then_upload_two_lesson_plan_versions(
    world, sign_in, live_server, tmp_path
):
    # Browser tests may run after a flush of the rows the data migrations made: bring our own.
    programme = make_programme("Bồi dưỡng nghiệp vụ tuyên giáo cơ sở", topics=2)
    topic = programme.topics.get(order=1)
    page = sign_in("bantuyengiao")

    page.goto(f"{live_server.url}/chuong-trinh/")
    page.get_by_role("link", name="Bồi dưỡng nghiệp vụ tuyên giáo cơ sở").click()
    page.get_by_role("link", name="Sửa", exact=True).first.click()
    expect(page.get_by_role("heading", name=re.compile("Sửa"))).to_be_visible()
    page.get_by_label("Tỷ lệ chuyên cần tối thiểu").fill("85")
    page.get_by_label("Giỏi từ").fill("9,5")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("alert").filter(has_text="phải giảm dần")).to_be_visible()
    expect(page.get_by_text("Phải thấp hơn mức “Xuất sắc từ” (9,0).")).to_be_visible()
    # What was typed is still there.
    expect(page.get_by_label("Giỏi từ")).to_have_value("9,5")
    expect(page.get_by_label("Tỷ lệ chuyên cần tối thiểu")).to_have_value("85")
    page.get_by_label("Giỏi từ").fill("8,5")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu.")).to_be_visible()
    expect(page.get_by_text("Giỏi ≥ 8,5")).to_be_visible()
    programme.refresh_from_db()
    assert str(programme.band_good) == "8.5" and programme.attendance_threshold == 85

    first = tmp_path / "giao-an-chuyen-de-1.pdf"
    first.write_bytes(b"%PDF-1.4 ban dau")
    second = tmp_path / "giao-an-chuyen-de-1-sua.docx"
    second.write_bytes(b"PK ban sua")
    page.goto(f"{live_server.url}/chuong-trinh/chuyen-de/{topic.pk}/")
    page.get_by_label("Tệp").set_input_files(str(first))
    page.get_by_label("Nội dung thay đổi").fill("Bản đầu tiên")
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_text("Đã lưu giáo án phiên bản 1.")).to_be_visible()
    page.get_by_label("Tệp").set_input_files(str(second))
    page.get_by_label("Nội dung thay đổi").fill("Cập nhật số liệu")
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_text("Đã lưu giáo án phiên bản 2.")).to_be_visible()
    versions = page.locator("#versions")
    expect(versions.get_by_role("cell", name="Phiên bản 1", exact=True)).to_be_visible()
    expect(versions.get_by_role("cell", name="Phiên bản 2", exact=True)).to_be_visible()
    expect(versions.get_by_role("link", name="giao-an-chuyen-de-1.pdf")).to_be_visible()
    expect(versions.get_by_role("link", name="giao-an-chuyen-de-1-sua.docx")).to_be_visible()
    assert list(LessonPlan.objects.filter(topic=topic).values_list("version", flat=True)) == [2, 1]
