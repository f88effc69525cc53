"""The grouped menu in a real browser: it fits the bar on a desktop and a phone, opens from the
keyboard, and shows each role only the pages it may open."""

import os
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A directory to keep screenshots in while working on the menu.
SHOTS = os.environ.get("LLCT_MENU_SHOTS")


@pytest.fixture(autouse=True)
def _patient(page):
    # A shared, busy machine answers slowly; the menu itself needs no waiting.
    page.set_default_navigation_timeout(120_000)
    page.set_default_timeout(60_000)


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=False)


def test_department_menu_fits_a_desktop_bar_and_opens_from_the_keyboard(world, sign_in):
    page = sign_in("bantuyengiao")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    nav = page.get_by_role("navigation", name="Trình đơn chính")
    groups = nav.locator("details.navgroup > summary")
    expect(groups).to_have_count(6)
    # One row: every top-level entry sits on the bar's first line.
    tops = [
        box["y"]
        for box in nav.locator(":scope > a, :scope > details > summary").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().toJSON())"
        )
    ]
    assert max(tops) - min(tops) < 5, tops
    # Keyboard: Tab to the "Đào tạo" group, open it with Enter, reach its links, Escape closes.
    training = nav.locator("summary", has_text="Đào tạo")
    training.focus()
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Kế hoạch năm")).to_be_visible()
    _shot(page, "menu-1280-open")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Lớp học"
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Kế hoạch năm")).to_be_hidden()
    # Opening a second group closes the first; a link inside leads to its page.
    training.click()
    nav.locator("summary", has_text="Quản trị").click()
    expect(nav.get_by_role("link", name="Kế hoạch năm")).to_be_hidden()
    nav.get_by_role("link", name="Cài đặt lớp học").click()
    expect(page).to_have_url(re.compile("/lop-hoc/"))
    expect(nav.locator("summary.current", has_text="Quản trị")).to_be_visible()


def test_phone_menu_opens_from_its_button_and_lists_the_groups(world, sign_in):
    page = sign_in("bantuyengiao")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    nav = page.get_by_role("navigation", name="Trình đơn chính")
    expect(nav).to_be_hidden()
    page.locator(".nav-toggle-label").click()
    expect(nav).to_be_visible()
    nav.locator("summary", has_text="Đội ngũ").click()
    link = nav.get_by_role("link", name="Cơ sở vật chất")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    _shot(page, "menu-390-open")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    link.click()
    expect(page).to_have_url(re.compile("/doi-ngu/co-so-vat-chat/"))


def test_phone_menu_opens_from_the_keyboard(world, sign_in):
    page = sign_in("hocvien")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator("#nav-toggle").focus()
    page.keyboard.press("Space")
    nav = page.get_by_role("navigation", name="Trình đơn chính")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Kết quả học tập của tôi")).to_be_hidden()  # in a group
    nav.locator("summary", has_text="Đào tạo").click()
    expect(nav.get_by_role("link", name="Kết quả học tập của tôi")).to_be_visible()
    expect(nav.locator("summary", has_text="Quản trị")).to_have_count(0)
