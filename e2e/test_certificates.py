"""Certificates in a real browser: download a certificate's PDF and read it back, open its public
verification link signed out, revoke it as the department and see the public page say so."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from llct.assessment.tests.test_certificates import admission_course, issue
from llct.organizations.tests.factories import make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_download_verify_signed_out_and_revoke(world, sign_in, live_server, page, browser):
    person = make_person(
        world.org_a1,
        "Hoàng Thị Thu Hường",
        date_of_birth=dt.date(1992, 8, 17),
        party_card_no="55501",
    )
    (certificate,) = issue(admission_course(world.province), person)

    sign_in("bantuyengiao")
    page.goto(live_server.url + reverse("assessment:certificate_detail", args=[certificate.pk]))
    expect(page.get_by_role("heading", name="Giấy chứng nhận số 001/GCN-BTG")).to_be_visible()

    # The PDF, downloaded as a user would, then read back.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải về (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "giay-chung-nhan-001-gcn-btg.pdf"
    reader = PdfReader(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    text = reader.pages[0].extract_text()
    assert "Hoàng Thị Thu Hường" in text
    assert "001/GCN-BTG" in text

    # The public link printed under the QR code, opened by someone who is not signed in.
    link = page.locator("#verify-link").get_attribute("href")
    assert link == f"{live_server.url}/xac-minh/{certificate.code}/"
    public = browser.new_context(locale="vi-VN").new_page()
    public.goto(link)
    expect(public.get_by_role("heading", name="Xác minh giấy chứng nhận")).to_be_visible()
    expect(public.locator("#verify-status")).to_contain_text("còn hiệu lực")
    expect(public.locator("main")).to_contain_text("Hoàng Thị Thu Hường")
    expect(public.locator("main")).to_contain_text("001/GCN-BTG")
    expect(public.locator("main")).not_to_contain_text("1992")
    expect(public.locator("main")).not_to_contain_text("55501")
    assert public.get_by_role("button", name="Đăng xuất").count() == 0

    # The department revokes it.
    page.get_by_role("link", name="Thu hồi").click()
    page.get_by_label("Lý do thu hồi").fill("Hồ sơ kết nạp không hợp lệ")
    page.get_by_role("button", name="Thu hồi").click()
    expect(page.locator("#certificate-status")).to_have_text("Đã thu hồi")
    expect(page.locator("#revocation")).to_contain_text("Hồ sơ kết nạp không hợp lệ")

    # The public page, still signed out, now says so (and keeps the reason to itself).
    public.reload()
    expect(public.locator("#verify-status")).to_contain_text(re.compile("đã (bị )?thu hồi", re.I))
    expect(public.locator("main")).to_contain_text(re.compile("Đã thu hồi"))
    expect(public.locator("main")).not_to_contain_text("Hồ sơ kết nạp không hợp lệ")
    public.context.close()
