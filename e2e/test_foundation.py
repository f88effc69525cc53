import re

import pytest
from playwright.sync_api import expect

from llct.organizations.models import Person
from llct.organizations.tests.factories import make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_browse_the_tree(world, sign_in, live_server):
    page = sign_in("bantuyengiao")
    expect(page.get_by_role("heading", name=re.compile("Xin chào"))).to_be_visible()
    page.locator("summary", has_text="Tổ chức và nhân sự").click()
    page.get_by_role("link", name="Tổ chức đảng").first.click()
    expect(page.get_by_role("heading", name="Cây tổ chức đảng")).to_be_visible()
    tree = page.locator("#tree")
    expect(tree.get_by_text("Đảng ủy Khối A")).to_be_visible()
    # Second level is collapsed: open it to reach the cell below.
    expect(tree.get_by_role("link", name="Chi bộ A1")).to_be_hidden()
    page.get_by_role("button", name="Mở tất cả").click()
    expect(tree.get_by_role("link", name="Chi bộ A1")).to_be_visible()
    tree.get_by_role("link", name="Chi bộ A1").click()
    expect(page.get_by_role("heading", name="Chi bộ A1")).to_be_visible()


def test_wrong_password_is_refused_in_vietnamese(world, sign_in):
    page = sign_in("bantuyengiao", "sai-mat-khau")
    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập và mật khẩu chính xác")


def test_search_a_person_without_diacritics(world, sign_in, live_server):
    make_person(world.org_a1, "Nguyễn Văn Ánh")
    make_person(world.org_a1, "Lê Thị Nguyệt")
    page = sign_in("canbo_a")
    page.goto(f"{live_server.url}/to-chuc/nhan-su/")
    page.get_by_label("Tìm theo tên").fill("nguyen van a")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Nguyễn Văn Ánh")).to_be_visible()
    expect(results.get_by_role("link", name="Lê Thị Nguyệt")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=nguyen"))
    # The officer of A never meets B's people.
    page.get_by_label("Tìm theo tên").fill("binh")
    expect(results.get_by_text("Không có ai phù hợp")).to_be_visible()


def test_edit_a_person_with_a_validation_error_then_fix_it(world, sign_in, live_server):
    page = sign_in("canbo_a")
    page.goto(f"{live_server.url}/to-chuc/nhan-su/{world.person_a.pk}/sua/")
    page.get_by_label("Chức vụ").fill("Bí thư chi bộ")
    page.get_by_label("Tình trạng đảng viên").select_option("probationary")
    page.get_by_label("Ngày sinh").fill("01/01/2015")
    page.get_by_label("Ngày vào Đảng").fill("01/06/2026")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Chỉ được kết nạp vào Đảng khi đủ 18 tuổi trở lên.")).to_be_visible()
    # Since LLCT came into use an admission is a decision, not a date typed here.
    expect(page.get_by_text("Từ ngày 01/01/2026, kết nạp là một quyết định")).to_be_visible()
    # What was typed is still there.
    expect(page.get_by_label("Chức vụ")).to_have_value("Bí thư chi bộ")
    expect(page.get_by_label("Ngày vào Đảng")).to_have_value("01/06/2026")
    page.get_by_label("Ngày sinh").fill("01/01/1995")
    page.get_by_label("Ngày vào Đảng").fill("01/06/2025")  # before LLCT: history
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu.")).to_be_visible()
    person = Person.objects.get(pk=world.person_a.pk)
    assert person.stage == "probationary" and person.position == "Bí thư chi bộ"
    page.get_by_role("tab", name="Lịch sử").click()
    expect(page.locator("#tab")).to_contain_text("Bí thư chi bộ")


def test_people_page_works_on_a_phone(world, sign_in, live_server, page):
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in("canbo_a")
    page.goto(f"{live_server.url}/to-chuc/nhan-su/")
    expect(page.get_by_role("link", name="Nguyễn Văn An")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
