"""A learner joins an online class from their home page; a cell officer evaluates a learner
some months after the course."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from llct.corps import followups
from llct.corps.models import FollowUp, OnlineJoin, OnlineSettings
from llct.corps.tests.factories import make_course, make_finished_course, make_programme
from llct.courses.models import Enrolment, Session, Venue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def online_session_now(world) -> Session:
    venue = Venue.objects.create(
        name="Phòng họp trực tuyến Tỉnh ủy",
        kind=Venue.Kind.ONLINE,
        capacity=200,
        meeting_url="https://meet.example.vn/tinh-uy",
    )
    now = timezone.localtime()
    course = make_course(
        make_programme(topics=1), world.province, venue=venue, starts_on=now.date()
    )
    starts = now.time().replace(second=0, microsecond=0)
    later = (dt.datetime.combine(now.date(), starts) + dt.timedelta(minutes=90)).time()
    session = Session.objects.create(
        course=course,
        date=now.date(),
        part=Session.Part.CUSTOM,
        starts_at=starts,
        ends_at=later if later > starts else dt.time(23, 59, 59),
        venue=venue,
    )
    Enrolment.objects.create(course=course, person=world.person_a)
    return session


def test_a_learner_joins_an_online_class_from_home(world, sign_in, live_server, page):
    session = online_session_now(world)
    # The meeting service is outside the test: point the rooms at the test server instead.
    OnlineSettings.objects.update_or_create(
        pk=1, defaults={"meeting_base_url": live_server.url + "/phong-hop/"}
    )
    sign_in("hocvien")
    box = page.locator("#online-classes")
    expect(box).to_contain_text(session.course.name)
    with page.expect_popup() as popup:
        box.get_by_role("link", name="Vào lớp trực tuyến").click()
    room = popup.value
    room.wait_for_load_state()
    assert room.url.startswith(live_server.url + "/phong-hop/llct-")
    assert OnlineJoin.objects.filter(session=session, enrolment__person=world.person_a).exists()


def test_a_cell_officer_evaluates_a_learner_after_the_course(world, sign_in, live_server, page):
    ended = timezone.localdate() - dt.timedelta(days=200)
    make_finished_course(world.province, [world.person_a, world.person_b], ended)
    followups.followups_open(today=timezone.localdate())
    sign_in("canbo_a")
    page.goto(live_server.url + "/doi-ngu/sau-khoa-hoc/")
    expect(page.get_by_role("heading", name="Hiệu quả đào tạo")).to_be_visible()
    expect(page.locator("table.followups")).not_to_contain_text("Trần Thị Bình")
    page.get_by_role("link", name="Đánh giá", exact=True).click()
    expect(page.get_by_role("heading", name="Nguyễn Văn An")).to_be_visible()
    for fieldset in page.locator("form.followup-form fieldset").all():
        fieldset.get_by_label("4").check()
    page.locator('form.followup-form input[name^="note_"]').first.fill("Vận dụng tốt vào công tác")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu đánh giá.")).to_be_visible()
    follow_up = FollowUp.objects.get(enrolment__person=world.person_a)
    assert follow_up.average == 4 and follow_up.answered_by.username == "canbo_a"
