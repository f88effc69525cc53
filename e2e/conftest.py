"""Browser tests: Playwright driving Debian's Chromium against a live server."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "matkhau-123"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def sign_in(live_server, page):
    def go(username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        return page

    return go


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """A file database for browser tests: with SQLite in memory, the live server's threads share
    one connection, and two htmx requests at once (a grade sheet saving cells as you type)
    collide inside it. A file gives each thread its own connection, as in production."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "e2e.sqlite3")


def pick_organization(page, label: str, organization) -> None:
    """Choose an organization in a picker (organizations/widgets.py): type its name, then
    click it among the suggestions the server sends back."""
    box = page.get_by_label(label)
    box.fill(organization.name)
    picker = box.locator("xpath=ancestor::div[@data-org-picker]")
    picker.locator(f'[data-org-id="{organization.pk}"]').click()
