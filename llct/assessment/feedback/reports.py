"""Reading survey answers: who may read what, a lecturer's averages, the department's report,
a course's feedback; always aggregated, comments never with a name or in submission order
(llct.assessment.feedback explains the rule)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import ExtractYear
from django.http import Http404

from llct.assessment.models import LecturerRating, SurveyResponse
from llct.core.capabilities import Capability, has_capability
from llct.core.models import User
from llct.core.text import name_sort_key
from llct.courses.models import Course, Enrolment
from llct.courses.selectors import with_learner_counts
from llct.curriculum.models import Lecturer

# Below this many answers a lecturer's averages for a course could point at individual
# learners (a class of 3 knows who gave the 1), so the lecturer sees only the count.
MIN_ANSWERS = 5

# ---------------------------------------------------------------------------------------------
# Permissions


def can_view_feedback_report(user: User) -> bool:
    return has_capability(user, Capability.READ_FEEDBACK_REPORT)


def can_read_comments(user: User) -> bool:
    """Free comments may identify their writer by style or content: the department only."""
    return has_capability(user, Capability.READ_FEEDBACK_COMMENTS)


def can_view_lecturer_feedback(user: User, lecturer: Lecturer) -> bool:
    if can_view_feedback_report(user):
        return True
    return bool(
        has_capability(user, Capability.READ_OWN_RATINGS)
        and lecturer.user_id
        and lecturer.user_id == user.pk
    )


# ---------------------------------------------------------------------------------------------
# Aggregates


def average(total: int | None, count: int) -> Decimal | None:
    """The mean on the 1–5 scale, two decimals, half up (what the reports print)."""
    if not count or total is None:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LecturerScores:
    """Averages of a lecturer's ratings over `answers` answers; built from sums, so that
    grouping (by course, by year) adds sums, never averages of averages."""

    answers: int
    content_sum: int
    method_sum: int
    practice_sum: int

    @property
    def content(self) -> Decimal | None:
        return average(self.content_sum, self.answers)

    @property
    def method(self) -> Decimal | None:
        return average(self.method_sum, self.answers)

    @property
    def practice(self) -> Decimal | None:
        return average(self.practice_sum, self.answers)

    @property
    def overall(self) -> Decimal | None:
        return average(self.content_sum + self.method_sum + self.practice_sum, 3 * self.answers)

    def __add__(self, other: "LecturerScores") -> "LecturerScores":
        return LecturerScores(
            answers=self.answers + other.answers,
            content_sum=self.content_sum + other.content_sum,
            method_sum=self.method_sum + other.method_sum,
            practice_sum=self.practice_sum + other.practice_sum,
        )


NO_SCORES = LecturerScores(answers=0, content_sum=0, method_sum=0, practice_sum=0)

_RATING_SUMS = {
    "answers": Count("id"),
    "content_sum": Sum("content"),
    "method_sum": Sum("method"),
    "practice_sum": Sum("practice"),
}


def _scores(row: Mapping[str, Any]) -> LecturerScores:
    return LecturerScores(
        answers=row["answers"],
        content_sum=row["content_sum"] or 0,
        method_sum=row["method_sum"] or 0,
        practice_sum=row["practice_sum"] or 0,
    )


@dataclass(frozen=True)
class LecturerCourseRow:
    course_id: int
    code: str
    name: str
    programme: str
    starts_on: dt.date
    answers: int
    # None below the floor: the lecturer sees only how many have answered.
    scores: LecturerScores | None

    @property
    def year(self) -> int:
        return self.starts_on.year


@dataclass(frozen=True)
class LecturerYearRow:
    year: int
    courses_shown: int
    courses_hidden: int
    scores: LecturerScores | None


@dataclass(frozen=True)
class LecturerFeedback:
    lecturer: Lecturer
    courses: list[LecturerCourseRow]
    years: list[LecturerYearRow]
    total: LecturerScores | None
    min_answers: int = MIN_ANSWERS


def lecturer_feedback(*, lecturer: Lecturer) -> LecturerFeedback:
    """A lecturer's ratings per course and per year. A course below MIN_ANSWERS answers shows
    only its count, and is left out of the year's and the overall averages too (otherwise
    subtracting the shown courses from the year would reveal it). One query."""
    rows = (
        LecturerRating.objects.filter(lecturer=lecturer)
        .values(
            "response__course_id",
            "response__course__code",
            "response__course__name",
            "response__course__starts_on",
            "response__course__programme__name",
        )
        .annotate(**_RATING_SUMS)
        .order_by("-response__course__starts_on", "response__course__code")
    )
    courses: list[LecturerCourseRow] = []
    for row in rows:
        scores = _scores(row)
        courses.append(
            LecturerCourseRow(
                course_id=row["response__course_id"],
                code=row["response__course__code"],
                name=row["response__course__name"],
                programme=row["response__course__programme__name"],
                starts_on=row["response__course__starts_on"],
                answers=scores.answers,
                scores=scores if scores.answers >= MIN_ANSWERS else None,
            )
        )
    by_year: dict[int, list[LecturerCourseRow]] = defaultdict(list)
    for course_row in courses:
        by_year[course_row.year].append(course_row)
    years: list[LecturerYearRow] = []
    total = NO_SCORES
    for year in sorted(by_year, reverse=True):
        shown = [c.scores for c in by_year[year] if c.scores is not None]
        year_scores = sum(shown, NO_SCORES)
        total = total + year_scores
        years.append(
            LecturerYearRow(
                year=year,
                courses_shown=len(shown),
                courses_hidden=len(by_year[year]) - len(shown),
                scores=year_scores if shown else None,
            )
        )
    return LecturerFeedback(
        lecturer=lecturer,
        courses=courses,
        years=years,
        total=total if total.answers else None,
    )


def lecturer_of_user(user: User) -> Lecturer:
    try:
        return Lecturer.objects.get(user_id=user.pk)
    except Lecturer.DoesNotExist:
        raise Http404 from None


# --- The department's report ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportLecturerRow:
    lecturer_id: int
    lecturer_name: str
    year: int
    courses: int
    scores: LecturerScores


@dataclass(frozen=True)
class ReportCourseRow:
    course: Course
    answers: int
    learners: int
    organization: Decimal | None
    facilities: Decimal | None

    @property
    def response_rate(self) -> int | None:
        return round(100 * self.answers / self.learners) if self.learners else None


@dataclass(frozen=True)
class FeedbackReport:
    lecturers: list[ReportLecturerRow]
    courses: list[ReportCourseRow]


def feedback_years() -> list[int]:
    """The years (of the courses' start) that have survey answers, newest first."""
    years = (
        SurveyResponse.objects.order_by()
        .annotate(y=ExtractYear("course__starts_on"))
        .values_list("y", flat=True)
        .distinct()
    )
    return sorted(set(years), reverse=True)


def _course_filter(prefix: str, *, year: int | None, programme_id: int | None) -> Q:
    condition = Q()
    if year:
        condition &= Q(**{f"{prefix}starts_on__year": year})
    if programme_id:
        condition &= Q(**{f"{prefix}programme_id": programme_id})
    return condition


def feedback_report(*, year: int | None = None, programme_id: int | None = None) -> FeedbackReport:
    """Per lecturer per year: averages and counts; per course: organization and facilities.
    Two queries whatever the number of lecturers and courses. A year is the course's start
    year, as in the course list."""
    lecturer_rows = (
        LecturerRating.objects.filter(
            _course_filter("response__course__", year=year, programme_id=programme_id)
        )
        .values("lecturer_id", "lecturer__full_name")
        .annotate(
            year=ExtractYear("response__course__starts_on"),
            courses=Count("response__course_id", distinct=True),
            **_RATING_SUMS,
        )
        .order_by()
    )
    lecturers = [
        ReportLecturerRow(
            lecturer_id=row["lecturer_id"],
            lecturer_name=row["lecturer__full_name"],
            year=row["year"],
            courses=row["courses"],
            scores=_scores(row),
        )
        for row in lecturer_rows
    ]
    lecturers.sort(key=lambda r: (-r.year, name_sort_key(r.lecturer_name), r.lecturer_id))

    answers = (
        SurveyResponse.objects.filter(course=OuterRef("pk"))
        .order_by()
        .values("course")
        .annotate(
            n=Count("id"),
            organization=Sum("organization_rating"),
            facilities=Sum("facilities_rating"),
        )
    )
    course_qs = (
        with_learner_counts(
            Course.objects.filter(_course_filter("", year=year, programme_id=programme_id))
        )
        .select_related("programme")
        .annotate(
            answers=Subquery(answers.values("n"), output_field=IntegerField()),
            organization_sum=Subquery(answers.values("organization"), output_field=IntegerField()),
            facilities_sum=Subquery(answers.values("facilities"), output_field=IntegerField()),
        )
        .filter(answers__gt=0)
        .order_by(F("starts_on").desc(), "code")
    )
    courses = [
        ReportCourseRow(
            course=course,
            answers=course.answers,
            learners=course.learner_count or 0,
            organization=average(course.organization_sum, course.answers),
            facilities=average(course.facilities_sum, course.answers),
        )
        for course in course_qs
    ]
    return FeedbackReport(lecturers=lecturers, courses=courses)


# --- One course, for the department -----------------------------------------------------------


@dataclass(frozen=True)
class CourseLecturerRow:
    lecturer_id: int
    lecturer_name: str
    scores: LecturerScores


@dataclass(frozen=True)
class CourseFeedback:
    course: Course
    answers: int
    learners: int
    organization: Decimal | None
    facilities: Decimal | None
    lecturers: list[CourseLecturerRow]
    comments: list[str]


def course_feedback(*, course: Course, with_comments: bool) -> CourseFeedback:
    """A course's averages and, for the department, its comments: sorted by their text, not
    by arrival, so that their order tells nothing about who wrote them."""
    totals = SurveyResponse.objects.filter(course=course).aggregate(
        n=Count("id"),
        organization=Sum("organization_rating"),
        facilities=Sum("facilities_rating"),
    )
    learners = Enrolment.objects.filter(course=course, status=Enrolment.Status.ENROLLED).count()
    rows = (
        LecturerRating.objects.filter(response__course=course)
        .values("lecturer_id", "lecturer__full_name")
        .annotate(**_RATING_SUMS)
        .order_by()
    )
    lecturers = sorted(
        (
            CourseLecturerRow(
                lecturer_id=row["lecturer_id"],
                lecturer_name=row["lecturer__full_name"],
                scores=_scores(row),
            )
            for row in rows
        ),
        key=lambda r: name_sort_key(r.lecturer_name),
    )
    comments: list[str] = []
    if with_comments:
        comments = sorted(
            SurveyResponse.objects.filter(course=course)
            .exclude(comments="")
            .values_list("comments", flat=True)
        )
    return CourseFeedback(
        course=course,
        answers=totals["n"],
        learners=learners,
        organization=average(totals["organization"], totals["n"]),
        facilities=average(totals["facilities"], totals["n"]),
        lecturers=lecturers,
        comments=comments,
    )
