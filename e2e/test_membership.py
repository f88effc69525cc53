"""Party rules in a real browser: an organization officer records the admission of a candidate
who holds an awareness certificate; a year later (the live server's clock moved with
time-machine) the same officer records the full membership, first too early (refused), then on
the day after probation ends, with the new-member class the member took during probation."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from llct.assessment.models import MembershipDecision
from llct.assessment.tests.factories import awareness_certificate, candidate, new_member_class
from llct.organizations.models import Person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TZ = dt.timezone(dt.timedelta(hours=7))


def moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 30), tzinfo=TZ)


def _record_admission(page, person_url, certificate, committee):
    """The officer records the admission from the person's page, the certificate as evidence."""
    page.goto(person_url)
    section = page.locator("#membership")
    expect(section.get_by_role("heading", name="Đảng tịch")).to_be_visible()
    section.get_by_role("link", name="Ghi nhận kết nạp").click()

    expect(page.get_by_role("heading", name="Ghi nhận kết nạp")).to_be_visible()
    expect(page.locator("#decision-evidence")).to_contain_text(certificate.serial)
    expect(page.locator("#decision-evidence")).to_contain_text("có giá trị đến ngày 17/10/2030")
    page.get_by_label("Số quyết định").fill("125-QĐ/ĐU")
    expect(page.get_by_label("Ngày quyết định")).to_have_value("02/03/2026")
    expect(page.get_by_label("Cấp ủy ra quyết định")).to_have_value(str(committee.pk))
    page.get_by_role("button", name="Ghi quyết định").click()

    expect(page.get_by_text("Đã ghi nhận kết nạp Đinh Thị Ngọc Ánh")).to_be_visible()
    decisions = page.locator("#membership-decisions")
    expect(decisions).to_contain_text("Quyết định số 125-QĐ/ĐU ngày 02/03/2026, Đảng ủy Khối A")
    expect(decisions).to_contain_text(certificate.serial)
    expect(page.locator("#probation-clock")).to_contain_text("Hết thời gian dự bị ngày 02/03/2027")


def test_officer_admits_a_candidate_and_a_year_later_recognizes_the_full_member(
    world, sign_in, live_server, page
):
    person = candidate(world.org_a1, "Đinh Thị Ngọc Ánh")
    certificate = awareness_certificate(person, world.org_a, issued_on=dt.date(2025, 10, 17))
    person_url = live_server.url + reverse("organizations:person_detail", args=[person.pk])

    with time_machine.travel(moment(dt.date(2026, 3, 2))):
        sign_in("canbo_a")
        _record_admission(page, person_url, certificate, world.org_a)

    person.refresh_from_db()
    assert (person.stage, person.admitted_on) == ("probationary", dt.date(2026, 3, 2))
    # During the probation the member takes the new-member class and passes it.
    enrolment = new_member_class(person, world.org_a, ends_on=dt.date(2026, 6, 12))

    with time_machine.travel(moment(dt.date(2027, 3, 1))):
        sign_in("canbo_a")  # a year later: the old session has expired
        page.goto(person_url)
        page.locator("#membership").get_by_role(
            "link", name="Ghi nhận công nhận chính thức"
        ).click()
        evidence = page.locator("#decision-evidence")
        expect(evidence).to_contain_text("Đã hoàn thành lớp bồi dưỡng đảng viên mới")
        expect(evidence).to_contain_text(enrolment.course.name)
        page.get_by_label("Số quyết định").fill("210-QĐ/ĐU")
        page.get_by_role("button", name="Ghi quyết định").click()
        expect(
            page.get_by_text("Chỉ được công nhận đảng viên chính thức từ ngày 02/03/2027")
        ).to_be_visible()
        assert Person.objects.get(pk=person.pk).stage == "probationary"

    with time_machine.travel(moment(dt.date(2027, 3, 3))):
        sign_in("canbo_a")  # two days on: the idle session has ended
        page.goto(live_server.url + reverse("membership:recognize", args=[person.pk]))
        page.get_by_label("Số quyết định").fill("210-QĐ/ĐU")
        page.get_by_label("Ngày quyết định").fill("03/03/2027")
        page.get_by_role("button", name="Ghi quyết định").click()
        expect(
            page.get_by_text("Đã ghi nhận công nhận đảng viên chính thức Đinh Thị Ngọc Ánh")
        ).to_be_visible()
        expect(page.locator("dl.facts")).to_contain_text("Đảng viên chính thức")
        decisions = page.locator("#membership-decisions")
        expect(decisions).to_contain_text("Quyết định số 210-QĐ/ĐU ngày 03/03/2027")
        expect(decisions).to_contain_text(enrolment.course.name)
        expect(page.locator("#probation-clock")).to_have_count(0)

    person.refresh_from_db()
    assert (person.stage, person.full_member_on) == ("full", dt.date(2027, 3, 3))
    assert [d.kind for d in MembershipDecision.objects.order_by("decided_on")] == [
        "admission",
        "full",
    ]
    assert not MembershipDecision.objects.filter(is_exception=True).exists()
