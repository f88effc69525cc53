"""Two people enter the same grade sheet, or edit the same certificate series, at once: a save
writes only what its user changed, and never silently undoes the other's."""

from decimal import Decimal

import pytest
from django.urls import reverse

from llct.assessment.models import ScoreChange
from llct.assessment.tests.factories import (
    add_sessions,
    attend,
    enrol_all,
    graded_course,
    graded_programme,
    ready_course,
)
from llct.assessment.tests.test_results import cell_url, score_of, sheet_url
from llct.core.models import Role
from llct.core.tests.pages import assert_no_lost_update, form_data, post_again, two_clients
from llct.courses.tests.test_attendance import lecturer_user
from llct.organizations.tests.factories import make_user

JSON = {"Accept": "application/json"}


@pytest.fixture
def sheet(world):
    """A finished course with two learners, its lecturer and the department at the sheet."""
    lecturer, account = lecturer_user()
    course = graded_course(world.province)
    sessions = add_sessions(course, 5, lecturer=lecturer)
    first, second = enrol_all(course, world.person_a, world.person_b)
    attend(sessions, first, second)
    return {
        "course": course,
        "first": first,
        "second": second,
        "clients": two_clients(account, world.department),
    }


def opened(client, course, enrolment):
    """The sheet as a browser without script posts it."""
    return form_data(client.get(sheet_url(course)).text, having=f"essay_score-{enrolment.pk}")


def test_saving_the_whole_sheet_keeps_a_score_another_user_has_just_typed(sheet):
    course, first, second = sheet["course"], sheet["first"], sheet["second"]
    lecturer, department = sheet["clients"]
    lecturers_sheet = opened(lecturer, course, first)
    departments_sheet = opened(department, course, first)
    # The lecturer types the first learner's score (the cell saves itself).
    answer = lecturer.post(
        cell_url(course, first),
        {f"essay_score-{first.pk}": "8,5", "original": ""},
        headers=JSON,
    )
    assert answer.json()["state"] == "saved"
    # The department, with the sheet it opened before, types the second one and saves it all.
    departments_sheet[f"essay_score-{second.pk}"] = "7"
    assert department.post(sheet_url(course), departments_sheet).status_code == 302
    assert score_of(first) == Decimal("8.5")  # not erased by the stale empty cell
    assert score_of(second) == Decimal("7.0")
    # And the lecturer's own stale sheet, saved as it is, changes nothing.
    assert lecturer.post(sheet_url(course), lecturers_sheet).status_code == 302
    assert (score_of(first), score_of(second)) == (Decimal("8.5"), Decimal("7.0"))
    assert ScoreChange.objects.count() == 2


def test_the_same_cell_saved_twice_at_once_is_refused_with_both_scores(sheet):
    course, first = sheet["course"], sheet["first"]
    lecturer, department = sheet["clients"]
    departments_sheet = opened(department, course, first)
    lecturer.post(cell_url(course, first), {f"essay_score-{first.pk}": "8", "original": ""})
    departments_sheet[f"essay_score-{first.pk}"] = "6,5"
    refused = department.post(sheet_url(course), departments_sheet)
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "giangvien vừa lưu điểm 8,0 ở ô này; điểm 6,5 của bạn chưa được lưu." in text
    assert 'value="6,5"' in text  # what was typed stays in the cell
    assert score_of(first) == Decimal("8.0")
    # Saving the refused sheet again keeps the department's score, on purpose.
    assert (
        post_again(
            department, sheet_url(course), refused, having=f"essay_score-{first.pk}"
        ).status_code
        == 302
    )
    assert score_of(first) == Decimal("6.5")


def test_a_cell_saved_from_a_stale_page_answers_with_the_clash_then_retry_keeps_it(sheet):
    course, first = sheet["course"], sheet["first"]
    lecturer, department = sheet["clients"]
    department.post(cell_url(course, first), {f"essay_score-{first.pk}": "9", "original": ""})
    answer = lecturer.post(
        cell_url(course, first), {f"essay_score-{first.pk}": "7", "original": ""}, headers=JSON
    )
    assert answer.status_code == 409
    body = answer.json()
    assert body["state"] == "clash" and body["value"] == "9"
    assert "chưa được lưu" in body["message"]
    assert score_of(first) == Decimal("9.0")
    # Retry: the same score against what is stored now.
    answer = lecturer.post(
        cell_url(course, first), {f"essay_score-{first.pk}": "7", "original": "9"}, headers=JSON
    )
    assert answer.json()["state"] == "saved"
    assert score_of(first) == Decimal("7.0")


def test_a_saved_cell_answers_with_its_value_and_the_learners_result(world, client):
    course, (enrolment,) = ready_course(world.province, world.person_a)
    client.force_login(world.department)
    answer = client.post(
        cell_url(course, enrolment),
        {f"essay_score-{enrolment.pk}": "8,50", "original": ""},
        headers=JSON,
    )
    body = answer.json()
    assert answer.status_code == 200 and body["state"] == "saved" and body["value"] == "8.5"
    assert set(body["fragments"]) == {
        f"final-{enrolment.pk}",
        f"band-{enrolment.pk}",
        f"verdict-{enrolment.pk}",
    }
    assert "Giỏi" in body["fragments"][f"band-{enrolment.pk}"]
    refused = client.post(
        cell_url(course, enrolment),
        {f"essay_score-{enrolment.pk}": "85", "original": "8.5"},
        headers=JSON,
    )
    assert refused.status_code == 422
    assert refused.json()["state"] == "refused"
    assert "Điểm phải trong khoảng từ 0 đến 10." in refused.json()["message"]
    assert score_of(enrolment) == Decimal("8.5")


def test_an_outsider_cannot_save_a_cell(world, client):
    course, (enrolment,) = ready_course(world.org_a, world.person_a)
    client.force_login(world.officer_b)
    answer = client.post(
        cell_url(course, enrolment), {f"essay_score-{enrolment.pk}": "8"}, headers=JSON
    )
    assert answer.status_code == 403  # the course is visible, its results are not theirs
    assert score_of(enrolment) is None


def test_certificate_series_edits_at_once_are_refused_with_both_formats(world):
    programme = graded_programme(issues_certificate=True)
    assert_no_lost_update(
        two_clients(world.department, make_user("bantuyengiao2", Role.DEPARTMENT)),
        reverse("assessment:certificate_series_edit", args=[programme.pk, 2027]),
        having="serial_format",
        first={"serial_format": "{number:03d}/GCN-BTG"},
        second={},
        clash=("serial_format", "{number:04d}/GCN-{year}", "{number}/GCN"),
    )
