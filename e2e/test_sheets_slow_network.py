"""The roll call and the grade sheet on a slow or failing network: every tap is saved, or the
row says it is not saved and offers to retry; leaving with unsaved marks asks first."""

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from e2e.test_attendance import PHONE, session_starting_now
from llct.assessment.models import Result
from llct.assessment.tests.factories import ready_course
from llct.core.models import AuditEntry
from llct.courses.models import Attendance, Session
from llct.courses.tests.factories import running_course
from llct.courses.tests.test_attendance import enrol, make_venue
from llct.organizations.tests.factories import make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LATENCY = 1.0  # seconds added to every save
TAP_EVERY = 0.3  # seconds between taps


class Network:
    """Holds back the sheets' save requests (`page.route`): each is let through `latency`
    seconds after it was sent, or aborted while `down`. Time passes in `wait`, which releases
    what is due, so many requests are delayed at once, as on a slow line."""

    def __init__(self, page, pattern, latency=0.0):
        self.page, self.latency, self.down = page, latency, False
        self.held = []
        self.sent = 0
        page.route(pattern, self._hold)

    def _hold(self, route):
        if route.request.method != "POST":
            route.continue_()
            return
        self.sent += 1
        if self.down:
            route.abort("internetdisconnected")
            return
        self.held.append((time.monotonic() + self.latency, route))

    def wait(self, seconds):
        end = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            for item in [h for h in self.held if h[0] <= now]:
                self.held.remove(item)
                item[1].continue_()
            if now >= end:
                return
            self.page.wait_for_timeout(20)

    def settle(self, expect_ok, timeout=30.0):
        """Let requests through until `expect_ok()` holds (or time runs out)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.wait(0.2)
            if not self.held and expect_ok():
                return
        raise AssertionError("the sheet did not settle")


def roll_call_of(world, n, *, session_on=None):
    course = running_course(world.province)
    if session_on is None:
        session = session_starting_now(course)
    else:
        session = Session.objects.create(
            course=course,
            date=session_on,
            part=Session.Part.MORNING,
            starts_at=dt.time(7, 30),
            ends_at=dt.time(11, 30),
            venue=make_venue(),
        )
    people = [make_person(world.org_a1, f"Học Viên Số {i:02d}") for i in range(n)]
    return session, enrol(course, *people)


def marks(session):
    return dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "status"))


def row(page, enrolment):
    return page.locator(f"#enrolment-{enrolment.pk}")


def tap(page, enrolment, label):
    row(page, enrolment).get_by_role("button", name=label, exact=True).click(no_wait_after=True)


def test_every_tap_is_saved_at_one_second_of_latency(world, sign_in, live_server, page):
    session, enrolments = roll_call_of(world, 12)
    page.set_viewport_size(PHONE)
    sign_in("bantuyengiao")
    network = Network(page, "**/diem-danh/**", latency=LATENCY)
    page.goto(live_server.url + reverse("courses:roll_call", args=[session.pk]))
    want = {}
    for i, enrolment in enumerate(enrolments):
        tap(page, enrolment, "Có mặt")
        want[enrolment.pk] = "present"
        network.wait(TAP_EVERY)
        if i % 4 == 3:  # a change of mind, quickly: the last tap wins
            tap(page, enrolment, "Vắng")
            want[enrolment.pk] = "absent"
            network.wait(TAP_EVERY)
    # While requests are on their way, the rows say so.
    expect(page.locator("[data-autosave-status]")).to_contain_text("Đang lưu")
    network.settle(lambda: marks(session) == want)
    for enrolment in enrolments:
        expect(row(page, enrolment).locator("[data-save-state]")).to_have_text("Đã lưu")
    expect(page.locator("#rollcall-counts")).to_contain_text("9 có mặt")
    expect(page.locator("#rollcall-counts")).to_contain_text("3 vắng")
    expect(page.locator("#rollcall-counts")).to_contain_text("0 chưa điểm danh")
    expect(page.locator("[data-autosave-status]")).to_have_text("Đã lưu tất cả.")
    assert page.get_by_text("Ký hiệu điểm danh không hợp lệ").count() == 0


def test_a_failed_mark_says_so_warns_on_leaving_and_is_saved_by_retry(
    world, sign_in, live_server, page
):
    session, enrolments = roll_call_of(world, 3)
    page.set_viewport_size(PHONE)
    sign_in("bantuyengiao")
    network = Network(page, "**/diem-danh/**")
    page.goto(live_server.url + reverse("courses:roll_call", args=[session.pk]))
    network.down = True
    tap(page, enrolments[0], "Có mặt")
    tap(page, enrolments[1], "Vắng có phép")
    for enrolment in enrolments[:2]:
        state = row(page, enrolment).locator("[data-save-state]")
        expect(state).to_contain_text("Chưa lưu")
        expect(state.get_by_role("button", name="Thử lại")).to_be_visible()
    expect(page.locator("[data-autosave-status]")).to_contain_text("2 mục chưa lưu")
    assert marks(session) == {}

    # Leaving now asks first.
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert not page.is_closed()

    # The network is back: Retry saves each.
    network.down = False
    for enrolment in enrolments[:2]:
        row(page, enrolment).get_by_role("button", name="Thử lại").click()
    network.settle(lambda: len(marks(session)) == 2)
    assert marks(session) == {enrolments[0].pk: "present", enrolments[1].pk: "excused"}
    for enrolment in enrolments[:2]:
        expect(row(page, enrolment).locator("[data-save-state]")).to_have_text("Đã lưu")


def test_all_present_keeps_the_exceptions(world, sign_in, live_server, page):
    session, enrolments = roll_call_of(world, 6)
    page.set_viewport_size(PHONE)
    sign_in("bantuyengiao")
    network = Network(page, "**/diem-danh/**", latency=LATENCY)
    page.goto(live_server.url + reverse("courses:roll_call", args=[session.pk]))
    tap(page, enrolments[1], "Vắng có phép")
    network.wait(TAP_EVERY)
    page.get_by_role("button", name="Có mặt tất cả").click(no_wait_after=True)
    network.wait(TAP_EVERY)
    tap(page, enrolments[4], "Vắng")  # an exception tapped while "all present" is on its way
    want = {e.pk: "present" for e in enrolments}
    want[enrolments[1].pk] = "excused"
    want[enrolments[4].pk] = "absent"
    network.settle(lambda: marks(session) == want)
    expect(page.locator("#rollcall-counts")).to_contain_text("4 có mặt")
    for enrolment in enrolments:
        expect(row(page, enrolment).locator("[data-save-state]")).to_have_text("Đã lưu")


def test_a_correction_after_the_day_needs_a_reason_and_is_audited(
    world, sign_in, live_server, page
):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    session, (enrolment,) = roll_call_of(world, 1, session_on=yesterday)
    sign_in("bantuyengiao")
    page.goto(live_server.url + reverse("courses:roll_call", args=[session.pk]))
    expect(page.get_by_text("thay đổi lúc này là điều chỉnh")).to_be_visible()
    tap(page, enrolment, "Có mặt")
    expect(row(page, enrolment).locator("[data-save-state]")).to_contain_text("lý do")
    assert marks(session) == {}
    page.get_by_label("Lý do điều chỉnh").fill("Học viên đến muộn, ký bổ sung")
    row(page, enrolment).get_by_role("button", name="Thử lại").click()
    expect(row(page, enrolment).locator("[data-save-state]")).to_have_text("Đã lưu")
    assert marks(session) == {enrolment.pk: "present"}
    entry = AuditEntry.objects.get(action="attendance_correct")
    assert entry.summary == "Học viên đến muộn, ký bổ sung"


def test_grade_sheet_keeps_every_score_typed_quickly_on_a_slow_line(
    world, sign_in, live_server, page
):
    people = [make_person(world.org_a1, f"Học Viên Điểm {i:02d}") for i in range(10)]
    course, enrolments = ready_course(world.province, *people)
    sign_in("bantuyengiao")
    network = Network(page, "**/bang-diem/*/", latency=LATENCY)
    page.goto(live_server.url + reverse("assessment:grade_sheet", args=[course.pk]))
    page.locator(f"#score-{enrolments[0].pk}-essay_score").click()
    want = {}
    for i, enrolment in enumerate(enrolments):
        score = f"{5 + i % 5},{i % 10}"
        page.keyboard.type(score)
        page.keyboard.press("Enter")  # saves the cell and goes down
        want[enrolment.pk] = score.replace(",", ".")
        network.wait(TAP_EVERY)

    def saved():
        stored = dict(Result.objects.values_list("enrolment_id", "essay_score"))
        return {k: str(v) for k, v in stored.items()} == want

    network.settle(saved)
    for enrolment in enrolments:
        expect(page.locator(f"#cell-{enrolment.pk}-essay_score [data-save-state]")).to_have_text(
            "Đã lưu"
        )
    expect(page.locator("#results-summary")).to_contain_text("10 đạt")

    # Offline: the cell says it is not saved; back online, Retry saves it.
    network.down = True
    cell = page.locator(f"#score-{enrolments[0].pk}-essay_score")
    cell.fill("9")
    cell.press("Tab")
    state = page.locator(f"#cell-{enrolments[0].pk}-essay_score [data-save-state]")
    expect(state).to_contain_text("Chưa lưu")
    network.down = False
    state.get_by_role("button", name="Thử lại").click()
    network.settle(lambda: str(Result.objects.get(enrolment=enrolments[0]).essay_score) == "9.0")
    expect(state).to_have_text("Đã lưu")
