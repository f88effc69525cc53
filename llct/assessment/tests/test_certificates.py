"""Certificates: serial numbers per programme and year, the issuer's name as of the issue date,
expiry, revocation, re-issue after a correction, the numbering settings, and the certificate page
with who may see it and who may act on it."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from llct.assessment.certificates import (
    certificate_reissue,
    certificate_revoke,
    certificate_status_on,
    certificates_issue,
    serial_format_validate,
    series_set_format,
)
from llct.assessment.models import Certificate, CertificateSeries
from llct.core.models import AuditEntry, Role
from llct.courses.tests.factories import enrol, make_course, make_programme
from llct.organizations.selectors import organization_name_on
from llct.organizations.services import organization_rename
from llct.organizations.tests.factories import make_person, make_user

ISSUED = dt.date(2026, 3, 20)


# --- Builders shared by the certificate test files ---------------------------------------------


def admission_programme(**fields):
    programme = make_programme("admission", name="Bồi dưỡng nhận thức về Đảng")
    programme.certificate_valid_months = fields.pop("valid_months", 60)
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.save()
    return programme


def admission_course(organizer, programme=None, **fields):
    return make_course(
        programme or admission_programme(),
        organizer,
        name=fields.pop("name", "Lớp nhận thức về Đảng khóa 1"),
        starts_on=dt.date(2026, 3, 9),
        ends_on=dt.date(2026, 3, 13),
        **fields,
    )


def issue(course, *people, issued_on=ISSUED):
    enrolments = [enrol(course, p) for p in people]
    return certificates_issue(course=course, enrolments=enrolments, issued_on=issued_on)


@pytest.fixture
def programme(db):
    return admission_programme()


@pytest.fixture
def course(world, programme):
    return admission_course(world.province, programme)


# --- Serial numbers ---------------------------------------------------------------------------


def test_serials_are_consecutive_in_the_series_of_the_programme_and_year(world, course):
    extra = make_person(world.org_a1, "Lê Thị Cúc")
    first = issue(course, world.person_a, world.person_b)
    second = issue(make_course(course.programme, world.province), extra)
    assert [c.number for c in [*first, *second]] == [1, 2, 3]
    assert [c.serial for c in first] == ["001/GCN-BTG", "002/GCN-BTG"]
    series = CertificateSeries.objects.get(programme=course.programme, year=2026)
    assert series.last_number == 3


def test_each_year_and_each_programme_numbers_from_one(world, course):
    other = make_course(make_programme(), world.province)
    (a,) = issue(course, world.person_a, issued_on=dt.date(2025, 12, 31))
    (b,) = issue(make_course(course.programme, world.province), world.person_b)
    (c,) = issue(other, world.person_a)
    assert (a.series.year, a.number) == (2025, 1)
    assert (b.series.year, b.number) == (2026, 1)
    assert (c.series.programme_id, c.number) == (other.programme_id, 1)


def test_the_series_format_makes_the_serial_and_may_carry_the_year(world, course):
    series_set_format(
        programme=course.programme,
        year=2026,
        serial_format="{number:04d}/{year}/GCN-ĐUK",
        actor=None,
    )
    (certificate,) = issue(course, world.person_a)
    assert certificate.serial == "0001/2026/GCN-ĐUK"


def test_a_new_years_series_keeps_the_programmes_latest_format(world, course):
    series_set_format(
        programme=course.programme, year=2026, serial_format="{number:03d}/GCN-ĐUK", actor=None
    )
    (certificate,) = issue(course, world.person_a, issued_on=dt.date(2027, 1, 5))
    assert certificate.serial == "001/GCN-ĐUK"
    assert CertificateSeries.objects.get(year=2027).serial_format == "{number:03d}/GCN-ĐUK"


@pytest.mark.parametrize(
    "value",
    ["GCN-ĐUK", "{year}/GCN", "{number:03d/GCN", "{number:xyz}", "{name}-{number}", "{}", ""],
)
def test_a_format_without_number_or_that_does_not_format_is_refused(value):
    with pytest.raises(ValidationError) as error:
        serial_format_validate(value)
    assert "serial_format" in error.value.message_dict


@pytest.mark.parametrize("value", ["{number:03d}/GCN-ĐUK", "{number}", "Số {number:05d}/{year}"])
def test_good_formats_are_accepted(value):
    assert serial_format_validate(f"  {value} ") == value


def test_an_enrolment_of_another_course_is_refused(world, course):
    other = make_course(course.programme, world.province)
    stray = enrol(other, world.person_a)
    with pytest.raises(ValidationError):
        certificates_issue(course=course, enrolments=[stray], issued_on=ISSUED)
    assert not Certificate.objects.exists()


def test_issuing_again_skips_learners_who_already_hold_a_certificate(world, course):
    (first,) = issue(course, world.person_a)
    enrolments = [*course.enrolments.all(), enrol(course, world.person_b)]
    again = certificates_issue(course=course, enrolments=enrolments, issued_on=ISSUED)
    assert [c.person_id for c in again] == [world.person_b.pk]
    assert again[0].number == first.number + 1


def test_a_programme_without_certificates_issues_none(world):
    programme = make_programme("resolution")
    programme.issues_certificate = False
    programme.save()
    course = make_course(programme, world.province)
    assert issue(course, world.person_a) == []
    assert not CertificateSeries.objects.exists()


# --- Issuer, holder and dates -------------------------------------------------------------------


def test_the_issuer_name_is_the_one_in_force_on_the_issue_date(world, programme):
    course = make_course(programme, world.org_a)
    organization_rename(
        organization=world.org_a,
        name="Đảng ủy các cơ quan Đảng tỉnh",
        effective_on=dt.date(2026, 1, 1),
        today=dt.date(2026, 6, 1),
    )
    (before,) = issue(course, world.person_a, issued_on=dt.date(2025, 12, 31))
    (after,) = issue(make_course(programme, world.org_a), world.person_b)
    assert before.issuer_name == "Đảng ủy Khối A"
    assert after.issuer_name == "Đảng ủy các cơ quan Đảng tỉnh"
    assert organization_name_on(world.org_a, dt.date(2025, 12, 31)) == "Đảng ủy Khối A"


def test_a_certificate_keeps_its_issuer_name_after_a_later_rename(world, programme):
    course = make_course(programme, world.org_a)
    (certificate,) = issue(course, world.person_a, issued_on=dt.date(2026, 3, 20))
    organization_rename(
        organization=world.org_a,
        name="Đảng ủy UBND tỉnh",
        effective_on=dt.date(2026, 7, 1),
        today=dt.date(2026, 7, 1),
    )
    certificate.refresh_from_db()
    assert certificate.issuer_name == "Đảng ủy Khối A"


def test_admission_certificates_expire_after_60_months_by_default(world, course):
    (certificate,) = issue(course, world.person_a)
    assert certificate.expires_on == dt.date(2031, 3, 20)
    assert certificate.holder_name == "Nguyễn Văn An"


def test_the_status_on_the_day_before_of_and_after_expiry(world, course):
    (certificate,) = issue(course, world.person_a)
    assert certificate_status_on(certificate, dt.date(2031, 3, 19)) == "valid"
    assert certificate_status_on(certificate, dt.date(2031, 3, 20)) == "valid"
    assert certificate_status_on(certificate, dt.date(2031, 3, 21)) == "expired"
    assert certificate_status_on(certificate, dt.date(2026, 3, 19)) == "not_yet"


def test_expiry_follows_the_programme_setting_and_may_be_absent(world):
    lasting = make_course(make_programme("so_cap"), world.province)
    (certificate,) = issue(lasting, world.person_a)
    assert certificate.expires_on is None
    assert certificate_status_on(certificate, dt.date(2090, 1, 1)) == "valid"
    short = make_course(admission_programme(valid_months=24), world.province)
    (certificate,) = issue(short, world.person_b, issued_on=dt.date(2024, 2, 29))
    assert certificate.expires_on == dt.date(2026, 2, 28)


# --- Revoking and re-issuing --------------------------------------------------------------------


def test_revoking_keeps_the_certificate_with_date_and_reason(world, course):
    (certificate,) = issue(course, world.person_a)
    certificate_revoke(
        certificate=certificate,
        reason="Hồ sơ kết nạp không hợp lệ",
        actor=world.department,
        today=dt.date(2026, 5, 4),
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoked_on == dt.date(2026, 5, 4)
    assert certificate.revoke_reason == "Hồ sơ kết nạp không hợp lệ"
    assert certificate_status_on(certificate, dt.date(2026, 5, 3)) == "valid"
    assert certificate_status_on(certificate, dt.date(2026, 5, 4)) == "revoked"
    assert AuditEntry.objects.filter(action="certificate_revoke", object_id=certificate.pk).exists()


def test_revoking_needs_a_reason_and_happens_once(world, course):
    (certificate,) = issue(course, world.person_a)
    with pytest.raises(ValidationError) as error:
        certificate_revoke(certificate=certificate, reason="  ", actor=None, today=ISSUED)
    assert "reason" in error.value.message_dict
    certificate_revoke(certificate=certificate, reason="Sai", actor=None, today=ISSUED)
    with pytest.raises(ValidationError):
        certificate_revoke(certificate=certificate, reason="Lần hai", actor=None, today=ISSUED)


def test_reissue_after_a_name_correction_links_both_and_revokes_the_old(world, course):
    (old,) = issue(course, world.person_a, world.person_b, issued_on=dt.date(2025, 11, 20))[:1]
    world.person_a.full_name = "Nguyễn Văn Ân"
    world.person_a.save()
    new = certificate_reissue(
        certificate=old, actor=world.department, today=dt.date(2026, 2, 2), note="Sửa họ tên"
    )
    old.refresh_from_db()
    # A new serial in the current year's series, the corrected name, the old expiry.
    assert (new.series.year, new.number, new.serial) == (2026, 1, "001/GCN-BTG")
    assert new.holder_name == "Nguyễn Văn Ân"
    assert new.issued_on == dt.date(2026, 2, 2)
    assert new.expires_on == old.expires_on == dt.date(2030, 11, 20)
    assert new.replaces_id == old.pk
    assert old.replaced_by == new
    assert old.status == Certificate.Status.REVOKED
    assert old.revoked_on == dt.date(2026, 2, 2)
    assert old.revoke_reason == "Cấp lại thành số 001/GCN-BTG"
    assert old.holder_name == "Nguyễn Văn An"  # nothing is rewritten
    assert Certificate.objects.count() == 3


def test_a_revoked_certificate_cannot_be_reissued_twice(world, course):
    (old,) = issue(course, world.person_a)
    certificate_reissue(certificate=old, actor=None, today=dt.date(2026, 4, 1))
    old.refresh_from_db()
    with pytest.raises(ValidationError):
        certificate_reissue(certificate=old, actor=None, today=dt.date(2026, 4, 2))
    assert Certificate.objects.count() == 2


def test_a_reissue_chain_can_be_followed_both_ways(world, course):
    (first,) = issue(course, world.person_a)
    second = certificate_reissue(certificate=first, actor=None, today=dt.date(2026, 4, 1))
    third = certificate_reissue(certificate=second, actor=None, today=dt.date(2026, 4, 2))
    assert third.replaces.replaces == first
    assert first.replaced_by.replaced_by == third
    assert [c.number for c in (first, second, third)] == [1, 2, 3]


# --- The certificate page ----------------------------------------------------------------------


def test_the_certificate_page_requires_login(client, world, course):
    (certificate,) = issue(course, world.person_a)
    response = client.get(reverse("assessment:certificate_detail", args=[certificate.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("department", 200),
        ("leader", 200),
        ("officer_a", 200),
        ("learner", 200),
        ("officer_b", 404),
    ],
)
def test_who_sees_a_certificate_page(as_user, world, course, who, status):
    (certificate,) = issue(course, world.person_a)
    response = as_user(getattr(world, who)).get(
        reverse("assessment:certificate_detail", args=[certificate.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert "Nguyễn Văn An" in response.text
        assert "001/GCN-BTG" in response.text


def test_a_learner_sees_only_their_own_certificate(as_user, world, course):
    _mine, theirs = issue(course, world.person_a, world.person_b)
    response = as_user(world.learner).get(
        reverse("assessment:certificate_detail", args=[theirs.pk])
    )
    assert response.status_code == 404
    lecturer = make_user("giangvien", Role.LECTURER)
    response = as_user(lecturer).get(reverse("assessment:certificate_detail", args=[theirs.pk]))
    assert response.status_code == 404


def test_the_page_shows_the_public_link_and_no_actions_for_an_officer(as_user, world, course):
    (certificate,) = issue(course, world.person_a)
    response = as_user(world.officer_a).get(
        reverse("assessment:certificate_detail", args=[certificate.pk])
    )
    assert f"http://testserver/xac-minh/{certificate.code}/" in response.text
    assert 'src="data:image/svg+xml' in response.text
    assert reverse("assessment:certificate_revoke", args=[certificate.pk]) not in response.text


@pytest.mark.parametrize("who", ["leader", "officer_a", "learner"])
def test_only_the_department_revokes_or_reissues(as_user, world, course, who):
    (certificate,) = issue(course, world.person_a)
    client = as_user(getattr(world, who))
    for name in ("certificate_revoke", "certificate_reissue"):
        url = reverse(f"assessment:{name}", args=[certificate.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "x"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_an_officer_of_another_branch_gets_404_not_403(as_user, world, course):
    (certificate,) = issue(course, world.person_a)
    url = reverse("assessment:certificate_revoke", args=[certificate.pk])
    assert as_user(world.officer_b).post(url, {"reason": "x"}).status_code == 404


@time_machine.travel(dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_department_revokes_from_the_page(as_user, world, course):
    (certificate,) = issue(course, world.person_a)
    client = as_user(world.department)
    url = reverse("assessment:certificate_revoke", args=[certificate.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 422
    response = client.post(url, {"reason": "Kết quả học tập bị hủy"}, follow=True)
    assert response.status_code == 200
    assert "Đã thu hồi" in response.text
    assert "04/05/2026" in response.text
    assert "Kết quả học tập bị hủy" in response.text
    certificate.refresh_from_db()
    assert certificate.revoked_on == dt.date(2026, 5, 4)


@time_machine.travel(dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_department_reissues_from_the_page_and_both_pages_link(as_user, world, course):
    (old,) = issue(course, world.person_a)
    world.person_a.full_name = "Nguyễn Văn Ân"
    world.person_a.save()
    client = as_user(world.department)
    url = reverse("assessment:certificate_reissue", args=[old.pk])
    form = client.get(url)
    assert "Nguyễn Văn Ân" in form.text and "002/GCN-BTG" in form.text
    response = client.post(url, {"note": "Sửa họ tên theo hồ sơ"})
    new = Certificate.objects.get(replaces=old)
    assert response.status_code == 302
    assert response.url == reverse("assessment:certificate_detail", args=[new.pk])
    new_page = client.get(response.url).text
    assert old.serial in new_page
    assert reverse("assessment:certificate_detail", args=[old.pk]) in new_page
    old_page = client.get(reverse("assessment:certificate_detail", args=[old.pk])).text
    assert new.serial in old_page
    assert reverse("assessment:certificate_detail", args=[new.pk]) in old_page
    assert "Cấp lại thành số 002/GCN-BTG" in old_page
    entry = AuditEntry.objects.get(action="certificate_reissue")
    assert "Sửa họ tên theo hồ sơ" in entry.summary


# --- Numbering settings -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "officer_a", "learner"])
def test_only_the_department_edits_the_numbering(as_user, world, programme, who):
    client = as_user(getattr(world, who))
    assert client.get(reverse("assessment:certificate_series")).status_code == 403
    url = reverse("assessment:certificate_series_edit", args=[programme.pk, 2026])
    assert client.post(url, {"serial_format": "{number}"}).status_code == 403


def test_the_department_sets_a_format_and_a_bad_one_is_shown_back(as_user, world, programme):
    client = as_user(world.department)
    page = client.get(reverse("assessment:certificate_series") + "?year=2026")
    assert page.status_code == 200
    assert programme.name in page.text and "001/GCN-BTG" in page.text
    url = reverse("assessment:certificate_series_edit", args=[programme.pk, 2026])
    response = client.post(url, {"serial_format": "GCN-ĐUK"})
    assert response.status_code == 422
    assert "{number}" in response.text
    response = client.post(url, {"serial_format": "{number:03d}/GCN-ĐUK"})
    assert response.status_code == 302
    series = CertificateSeries.objects.get(programme=programme, year=2026)
    assert series.serial_format == "{number:03d}/GCN-ĐUK"
    page = client.get(reverse("assessment:certificate_series") + "?year=2026")
    assert "001/GCN-ĐUK" in page.text
    assert AuditEntry.objects.filter(action="series_format").count() == 1
