"""The certificate register (sổ cấp giấy chứng nhận): who sees which holders, the filters by
programme, year and organization subtree, paging with a fixed number of queries, and the .xlsx
export read back."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from llct.assessment.certificates import certificate_revoke
from llct.assessment.tests.test_certificates import admission_course, issue
from llct.core.models import Role
from llct.courses.tests.factories import make_course, make_programme
from llct.organizations.tests.factories import make_org, make_person, make_user

REGISTER = reverse("assessment:certificate_register")
EXPORT = reverse("assessment:certificate_register_xlsx")


@pytest.fixture
def issued(world):
    """A's holder (person_a, in A1) and B's holder (person_b, in B1) in one course."""
    course = admission_course(world.province)
    return issue(course, world.person_a, world.person_b)


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_register_requires_login(client, db):
    assert client.get(REGISTER).status_code == 302
    assert client.get(EXPORT).status_code == 302


def test_an_officer_of_a_never_sees_holders_of_b(as_user, world, issued):
    client = as_user(world.officer_a)
    text = client.get(REGISTER).text
    assert "Nguyễn Văn An" in text
    assert "Trần Thị Bình" not in text
    # Not by filtering on B either: the organization choices stop at A's subtree.
    response = client.get(REGISTER, {"organization": world.org_b.pk})
    assert "Trần Thị Bình" not in response.text
    rows = read_xlsx(client.get(EXPORT))
    assert [r[1] for r in rows[1:]] == ["Nguyễn Văn An"]
    # Nor by opening B's certificate directly.
    b_certificate = issued[1]
    url = reverse("assessment:certificate_detail", args=[b_certificate.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["department", "leader"])
def test_the_department_and_leaders_see_everyone(as_user, world, issued, who):
    text = as_user(getattr(world, who)).get(REGISTER).text
    assert "Nguyễn Văn An" in text and "Trần Thị Bình" in text


def test_a_learner_sees_only_their_own_and_cannot_export(as_user, world, issued):
    client = as_user(world.learner)
    text = client.get(REGISTER).text
    assert "Nguyễn Văn An" in text and "Trần Thị Bình" not in text
    assert EXPORT not in text
    assert client.get(EXPORT).status_code == 403


def test_a_lecturer_without_a_record_has_no_register(as_user, world, issued):
    lecturer = make_user("giangvien", Role.LECTURER)
    assert as_user(lecturer).get(REGISTER).status_code == 403


def test_filters_by_programme_year_and_organization_subtree(as_user, world):
    admission = admission_course(world.province)
    so_cap = make_course(make_programme("so_cap", name="Sơ cấp LLCT"), world.province)
    cell = make_org("Chi bộ A1a", parent=world.org_a1)
    deep = make_person(cell, "Đỗ Minh Châu")
    issue(admission, world.person_a, issued_on=dt.date(2025, 6, 1))
    issue(make_course(admission.programme, world.province), deep)
    issue(so_cap, world.person_b)
    client = as_user(world.department)

    def holders(**params):
        response = client.get(REGISTER, params)
        assert response.status_code == 200
        return {row.certificate.holder_name for row in response.context["rows"]}

    assert holders() == {"Nguyễn Văn An", "Đỗ Minh Châu", "Trần Thị Bình"}
    assert holders(programme=admission.programme_id) == {"Nguyễn Văn An", "Đỗ Minh Châu"}
    assert holders(year=2025) == {"Nguyễn Văn An"}
    assert holders(organization=world.org_a.pk) == {"Nguyễn Văn An", "Đỗ Minh Châu"}
    assert holders(organization=world.org_b.pk) == {"Trần Thị Bình"}
    assert holders(programme=admission.programme_id, year=2026) == {"Đỗ Minh Châu"}
    assert holders(course=so_cap.pk) == {"Trần Thị Bình"}


def test_the_register_is_paginated_with_a_fixed_number_of_queries(
    as_user, world, django_assert_max_num_queries
):
    client = as_user(world.officer_a)
    course = admission_course(world.province)
    people = [make_person(world.org_a1, f"Học viên Số {i:02d}") for i in range(5)]
    issue(course, *people)
    # Session, user, the user's organization, years, count, the page, programme and
    # organization choices: 8, whatever the number of rows.
    with django_assert_max_num_queries(8) as few:
        client.get(REGISTER)
    more_course = admission_course(world.province, course.programme, name="Lớp 2")
    many = [make_person(world.org_a1, f"Học viên Lớp Hai {i:02d}") for i in range(60)]
    issue(more_course, *many)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(REGISTER)
    assert len(response.context["rows"]) == 50
    assert "Trang 1 / 2" in response.text
    page_two = client.get(REGISTER, {"page": 2})
    assert len(page_two.context["rows"]) == 15


def test_htmx_gets_only_the_results_fragment(as_user, world, issued):
    response = as_user(world.department).get(REGISTER, HTTP_HX_REQUEST="true")
    assert 'id="results"' in response.text
    assert "<html" not in response.text


def test_the_export_opens_back_with_every_filtered_row(as_user, world, issued):
    certificate_revoke(
        certificate=issued[1], reason="Sai sót", actor=None, today=dt.date(2026, 4, 1)
    )
    response = as_user(world.department).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert rows[0][:3] == ["Số hiệu", "Người được cấp", "Tổ chức của người được cấp"]
    assert [r[0] for r in rows[1:]] == ["001/GCN-BTG", "002/GCN-BTG"]
    first, second = rows[1], rows[2]
    assert first[1] == "Nguyễn Văn An"
    assert first[2] == "Chi bộ A1"
    assert first[6] == dt.datetime(2026, 3, 20)
    assert first[7] == dt.datetime(2031, 3, 20)
    assert first[8] == "Đảng bộ tỉnh Thử Nghiệm"
    assert second[9] == "Đã thu hồi"
    assert second[11] == "Sai sót"
    filtered = read_xlsx(as_user(world.department).get(EXPORT, {"organization": world.org_b.pk}))
    assert [r[1] for r in filtered[1:]] == ["Trần Thị Bình"]


def test_the_export_writes_formula_like_names_as_text(as_user, world):
    person = make_person(world.org_a1, "=HYPERLINK(1)")
    issue(admission_course(world.province), person)
    response = as_user(world.department).get(EXPORT)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_the_course_print_button_shows_when_filtered_by_course(as_user, world, issued):
    course_id = issued[0].course_id
    text = as_user(world.department).get(REGISTER, {"course": course_id}).text
    assert reverse("assessment:course_certificates_pdf", args=[course_id]) in text
