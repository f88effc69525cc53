"""The membership pages: the section on the person's page, recording a decision (who may, what a
refusal shows, the exception path) and the department's list of exceptions."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from llct.assessment.models import MembershipDecision
from llct.assessment.tests.factories import (
    awareness_certificate,
    candidate,
    new_member_class,
    probationary,
)
from llct.assessment.tests.test_membership_rules import allow_exceptions, snapshot
from llct.core.models import AuditEntry, Role
from llct.courses.models import Holiday
from llct.organizations.tests.factories import make_user

TZ = dt.timezone(dt.timedelta(hours=7))
TODAY = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def on_today():
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def person(world):
    """A candidate of A1 with a certificate valid today."""
    person = candidate(world.org_a1)
    awareness_certificate(person, world.org_a, issued_on=dt.date(2025, 6, 2))
    return person


def admit_url(person):
    return reverse("membership:admit", args=[person.pk])


def recognize_url(person):
    return reverse("membership:recognize", args=[person.pk])


def section_url(person):
    return reverse("membership:person", args=[person.pk])


def form(**fields):
    data = {"number": "125-QĐ/ĐU", "decided_on": "25/11/2026"}
    data.update(fields)
    return data


# --- Who may record ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("department", 200),
        ("officer_a", 200),
        ("officer_b", 404),
        ("leader", 403),
        ("learner", 403),
    ],
)
def test_who_may_open_the_decision_pages(client, world, person, who, status):
    client.force_login(getattr(world, who))
    assert client.get(admit_url(person)).status_code == status
    assert client.get(recognize_url(person)).status_code == status


def test_a_lecturer_may_not_record_a_decision(client, world, person):
    client.force_login(make_user("giangvien", Role.LECTURER))
    before = snapshot()
    response = client.post(admit_url(person), form(issued_by=world.org_a.pk))
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(("who", "status"), [("officer_b", 404), ("leader", 403)])
def test_outsiders_posting_change_nothing(client, world, person, who, status):
    client.force_login(getattr(world, who))
    before = snapshot()
    assert client.post(admit_url(person), form(issued_by=world.org_a.pk)).status_code == status
    assert snapshot() == before


# --- Recording an admission -------------------------------------------------------------------


def test_the_admission_page_shows_the_certificate_and_proposes_the_committee(client, world, person):
    client.force_login(world.officer_a)
    text = client.get(admit_url(person)).text
    assert person.certificates.get().serial in text
    assert "có giá trị đến ngày 02/06/2030" in text
    # The committee above the grassroots cell A1 (đảng ủy trực thuộc A) comes first chosen.
    assert f'<option value="{world.org_a.pk}" selected>' in text
    assert 'name="reason"' not in text  # exceptions are not allowed


def test_an_officer_records_an_admission(client, world, person):
    client.force_login(world.officer_a)
    response = client.post(admit_url(person), form(issued_by=world.org_a.pk))
    assert response.status_code == 302
    assert response.url == reverse("organizations:person_detail", args=[person.pk])
    person.refresh_from_db()
    assert (person.stage, person.admitted_on) == ("probationary", TODAY)
    decision = MembershipDecision.objects.get()
    assert decision.actor == world.officer_a and decision.certificate is not None
    page = client.get(response.url, follow=True).text
    assert "Đã ghi nhận kết nạp Hoàng Thị Cảm: Quyết định số 125-QĐ/ĐU ngày 25/11/2026." in page


def test_a_refused_admission_shows_why_and_changes_nothing(client, world):
    person = candidate(world.org_a1, "Phan Văn Thiếu")
    client.force_login(world.officer_a)
    before = snapshot()
    response = client.post(admit_url(person), form(issued_by=world.org_a.pk))
    assert response.status_code == 422
    assert "Không có giấy chứng nhận bồi dưỡng nhận thức về Đảng còn hiệu lực ngày 25/11/2026" in (
        response.text
    )
    assert 'value="125-QĐ/ĐU"' in response.text
    assert snapshot() == before


def test_the_exception_path_in_the_browser(client, world):
    allow_exceptions()
    person = candidate(world.org_a1, "Phan Văn Thiếu")
    client.force_login(world.officer_a)
    page = client.get(admit_url(person)).text
    assert 'name="reason"' in page
    response = client.post(admit_url(person), form(issued_by=world.org_a.pk))
    assert response.status_code == 422
    assert "hãy nêu lý do" in response.text
    reason = "Lớp nhận thức về Đảng bị hoãn do bão; học bổ sung quý I"
    response = client.post(admit_url(person), form(issued_by=world.org_a.pk, reason=reason))
    assert response.status_code == 302
    assert MembershipDecision.objects.get().is_exception
    assert AuditEntry.objects.filter(action="admission_exception").count() == 1
    section = client.get(section_url(person)).text
    assert "Ngoại lệ:" in section and reason in section


def test_the_admission_page_of_someone_already_admitted_has_no_form(client, world):
    person = probationary(world.org_a1, admitted_on=dt.date(2026, 3, 2))
    client.force_login(world.officer_a)
    text = client.get(admit_url(person)).text
    assert "Chỉ đối tượng kết nạp Đảng mới được kết nạp." in text
    assert 'name="number"' not in text


# --- Recording a full membership ---------------------------------------------------------------


def test_the_full_membership_page_shows_the_clock_and_the_class(client, world):
    Holiday.objects.all().delete()
    person = probationary(world.org_a1, admitted_on=dt.date(2025, 11, 20))
    enrolment = new_member_class(person, world.org_a, ends_on=dt.date(2026, 5, 15))
    client.force_login(world.department)
    text = client.get(recognize_url(person)).text
    assert "Hết thời gian dự bị ngày 20/11/2026; chi bộ phải xét chậm nhất ngày 01/01/2027" in text
    assert enrolment.course.name in text
    response = client.post(
        recognize_url(person), form(number="210-QĐ/ĐU", issued_by=world.org_a.pk)
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.stage, person.full_member_on) == ("full", TODAY)


def test_full_membership_before_the_probation_ends_is_refused(client, world):
    person = probationary(world.org_a1, admitted_on=dt.date(2025, 11, 26))
    new_member_class(person, world.org_a, ends_on=dt.date(2026, 5, 15))
    client.force_login(world.officer_a)
    before = snapshot()
    response = client.post(recognize_url(person), form(issued_by=world.org_a.pk))
    assert response.status_code == 422
    assert "Chỉ được công nhận đảng viên chính thức từ ngày 26/11/2026" in response.text
    assert snapshot() == before


# --- The section on the person's page ----------------------------------------------------------


def test_the_person_page_loads_the_membership_section(client, world, person):
    client.force_login(world.officer_a)
    page = client.get(reverse("organizations:person_detail", args=[person.pk])).text
    assert f'hx-get="{section_url(person)}"' in page
    response = client.get(section_url(person), headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section id="membership"')
    assert admit_url(person) in response.text


@pytest.mark.parametrize("who", ["leader", "learner"])
def test_readers_see_the_section_without_the_actions(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(section_url(world.person_a))
    assert response.status_code == 200
    assert "Ghi nhận kết nạp" not in response.text


def test_the_section_is_not_shown_outside_the_scope(client, world, person):
    client.force_login(world.officer_b)
    assert client.get(section_url(person)).status_code == 404


def test_an_overdue_probation_is_flagged(client, world):
    person = probationary(world.org_a1, admitted_on=dt.date(2025, 6, 2))
    client.force_login(world.officer_a)
    text = client.get(section_url(person)).text
    assert 'id="probation-clock"' in text and "Quá hạn" in text
    assert recognize_url(person) in text


def test_the_section_shows_the_decision_and_its_certificate(client, world, person):
    client.force_login(world.officer_a)
    client.post(admit_url(person), form(issued_by=world.org_a.pk))
    text = client.get(section_url(person)).text
    assert "Quyết định số 125-QĐ/ĐU ngày 25/11/2026, Đảng ủy Khối A" in text
    assert person.certificates.get().serial in text
    assert 'id="probation-clock"' in text  # now probationary


# --- The department's list of exceptions -------------------------------------------------------


def exceptions_url(**query):
    base = reverse("membership:exceptions")
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize(
    ("who", "status"),
    [("department", 200), ("leader", 200), ("officer_a", 403), ("learner", 403)],
)
def test_who_may_see_the_exceptions(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(exceptions_url()).status_code == status


def test_the_exceptions_list_pins_its_queries(client, world, django_assert_max_num_queries):
    allow_exceptions()
    from llct.assessment.membership import admission_record, full_membership_record

    for n in range(12):
        org = world.org_a1 if n % 2 else world.org_b1
        who = candidate(org, f"Lê Văn Ngoại {n}")
        admission_record(
            person=who,
            number=f"{n}-QĐ/ĐU",
            decided_on=TODAY,
            issued_by=org.parent,
            reason="Lớp học bị hoãn",
            actor=world.department,
            today=TODAY,
        )
    late = probationary(world.org_a1, "Trần Văn Muộn", admitted_on=dt.date(2025, 3, 2))
    full_membership_record(
        person=late,
        number="9-QĐ/ĐU",
        decided_on=TODAY,
        issued_by=world.org_a,
        reason="Biệt phái",
        actor=world.officer_a,
        today=TODAY,
    )
    client.force_login(world.department)
    with django_assert_max_num_queries(8):
        response = client.get(exceptions_url())
    assert response.text.count("Lớp học bị hoãn") == 12 and "Biệt phái" in response.text
    full = client.get(exceptions_url(kind="full")).text
    assert "Biệt phái" in full and "Lớp học bị hoãn" not in full


def test_the_section_pins_its_queries(client, world, person, django_assert_max_num_queries):
    client.force_login(world.officer_a)
    client.post(admit_url(person), form(issued_by=world.org_a.pk))
    # Session, user, their organization, the person, decisions, holidays, history, rules.
    with django_assert_max_num_queries(8):
        response = client.get(section_url(person), headers={"HX-Request": "true"})
    assert response.status_code == 200
