"""The grade sheet: entering scores cell by cell (htmx) or all at once, refusals in place, the
change log, who may enter, and the query count at 200 learners.

The helpers at the top are shared by the other results test files."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from llct.assessment.models import Result, ScoreChange
from llct.assessment.tests.factories import (
    MONDAY,
    add_sessions,
    attend,
    enrol_all,
    graded_course,
    graded_programme,
    ready_course,
)
from llct.core.models import Role
from llct.courses.models import Course, Enrolment, Session
from llct.curriculum.models import Lecturer
from llct.organizations.tests.factories import make_person, make_user


def sheet_url(course: Course) -> str:
    return reverse("assessment:grade_sheet", args=[course.pk])


def cell_url(course: Course, enrolment: Enrolment) -> str:
    return reverse("assessment:grade_cell", args=[course.pk, enrolment.pk])


def post_cell(
    client: Any, course: Course, enrolment: Enrolment, raw: str, field: str = "essay_score"
) -> Any:
    return client.post(
        cell_url(course, enrolment),
        {f"{field}-{enrolment.pk}": raw},
        headers={"HX-Request": "true"},
    )


def score_of(enrolment: Enrolment, field: str = "essay_score") -> Decimal | None:
    result = Result.objects.filter(enrolment=enrolment).first()
    return getattr(result, field) if result else None


@pytest.fixture
def setup(world):
    course, (enrol_a,) = ready_course(world.province, world.person_a)
    return {"course": course, "enrolment": enrol_a}


# --- The sheet --------------------------------------------------------------------------------


def test_sheet_lists_enrolled_learners_in_vietnamese_name_order(client, world):
    course = graded_course(world.province)
    people = [
        make_person(world.org_a1, "Trần Văn Bình"),
        make_person(world.org_a1, "Nguyễn Thị An"),
        make_person(world.org_a1, "Lê Văn Ánh"),
    ]
    enrolments = enrol_all(course, *people)
    gone = enrol_all(course, make_person(world.org_a1, "Phạm Văn Rời"))[0]
    gone.status, gone.withdrawn_on, gone.withdrawal_reason = "withdrawn", MONDAY, "Chuyển công tác"
    gone.save()
    client.force_login(world.department)
    response = client.get(sheet_url(course))
    assert response.status_code == 200
    text = response.text
    assert text.index("Nguyễn Thị An") < text.index("Lê Văn Ánh") < text.index("Trần Văn Bình")
    assert "Phạm Văn Rời" not in text
    for e in enrolments:
        assert f'name="essay_score-{e.pk}"' in text
    assert 'name="test_score-' not in text  # an essay-only programme has one column


def test_programme_with_tests_and_essay_has_two_columns(client, world):
    course, (e,) = ready_course(
        world.province,
        world.person_a,
        programme=graded_programme(assessment_kind="tests_and_essay"),
    )
    client.force_login(world.department)
    text = client.get(sheet_url(course)).text
    assert f'name="essay_score-{e.pk}"' in text and f'name="test_score-{e.pk}"' in text
    assert 'data-col="essay_score"' in text and "data-grid" in text


@pytest.mark.parametrize(("typed", "stored"), [("7,5", "7.5"), ("7.5", "7.5"), (" 8 ", "8.0")])
def test_a_score_is_saved_as_typed_with_a_comma_or_a_point(client, world, setup, typed, stored):
    course, enrolment = setup["course"], setup["enrolment"]
    client.force_login(world.department)
    response = post_cell(client, course, enrolment, typed)
    assert response.status_code == 200
    assert score_of(enrolment) == Decimal(stored)


def test_the_answer_rerenders_final_band_and_verdict(client, world):
    course, (enrolment,) = ready_course(
        world.province,
        world.person_a,
        programme=graded_programme(assessment_kind="tests_and_essay"),
    )
    client.force_login(world.department)
    post_cell(client, course, enrolment, "8.9", field="test_score")
    text = post_cell(client, course, enrolment, "9").text
    assert f'id="cell-{enrolment.pk}-essay_score"' in text
    assert f'id="cell-{enrolment.pk}-test_score"' not in text  # the other cell is left alone
    assert 'value="9,0"' in text  # the stored score, shown the Vietnamese way
    # (9.0 + 8.9) / 2 = 8.95, rounded half up to 9.0: Xuất sắc.
    assert f'id="final-{enrolment.pk}" class="final" hx-swap-oob="true">9,0<' in text
    assert f'id="band-{enrolment.pk}"' in text and "Xuất sắc" in text
    assert f'id="verdict-{enrolment.pk}"' in text and "Đạt" in text
    assert 'id="results-summary"' in text
    result = Result.objects.get(enrolment=enrolment)
    assert (result.final_score, result.band, result.passed) == (Decimal("9.0"), "excellent", True)
    assert result.attendance_percent == 100


def test_every_change_writes_a_score_change_with_old_new_and_actor(client, world, setup):
    course, enrolment = setup["course"], setup["enrolment"]
    client.force_login(world.department)
    post_cell(client, course, enrolment, "6")
    post_cell(client, course, enrolment, "6,0")  # the same score: no change
    post_cell(client, course, enrolment, "7,5")
    post_cell(client, course, enrolment, "")  # cleared
    changes = list(ScoreChange.objects.order_by("id"))
    assert [(c.old_value, c.new_value) for c in changes] == [
        (None, Decimal("6.0")),
        (Decimal("6.0"), Decimal("7.5")),
        (Decimal("7.5"), None),
    ]
    assert all(c.actor_id == world.department.pk and not c.is_correction for c in changes)
    assert {c.field for c in changes} == {"essay_score"}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("11", "Điểm phải trong khoảng từ 0 đến 10."),
        ("-1", "Điểm phải trong khoảng từ 0 đến 10."),
        ("10,5", "Điểm phải trong khoảng từ 0 đến 10."),
        ("7,55", "Điểm chỉ có tối đa một chữ số thập phân"),
        ("abc", "“abc” không phải là số"),
        ("7,5,1", "không phải là số"),
    ],
)
def test_a_wrong_score_is_refused_in_place_and_nothing_is_saved(
    client, world, setup, typed, message
):
    course, enrolment = setup["course"], setup["enrolment"]
    client.force_login(world.department)
    post_cell(client, course, enrolment, "6")
    response = post_cell(client, course, enrolment, typed)
    # 200 so that htmx swaps the cell: the refusal is shown there.
    assert response.status_code == 200
    text = response.text
    assert message in text
    assert f'value="{typed}"' in text
    assert 'aria-invalid="true"' in text
    assert score_of(enrolment) == Decimal("6.0")
    assert ScoreChange.objects.count() == 1


def test_without_javascript_a_cell_post_redirects_back_to_the_row(client, world, setup):
    course, enrolment = setup["course"], setup["enrolment"]
    client.force_login(world.department)
    response = client.post(cell_url(course, enrolment), {f"essay_score-{enrolment.pk}": "12"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#learner-{enrolment.pk}")
    assert score_of(enrolment) is None


def test_a_cell_post_without_a_known_score_is_a_bad_request(client, world, setup):
    course, enrolment = setup["course"], setup["enrolment"]
    client.force_login(world.department)
    response = client.post(cell_url(course, enrolment), {f"test_score-{enrolment.pk}": "7"})
    assert response.status_code == 400


def test_the_whole_sheet_saves_at_once_and_keeps_refused_values_in_place(client, world):
    course, (e1, e2) = ready_course(world.province, world.person_a, world.person_b)
    client.force_login(world.department)
    response = client.post(
        sheet_url(course), {f"essay_score-{e1.pk}": "8,5", f"essay_score-{e2.pk}": "85"}
    )
    assert response.status_code == 422
    assert score_of(e1) == Decimal("8.5")
    assert score_of(e2) is None
    assert 'value="85"' in response.text and "Điểm phải trong khoảng từ 0 đến 10." in response.text
    response = client.post(sheet_url(course), {f"essay_score-{e2.pk}": "8.5"})
    assert response.status_code == 302
    assert score_of(e2) == Decimal("8.5")


def test_the_sheet_shows_who_fails_and_why(client, world):
    course = graded_course(world.province)
    sessions = add_sessions(course, 10)
    good, low, absent = enrol_all(
        course,
        make_person(world.org_a1, "Nguyễn Văn Giỏi"),
        make_person(world.org_a1, "Nguyễn Văn Thấp"),
        make_person(world.org_a1, "Nguyễn Văn Vắng"),
    )
    attend(sessions, good, low)
    attend(sessions, absent, present=5)
    client.force_login(world.department)
    for enrolment, raw in ((good, "8"), (low, "4,9"), (absent, "9")):
        post_cell(client, course, enrolment, raw)
    text = client.get(sheet_url(course)).text
    assert "điểm dưới 5" in text
    assert "chuyên cần 50% dưới 80%" in text
    results = {r.enrolment_id: r for r in Result.objects.all()}
    assert (results[good.pk].passed, results[low.pk].passed, results[absent.pk].passed) == (
        True,
        False,
        False,
    )
    assert results[absent.pk].fail_reason == "chuyên cần 50% dưới 80%"
    assert results[low.pk].band == "fail"


def test_attendance_counts_sessions_held_so_far_while_the_course_runs(client, world, settings):
    course = graded_course(
        world.province,
        status=Course.Status.IN_PROGRESS,
        starts_on=dt.date(2020, 1, 6),
        ends_on=dt.date(2099, 1, 1),
    )
    held = add_sessions(course, 4)
    Session.objects.create(
        course=course,
        date=dt.date(2099, 1, 1),
        part=Session.Part.MORNING,
        starts_at=dt.time(7, 30),
        ends_at=dt.time(11, 30),
    )
    (enrolment,) = enrol_all(course, world.person_a)
    attend(held, enrolment)
    client.force_login(world.department)
    post_cell(client, course, enrolment, "7")
    assert Result.objects.get().attendance_percent == 100
    # Once the course is finished every session counts: 4 of 5.
    course.status = Course.Status.FINISHED
    course.save()
    post_cell(client, course, enrolment, "7,5")
    assert Result.objects.get().attendance_percent == 80


# --- Who may enter ----------------------------------------------------------------------------


def test_an_officer_enters_results_of_the_courses_their_organization_runs(client, world):
    course, (e,) = ready_course(world.org_a, world.person_a)
    client.force_login(world.officer_a)
    assert client.get(sheet_url(course)).status_code == 200
    post_cell(client, course, e, "7")
    assert score_of(e) == Decimal("7.0")


def test_officer_of_b_cannot_open_or_enter_the_sheet_of_a_course_run_by_a(client, world):
    course_a, (_ea, eb) = ready_course(world.org_a, world.person_a, world.person_b)
    client.force_login(world.officer_b)
    assert client.get(sheet_url(course_a)).status_code == 403
    assert post_cell(client, course_a, eb, "7").status_code == 403
    assert client.get(reverse("assessment:grades_template", args=[course_a.pk])).status_code == 403
    assert score_of(eb) is None


def test_an_officer_sees_and_enters_only_the_learners_of_their_subtree(client, world):
    course, (_ea, eb) = ready_course(world.org_a, world.person_a, world.person_b)
    client.force_login(world.officer_a)
    text = client.get(sheet_url(course)).text
    assert world.person_a.full_name in text
    assert world.person_b.full_name not in text
    assert post_cell(client, course, eb, "7").status_code == 404
    assert score_of(eb) is None


@pytest.mark.parametrize("who", ["learner", "leader"])
def test_learners_and_leaders_may_not_enter_results(client, world, setup, who):
    course, enrolment = setup["course"], setup["enrolment"]
    client.force_login(getattr(world, who))
    assert client.get(sheet_url(course)).status_code == 403
    assert post_cell(client, course, enrolment, "9").status_code == 403
    assert score_of(enrolment) is None


def test_a_lecturer_of_the_course_enters_results_and_another_lecturer_cannot(client, world):
    teacher = make_user("giangvien", Role.LECTURER)
    other = make_user("giangvien2", Role.LECTURER)
    lecturer = Lecturer.objects.create(full_name="Lê Văn Giảng", user=teacher)
    Lecturer.objects.create(full_name="Đỗ Văn Khác", user=other)
    course = graded_course(world.province)
    sessions = add_sessions(course, 2, lecturer=lecturer)
    (e,) = enrol_all(course, world.person_a)
    attend(sessions, e)
    client.force_login(teacher)
    assert client.get(sheet_url(course)).status_code == 200
    post_cell(client, course, e, "8")
    assert score_of(e) == Decimal("8.0")
    client.force_login(other)
    assert client.get(sheet_url(course)).status_code == 404
    assert post_cell(client, course, e, "2").status_code == 404
    assert score_of(e) == Decimal("8.0")


# --- The list of courses and the change log --------------------------------------------------


def test_the_results_list_shows_an_officer_the_courses_of_their_subtree(client, world):
    mine = graded_course(world.org_a, name="Lớp của A")
    graded_course(world.org_b, name="Lớp của B")
    graded_course(world.org_a, name="Lớp nháp", status=Course.Status.DRAFT)
    client.force_login(world.officer_a)
    text = client.get(reverse("assessment:results_index")).text
    assert "Lớp của A" in text and "Lớp của B" not in text and "Lớp nháp" not in text
    assert sheet_url(mine) in text
    client.force_login(world.department)
    text = client.get(reverse("assessment:results_index") + "?pending=1").text
    assert "Lớp của A" in text and "Lớp của B" in text
    client.force_login(world.learner)
    assert client.get(reverse("assessment:results_index")).status_code == 403


def test_the_change_log_lists_every_change_of_the_course(client, world, setup):
    course, enrolment = setup["course"], setup["enrolment"]
    client.force_login(world.department)
    post_cell(client, course, enrolment, "6")
    post_cell(client, course, enrolment, "6,5")
    response = client.get(reverse("assessment:results_changes", args=[course.pk]))
    assert response.status_code == 200
    text = response.text
    assert text.count("<tr") == 3
    assert "6,5" in text and "Nguyễn Văn An" in text and "Bài thu hoạch" in text


# --- Query counts -----------------------------------------------------------------------------


def test_the_sheet_of_200_learners_takes_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    course = graded_course(
        world.province, programme=graded_programme(assessment_kind="tests_and_essay")
    )
    sessions = add_sessions(course, 10)
    people = [make_person(world.org_a1, f"Nguyễn Văn Học {i:03}") for i in range(200)]
    enrolments = enrol_all(course, *people)
    attend(sessions, *enrolments[::2])
    Result.objects.bulk_create(
        Result(enrolment=e, essay_score=Decimal("7.5"), test_score=Decimal("8.0"))
        for e in enrolments[:150]
    )
    client.force_login(world.department)
    client.get(sheet_url(course))  # warm the session
    # Session, user, course, approval, three for attendance, learners with results: 8.
    with django_assert_max_num_queries(10):
        response = client.get(sheet_url(course))
    assert response.text.count('class="score-input"') == 400
    # The write (lock, check, results, attendance, update, change log) and the sheet: 20.
    with django_assert_max_num_queries(22):
        post_cell(client, course, enrolments[1], "9")
    with django_assert_max_num_queries(12):
        client.get(reverse("assessment:results_changes", args=[course.pk]))


def test_the_results_list_takes_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for i in range(30):
        graded_course(world.province, name=f"Lớp số {i}")
    client.force_login(world.department)
    client.get(reverse("assessment:results_index"))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("assessment:results_index"))
    assert response.text.count("/bang-diem/") == 25  # one page


def test_a_course_without_sessions_held_shows_not_started_not_a_fail(client, world):
    course = graded_course(
        world.province,
        status=Course.Status.OPEN,
        starts_on=dt.date(2026, 9, 7),
        ends_on=dt.date(2026, 9, 11),
    )
    add_sessions(course, 5)  # all in the future
    enrol_all(course, world.person_a, make_person(world.org_a1, "Lê Thị Mới"))
    client.force_login(world.department)
    with time_machine.travel(dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC), tick=False):
        text = client.get(sheet_url(course)).text
    assert text.count("Chưa học") >= 2
    assert "Không đạt" not in text.split('id="results-summary"')[1]
    assert "chuyên cần 0%" not in text
    assert "0 không đạt" in text or "<strong>0</strong> không đạt" in text
