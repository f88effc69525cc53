from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.utils import translation

# The project catalogue and each app's own (new apps keep their strings beside them).
CATALOGUES = [Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"] + [
    Path(c.path) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    for c in apps.get_app_configs()
    if c.name.startswith("llct.")
    and (Path(c.path) / "locale" / "vi" / "LC_MESSAGES" / "django.po").exists()
]


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_vietnamese_catalogue_is_complete(po):
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
    ]
    assert untranslated == []


def test_vietnamese_is_the_default_language():
    assert settings.LANGUAGE_CODE == "vi"
    with translation.override("vi"):
        assert translation.gettext("Sign in") == "Đăng nhập"


def test_pages_are_vietnamese_whatever_the_browser_asks(client, db):
    response = client.get("/dang-nhap/", headers={"accept-language": "en-US,en;q=0.9"})
    assert "Đăng nhập" in response.text


def test_the_language_switch_is_kept(client, db):
    client.post("/ngon-ngu/", {"language": "en", "next": "/dang-nhap/"})
    assert "Sign in" in client.get("/dang-nhap/").text


def test_djangos_blank_choice_reads_vietnamese(client, world):
    client.force_login(world.department)
    page = client.get("/to-chuc/nhan-su/them/").text
    assert "Select an option" not in page and "- Chọn -" in page
