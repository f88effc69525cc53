"""Course surveys (khảo sát cuối khóa) and lecturer evaluations: services and selectors.

Anonymity is structural. The answers (SurveyResponse with its LecturerRatings) carry no link to
the person or the enrolment; the SurveyReceipt records only that an enrolment has answered. Both
are written in one transaction, so a learner has either answered (receipt and answers) or not at
all, and a second answer is refused by the receipt's unique enrolment.

Who reads what:
- a lecturer sees averages of their own ratings, per course only once at least MIN_ANSWERS
  learners have rated them there, and never the comments;
- department officers and leaders see the report; comments are for the department only, and
  never shown with a name or in submission order.

Why one module past 600 lines: the anonymity rule is audited by reading every write and read of
survey answers, so they stay together; a split would let a read of answers live where nobody
checks it.
"""

import datetime as dt
import secrets
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.assessment.models import LecturerRating, SurveyReceipt, SurveyResponse
from llct.core.capabilities import Capability, has_capability
from llct.core.models import User
from llct.core.text import name_sort_key
from llct.courses.models import Course, Enrolment, Session
from llct.courses.selectors import with_learner_counts
from llct.curriculum.models import Lecturer

# Below this many answers a lecturer's averages for a course could point at individual
# learners (a class of 3 knows who gave the 1), so the lecturer sees only the count.
MIN_ANSWERS = 5
SCORES = (1, 2, 3, 4, 5)
LECTURER_CRITERIA = ("content", "method", "practice")
COURSE_CRITERIA = ("organization_rating", "facilities_rating")
COMMENTS_MAX_LENGTH = 2000

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
# The learner's side: which surveys are open, the questions, submitting


def _last_session_on() -> Subquery:
    return Subquery(
        Session.objects.filter(course=OuterRef("course_id")).order_by("-date").values("date")[:1],
        output_field=DateField(),
    )


def _survey_open(*, status: str, last_session_on: dt.date | None, today: dt.date) -> bool:
    """A course's survey opens once its last session is over, or when it is marked finished."""
    if status == Course.Status.CANCELLED:
        return False
    if status == Course.Status.FINISHED:
        return True
    return last_session_on is not None and last_session_on < today


def _with_survey_state(qs: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Enrolments with what deciding about their survey needs, so that it takes no more query:
    the course, the date of its last session, whether the enrolment has answered."""
    return qs.select_related("course", "course__programme").annotate(
        last_session_on=_last_session_on(),
        answered=Exists(SurveyReceipt.objects.filter(enrolment=OuterRef("pk"))),
    )


def _survey_enrolments(user: User) -> QuerySet[Enrolment]:
    """The user's own enrolments: a learner's survey is reached only through their person."""
    person_id = getattr(user, "person_id", None)
    if not user.is_authenticated or not person_id:
        return _with_survey_state(Enrolment.objects.none())
    return _with_survey_state(Enrolment.objects.filter(person_id=person_id))


def pending_surveys_for(user: User, *, today: dt.date | None = None) -> list[Enrolment]:
    """The learner's courses awaiting their feedback, newest first: enrolled (not withdrawn),
    the last session over (or the course finished), not answered yet. One query.

    Each item is an Enrolment with `.course` loaded and `.last_session_on` annotated."""
    today = today or timezone.localdate()
    rows = (
        _survey_enrolments(user)
        .filter(status=Enrolment.Status.ENROLLED, survey_receipt__isnull=True)
        .exclude(course__status=Course.Status.CANCELLED)
        .filter(Q(course__status=Course.Status.FINISHED) | Q(last_session_on__lt=today))
        .order_by("-course__starts_on", "course__code")
    )
    return list(rows)


def answered_surveys_for(user: User) -> list[Enrolment]:
    return list(
        _survey_enrolments(user)
        .filter(survey_receipt__isnull=False)
        .order_by("-course__starts_on", "course__code")
    )


def survey_enrolment_get(*, user: User, course_pk: int) -> Enrolment:
    """The user's enrolment in the course (withdrawn ones too: the page says why it refuses).
    Anyone not enrolled there gets a 404, as for anything outside their scope."""
    try:
        return _survey_enrolments(user).get(course_id=course_pk)
    except Enrolment.DoesNotExist:
        raise Http404 from None


def survey_refusal(*, enrolment: Enrolment, today: dt.date) -> str:
    """Why this enrolment may not answer the survey now, or "" when it may.

    Expects the enrolment from survey_enrolment_get (annotated); reads the database otherwise."""
    if enrolment.status != Enrolment.Status.ENROLLED:
        return _("You withdrew from this course, so its survey is not for you.")
    course = enrolment.course
    if course.status == Course.Status.CANCELLED:
        return _("This course was cancelled: there is no survey.")
    answered = getattr(enrolment, "answered", None)
    if answered is None:
        answered = SurveyReceipt.objects.filter(enrolment=enrolment).exists()
    if answered:
        return _("You have already answered the survey for this course. Thank you!")
    last: dt.date | None
    if hasattr(enrolment, "last_session_on"):
        last = enrolment.last_session_on
    else:
        last = course.sessions.order_by("-date").values_list("date", flat=True).first()
    if not _survey_open(status=course.status, last_session_on=last, today=today):
        if last is not None:
            return _("The survey opens after the last session of the course (%(date)s).") % {
                "date": last.strftime("%d/%m/%Y")
            }
        return _("The survey opens after the last session of the course.")
    return ""


class SurveyRefused(ValidationError):
    """This enrolment may not answer (withdrawn, too early, already answered): not a matter of
    correcting the form."""


@dataclass
class SurveyLecturer:
    """A lecturer to rate in a course: one rating per lecturer per course, recorded against
    their first session there."""

    lecturer: Lecturer
    first_session: Session
    topics: list[str] = field(default_factory=list)
    session_count: int = 0


def survey_lecturers(*, course: Course) -> list[SurveyLecturer]:
    """The course's lecturers in the order they first taught, each once. One query."""
    sessions = (
        Session.objects.filter(course=course, lecturer__isnull=False)
        .select_related("lecturer", "topic")
        .order_by("date", "starts_at", "pk")
    )
    found: dict[int, SurveyLecturer] = {}
    for session in sessions:
        assert session.lecturer is not None
        item = found.get(session.lecturer.pk)
        if item is None:
            item = found[session.lecturer.pk] = SurveyLecturer(
                lecturer=session.lecturer, first_session=session
            )
        item.session_count += 1
        if session.topic and session.topic.title not in item.topics:
            item.topics.append(session.topic.title)
    return list(found.values())


@dataclass(frozen=True)
class LecturerAnswer:
    content: int | None
    method: int | None
    practice: int | None


@dataclass(frozen=True)
class SurveyAnswers:
    organization_rating: int | None
    facilities_rating: int | None
    comments: str = ""
    lecturers: Mapping[int, LecturerAnswer] = field(default_factory=dict)  # by lecturer id


def lecturer_field(lecturer_id: int, criterion: str) -> str:
    """The error key (and form field name) of one criterion of one lecturer."""
    return f"lecturer_{lecturer_id}_{criterion}"


def _score(value: object) -> int | None:
    """The score when it is one of 1–5, else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value in SCORES:
        return value
    return None


def _score_error(value: object) -> str:
    if value is None:
        return _("Choose a score from 1 to 5.")
    return _("A score is a whole number from 1 to 5.")


def _clean_comments(text: str) -> str:
    # NFC like all stored text, but keep the line breaks the learner typed.
    return unicodedata.normalize("NFC", text or "").strip()


def _random_id() -> int:
    """Answers get random ids, not the next number: ordered by id they would pair up with the
    receipts (ordered by id, or by time) and name who answered what. 62 random bits: a clash is
    as likely as guessing a strong password, and would fail the transaction, not mix answers."""
    return secrets.randbelow(2**62) + 1


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def survey_submit(
    *, enrolment: Enrolment, answers: SurveyAnswers, today: dt.date
) -> SurveyResponse:
    """Record a learner's answers: the anonymous response and its ratings, and the receipt that
    the enrolment has answered, in one transaction. Every lecturer of the course must be rated.

    Raises SurveyRefused when this enrolment may not answer (withdrawn, too early, already
    answered), else ValidationError with a key per wrong field (all of them at once).
    Deliberately writes no audit entry: one would tie the person to the answers."""
    with transaction.atomic():
        locked = _enrolment_locked(enrolment, today=today)
        course = locked.course
        errors: dict[str, list[str]] = {}
        course_scores = _course_scores(answers, errors)
        ratings = _lecturer_ratings(answers, survey_lecturers(course=course), errors)
        comments = _clean_comments(answers.comments)
        if len(comments) > COMMENTS_MAX_LENGTH:
            errors["comments"] = [
                _("Please keep the comments under %(n)s characters.") % {"n": COMMENTS_MAX_LENGTH}
            ]
        if errors:
            raise ValidationError(errors)
        _receipt_create(locked, today=today)
        response = SurveyResponse(
            pk=_random_id(), course=course, comments=comments, submitted_on=today, **course_scores
        )
        response.full_clean(exclude=["submitted_on"])
        response.save(force_insert=True)
        for rating in ratings:
            rating.pk = _random_id()
            rating.response = response
        LecturerRating.objects.bulk_create(ratings)
    return response


def _enrolment_locked(enrolment: Enrolment, *, today: dt.date) -> Enrolment:
    """The enrolment, locked, with its survey state; SurveyRefused when it may not answer."""
    # Lock the enrolment so that two submissions at once queue up: the second sees the
    # first one's receipt. The receipt's unique enrolment is the last line of defence.
    if not list(Enrolment.objects.select_for_update().filter(pk=enrolment.pk).values_list("pk")):
        raise SurveyRefused(_("This enrolment no longer exists."))
    locked = _with_survey_state(Enrolment.objects.filter(pk=enrolment.pk)).get()
    refusal = survey_refusal(enrolment=locked, today=today)
    if refusal:
        raise SurveyRefused(refusal)
    return locked


def _course_scores(answers: SurveyAnswers, errors: dict[str, list[str]]) -> dict[str, int]:
    scores: dict[str, int] = {}
    for name in COURSE_CRITERIA:
        value = getattr(answers, name)
        score = _score(value)
        if score is None:
            errors[name] = [_score_error(value)]
        else:
            scores[name] = score
    return scores


def _lecturer_ratings(
    answers: SurveyAnswers, lecturers: list[SurveyLecturer], errors: dict[str, list[str]]
) -> list[LecturerRating]:
    """One rating per lecturer of the course, unsaved; every lecturer must be rated."""
    if set(answers.lecturers) - {item.lecturer.pk for item in lecturers}:
        errors[NON_FIELD_ERRORS] = [
            _("The lecturers of this course have changed: please reload the page.")
        ]
    ratings: list[LecturerRating] = []
    for item in lecturers:
        answer = answers.lecturers.get(item.lecturer.pk)
        scores: dict[str, int] = {}
        for criterion in LECTURER_CRITERIA:
            value = getattr(answer, criterion) if answer else None
            score = _score(value)
            if score is None:
                errors[lecturer_field(item.lecturer.pk, criterion)] = [_score_error(value)]
            else:
                scores[criterion] = score
        ratings.append(LecturerRating(session=item.first_session, lecturer=item.lecturer, **scores))
    return ratings


def _receipt_create(enrolment: Enrolment, *, today: dt.date) -> None:
    try:
        with transaction.atomic():
            # The day only: a time would line receipts up with the answers' order.
            SurveyReceipt.objects.create(enrolment=enrolment, submitted_at=_start_of(today))
    except IntegrityError:
        raise SurveyRefused(
            _("You have already answered the survey for this course. Thank you!")
        ) from None


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
