"""Sign-in like a bank's: five wrong passwords lock the account and the address for a while,
the right password included; other accounts from other addresses sign in as usual. Sessions end
after a spell of idleness and with the browser."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from llct.core.models import Role
from llct.core.tests.factories import make_user

PASSWORD = "matkhau-123"


@pytest.fixture(autouse=True)
def _fresh_attempts(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def _sign_in(client: Client, username: str, password: str, address: str):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_fifth_wrong_password_locks_even_the_right_one_out(db):
    make_user("canbo", Role.DEPARTMENT)
    client = Client()
    for _attempt in range(4):
        response = _sign_in(client, "canbo", "sai-mat-khau", "10.0.0.1")
        assert response.status_code == 200  # the form again, with its error
    response = _sign_in(client, "canbo", "sai-mat-khau", "10.0.0.1")
    assert response.status_code == 429
    assert "Đăng nhập tạm bị khóa" in response.text

    response = _sign_in(client, "canbo", PASSWORD, "10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The account is locked from another address too.
    response = _sign_in(Client(), "canbo", PASSWORD, "10.0.0.9")
    assert response.status_code == 429


def test_another_account_from_another_address_is_unaffected(db):
    make_user("canbo", Role.DEPARTMENT)
    make_user("lanhdao", Role.LEADER)
    for _attempt in range(5):
        _sign_in(Client(), "canbo", "sai-mat-khau", "10.0.0.1")

    other = Client()
    response = _sign_in(other, "lanhdao", PASSWORD, "10.0.0.2")
    assert response.status_code == 302
    assert other.session["_auth_user_id"]


def test_the_address_is_locked_for_every_account_after_five_failures(db):
    make_user("lanhdao", Role.LEADER)
    for n in range(5):
        _sign_in(Client(), f"doan-{n}", "sai-mat-khau", "10.0.0.3")
    response = _sign_in(Client(), "lanhdao", PASSWORD, "10.0.0.3")
    assert response.status_code == 429


def test_four_failures_then_the_right_password_signs_in(db):
    make_user("canbo", Role.DEPARTMENT)
    client = Client()
    for _attempt in range(4):
        _sign_in(client, "canbo", "sai-mat-khau", "10.0.0.4")
    assert _sign_in(client, "canbo", PASSWORD, "10.0.0.4").status_code == 302


def test_lockout_holds_across_servers_through_the_database(db):
    """The count lives in the database every app server shares, not in a process."""
    from axes.models import AccessAttempt

    make_user("canbo", Role.DEPARTMENT)
    for _attempt in range(2):
        _sign_in(Client(), "canbo", "sai-mat-khau", "10.0.0.5")
    assert AccessAttempt.objects.get(username="canbo").failures_since_start == 2
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


def test_sessions_end_when_idle_and_with_the_browser():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_request_after_a_while_pushes_the_idle_end_further(db, time_machine):
    from django.contrib.sessions.models import Session

    time_machine.move_to("2026-05-15 08:00:00+07:00", tick=False)
    user = make_user("canbo", Role.DEPARTMENT)
    client = Client()
    client.force_login(user)
    key = client.session.session_key
    signed_in_end = Session.objects.get(pk=key).expire_date

    time_machine.move_to("2026-05-15 08:01:00+07:00", tick=False)
    client.get(reverse("home"))  # a minute later: no write needed
    assert Session.objects.get(pk=key).expire_date == signed_in_end

    time_machine.move_to("2026-05-15 08:20:00+07:00", tick=False)
    client.get(reverse("home"))
    assert Session.objects.get(pk=key).expire_date - signed_in_end == dt.timedelta(minutes=20)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # ends with the browser

    time_machine.move_to("2026-05-15 08:51:00+07:00", tick=False)  # 31 minutes idle
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
