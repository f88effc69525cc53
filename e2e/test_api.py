"""The API in a real browser and over real HTTP: the department issues a token and copies it
(shown once), another system uses it, the use shows in the log, the token is revoked; the
documentation page reads without a single script error under the strict CSP."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from e2e.conftest import pick_organization

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def call(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_issue_use_and_revoke_a_token(world, sign_in, live_server, page):
    sign_in("bantuyengiao")
    page.locator("summary", has_text="Quản trị").click()
    page.get_by_role("link", name="Kết nối").click()
    page.get_by_role("link", name="Khóa API").first.click()
    page.get_by_role("link", name="Cấp khóa").click()
    page.get_by_label("Tên").fill("Sổ tay đảng viên điện tử")
    pick_organization(page, "Tổ chức (phạm vi được đọc", world.org_a)
    page.get_by_label("Vai trò").select_option(label="Cán bộ tổ chức đảng")
    page.get_by_role("button", name="Cấp").click()
    expect(
        page.get_by_role("heading", name="Đã cấp khóa: Sổ tay đảng viên điện tử")
    ).to_be_visible()
    token = page.locator("#token-secret").input_value()
    assert token.startswith("llct_")

    status, body = call(f"{live_server.url}/api/v1/people", token)
    assert status == 200
    assert [p["full_name"] for p in body["items"]] == ["Nguyễn Văn An"]

    page.get_by_role("link", name="Xem khóa").click()
    expect(page.locator("main")).to_contain_text("GET /api/v1/people")
    expect(page.locator("main")).not_to_contain_text(token)
    page.get_by_role("button", name="Thu hồi").click()
    expect(page.locator(".messages")).to_contain_text("Đã thu hồi khóa")
    status, body = call(f"{live_server.url}/api/v1/people", token)
    assert status == 401 and body["error"]["code"] == "token_revoked"


def test_the_documentation_page_has_no_script_errors(live_server, page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_role("heading", name="API của LLCT, phiên bản 1")).to_be_visible()
    expect(page.locator("#errors")).to_contain_text("rows_rejected")
    assert errors == []
