"""A course from start to enrolment: create, generate the sessions, hit a venue conflict, resolve
it, enrol a whole organization."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import pick_organization
from llct.courses.models import Course, Session
from llct.courses.tests.factories import (
    make_course,
    make_programme,
    make_session,
    make_venue,
)
from llct.organizations.tests.factories import make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _move_to_the_taken_hall(page, first, hall_a, neighbour, taken):
    """Move the first session to hall A, where the other course sits at the same time: refused,
    with the conflict and what was typed."""
    page.locator(f"#session-{first.pk}").get_by_role("link", name="Sửa").click()
    page.locator("#id_venue").select_option(str(hall_a.pk))
    page.get_by_label("Ghi chú").fill("Mang theo Điều lệ Đảng")
    page.get_by_role("button", name="Lưu").click()
    panel = page.locator("#conflicts")
    expect(panel).to_contain_text("Hội trường A")
    expect(panel).to_contain_text("Lớp của Khối B")
    link = panel.get_by_role("link", name="xem buổi học kia")
    expect(link).to_have_attribute("href", f"/lop-hoc/{neighbour.pk}/#session-{taken.pk}")
    expect(page.get_by_label("Ghi chú")).to_have_value("Mang theo Điều lệ Đảng")
    expect(page.get_by_label("Đây chỉ là cảnh báo: vẫn lưu")).to_have_count(0)


def test_department_runs_a_course_from_creation_to_enrolment(world, sign_in, live_server):
    programme = make_programme(
        topics=[("Lịch sử Đảng", 1), ("Điều lệ Đảng", 1), ("Tư tưởng Hồ Chí Minh", 1)],
        name="Nghiệp vụ công tác đảng (thử)",
    )
    hall_a = make_venue("Hội trường A", capacity=80)
    hall_b = make_venue("Hội trường B", capacity=80)
    neighbour = make_course(programme, world.org_b, name="Lớp của Khối B")
    taken = make_session(neighbour, dt.date(2026, 3, 3), venue=hall_a)  # Tuesday morning
    make_person(world.org_a1, "Lê Thị Hoa")

    page = sign_in("bantuyengiao")
    page.goto(f"{live_server.url}/lop-hoc/")
    expect(page.get_by_role("heading", name="Lớp học")).to_be_visible()
    page.get_by_role("link", name="Mở lớp mới").click()
    page.get_by_label("Mã").fill("NV-01/2026")
    page.get_by_label("Tên").fill("Lớp nghiệp vụ khóa 1")
    page.get_by_label("Chương trình").select_option(str(programme.pk))
    pick_organization(page, "Đơn vị tổ chức", world.org_a)
    page.get_by_label("Ngày khai giảng").fill("03/03/2026")
    page.get_by_label("Ngày bế giảng").fill("06/03/2026")
    page.get_by_label("Địa điểm chính").select_option(str(hall_b.pk))
    page.get_by_label("Sĩ số tối đa").fill("40")
    page.get_by_label("Trạng thái").select_option("open")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", name=re.compile("Lớp nghiệp vụ khóa 1"))).to_be_visible()
    course = Course.objects.get(code="NV-01/2026")

    # Generate the sessions in one step: Tuesday morning, Tuesday afternoon, Wednesday morning.
    page.get_by_role("button", name="Tạo lịch học từ chương trình").click()
    expect(page.get_by_text("Đã tạo 3 buổi học")).to_be_visible()
    sessions = page.locator("table.sessions tbody tr")
    expect(sessions).to_have_count(3)
    expect(sessions.first).to_contain_text("03/03/2026")
    expect(sessions.first).to_contain_text("Lịch sử Đảng")
    first = Session.objects.filter(course=course).order_by("date", "starts_at").first()
    assert first is not None

    # Move the first session to hall A, where the other course sits at the same time.
    _move_to_the_taken_hall(page, first, hall_a, neighbour, taken)

    # Resolve it: back to hall B.
    page.locator("#id_venue").select_option(str(hall_b.pk))
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu.")).to_be_visible()
    row = page.locator(f"#session-{first.pk}")
    expect(row).to_contain_text("Hội trường B")
    expect(row).to_contain_text("Mang theo Điều lệ Đảng")
    expect(page.locator("tr.has-conflict")).to_have_count(0)

    # Enrol the whole of organization A.
    page.get_by_role("link", name="Ghi danh học viên").first.click()
    pick_organization(page, "Toàn bộ nhân sự của", world.org_a)
    page.get_by_role("button", name="Ghi danh cả tổ chức").click()
    expect(page.get_by_text("Đã ghi danh 2 học viên.")).to_be_visible()
    learners = page.locator("#learners")
    expect(learners.get_by_text("Nguyễn Văn An")).to_be_visible()
    expect(learners.get_by_text("Lê Thị Hoa")).to_be_visible()
    expect(learners.get_by_text("Trần Thị Bình")).to_have_count(0)
    assert course.enrolments.count() == 2
