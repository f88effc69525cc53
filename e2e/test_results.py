"""Entering a grade sheet from the keyboard, a wrong score refused in place, and the
department's approval."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from llct.assessment.models import Certificate, ResultsApproval, ScoreChange
from llct.assessment.tests.factories import graded_programme, ready_course
from llct.organizations.tests.factories import make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _expect_outcomes(page, an, binh, chi):
    """Each row shows its final score, band and verdict as soon as it is saved."""
    expect(page.locator(f"#final-{an.pk}")).to_have_text("8,8")  # (8.5 + 9) / 2 = 8.75
    expect(page.locator(f"#band-{an.pk}")).to_have_text("Giỏi")
    expect(page.locator(f"#final-{binh.pk}")).to_have_text("6,5")
    expect(page.locator(f"#band-{binh.pk}")).to_have_text("Trung bình")
    expect(page.locator(f"#final-{chi.pk}")).to_have_text("7,8")
    expect(page.locator(f"#verdict-{chi.pk}")).to_contain_text("Đạt")
    expect(page.locator("#results-summary")).to_contain_text("3 đạt")
    expect(page.locator(f"#cell-{binh.pk}-essay_score .error")).to_have_count(0)


def test_fill_a_grade_sheet_by_keyboard_then_approve(world, sign_in, live_server, page):
    people = [
        make_person(world.org_a1, "Nguyễn Thị An"),
        make_person(world.org_a1, "Trần Văn Bình"),
        make_person(world.org_a1, "Lê Thị Chi"),
    ]
    programme = graded_programme(assessment_kind="tests_and_essay", issues_certificate=True)
    course, (an, binh, chi) = ready_course(world.province, *people, programme=programme)

    def cell(enrolment, field):
        return page.locator(f"#score-{enrolment.pk}-{field}")

    sign_in("bantuyengiao")
    page.goto(live_server.url + reverse("assessment:grade_sheet", args=[course.pk]))
    expect(page.get_by_role("heading", name="Bảng điểm")).to_be_visible()

    # Down the essay column: type, Enter, type, Enter... The second score is wrong.
    cell(an, "essay_score").click()
    page.keyboard.type("8,5")
    page.keyboard.press("Enter")
    expect(cell(binh, "essay_score")).to_be_focused()
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    expect(cell(chi, "essay_score")).to_be_focused()
    page.keyboard.type("7.5")
    page.keyboard.press("Enter")  # the last row: saved, and the cursor stays

    # Refused in place: the typed value stays, with the reason, and nothing is saved.
    refused = page.locator(f"#cell-{binh.pk}-essay_score")
    expect(refused).to_contain_text("Điểm phải trong khoảng từ 0 đến 10.")
    expect(cell(binh, "essay_score")).to_have_value("12")
    expect(cell(binh, "essay_score")).to_have_attribute("aria-invalid", "true")

    # Down the test column.
    cell(an, "test_score").click()
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    page.keyboard.type("8")
    page.keyboard.press("Tab")

    # Fix the wrong essay score; Tab moves along the row and saves it.
    cell(binh, "essay_score").fill("6")
    cell(binh, "essay_score").press("Tab")
    expect(cell(binh, "test_score")).to_be_focused()

    # Each row shows its final score, band and verdict as soon as it is saved.
    _expect_outcomes(page, an, binh, chi)

    # Reload: the values were kept.
    page.reload()
    expect(cell(an, "essay_score")).to_have_value("8,5")
    expect(cell(binh, "essay_score")).to_have_value("6,0")
    expect(cell(chi, "essay_score")).to_have_value("7,5")
    expect(cell(an, "test_score")).to_have_value("9,0")
    expect(cell(binh, "test_score")).to_have_value("7,0")
    expect(cell(chi, "test_score")).to_have_value("8,0")
    assert ScoreChange.objects.count() == 6  # the refused 12 left no trace

    # The department approves; the sheet is locked.
    page.get_by_role("link", name="Phê duyệt kết quả").click()
    expect(page.get_by_text("3 học viên đạt sẽ được cấp giấy chứng nhận")).to_be_visible()
    page.get_by_role("button", name="Phê duyệt kết quả").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã phê duyệt kết quả: 3 đạt")
    expect(page.locator(".score-input")).to_have_count(0)
    expect(page.get_by_role("link", name="Đính chính")).to_have_count(3)
    assert ResultsApproval.objects.get().approved_by == world.department
    assert Certificate.objects.count() == 3
