"""The printed certificates, read back with pypdf: A4 landscape, the holder's name with its
diacritics, the serial, the QR code's public URL; one page per certificate for a whole course;
and who may download which."""

import datetime as dt
import io
import os
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from llct.assessment.certificate_pdf import certificates_html, certificates_pdf
from llct.assessment.certificates import certificate_revoke, course_certificates
from llct.assessment.models import GradeBand, Result
from llct.assessment.tests.test_certificates import admission_course, issue
from llct.organizations.tests.factories import make_person

A4_LANDSCAPE = (841.89, 595.28)  # points


@pytest.fixture
def course(world):
    return admission_course(world.province)


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return reader, [page.extract_text() for page in reader.pages]


def test_a_certificate_pdf_has_the_name_with_diacritics_and_the_serial(as_user, world, course):
    person = make_person(world.org_a1, "Nguyễn Thị Ánh Tuyết")
    (certificate,) = issue(course, person)
    response = as_user(world.department).get(
        reverse("assessment:certificate_pdf", args=[certificate.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="giay-chung-nhan-001-gcn-btg.pdf"' in response["Content-Disposition"]
    reader, pages = pdf_text(response.content)
    assert len(pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4_LANDSCAPE
    text = pages[0]
    assert "Nguyễn Thị Ánh Tuyết" in text
    assert "001/GCN-BTG" in text
    assert "GIẤY CHỨNG NHẬN" in text
    assert "Bồi dưỡng nhận thức về Đảng" in text
    assert "20/03/2031" in text  # valid until
    assert f"/xac-minh/{certificate.code}/" in text.replace("\n", "")


def test_the_pdf_carries_a_qr_code_of_the_absolute_verification_url(world, course):
    (certificate,) = issue(course, world.person_a)
    url = f"https://llct.example.vn/xac-minh/{certificate.code}/"
    html = certificates_html([certificate], url_for=lambda code: url, today=dt.date(2026, 4, 1))
    assert 'src="data:image/svg+xml' in html
    assert url in html


def test_the_classification_is_printed_when_the_result_has_one(world, course):
    (certificate,) = issue(course, world.person_a)
    Result.objects.create(enrolment=certificate.enrolment, band=GradeBand.GOOD, passed=True)
    pdf = certificates_pdf(
        course_certificates(user=world.department, course_id=course.pk),
        url_for=lambda code: f"http://x/{code}/",
        today=dt.date(2026, 4, 1),
    )
    assert "Xếp loại: Giỏi" in pdf_text(pdf)[1][0]


def test_a_revoked_certificate_prints_as_revoked(as_user, world, course):
    (certificate,) = issue(course, world.person_a)
    certificate_revoke(certificate=certificate, reason="Sai", actor=None, today=dt.date(2026, 4, 1))
    response = as_user(world.department).get(
        reverse("assessment:certificate_pdf", args=[certificate.pk])
    )
    assert "ĐÃ THU HỒI NGÀY 01/04/2026" in pdf_text(response.content)[1][0]


def test_the_course_pdf_has_one_page_per_certificate_in_serial_order(as_user, world, course):
    people = [make_person(world.org_a1, f"Lê Văn Học {i}") for i in range(4)]
    certificates = issue(course, world.person_a, world.person_b, *people)
    # A long programme name and course name still fit on one page each.
    course.name = "Lớp bồi dưỡng nhận thức về Đảng cho quần chúng ưu tú " * 3
    course.save()
    response = as_user(world.department).get(
        reverse("assessment:course_certificates_pdf", args=[course.pk])
    )
    assert response.status_code == 200
    _reader, pages = pdf_text(response.content)
    assert len(pages) == len(certificates) == 6
    for page, certificate in zip(pages, certificates, strict=True):
        assert certificate.holder_name in page
        assert certificate.serial in page


def test_the_course_pdf_leaves_out_revoked_certificates(as_user, world, course):
    kept, revoked = issue(course, world.person_a, world.person_b)
    certificate_revoke(certificate=revoked, reason="Sai", actor=None, today=dt.date(2026, 4, 1))
    response = as_user(world.department).get(
        reverse("assessment:course_certificates_pdf", args=[course.pk])
    )
    _reader, pages = pdf_text(response.content)
    assert len(pages) == 1 and kept.holder_name in pages[0]


def test_an_officer_prints_only_the_certificates_of_their_subtree(as_user, world, course):
    issue(course, world.person_a, world.person_b)
    url = reverse("assessment:course_certificates_pdf", args=[course.pk])
    _reader, pages = pdf_text(as_user(world.officer_a).get(url).content)
    assert len(pages) == 1
    assert "Nguyễn Văn An" in pages[0] and "Trần Thị Bình" not in pages[0]


def test_the_course_pdf_is_for_staff_and_404_without_visible_certificates(as_user, world, course):
    issue(course, world.person_a)
    url = reverse("assessment:course_certificates_pdf", args=[course.pk])
    assert as_user(world.learner).get(url).status_code == 403
    assert as_user(world.officer_b).get(url).status_code == 404


def test_a_certificate_pdf_follows_the_page_scope(as_user, world, course):
    (certificate,) = issue(course, world.person_a)
    url = reverse("assessment:certificate_pdf", args=[certificate.pk])
    assert as_user(world.learner).get(url).status_code == 200
    assert as_user(world.officer_b).get(url).status_code == 404


@pytest.mark.skipif(
    not os.environ.get("CERT_PDF_BENCH"),
    reason="timing only: set CERT_PDF_BENCH=<number of certificates> to measure",
)
def test_time_to_render_a_course_pdf(world, course):
    n = int(os.environ["CERT_PDF_BENCH"])
    people = [make_person(world.org_a1, f"Nguyễn Thị Học Viên {i:04d}") for i in range(n)]
    issue(course, *people)
    rows = course_certificates(user=world.department, course_id=course.pk)
    started, cpu = time.perf_counter(), time.process_time()
    pdf = certificates_pdf(
        rows, url_for=lambda code: f"https://llct.example.vn/xac-minh/{code}/", today=course.ends_on
    )
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    assert len(PdfReader(io.BytesIO(pdf)).pages) == n
    print(
        f"\n{n} certificates: {seconds:.2f} s wall ({100 * seconds / n:.2f} s per 100), "
        f"{cpu_seconds:.2f} s CPU ({100 * cpu_seconds / n:.2f} s per 100), {len(pdf) // 1024} KiB"
    )
