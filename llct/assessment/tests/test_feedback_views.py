"""The survey pages: the learner's survey and list, a lecturer's ratings, the department's report
and its .xlsx, a course's answers; who may see what, and how many queries each page takes."""

import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from llct.assessment.feedback.reports import MIN_ANSWERS
from llct.assessment.models import LecturerRating, SurveyReceipt, SurveyResponse
from llct.assessment.tests.test_feedback import (
    TODAY,
    answer_many,
    enrol,
    learners,
    make_lecturer,
    make_programme,
    surveyed_course,
    withdraw,
)
from llct.core.models import Role
from llct.organizations.tests.factories import make_user

SECRET = "Bình luận riêng của học viên"


@pytest.fixture(autouse=True)
def _today():
    # Noon in Hà Nội on TODAY, so that timezone.localdate() is TODAY.
    with time_machine.travel(dt.datetime(2026, 5, 15, 5, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def lecturer_user(world):
    return make_user("giangvien", Role.LECTURER)


@pytest.fixture
def lecturers(world, lecturer_user):
    return [make_lecturer("Lê Văn Giảng", user=lecturer_user), make_lecturer("Phạm Thị Dạy")]


@pytest.fixture
def course(world, lecturers):
    return surveyed_course(world.org_a, lecturers=lecturers, name="Lớp nghiệp vụ công tác đảng")


def survey_post(lecturers, *, score: str = "4", **extra) -> dict[str, str]:
    data = {"organization_rating": score, "facilities_rating": score, "comments": ""}
    for lecturer in lecturers:
        for criterion in ("content", "method", "practice"):
            data[f"lecturer_{lecturer.pk}_{criterion}"] = score
    data.update(extra)
    return data


# --- The learner's survey ----------------------------------------------------------------------


def test_learner_sees_the_survey_with_each_lecturer_once(as_user, world, course, lecturers):
    enrol(course, world.person_a)
    response = as_user(world.learner).get(reverse("assessment:survey", args=[course.pk]))
    assert response.status_code == 200
    html = response.text
    assert html.count("Giảng viên Lê Văn Giảng") == 1
    assert html.count("Giảng viên Phạm Thị Dạy") == 1
    assert 'name="organization_rating"' in html and 'name="facilities_rating"' in html
    assert html.count('type="radio"') == 5 * (3 * 2 + 2)


def test_learner_answers_and_a_second_submission_is_refused(as_user, world, course, lecturers):
    enrolment = enrol(course, world.person_a)
    client = as_user(world.learner)
    url = reverse("assessment:survey", args=[course.pk])
    response = client.post(url, survey_post(lecturers, comments=SECRET))
    assert response.status_code == 302
    assert response.url == reverse("assessment:my_surveys")
    assert SurveyReceipt.objects.filter(enrolment=enrolment).exists()
    assert SurveyResponse.objects.get().comments == SECRET
    assert LecturerRating.objects.count() == 2

    again = client.post(url, survey_post(lecturers, score="1"))
    assert again.status_code == 409
    assert "Đồng chí đã trả lời khảo sát của lớp học này" in again.text
    assert SurveyResponse.objects.count() == 1 and LecturerRating.objects.count() == 2
    # Opening it again says so, without a form.
    page = client.get(url)
    assert page.status_code == 200
    assert "đã trả lời" in page.text and '<form method="post" novalidate>' not in page.text


def test_missing_scores_are_shown_and_nothing_is_saved(as_user, world, course, lecturers):
    enrol(course, world.person_a)
    data = survey_post(lecturers)
    del data[f"lecturer_{lecturers[1].pk}_method"]
    data["facilities_rating"] = "9"
    response = as_user(world.learner).post(reverse("assessment:survey", args=[course.pk]), data)
    assert response.status_code == 422
    assert "Hãy chọn điểm từ 1 đến 5." in response.text
    assert not SurveyReceipt.objects.exists() and not SurveyResponse.objects.exists()


def test_withdrawn_learner_is_refused(as_user, world, course, lecturers):
    withdraw(enrol(course, world.person_a))
    client = as_user(world.learner)
    url = reverse("assessment:survey", args=[course.pk])
    page = client.get(url)
    assert page.status_code == 403
    assert "đã rút khỏi lớp học này" in page.text
    assert client.post(url, survey_post(lecturers)).status_code == 403
    assert not SurveyResponse.objects.exists()


def test_survey_is_refused_before_the_last_session(as_user, world, lecturers):
    running = surveyed_course(world.org_a, lecturers=lecturers, last_session=TODAY)
    enrol(running, world.person_a)
    client = as_user(world.learner)
    url = reverse("assessment:survey", args=[running.pk])
    page = client.get(url)
    assert page.status_code == 403
    assert "Khảo sát mở sau buổi học cuối cùng của lớp (15/05/2026)" in page.text
    assert client.post(url, survey_post(lecturers)).status_code == 403
    assert not SurveyResponse.objects.exists()


def test_people_not_enrolled_get_not_found(as_user, world, course, lecturers):
    enrol(course, world.person_b)  # not the learner's person
    url = reverse("assessment:survey", args=[course.pk])
    assert as_user(world.learner).get(url).status_code == 404
    for user in (world.department, world.officer_a):
        assert as_user(user).get(url).status_code == 404
        assert as_user(user).post(url, survey_post(lecturers)).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_my_surveys_lists_pending_then_answered(as_user, world, course, lecturers):
    enrol(course, world.person_a)
    later = surveyed_course(
        world.org_a, lecturers=lecturers, name="Lớp chưa kết thúc", last_session=TODAY
    )
    enrol(later, world.person_a)
    client = as_user(world.learner)
    page = client.get(reverse("assessment:my_surveys"))
    assert page.status_code == 200
    assert reverse("assessment:survey", args=[course.pk]) in page.text
    assert "Lớp chưa kết thúc" not in page.text

    client.post(reverse("assessment:survey", args=[course.pk]), survey_post(lecturers))
    page = client.get(reverse("assessment:my_surveys"))
    assert "Xin cảm ơn" in page.text  # the flash message after answering
    assert reverse("assessment:survey", args=[course.pk]) not in page.text
    assert "Lớp nghiệp vụ công tác đảng" in page.text  # under "answered"


def test_my_surveys_query_count_does_not_grow(as_user, world, lecturers):
    client = as_user(world.learner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("assessment:my_surveys")).status_code == 200
        return len(queries)

    enrol(surveyed_course(world.org_a, lecturers=lecturers), world.person_a)
    few = count()
    for _ in range(5):
        enrol(surveyed_course(world.org_a, lecturers=lecturers), world.person_a)
    answer_many(surveyed_course(world.org_a, lecturers=lecturers), [world.person_a])
    assert count() == few <= 6


def test_pending_snippet_links_to_the_survey(world, course):
    from django.template.loader import render_to_string

    from llct.assessment.feedback.surveys import pending_surveys_for

    enrol(course, world.person_a)
    html = render_to_string(
        "assessment/survey_pending.html", {"pending_surveys": pending_surveys_for(world.learner)}
    )
    assert reverse("assessment:survey", args=[course.pk]) in html
    assert render_to_string("assessment/survey_pending.html", {"pending_surveys": []}).strip() == ""


# --- A lecturer's ratings ----------------------------------------------------------------------


def test_lecturer_sees_averages_only_from_five_answers_and_never_comments(
    as_user, world, course, lecturers, lecturer_user
):
    own = lecturers[0]
    people = learners(world.org_a1, MIN_ANSWERS)
    answer_many(
        course,
        people[:4],
        comments=SECRET,
        scores=[{own.pk: (5, 4, 3)}] * 4,
    )
    client = as_user(lecturer_user)
    url = reverse("assessment:lecturer_feedback", args=[own.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Chưa đủ số phiếu (4/5)." in page.text
    assert "4,00" not in page.text and "5,00" not in page.text

    answer_many(course, people[4:], comments=SECRET, scores=[{own.pk: (5, 4, 3)}])
    page = client.get(url)
    assert "Chưa đủ số phiếu" not in page.text
    assert "5,00" in page.text and "4,00" in page.text and "3,00" in page.text
    # Never the comments, never a learner's name, never a link to the course's answers.
    assert SECRET not in page.text
    for person in people:
        assert person.full_name not in page.text
    assert reverse("assessment:course_feedback", args=[course.pk]) not in page.text


def test_who_may_open_a_lecturers_ratings(as_user, world, lecturers, lecturer_user):
    own, other = lecturers
    url = reverse("assessment:lecturer_feedback", args=[own.pk])
    assert as_user(lecturer_user).get(url).status_code == 200
    assert as_user(world.department).get(url).status_code == 200
    assert as_user(world.leader).get(url).status_code == 200
    for user in (world.officer_a, world.learner, make_user("giangvien2", Role.LECTURER)):
        assert as_user(user).get(url).status_code == 403
    assert (
        as_user(lecturer_user)
        .get(reverse("assessment:lecturer_feedback", args=[other.pk]))
        .status_code
        == 403
    )
    assert (
        as_user(world.department)
        .get(reverse("assessment:lecturer_feedback", args=[999999]))
        .status_code
        == 404
    )


def test_my_ratings_link_goes_to_the_lecturers_own_page(as_user, world, lecturers, lecturer_user):
    response = as_user(lecturer_user).get(reverse("assessment:my_lecturer_feedback"))
    assert response.status_code == 302
    assert response.url == reverse("assessment:lecturer_feedback", args=[lecturers[0].pk])
    assert as_user(world.learner).get(reverse("assessment:my_lecturer_feedback")).status_code == 404


def test_lecturer_page_query_count_does_not_grow_with_courses(
    as_user, world, lecturers, lecturer_user
):
    client = as_user(lecturer_user)
    url = reverse("assessment:lecturer_feedback", args=[lecturers[0].pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    answer_many(surveyed_course(world.org_a, lecturers=lecturers), learners(world.org_a1, 5))
    few = count()
    for i in range(4):
        course = surveyed_course(
            world.org_a, lecturers=lecturers, last_session=dt.date(2025, 3, 3 + i)
        )
        answer_many(course, learners(world.org_a1, 5 + i, start=10 * i + 10))
    assert count() == few <= 5


# --- The department's report -------------------------------------------------------------------


@pytest.fixture
def answered(world, course, lecturers):
    answer_many(
        course,
        learners(world.org_a1, 3),
        organization=[5, 4, 3],
        facilities=[2, 2, 2],
        scores=[{lecturers[0].pk: (5, 5, 5)}, {lecturers[0].pk: (4, 4, 4)}, {}],
        comments=[SECRET, "", ""],
    )
    return course


def test_who_may_open_the_report(as_user, world, answered, lecturer_user):
    url = reverse("assessment:feedback_report")
    xlsx = reverse("assessment:feedback_report_xlsx", args=["giang-vien"])
    for user in (world.department, world.leader):
        assert as_user(user).get(url).status_code == 200
        assert as_user(user).get(xlsx).status_code == 200
    for user in (world.officer_a, world.learner, lecturer_user):
        assert as_user(user).get(url).status_code == 403
        assert as_user(user).get(xlsx).status_code == 403


def test_report_shows_averages_and_filters_by_year_and_programme(
    as_user, world, answered, lecturers
):
    other = surveyed_course(
        world.org_a,
        lecturers=[lecturers[1]],
        programme=make_programme("Quán triệt nghị quyết"),
        last_session=dt.date(2025, 9, 9),
        name="Lớp năm trước",
    )
    answer_many(other, learners(world.org_a1, 1, start=40))
    client = as_user(world.department)
    page = client.get(reverse("assessment:feedback_report"))
    assert "Lớp nghiệp vụ công tác đảng" in page.text and "Lớp năm trước" in page.text
    assert "4,00" in page.text  # organization: (5 + 4 + 3) / 3
    assert SECRET not in page.text  # comments live on the course page only

    only_2025 = client.get(reverse("assessment:feedback_report"), {"year": 2025})
    assert "Lớp năm trước" in only_2025.text
    assert "Lớp nghiệp vụ công tác đảng" not in only_2025.text
    by_programme = client.get(
        reverse("assessment:feedback_report"), {"programme": answered.programme_id}
    )
    assert "Lớp năm trước" not in by_programme.text
    fragment = client.get(
        reverse("assessment:feedback_report"), {"year": 2026}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text and 'id="results"' in fragment.text


def test_report_exports_both_tables_to_xlsx(as_user, world, answered, lecturers):
    client = as_user(world.department)
    response = client.get(
        reverse("assessment:feedback_report_xlsx", args=["giang-vien"]), {"year": 2026}
    )
    assert response.status_code == 200
    assert "danh-gia-giang-vien-2026.xlsx" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Năm", "Giảng viên", "Lớp học", "Số phiếu")
    by_name = {row[1]: row for row in rows[1:]}
    # Lê Văn Giảng: 5, 4 and the default 4 → 13 / 3.
    assert by_name["Lê Văn Giảng"][:5] == (2026, "Lê Văn Giảng", 1, 3, pytest.approx(4.33))
    assert by_name["Phạm Thị Dạy"][7] == pytest.approx(4.0)

    courses = client.get(reverse("assessment:feedback_report_xlsx", args=["lop"]))
    rows = list(load_workbook(io.BytesIO(courses.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == answered.code
    assert rows[1][4:] == (3, 3, pytest.approx(4.0), pytest.approx(2.0))
    assert client.get(reverse("assessment:feedback_report_xlsx", args=["khac"])).status_code == 404


def test_report_query_count_does_not_grow_with_lecturers_and_courses(as_user, world, answered):
    client = as_user(world.department)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("assessment:feedback_report")).status_code == 200
        return len(queries)

    few = count()
    for i in range(8):
        lecturers = [make_lecturer(f"Giảng Viên {i}a"), make_lecturer(f"Giảng Viên {i}b")]
        course = surveyed_course(
            world.org_b, lecturers=lecturers, programme=make_programme(f"Chương trình {i}")
        )
        answer_many(course, learners(world.org_b1, 2, start=10 * i + 10))
    assert count() == few <= 8


# --- A course's answers ------------------------------------------------------------------------


def test_department_reads_the_comments_of_a_course_and_the_leader_does_not(
    as_user, world, answered, lecturer_user
):
    url = reverse("assessment:course_feedback", args=[answered.pk])
    page = as_user(world.department).get(url)
    assert page.status_code == 200
    assert SECRET in page.text
    leader = as_user(world.leader).get(url)
    assert leader.status_code == 200
    assert SECRET not in leader.text
    assert "Ý kiến góp ý chỉ hiển thị cho Ban Tuyên giáo." in leader.text
    for user in (lecturer_user, world.officer_a, world.learner):
        assert as_user(user).get(url).status_code == 403
