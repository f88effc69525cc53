"""The portal and online tests in a real browser: an editor writes, submits and publishes an
article that a signed-out visitor then reads; a learner takes an online test on a phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from llct.portal.tests.factories import make_category
from llct.studies.models import Attempt, Question
from llct.studies.tests.factories import make_contest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_publish_an_article_and_read_it_signed_out(world, sign_in, live_server, page, browser):
    make_category(actor=world.department)
    sign_in("bantuyengiao")
    page.goto(live_server.url + reverse("portal:create"))
    page.get_by_label("Tiêu đề").fill("Hội nghị quán triệt Nghị quyết Đại hội")
    page.get_by_label("Chuyên mục").select_option(label="Chính trị")
    page.get_by_label("Sapo").fill("Hội nghị trực tuyến đến 168 điểm cầu.")
    page.get_by_label("Nội dung").fill("<p>Toàn văn bài viết.</p><script>alert(1)</script>")
    page.get_by_label("Tác giả").fill("Minh Anh")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#article-status")).to_have_text("Nháp")
    page.get_by_role("button", name="Gửi duyệt").click()
    expect(page.locator("#article-status")).to_have_text("Chờ duyệt")
    page.get_by_role("button", name="Xuất bản").click()
    expect(page.locator("#article-status")).to_have_text("Đã đăng")

    visitor = browser.new_context(locale="vi-VN").new_page()
    visitor.goto(live_server.url + "/tin-tuc/")
    visitor.get_by_role("link", name="Hội nghị quán triệt Nghị quyết Đại hội").first.click()
    expect(visitor).to_have_url(
        live_server.url + "/tin-tuc/hoi-nghi-quan-triet-nghi-quyet-dai-hoi/"
    )
    expect(
        visitor.get_by_role("heading", name="Hội nghị quán triệt Nghị quyết Đại hội")
    ).to_be_visible()
    expect(visitor.locator(".news-body")).to_have_text("Toàn văn bài viết.")
    expect(visitor.locator(".author")).to_have_text("Minh Anh")
    og = visitor.locator('meta[property="og:title"]')
    assert og.get_attribute("content") == "Hội nghị quán triệt Nghị quyết Đại hội"
    assert visitor.get_by_role("button", name="Đăng xuất").count() == 0
    visitor.get_by_label("Tìm bài viết").fill("quan triet nghi quyet")
    visitor.get_by_role("button", name="Tìm", exact=True).click()
    expect(visitor.locator("#result-count")).to_contain_text("1 bài viết")


def test_a_learner_takes_a_test_on_a_phone(world, live_server, browser):
    contest = make_contest(world, question_count=5)
    phone = browser.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("hocvien")
    page.get_by_label("Mật khẩu").fill("matkhau-123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live_server.url + reverse("studies:contest", args=[contest.pk]))
    expect(page.locator("#attempts-left")).to_contain_text("0/3")
    page.get_by_role("button", name="Bắt đầu thi").click()
    expect(page.locator("#timer")).to_contain_text(":")
    attempt = Attempt.objects.get()
    key = dict(Question.objects.values_list("id", "answer"))
    options = {qid: Question.objects.get(pk=qid).options for qid, _ in attempt.paper}
    for i, (qid, _order) in enumerate(attempt.paper):
        question = page.locator("fieldset.question").nth(i)
        question.get_by_role("radio", name=options[qid][key[qid]], exact=True).check()
    # The paper fits the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator("#result")).to_contain_text("10,0 / 10")
    expect(page.locator("#result")).to_contain_text("Đúng 5 trên 5 câu.")
