"""Error pages speak Vietnamese and lead home, with DEBUG off and (for 404) on."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from llct.core.models import Role
from llct.core.tests.factories import make_user


@pytest.fixture
def officer_client(db):
    client = Client()
    client.force_login(make_user("canbo", Role.DEPARTMENT))
    return client


def test_404_is_vietnamese_with_a_way_home(officer_client):
    response = officer_client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.text
    assert 'href="/"' in response.text


@override_settings(DEBUG=True)
def test_404_is_vietnamese_with_debug_on_too(officer_client):
    response = officer_client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.text
    assert "DEBUG = True" not in response.text


@override_settings(DEBUG=True)
def test_a_views_own_404_stays_as_it_is_with_debug_on(officer_client):
    response = officer_client.get("/api/v1/people/999999999/")
    assert response.status_code in (401, 404)
    assert "Không tìm thấy" not in response.text


def test_403_is_vietnamese(db):
    client = Client()
    client.force_login(make_user("hocvien_thu", Role.LEARNER))
    response = client.get(reverse("planning:norms"))
    assert response.status_code == 403
    assert "Không được phép" in response.text


def test_400_and_500_templates_render_without_a_request(db):
    from django.template.loader import render_to_string

    assert "Yêu cầu không hợp lệ" in render_to_string("400.html")
    page = render_to_string("500.html")
    assert "Lỗi máy chủ" in page and 'href="/"' in page


def test_500_page_is_served_for_an_error(db, settings):
    from django.urls import path

    def boom(request):
        raise RuntimeError("boom")

    client = Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF=type("U", (), {"urlpatterns": [path("", boom)]})):
        client.force_login(make_user("canbo2", Role.DEPARTMENT))
        response = client.get("/")
    assert response.status_code == 500
    assert "Lỗi máy chủ" in response.text


def test_debug_is_off_unless_asked_for():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "PYTEST_VERSION")}
    code = "import config.settings as s; print(s.DEBUG)"
    out = subprocess.run(  # noqa: S603 (our interpreter, our code)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_a_nul_character_in_the_address_is_a_bad_request(db):
    response = Client().get("/tin-tuc/tim-kiem/?q=a%00b")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.text
    assert Client().get("/api/v1/feeds/x%00y").status_code == 400
