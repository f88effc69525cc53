"""The learner answers the survey of a finished course, once."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from llct.assessment.models import LecturerRating, SurveyReceipt, SurveyResponse
from llct.assessment.tests.test_feedback import enrol, make_lecturer, surveyed_course
from llct.courses.models import Course

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}


def rate(page, block: str, criterion: str, score: int) -> None:
    page.locator(block).get_by_role("group", name=criterion).get_by_label(
        str(score), exact=True
    ).check()


def test_learner_fills_the_survey_of_a_finished_course_and_cannot_submit_twice(
    world, sign_in, live_server
):
    first, second = make_lecturer("Lê Văn Giảng"), make_lecturer("Phạm Thị Dạy")
    course = surveyed_course(
        world.org_a,
        lecturers=[first, second],
        status=Course.Status.FINISHED,
        last_session=timezone.localdate() - dt.timedelta(days=2),
        name="Lớp bồi dưỡng nghiệp vụ công tác đảng",
    )
    enrolment = enrol(course, world.person_a)
    survey_url = live_server.url + reverse("assessment:survey", args=[course.pk])

    page = sign_in("hocvien")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("assessment:my_surveys"))
    pending = page.locator("#pending")
    expect(pending).to_contain_text("Lớp bồi dưỡng nghiệp vụ công tác đảng")
    # A second tab opened on the same survey before the first one is sent.
    other_tab = page.context.new_page()
    other_tab.goto(survey_url)

    pending.get_by_role("link", name="Trả lời").click()
    expect(page.get_by_role("heading", name="Khảo sát lớp học")).to_be_visible()
    expect(page.get_by_role("group", name="Giảng viên Lê Văn Giảng")).to_be_visible()
    expect(page.get_by_role("group", name="Giảng viên Phạm Thị Dạy")).to_be_visible()
    # On a phone: the five scores of a criterion on one line, nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    boxes = [
        page.locator(f"#lecturer-{first.pk}")
        .get_by_role("group", name="Nội dung")
        .locator("label")
        .nth(i)
        .bounding_box()
        for i in range(5)
    ]
    assert len({round(b["y"]) for b in boxes}) == 1 and min(b["height"] for b in boxes) >= 44

    # Sending without choosing keeps the page and says what is missing.
    page.get_by_role("button", name="Gửi phiếu khảo sát").click()
    expect(page.get_by_role("alert").filter(has_text="Vui lòng")).to_be_visible()
    expect(page.get_by_text("Hãy chọn điểm từ 1 đến 5.").first).to_be_visible()
    assert not SurveyReceipt.objects.exists()

    for criterion, score in (("Nội dung", 5), ("Phương pháp giảng dạy", 4)):
        rate(page, f"#lecturer-{first.pk}", criterion, score)
    rate(page, f"#lecturer-{first.pk}", "Liên hệ thực tiễn", 5)
    for criterion in ("Nội dung", "Phương pháp giảng dạy", "Liên hệ thực tiễn"):
        rate(page, f"#lecturer-{second.pk}", criterion, 3)
    rate(page, "#course-ratings", "Công tác tổ chức lớp học", 4)
    rate(page, "#course-ratings", "Cơ sở vật chất", 2)
    page.get_by_label("Ý kiến góp ý, đề xuất").fill("Hội trường thiếu micro.")
    page.get_by_role("button", name="Gửi phiếu khảo sát").click()

    expect(page).to_have_url(re.compile(r"/ket-qua/khao-sat/$"))
    expect(
        page.get_by_text("Xin cảm ơn: phiếu khảo sát của đồng chí đã được ghi nhận")
    ).to_be_visible()
    expect(page.locator("#answered")).to_contain_text("Lớp bồi dưỡng nghiệp vụ công tác đảng")
    expect(page.locator("#pending")).to_contain_text("Không có khảo sát nào đang chờ")

    response = SurveyResponse.objects.get()
    assert (response.organization_rating, response.facilities_rating) == (4, 2)
    assert response.comments == "Hội trường thiếu micro."
    ratings = {
        r.lecturer_id: (r.content, r.method, r.practice) for r in LecturerRating.objects.all()
    }
    assert ratings == {first.pk: (5, 4, 5), second.pk: (3, 3, 3)}
    assert SurveyReceipt.objects.get().enrolment == enrolment

    # The other tab still shows the form: sending it is refused, and nothing more is stored.
    for block in (f"#lecturer-{first.pk}", f"#lecturer-{second.pk}"):
        for criterion in ("Nội dung", "Phương pháp giảng dạy", "Liên hệ thực tiễn"):
            rate(other_tab, block, criterion, 1)
    rate(other_tab, "#course-ratings", "Công tác tổ chức lớp học", 1)
    rate(other_tab, "#course-ratings", "Cơ sở vật chất", 1)
    other_tab.get_by_role("button", name="Gửi phiếu khảo sát").click()
    expect(other_tab.get_by_role("alert")).to_contain_text(
        "Đồng chí đã trả lời khảo sát của lớp học này"
    )
    assert SurveyResponse.objects.count() == 1 and LecturerRating.objects.count() == 2

    # Coming back to the survey says it has been answered, with no form to send.
    page.goto(survey_url)
    expect(page.locator("#survey-refusal")).to_contain_text("đã trả lời")
    expect(page.get_by_role("button", name="Gửi phiếu khảo sát")).to_have_count(0)
