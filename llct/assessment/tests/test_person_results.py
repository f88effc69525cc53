"""A person's courses, results and certificates; the new-member class of a probationary member;
the admission-class certificate of a candidate on the date of the cell's resolution."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from llct.assessment.certificates import certificates_issue
from llct.assessment.models import Certificate, Result
from llct.assessment.tests.factories import (
    add_sessions,
    attend,
    enrol_all,
    graded_course,
    graded_programme,
    ready_course,
)
from llct.assessment.tests.test_results import post_cell
from llct.core.models import Role
from llct.curriculum.models import Lecturer
from llct.organizations.models import MembershipStage
from llct.organizations.tests.factories import make_person, make_user


def url(person, **query):
    base = reverse("assessment:person_results", args=[person.pk])
    if query:
        base += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return base


def approved_course(client, world, person, programme, score="8", **dates):
    course, (e,) = ready_course(world.province, person, programme=programme, **dates)
    client.force_login(world.department)
    post_cell(client, course, e, score)
    client.post(reverse("assessment:results_approve", args=[course.pk]))
    return course, e


def test_a_person_page_lists_courses_results_and_certificates(client, world):
    programme = graded_programme(issues_certificate=True, name="Bồi dưỡng nghiệp vụ")
    course, _e = approved_course(client, world, world.person_a, programme, "8,5")
    pending, (pe,) = ready_course(world.province, world.person_a, name="Lớp đang chấm")
    post_cell(client, pending, pe, "3")
    response = client.get(url(world.person_a))
    assert response.status_code == 200
    text = response.text
    assert course.name in text and "Lớp đang chấm" in text
    assert "Bài thu hoạch 8,5" in text and "Giỏi" in text
    assert "Chưa phê duyệt" in text  # the course still being graded shows no verdict
    serial = Certificate.objects.get().serial
    assert serial in text and "Còn hiệu lực" in text
    assert "Bồi dưỡng nghiệp vụ" in text


@pytest.mark.parametrize(("who", "status"), [("officer_a", 200), ("officer_b", 404)])
def test_officers_see_the_results_of_their_own_people_only(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(url(world.person_a)).status_code == status


def test_a_learner_sees_their_own_results_and_nobody_elses(client, world):
    client.force_login(world.learner)
    assert client.get(url(world.person_a)).status_code == 200
    assert client.get(url(world.person_b)).status_code == 404


def test_a_lecturer_sees_no_persons_results(client, world):
    teacher = make_user("giangvien", Role.LECTURER)
    Lecturer.objects.create(full_name="Lê Văn Giảng", user=teacher)
    client.force_login(teacher)
    assert client.get(url(world.person_a)).status_code == 404


def test_an_htmx_request_gets_the_section_for_the_person_page(client, world):
    client.force_login(world.department)
    response = client.get(url(world.person_a), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="person-results"')
    assert "<html" not in response.text


# --- The new-member class ---------------------------------------------------------------------


def new_member_programme():
    return graded_programme(kind="new_member", issues_certificate=True, name="Đảng viên mới")


def test_a_probationary_member_without_the_class_sees_when_probation_ends(client, world):
    today = timezone.localdate()
    person = make_person(
        world.org_a1,
        "Phạm Văn Dự",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=today - dt.timedelta(days=40),
    )
    client.force_login(world.department)
    text = client.get(url(person)).text
    assert 'id="new-member-status"' in text
    assert "Chưa hoàn thành" in text
    ends = person.probation_ends_on()
    assert f"Hết thời gian dự bị ngày {ends:%d/%m/%Y}." in text
    assert "Đã hết thời gian dự bị mà chưa học" not in text


def test_a_probationary_member_past_probation_without_the_class_is_flagged(client, world):
    person = make_person(world.org_a1, "Phạm Văn Trễ", stage=MembershipStage.PROBATIONARY)
    client.force_login(world.department)
    text = client.get(url(person)).text
    assert "Đã hết thời gian dự bị mà chưa học" in text


def test_a_probationary_member_who_passed_the_class_is_done_within_probation(client, world):
    today = timezone.localdate()
    person = make_person(
        world.org_a1,
        "Phạm Văn Xong",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=today - dt.timedelta(days=40),
    )
    ends_on = today - dt.timedelta(days=10)
    course, _e = approved_course(
        client,
        world,
        person,
        new_member_programme(),
        starts_on=ends_on - dt.timedelta(days=5),
        ends_on=ends_on,
    )
    text = client.get(url(person)).text
    assert "Đã hoàn thành" in text
    assert f"đạt ngày {ends_on:%d/%m/%Y} ({course.name})" in text
    assert "trong thời gian dự bị" in text


def test_a_class_passed_before_the_admission_does_not_count(client, world):
    today = timezone.localdate()
    person = make_person(
        world.org_a1,
        "Phạm Văn Sớm",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=today - dt.timedelta(days=40),
    )
    ends_on = today - dt.timedelta(days=41)
    course, _e = approved_course(
        client,
        world,
        person,
        new_member_programme(),
        starts_on=ends_on - dt.timedelta(days=5),
        ends_on=ends_on,
    )
    text = client.get(url(person)).text
    assert "Chưa hoàn thành" in text
    assert f"{course.name}, kết thúc ngày {ends_on:%d/%m/%Y}, không được tính" in text


def test_failing_the_class_is_not_done(client, world):
    today = timezone.localdate()
    person = make_person(
        world.org_a1,
        "Phạm Văn Rớt",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=today - dt.timedelta(days=40),
    )
    approved_course(client, world, person, new_member_programme(), score="3")
    assert "Chưa hoàn thành" in client.get(url(person)).text


def test_a_full_member_has_no_new_member_section(client, world):
    person = make_person(world.org_a1, "Phạm Văn Chính", stage=MembershipStage.FULL)
    client.force_login(world.department)
    assert 'id="new-member-status"' not in client.get(url(person)).text


# --- The admission-class certificate ----------------------------------------------------------


@pytest.fixture
def candidate(world):
    return make_person(world.org_a1, "Hoàng Thị Cảm", stage=MembershipStage.CANDIDATE)


def admission_certificate(world, person, issued_on):
    programme = graded_programme(
        kind="admission", issues_certificate=True, certificate_valid_months=60
    )
    course = graded_course(world.province, programme)
    (e,) = enrol_all(course, person)
    return certificates_issue(course=course, enrolments=[e], issued_on=issued_on)[0]


def test_a_candidate_without_a_certificate_is_told_so(client, world, candidate):
    client.force_login(world.department)
    text = client.get(url(candidate)).text
    assert 'id="admission-status"' in text
    assert "chưa có giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng." in text
    today = timezone.localdate()
    assert f'value="{today:%d/%m/%Y}"' in text  # the date defaults to today


def test_the_certificate_is_checked_on_the_date_of_the_resolution(client, world, candidate):
    certificate = admission_certificate(world, candidate, dt.date(2021, 3, 1))
    assert certificate.expires_on == dt.date(2026, 3, 1)
    client.force_login(world.department)
    text = client.get(url(candidate, on="01/03/2026")).text
    assert "Còn giá trị ngày 01/03/2026" in text
    assert f"giấy chứng nhận số {certificate.serial} cấp ngày 01/03/2021" in text
    text = client.get(url(candidate, on="02/03/2026")).text
    assert "Không còn giá trị ngày 02/03/2026" in text
    assert "đã hết hạn ngày 01/03/2026" in text
    text = client.get(url(candidate, on="28/02/2021")).text
    assert "đến ngày 01/03/2021 mới được cấp" in text


def test_a_newer_certificate_makes_the_candidate_valid_again(client, world, candidate):
    admission_certificate(world, candidate, dt.date(2019, 1, 1))
    newer = admission_certificate(world, candidate, dt.date(2025, 6, 1))
    client.force_login(world.department)
    text = client.get(url(candidate, on="01/07/2025")).text
    assert "Còn giá trị ngày 01/07/2025" in text and newer.serial in text


def test_a_revoked_certificate_is_not_valid_from_its_revocation(client, world, candidate):
    certificate = admission_certificate(world, candidate, dt.date(2025, 1, 10))
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.REVOKED, revoked_on=dt.date(2025, 6, 1), revoke_reason="Sai"
    )
    client.force_login(world.department)
    assert "Còn giá trị ngày 31/05/2025" in client.get(url(candidate, on="31/05/2025")).text
    text = client.get(url(candidate, on="01/06/2025")).text
    assert "đã bị thu hồi ngày 01/06/2025" in text


def test_a_wrong_date_is_refused_and_today_is_used(client, world, candidate):
    client.force_login(world.department)
    text = client.get(url(candidate, on="31/02/2026")).text
    assert 'aria-invalid="true"' in text
    assert f"Không còn giá trị ngày {timezone.localdate():%d/%m/%Y}" in text


# --- Queries ----------------------------------------------------------------------------------


def test_the_page_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    programme = graded_programme(issues_certificate=True)
    for i in range(20):
        course = graded_course(world.province, programme, name=f"Lớp {i}")
        sessions = add_sessions(course, 2)
        (e,) = enrol_all(course, world.person_a)
        attend(sessions, e)
        Result.objects.create(enrolment=e, essay_score=8, final_score=8, band="good", passed=True)
        certificates_issue(course=course, enrolments=[e], issued_on=dt.date(2026, 4, 1))
    client.force_login(world.department)
    client.get(url(world.person_a))
    with django_assert_max_num_queries(8):
        response = client.get(url(world.person_a))
    assert response.text.count("Lớp ") >= 20
