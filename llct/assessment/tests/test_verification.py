"""The public verification page reached from the QR code: works signed out, shows the certificate
and its status today and nothing more personal, answers 404 for unknown codes and 429 when one
address asks too often."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from llct.assessment.certificates import certificate_reissue, certificate_revoke
from llct.assessment.tests.test_certificates import admission_course, issue
from llct.organizations.tests.factories import make_person

pytestmark = pytest.mark.usefixtures("_empty_cache")

NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def _empty_cache():
    # The rate-limit counters live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(world):
    return admission_course(world.province)


@pytest.fixture
def certificate(world, course):
    person = make_person(
        world.org_a1,
        "Phạm Thị Hồng Nhung",
        date_of_birth=dt.date(1990, 7, 14),
        party_card_no="79123456",
    )
    (certificate,) = issue(course, person)
    return certificate


def url(code):
    return reverse("verify:certificate", args=[code])


@time_machine.travel(NOW, tick=False)
def test_the_page_works_signed_out_and_shows_the_certificate(client, certificate):
    response = client.get(url(certificate.code))
    assert response.status_code == 200
    text = response.text
    for shown in (
        "Phạm Thị Hồng Nhung",
        "Bồi dưỡng nhận thức về Đảng",
        "Lớp nhận thức về Đảng khóa 1",
        "09/03/2026",
        "13/03/2026",
        "20/03/2026",
        "20/03/2031",
        "Đảng bộ tỉnh Thử Nghiệm",
        "001/GCN-BTG",
        "Còn hiệu lực",
    ):
        assert shown in text, shown
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    assert "noindex" in response["X-Robots-Tag"]


@time_machine.travel(NOW, tick=False)
def test_the_page_shows_no_date_of_birth_card_number_or_organization(client, certificate):
    text = client.get(url(certificate.code)).text
    for hidden in ("14/07/1990", "1990", "79123456", "Chi bộ A1", "Đảng ủy Khối A"):
        assert hidden not in text, hidden


@time_machine.travel(NOW, tick=False)
def test_the_page_is_under_the_strict_content_security_policy(client, certificate):
    response = client.get(url(certificate.code))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in response.text
    assert "style=" not in response.text


@pytest.mark.parametrize("code", ["khong-co-ma-nay-1234567", "abc", "x" * 200, "%3Cscript%3E"])
def test_unknown_or_malformed_codes_get_the_same_not_found_page(client, db, code):
    response = client.get(f"/xac-minh/{code}/")
    assert response.status_code == 404
    assert "Không tìm thấy giấy chứng nhận" in response.text
    assert response.templates[0].name == "assessment/verify_not_found.html"


@time_machine.travel(dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_revoked_certificate_shows_revoked_with_its_date(client, world, certificate):
    certificate_revoke(
        certificate=certificate, reason="Lý do nội bộ", actor=None, today=dt.date(2026, 5, 4)
    )
    text = client.get(url(certificate.code)).text
    assert "Đã thu hồi" in text
    assert "04/05/2026" in text
    assert "Lý do nội bộ" not in text  # the reason may be personal: not public


@time_machine.travel(dt.datetime(2031, 3, 21, 9, 0, tzinfo=dt.UTC), tick=False)
def test_an_expired_certificate_shows_expired(client, certificate):
    text = client.get(url(certificate.code)).text
    assert "Hết hiệu lực" in text
    assert "Còn hiệu lực" not in text


@time_machine.travel(dt.datetime(2031, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_certificate_is_valid_on_its_expiry_date(client, certificate):
    assert "Còn hiệu lực" in client.get(url(certificate.code)).text


@time_machine.travel(NOW, tick=False)
def test_a_reissued_certificate_points_to_its_replacement(client, certificate):
    new = certificate_reissue(certificate=certificate, actor=None, today=dt.date(2026, 4, 1))
    text = client.get(url(certificate.code)).text
    assert "Đã thu hồi" in text
    assert url(new.code) in text and new.serial in text
    assert "Còn hiệu lực" in client.get(url(new.code)).text


@time_machine.travel(NOW, tick=False)
def test_too_many_requests_from_one_address_get_429(client, certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 30
    for _ in range(30):
        assert client.get(url(certificate.code)).status_code == 200
    response = client.get(url(certificate.code))
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Vui lòng đợi một phút" in response.text
    # Unknown codes count too: guessing is what the limit is for.
    assert client.get(url("khong-co-ma-nay-1234567")).status_code == 429
    # Another address is not affected.
    other = client.get(url(certificate.code), REMOTE_ADDR="10.0.0.7")
    assert other.status_code == 200


def test_the_limit_resets_the_next_minute(client, certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 2
    with time_machine.travel(NOW, tick=False) as traveller:
        for _ in range(2):
            client.get(url(certificate.code))
        assert client.get(url(certificate.code)).status_code == 429
        traveller.shift(dt.timedelta(seconds=61))
        assert client.get(url(certificate.code)).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_signed_in_users_see_the_same_page(client, world, certificate):
    client.force_login(world.officer_b)
    response = client.get(url(certificate.code))
    assert response.status_code == 200
    assert "Phạm Thị Hồng Nhung" in response.text
    assert "1990" not in response.text
