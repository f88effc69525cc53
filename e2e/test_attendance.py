"""Taking attendance on a phone, and checking in by the QR link."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from llct.courses.models import Attendance, Course, Enrolment, Session
from llct.courses.tests.factories import running_course
from llct.courses.tests.test_attendance import enrol, make_venue
from llct.organizations.tests.factories import make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 800}


def session_starting_now(course: Course) -> Session:
    now = timezone.localtime()
    starts = now.time().replace(second=0, microsecond=0)
    later = (dt.datetime.combine(now.date(), starts) + dt.timedelta(minutes=90)).time()
    ends = later if later > starts else dt.time(23, 59, 59)
    return Session.objects.create(
        course=course,
        date=now.date(),
        part=Session.Part.CUSTOM,
        starts_at=starts,
        ends_at=ends,
        topic=course.programme.topics.first(),
        venue=make_venue(),
    )


def test_take_attendance_on_a_phone_by_tapping(world, sign_in, live_server, page):
    course = running_course(world.province)
    session = session_starting_now(course)
    extra = make_person(world.org_a1, "Lê Thị Ánh")
    enrol_a, enrol_b, enrol_x = enrol(course, world.person_a, world.person_b, extra)
    page.set_viewport_size(PHONE)
    sign_in("bantuyengiao")
    page.goto(live_server.url + reverse("courses:roll_call", args=[session.pk]))
    expect(page.get_by_role("heading", name="Điểm danh", exact=True)).to_be_visible()

    counts = page.locator("#rollcall-counts")
    expect(counts).to_contain_text("3 chưa điểm danh")
    row_a = page.locator(f"#enrolment-{enrol_a.pk}")
    present = row_a.get_by_role("button", name="Có mặt")
    box = present.bounding_box()
    assert box and box["height"] >= 44  # a big tap target
    present.click()
    expect(row_a.get_by_role("button", name="Có mặt")).to_have_attribute("aria-pressed", "true")
    expect(counts).to_contain_text("1 có mặt")
    expect(counts).to_contain_text("2 chưa điểm danh")

    row_b = page.locator(f"#enrolment-{enrol_b.pk}")
    row_b.get_by_role("button", name="Vắng có phép").click()
    expect(row_b.get_by_role("button", name="Vắng có phép")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.locator(f"#enrolment-{enrol_x.pk}").get_by_role("button", name="Vắng", exact=True).click()
    expect(counts).to_contain_text("0 chưa điểm danh")

    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.reload()
    expect(
        page.locator(f"#enrolment-{enrol_a.pk}").get_by_role("button", name="Có mặt")
    ).to_have_attribute("aria-pressed", "true")
    expect(
        page.locator(f"#enrolment-{enrol_b.pk}").get_by_role("button", name="Vắng có phép")
    ).to_have_attribute("aria-pressed", "true")
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        enrol_a.pk: "present",
        enrol_b.pk: "excused",
        enrol_x.pk: "absent",
    }
    # The QR code for self check-in is on the page.
    expect(page.get_by_role("img", name="Mã QR để tự điểm danh")).to_be_visible()


def test_check_in_by_the_qr_link_as_the_learner(world, live_server, page):
    course = running_course(world.province, name="Lớp quán triệt Nghị quyết")
    session = session_starting_now(course)
    (enrolment,) = enrol(course, world.person_a)
    page.set_viewport_size(PHONE)
    # The link in the QR code: not signed in yet, so sign in first, then back here.
    page.goto(live_server.url + reverse("courses:checkin", args=[session.checkin_code]))
    expect(page).to_have_url(re.compile(r"/dang-nhap/\?next="))
    page.get_by_label("Tên đăng nhập").fill("hocvien")
    page.get_by_label("Mật khẩu").fill("matkhau-123")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Lớp quán triệt Nghị quyết")).to_be_visible()
    # Opening the link did not check in: the button does.
    assert not Attendance.objects.exists()
    page.get_by_role("button", name="Điểm danh").click()
    expect(page.get_by_role("status")).to_contain_text("Đã điểm danh")
    attendance = Attendance.objects.get()
    assert attendance.enrolment_id == enrolment.pk
    assert attendance.status == "present" and attendance.method == "qr"
    # A second scan changes nothing and says so: the button is disabled with its reason.
    page.goto(live_server.url + reverse("courses:checkin", args=[session.checkin_code]))
    expect(page.get_by_role("button", name="Đã điểm danh")).to_be_disabled()
    expect(page.locator("#checkin-reason")).to_be_visible()
    assert Attendance.objects.count() == 1
    assert Enrolment.objects.get().status == "enrolled"
