"""The annual plan in a browser: the department builds it from nominations and submits it, the
leader returns it with a comment, the department revises and resubmits, the leader approves,
and the department opens the course of a planned course."""

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import pick_organization
from llct.courses.models import Course, Enrolment
from llct.organizations.tests.factories import make_person
from llct.planning.models import AnnualPlan
from llct.planning.tests.factories import make_programme, nominate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_out(page):
    page.get_by_role("button", name="Đăng xuất").click()


def _build_and_submit(page, base, world):
    """The department builds the plan from the nominations and submits it."""
    page.goto(f"{base}/ke-hoach/ke-hoach-nam/")
    page.get_by_role("link", name="Lập kế hoạch năm").click()
    page.get_by_label("Năm").fill("2027")
    page.get_by_label("Số văn bản").fill("131-KH/ĐUK")
    page.get_by_label("Tên kế hoạch").fill("Đào tạo, bồi dưỡng lý luận chính trị năm 2027")
    pick_organization(page, "Cơ quan ban hành:", world.org_a)
    page.get_by_label("Địa danh").fill("Hòa Bình Sơn")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", name=re.compile("Đào tạo, bồi dưỡng"))).to_be_visible()
    expect(page.get_by_text("Đang dự thảo")).to_be_visible()

    page.get_by_role("link", name="Lập lớp từ danh sách đề xuất").first.click()
    summary = page.locator("table.nomination-summary")
    expect(summary.get_by_role("cell", name="Chi bộ B1")).to_be_visible()
    page.get_by_label("Chọn tất cả").check()
    expect(page.get_by_label("Chọn Lê Thị Cúc")).to_be_checked()
    page.get_by_role("button", name="Lập lớp từ những người đã chọn").click()
    expect(page.get_by_text("cho 3 người được đề xuất")).to_be_visible()
    # Quarter 2 was asked for most: April.
    expect(page.locator("#id_month")).to_have_value("4")
    page.locator("#id_month").select_option(label="Tháng 5")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("các khoản kinh phí đã được tính lại")).to_be_visible()
    courses = page.locator("table.planned-courses")
    expect(courses.get_by_text("Bồi dưỡng nghiệp vụ công tác đảng, lớp 1")).to_be_visible()
    expect(page.locator("#grand-total")).to_contain_text("đ")
    page.get_by_role("button", name="Trình phê duyệt").click()
    expect(page.get_by_text("Đã trình phê duyệt kế hoạch (phiên bản 1).")).to_be_visible()
    expect(page.get_by_role("link", name="Sửa", exact=True)).to_have_count(0)


def _approve(page, base):
    """The leader sees what changed and approves."""
    page.goto(f"{base}/ke-hoach/ke-hoach-nam/")
    page.get_by_role("link", name="Đào tạo, bồi dưỡng lý luận chính trị năm 2027").click()
    page.get_by_role("link", name="Phê duyệt hoặc trả lại").click()
    diff = page.locator("#diff")
    expect(diff).to_contain_text("Số học viên dự kiến")
    expect(diff.locator("del").first).to_have_text("3")
    expect(diff.locator("ins").first).to_have_text("40")
    page.get_by_label("Đã phê duyệt").check()
    page.get_by_role("button", name="Ghi quyết định").click()
    expect(page.get_by_text("Đã phê duyệt kế hoạch.")).to_be_visible()
    timeline = page.locator("#timeline")
    for step in ("Trả lại kèm ý kiến", "Đã chỉnh sửa", "Đã phê duyệt"):
        expect(timeline.get_by_text(step, exact=True)).to_be_visible()


def test_build_submit_return_revise_approve_and_open_the_course(world, sign_in, live_server):
    programme = make_programme("Bồi dưỡng nghiệp vụ công tác đảng")
    third = make_person(world.org_b1, "Lê Thị Cúc")
    for person, quarter in ((world.person_a, 2), (world.person_b, 2), (third, 3)):
        nominate(person, programme, quarter=quarter)
    base = live_server.url

    # The department builds the plan from the nominations.
    page = sign_in("bantuyengiao")
    _build_and_submit(page, base, world)
    _sign_out(page)

    # The leader returns it with a comment.
    sign_in("lanhdao")
    page.goto(f"{base}/ke-hoach/ke-hoach-nam/")
    page.get_by_role("link", name="Đào tạo, bồi dưỡng lý luận chính trị năm 2027").click()
    page.get_by_role("link", name="Phê duyệt hoặc trả lại").click()
    page.get_by_label("Trả lại kèm ý kiến").check()
    page.get_by_role("button", name="Ghi quyết định").click()
    expect(page.get_by_text("Bắt buộc khi trả lại kế hoạch").first).to_be_visible()
    page.get_by_label("Ý kiến góp ý").fill("Tăng số học viên lên 40 đồng chí.")
    page.get_by_role("button", name="Ghi quyết định").click()
    expect(page.get_by_text("Đã trả lại kế hoạch kèm ý kiến của đồng chí.")).to_be_visible()
    _sign_out(page)

    # The department revises and resubmits.
    sign_in("bantuyengiao")
    page.goto(f"{base}/ke-hoach/ke-hoach-nam/")
    page.get_by_role("link", name="Đào tạo, bồi dưỡng lý luận chính trị năm 2027").click()
    expect(page.locator(".returned-comments")).to_contain_text("Tăng số học viên lên 40")
    expect(page.get_by_role("button", name="Trình phê duyệt lại")).to_have_count(0)
    page.locator("table.planned-courses").get_by_role("link", name="Sửa").click()
    page.get_by_label("Số học viên dự kiến").fill("40")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".plan-status-revised")).to_be_visible()
    expect(page.locator("#changes")).to_contain_text("40")
    page.get_by_role("button", name="Trình phê duyệt lại").click()
    expect(page.get_by_text("Đã trình phê duyệt kế hoạch (phiên bản 2).")).to_be_visible()
    _sign_out(page)

    # The leader sees what changed and approves.
    sign_in("lanhdao")
    _approve(page, base)
    _sign_out(page)

    # The department opens the course of the planned course.
    sign_in("bantuyengiao")
    page.goto(f"{base}/ke-hoach/ke-hoach-nam/")
    page.get_by_role("link", name="Đào tạo, bồi dưỡng lý luận chính trị năm 2027").click()
    page.get_by_role("link", name="Mở lớp").click()
    expect(page.get_by_text("03/05/2027")).to_be_visible()
    page.get_by_role("button", name="Mở lớp và ghi danh người được đề xuất").click()
    expect(page.get_by_text("ghi danh 3 người được đề xuất")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Bồi dưỡng nghiệp vụ công tác đảng, lớp 1"))
    ).to_be_visible()
    course = Course.objects.get()
    assert (course.capacity, course.status) == (40, Course.Status.OPEN)
    assert Enrolment.objects.filter(course=course).count() == 3
    assert AnnualPlan.objects.get().planned_courses.get().course == course
