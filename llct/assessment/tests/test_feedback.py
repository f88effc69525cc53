"""Course surveys: who may answer and when, one answer per learner, anonymity by structure,
the 5-answer floor for lecturers, the arithmetic of the averages, the department's report."""

import datetime as dt
import itertools
import unicodedata
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from llct.assessment.feedback import reports, surveys
from llct.assessment.feedback.reports import (
    MIN_ANSWERS,
    average,
    course_feedback,
    feedback_report,
    lecturer_feedback,
)
from llct.assessment.feedback.surveys import (
    LecturerAnswer,
    SurveyAnswers,
    SurveyRefused,
    pending_surveys_for,
    survey_enrolment_get,
    survey_lecturers,
    survey_submit,
)
from llct.assessment.models import LecturerRating, SurveyReceipt, SurveyResponse
from llct.core.models import Role
from llct.courses.models import Course, Enrolment, Session
from llct.courses.tests.factories import make_course
from llct.curriculum.models import Lecturer, Programme, Topic
from llct.organizations.tests.factories import make_person, make_user

TODAY = dt.date(2026, 5, 15)
MORNING = (dt.time(7, 30), dt.time(11, 30))
AFTERNOON = (dt.time(13, 30), dt.time(17, 0))

_seq = itertools.count(1)


# --- Builders (shared with the view and browser tests) ----------------------------------------


def make_programme(name: str = "Bồi dưỡng nghiệp vụ") -> Programme:
    n = next(_seq)
    programme = Programme.objects.create(code=f"KS{n}", name=f"{name} {n}", kind="professional")
    Topic.objects.create(programme=programme, order=1, title="Chuyên đề một")
    Topic.objects.create(programme=programme, order=2, title="Chuyên đề hai")
    return programme


def make_lecturer(full_name: str = "Lê Văn Giảng", user=None) -> Lecturer:
    return Lecturer.objects.create(full_name=full_name, user=user)


def surveyed_course(
    organizer,
    *,
    lecturers: list[Lecturer] | None = None,
    last_session: dt.date = TODAY - dt.timedelta(days=3),
    status: str = Course.Status.IN_PROGRESS,
    programme: Programme | None = None,
    name: str | None = None,
) -> Course:
    """A course whose sessions run up to `last_session`: two a day, the lecturers in turn, so
    that a lecturer teaching several sessions is rated once."""
    n = next(_seq)
    programme = programme or make_programme()
    lecturers = lecturers if lecturers is not None else [make_lecturer()]
    sessions = max(2, 2 * len(lecturers))
    first_day = last_session - dt.timedelta(days=(sessions - 1) // 2)
    course = make_course(
        programme,
        organizer,
        code=f"KS-{n}",
        name=name or f"Lớp khảo sát {n}",
        starts_on=first_day,
        ends_on=last_session,
        status=status,
    )
    topics = list(programme.topics.all())
    for i in range(sessions):
        times = MORNING if i % 2 == 0 else AFTERNOON
        Session.objects.create(
            course=course,
            date=first_day + dt.timedelta(days=i // 2),
            part="morning" if i % 2 == 0 else "afternoon",
            starts_at=times[0],
            ends_at=times[1],
            topic=topics[i % len(topics)],
            lecturer=lecturers[i % len(lecturers)] if lecturers else None,
        )
    return course


def enrol(course: Course, person, **fields) -> Enrolment:
    return Enrolment.objects.create(course=course, person=person, **fields)


def withdraw(enrolment: Enrolment) -> Enrolment:
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_on = TODAY - dt.timedelta(days=10)
    enrolment.withdrawal_reason = "Đi công tác"
    enrolment.save()
    return enrolment


def answers_for(
    course: Course,
    *,
    organization: int | None = 4,
    facilities: int | None = 4,
    scores: dict[int, tuple[int | None, int | None, int | None]] | None = None,
    default: tuple[int, int, int] = (4, 4, 4),
    comments: str = "",
) -> SurveyAnswers:
    scores = scores or {}
    lecturers = {}
    for item in survey_lecturers(course=course):
        content, method, practice = scores.get(item.lecturer.pk, default)
        lecturers[item.lecturer.pk] = LecturerAnswer(content, method, practice)
    return SurveyAnswers(
        organization_rating=organization,
        facilities_rating=facilities,
        comments=comments,
        lecturers=lecturers,
    )


def learners(organization, n: int, *, start: int = 1):
    return [make_person(organization, f"Học Viên Số {i}") for i in range(start, start + n)]


def answer_many(course: Course, people, **kwargs) -> None:
    """Each person enrols and answers; `kwargs` as for answers_for, or per answer as lists."""
    for i, person in enumerate(people):
        own = {k: (v[i] if isinstance(v, list) else v) for k, v in kwargs.items()}
        survey_submit(
            enrolment=enrol(course, person), answers=answers_for(course, **own), today=TODAY
        )


@pytest.fixture
def two_lecturers(db):
    return [make_lecturer("Lê Văn Giảng"), make_lecturer("Phạm Thị Dạy")]


@pytest.fixture
def course(world, two_lecturers):
    return surveyed_course(world.org_a, lecturers=two_lecturers, name="Lớp nghiệp vụ đã học xong")


# --- Answering: once, enrolled, after the last session -----------------------------------------


def test_learner_answers_once_and_a_second_answer_is_refused(world, course):
    enrolment = enrol(course, world.person_a)
    response = survey_submit(
        enrolment=enrolment, answers=answers_for(course, comments="Rất bổ ích"), today=TODAY
    )
    assert SurveyReceipt.objects.filter(enrolment=enrolment).count() == 1
    assert response.course == course and response.comments == "Rất bổ ích"
    assert response.ratings.count() == 2

    with pytest.raises(SurveyRefused) as refused:
        survey_submit(enrolment=enrolment, answers=answers_for(course), today=TODAY)
    assert "đã trả lời" in refused.value.messages[0]
    assert SurveyResponse.objects.count() == 1
    assert LecturerRating.objects.count() == 2
    assert SurveyReceipt.objects.count() == 1


def test_a_race_past_the_check_is_stopped_by_the_receipt_and_writes_nothing(
    world, course, monkeypatch
):
    enrolment = enrol(course, world.person_a)
    survey_submit(enrolment=enrolment, answers=answers_for(course), today=TODAY)
    # A second request that passed the check before the first one committed.
    monkeypatch.setattr(surveys, "survey_refusal", lambda **kwargs: "")
    with pytest.raises(SurveyRefused):
        survey_submit(enrolment=enrolment, answers=answers_for(course), today=TODAY)
    assert SurveyResponse.objects.count() == 1
    assert LecturerRating.objects.count() == 2


def test_withdrawn_learner_may_not_answer(world, course):
    enrolment = withdraw(enrol(course, world.person_a))
    with pytest.raises(SurveyRefused) as refused:
        survey_submit(enrolment=enrolment, answers=answers_for(course), today=TODAY)
    assert "rút khỏi lớp" in refused.value.messages[0]
    assert not SurveyResponse.objects.exists() and not SurveyReceipt.objects.exists()


def test_survey_opens_only_after_the_last_session(world, two_lecturers):
    running = surveyed_course(world.org_a, lecturers=two_lecturers, last_session=TODAY)
    enrolment = enrol(running, world.person_a)
    with pytest.raises(SurveyRefused) as refused:
        survey_submit(enrolment=enrolment, answers=answers_for(running), today=TODAY)
    assert "15/05/2026" in refused.value.messages[0]
    assert not SurveyResponse.objects.exists()
    # The day after the last session it opens.
    survey_submit(
        enrolment=enrolment, answers=answers_for(running), today=TODAY + dt.timedelta(days=1)
    )
    assert SurveyReceipt.objects.filter(enrolment=enrolment).exists()


def test_a_course_marked_finished_opens_its_survey_even_with_later_sessions(world):
    course = surveyed_course(
        world.org_a, last_session=TODAY + dt.timedelta(days=5), status=Course.Status.FINISHED
    )
    enrolment = enrol(course, world.person_a)
    survey_submit(enrolment=enrolment, answers=answers_for(course), today=TODAY)
    assert SurveyResponse.objects.filter(course=course).count() == 1


def test_a_cancelled_course_has_no_survey(world):
    course = surveyed_course(world.org_a, status=Course.Status.CANCELLED)
    with pytest.raises(SurveyRefused):
        survey_submit(
            enrolment=enrol(course, world.person_a), answers=answers_for(course), today=TODAY
        )


def test_every_lecturer_must_be_rated_and_all_errors_are_reported_at_once(
    world, course, two_lecturers
):
    second = two_lecturers[1]
    answers = answers_for(course, facilities=6, organization=None, scores={second.pk: (5, None, 0)})
    with pytest.raises(ValidationError) as error:
        survey_submit(enrolment=enrol(course, world.person_a), answers=answers, today=TODAY)
    assert set(error.value.message_dict) == {
        "organization_rating",
        "facilities_rating",
        f"lecturer_{second.pk}_method",
        f"lecturer_{second.pk}_practice",
    }
    assert not SurveyReceipt.objects.exists() and not SurveyResponse.objects.exists()


def test_a_lecturer_not_of_the_course_cannot_be_rated(world, course):
    answers = answers_for(course)
    stranger = make_lecturer("Người Ngoài")
    answers = SurveyAnswers(
        organization_rating=4,
        facilities_rating=4,
        lecturers={**answers.lecturers, stranger.pk: LecturerAnswer(1, 1, 1)},
    )
    with pytest.raises(ValidationError):
        survey_submit(enrolment=enrol(course, world.person_a), answers=answers, today=TODAY)
    assert not LecturerRating.objects.filter(lecturer=stranger).exists()


def test_each_lecturer_is_rated_once_against_their_first_session(world, two_lecturers):
    first, second = two_lecturers
    # Four sessions: first, second, first, second.
    course = surveyed_course(world.org_a, lecturers=[first, second, first, second])
    sessions = list(course.sessions.order_by("date", "starts_at"))
    items = survey_lecturers(course=course)
    assert [i.lecturer for i in items] == [first, second]
    assert [i.session_count for i in items] == [4, 4]
    survey_submit(
        enrolment=enrol(course, world.person_a),
        answers=answers_for(course, scores={first.pk: (5, 4, 3), second.pk: (2, 3, 4)}),
        today=TODAY,
    )
    ratings = {r.lecturer_id: r for r in LecturerRating.objects.all()}
    assert len(ratings) == 2
    assert ratings[first.pk].session_id == sessions[0].pk
    assert ratings[second.pk].session_id == sessions[1].pk
    assert (ratings[first.pk].content, ratings[first.pk].method, ratings[first.pk].practice) == (
        5,
        4,
        3,
    )


def test_a_course_without_lecturers_is_rated_on_organization_and_facilities_only(world):
    course = surveyed_course(world.org_a, lecturers=[])
    survey_submit(
        enrolment=enrol(course, world.person_a),
        answers=answers_for(course, organization=3, facilities=2),
        today=TODAY,
    )
    response = SurveyResponse.objects.get()
    assert (response.organization_rating, response.facilities_rating) == (3, 2)
    assert not LecturerRating.objects.exists()


def test_comments_are_stored_nfc_with_their_line_breaks(world, course):
    typed = unicodedata.normalize("NFD", "  Giảng viên nhiệt tình\nCảm ơn  ")
    survey_submit(
        enrolment=enrol(course, world.person_a),
        answers=answers_for(course, comments=typed),
        today=TODAY,
    )
    assert SurveyResponse.objects.get().comments == "Giảng viên nhiệt tình\nCảm ơn"


# --- Anonymity --------------------------------------------------------------------------------


def _related_models(model) -> set[type]:
    return {f.related_model for f in model._meta.get_fields() if f.is_relation and f.concrete}


def test_the_answers_have_no_link_to_the_person_or_the_enrolment():
    from llct.core.models import User
    from llct.organizations.models import Person

    for model in (SurveyResponse, LecturerRating):
        linked = _related_models(model)
        assert not linked & {Person, Enrolment, User, SurveyReceipt}, model
    # And the receipt does not point at the answers.
    assert _related_models(SurveyReceipt) == {Enrolment}
    receipt_fields = {f.name for f in SurveyReceipt._meta.concrete_fields}
    assert receipt_fields == {"id", "enrolment", "submitted_at"}


def test_submitting_writes_no_audit_entry_that_would_tie_the_person_to_the_answers(world, course):
    from llct.core.models import AuditEntry

    before = AuditEntry.objects.count()
    survey_submit(enrolment=enrol(course, world.person_a), answers=answers_for(course), today=TODAY)
    assert AuditEntry.objects.count() == before


# --- The learner's pending surveys -------------------------------------------------------------


def test_pending_surveys_are_the_finished_unanswered_courses_of_the_learner(world, two_lecturers):
    learner = world.learner
    pending = surveyed_course(world.org_a, name="Chờ khảo sát")
    finished = surveyed_course(
        world.org_a,
        name="Đã kết thúc",
        status=Course.Status.FINISHED,
        last_session=TODAY + dt.timedelta(days=3),
    )
    running = surveyed_course(world.org_a, name="Đang học", last_session=TODAY)
    answered = surveyed_course(world.org_a, name="Đã trả lời")
    withdrawn = surveyed_course(world.org_a, name="Đã rút")
    cancelled = surveyed_course(world.org_a, name="Bị hủy", status=Course.Status.CANCELLED)
    others = surveyed_course(world.org_a, name="Lớp của người khác")
    for c in (pending, finished, running, answered, withdrawn, cancelled):
        enrol(c, world.person_a)
    enrol(others, world.person_b)
    withdraw(Enrolment.objects.get(course=withdrawn))
    survey_submit(
        enrolment=Enrolment.objects.get(course=answered),
        answers=answers_for(answered),
        today=TODAY,
    )

    with CaptureQueriesContext(connection) as queries:
        names = {e.course.name for e in pending_surveys_for(learner, today=TODAY)}
    assert names == {"Chờ khảo sát", "Đã kết thúc"}
    assert len(queries) == 1
    assert {e.course.name for e in surveys.answered_surveys_for(learner)} == {"Đã trả lời"}


def test_users_without_a_person_have_no_surveys(world, course):
    enrol(course, world.person_a)
    assert pending_surveys_for(world.department, today=TODAY) == []
    assert pending_surveys_for(world.officer_a, today=TODAY) == []


def test_a_learner_reaches_only_their_own_enrolment(world, course):
    enrol(course, world.person_b)
    with pytest.raises(Http404):
        survey_enrolment_get(user=world.learner, course_pk=course.pk)
    own = enrol(course, world.person_a)
    assert survey_enrolment_get(user=world.learner, course_pk=course.pk) == own


# --- Aggregates: arithmetic and the floor ------------------------------------------------------


def test_average_rounds_half_up_to_two_decimals():
    assert average(21, 5) == Decimal("4.20")
    assert average(2, 3) == Decimal("0.67")
    assert average(1, 8) == Decimal("0.13")  # 0.125 rounds up
    assert average(0, 0) is None


def test_lecturer_sees_a_course_only_from_five_answers(world, two_lecturers):
    lecturer = two_lecturers[0]
    course = surveyed_course(world.org_a, lecturers=two_lecturers)
    people = learners(world.org_a1, MIN_ANSWERS)
    answer_many(course, people[:4])
    data = lecturer_feedback(lecturer=lecturer)
    [row] = data.courses
    assert row.answers == 4 and row.scores is None
    assert data.years[0].scores is None and data.years[0].courses_hidden == 1
    assert data.total is None

    answer_many(course, people[4:])
    data = lecturer_feedback(lecturer=lecturer)
    [row] = data.courses
    assert row.answers == 5 and row.scores is not None
    assert data.years[0].courses_shown == 1 and data.total is not None


def test_lecturer_averages_add_sums_not_averages_and_leave_hidden_courses_out(world, two_lecturers):
    lecturer, other = two_lecturers
    big = surveyed_course(world.org_a, lecturers=two_lecturers)
    answer_many(
        big,
        learners(world.org_a1, 5),
        scores=[
            {lecturer.pk: (5, 1, 5)},
            {lecturer.pk: (4, 2, 5)},
            {lecturer.pk: (4, 3, 5)},
            {lecturer.pk: (3, 4, 5)},
            {lecturer.pk: (5, 5, 4)},
        ],
    )
    second = surveyed_course(
        world.org_a, lecturers=[lecturer], last_session=TODAY - dt.timedelta(40)
    )
    answer_many(second, learners(world.org_a1, 6, start=10), default=(2, 2, 2))
    small = surveyed_course(
        world.org_a, lecturers=[lecturer], last_session=TODAY - dt.timedelta(80)
    )
    answer_many(small, learners(world.org_a1, 2, start=20), default=(1, 1, 1))

    data = lecturer_feedback(lecturer=lecturer)
    by_course = {row.course_id: row for row in data.courses}
    scores = by_course[big.pk].scores
    assert (scores.answers, scores.content, scores.method, scores.practice) == (
        5,
        Decimal("4.20"),
        Decimal("3.00"),
        Decimal("4.80"),
    )
    assert scores.overall == Decimal("4.00")  # (21 + 15 + 24) / 15
    assert by_course[small.pk].scores is None and by_course[small.pk].answers == 2
    [year] = data.years
    assert (year.year, year.courses_shown, year.courses_hidden) == (2026, 2, 1)
    # Weighted by answers: (21 + 6 × 2) / 11 = 3.00, not (4.20 + 2.00) / 2 = 3.10.
    assert year.scores.content == Decimal("3.00")
    assert year.scores.answers == 11
    assert data.total == year.scores
    # The other lecturer's ratings are not mixed in.
    assert lecturer_feedback(lecturer=other).courses[0].answers == 5


def test_lecturer_feedback_groups_by_year(world):
    lecturer = make_lecturer()
    old = surveyed_course(world.org_a, lecturers=[lecturer], last_session=dt.date(2025, 11, 20))
    new = surveyed_course(world.org_a, lecturers=[lecturer])
    answer_many(old, learners(world.org_a1, 5), default=(3, 3, 3))
    answer_many(new, learners(world.org_a1, 5, start=10), default=(5, 5, 5))
    data = lecturer_feedback(lecturer=lecturer)
    assert [(y.year, y.scores.content) for y in data.years] == [
        (2026, Decimal("5.00")),
        (2025, Decimal("3.00")),
    ]
    assert data.total.content == Decimal("4.00")


def test_lecturer_feedback_takes_one_query(world, django_assert_num_queries):
    lecturer = make_lecturer()
    for i in range(3):
        course = surveyed_course(world.org_a, lecturers=[lecturer])
        answer_many(course, learners(world.org_a1, 5, start=10 * i))
    with django_assert_num_queries(1):
        data = lecturer_feedback(lecturer=lecturer)
    assert len(data.courses) == 3


# --- The department's report -------------------------------------------------------------------


def test_report_gives_per_lecturer_per_year_and_per_course_averages(world, two_lecturers):
    first = two_lecturers[0]
    sc = make_programme("Sơ cấp")
    course = surveyed_course(world.org_a, lecturers=two_lecturers, programme=sc)
    people = learners(world.org_a1, 3)
    answer_many(
        course,
        people,
        organization=[5, 4, 4],
        facilities=[3, 3, 2],
        scores=[{first.pk: (5, 5, 5)}, {first.pk: (4, 4, 4)}, {first.pk: (4, 4, 3)}],
        default=(2, 2, 2),
    )
    enrol(course, make_person(world.org_a1, "Chưa Trả Lời"))
    withdraw(enrol(course, make_person(world.org_a1, "Đã Rút Lui")))
    old = surveyed_course(world.org_a, lecturers=[first], last_session=dt.date(2025, 6, 1))
    answer_many(old, learners(world.org_a1, 1, start=50), default=(1, 1, 1))

    report = feedback_report()
    rows = {(r.lecturer_name, r.year): r for r in report.lecturers}
    assert set(rows) == {("Lê Văn Giảng", 2026), ("Phạm Thị Dạy", 2026), ("Lê Văn Giảng", 2025)}
    first_2026 = rows[("Lê Văn Giảng", 2026)]
    assert first_2026.courses == 1
    assert (first_2026.scores.answers, first_2026.scores.content) == (3, Decimal("4.33"))
    assert first_2026.scores.practice == Decimal("4.00")
    assert rows[("Phạm Thị Dạy", 2026)].scores.overall == Decimal("2.00")
    # Newest year first, then the Vietnamese name order (by given name: Dạy before Giảng).
    assert [(r.year, r.lecturer_name) for r in report.lecturers] == [
        (2026, "Phạm Thị Dạy"),
        (2026, "Lê Văn Giảng"),
        (2025, "Lê Văn Giảng"),
    ]
    by_course = {r.course.pk: r for r in report.courses}
    row = by_course[course.pk]
    assert (row.answers, row.learners) == (3, 4)  # the withdrawn learner does not count
    assert (row.organization, row.facilities) == (Decimal("4.33"), Decimal("2.67"))
    assert row.response_rate == 75

    only_2025 = feedback_report(year=2025)
    assert [(r.lecturer_name, r.year) for r in only_2025.lecturers] == [("Lê Văn Giảng", 2025)]
    assert [r.course for r in only_2025.courses] == [old]
    only_sc = feedback_report(programme_id=sc.pk)
    assert {r.course for r in only_sc.courses} == {course}
    assert {r.year for r in only_sc.lecturers} == {2026}
    assert reports.feedback_years() == [2026, 2025]


def test_report_does_not_list_courses_without_answers(world):
    surveyed_course(world.org_a)
    assert feedback_report().courses == []


def test_report_query_count_does_not_grow_with_lecturers_and_courses(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            report = feedback_report()
            len(report.lecturers), len(report.courses)
        return len(queries)

    answer_many(surveyed_course(world.org_a), learners(world.org_a1, 2))
    few = count()
    for i in range(6):
        lecturers = [make_lecturer(f"Giảng Viên {i}a"), make_lecturer(f"Giảng Viên {i}b")]
        course = surveyed_course(world.org_b, lecturers=lecturers)
        answer_many(course, learners(world.org_b1, 2, start=10 * i + 10))
    assert count() == few == 2


def test_course_feedback_gives_comments_only_when_asked_sorted_by_text(world, course):
    answer_many(
        course,
        learners(world.org_a1, 3),
        comments=["Phòng học nóng", "", "Cần thêm tài liệu"],
    )
    data = course_feedback(course=course, with_comments=True)
    assert data.answers == 3
    assert data.comments == ["Cần thêm tài liệu", "Phòng học nóng"]
    assert course_feedback(course=course, with_comments=False).comments == []
    assert len(data.lecturers) == 2


# --- Who may read ------------------------------------------------------------------------------


def test_who_may_read_the_feedback(world):
    own_user = make_user("giangvien", Role.LECTURER)
    lecturer = make_lecturer(user=own_user)
    other_lecturer_user = make_user("giangvien2", Role.LECTURER)
    make_lecturer("Người Khác", user=other_lecturer_user)
    may = reports.can_view_lecturer_feedback
    assert may(own_user, lecturer)
    assert may(world.department, lecturer) and may(world.leader, lecturer)
    assert not may(other_lecturer_user, lecturer)
    assert not may(world.officer_a, lecturer) and not may(world.learner, lecturer)
    assert reports.can_view_feedback_report(world.leader)
    assert not reports.can_view_feedback_report(own_user)
    assert not reports.can_view_feedback_report(world.officer_a)
    assert reports.can_read_comments(world.department)
    assert not reports.can_read_comments(world.leader)
    assert not reports.can_read_comments(own_user)
