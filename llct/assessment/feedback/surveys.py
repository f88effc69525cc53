"""The learner's side of the course survey: which surveys are open, the questions, submitting
the answers anonymously (llct.assessment.feedback explains the rule)."""

import datetime as dt
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    DateField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.assessment.models import LecturerRating, SurveyReceipt, SurveyResponse
from llct.core.models import User
from llct.courses.models import Course, Enrolment, Session
from llct.curriculum.models import Lecturer

SCORES = (1, 2, 3, 4, 5)
LECTURER_CRITERIA = ("content", "method", "practice")
COURSE_CRITERIA = ("organization_rating", "facilities_rating")
COMMENTS_MAX_LENGTH = 2000


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
