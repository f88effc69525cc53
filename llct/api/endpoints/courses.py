"""Programmes, courses, sessions, enrolments, attendance and results; attendance marks and scores
written with an Idempotency-Key, through the services the roll call and the grade sheet use."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Query, Router

from llct.api.auth import principal, require_write
from llct.api.endpoints.rolls import ONE_ERRORS, READ_ERRORS, WRITE_ERRORS
from llct.api.errors import ApiError
from llct.api.idempotency import IdempotencyKey, run_idempotent
from llct.api.pagination import page
from llct.api.schemas import (
    AttendanceOut,
    CourseOut,
    EnrolmentOut,
    MarksIn,
    MarksOut,
    Paging,
    ProgrammeOut,
    ResultOut,
    ScoresIn,
    ScoresOut,
    SessionOut,
    paged,
)
from llct.assessment import selectors as results_selectors
from llct.assessment import services as results_services
from llct.assessment.models import Result, ResultsApproval
from llct.assessment.services import parse_score
from llct.core.models import User
from llct.courses import attendance as roll
from llct.courses import selectors as course_selectors
from llct.courses.models import Attendance, Course, Enrolment, Session
from llct.courses.roll_call import roll_call_save
from llct.curriculum.models import Programme
from llct.curriculum.selectors import programme_list
from llct.organizations.models import TheoryLevel

router = Router(tags=[gettext_noop("Courses and results")])


# --- Programmes --------------------------------------------------------------------------------


def programme_out(p: Programme) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "kind": p.kind,
        "assessment_kind": p.assessment_kind,
        "issues_certificate": p.issues_certificate,
        "certificate_valid_months": p.certificate_valid_months,
        "raises_level_to": TheoryLevel(p.raises_level_to).code if p.raises_level_to else None,
        "attendance_threshold": p.attendance_threshold,
        "is_active": p.is_active,
    }


@router.get(
    "/programmes",
    response={200: paged("ProgrammePage", ProgrammeOut), **READ_ERRORS},
    summary=gettext_noop("Programmes (kinds of class) and their rules"),
)
def programmes(request: HttpRequest, paging: Query[Paging]) -> Any:
    return page(programme_list(), cursor=paging.cursor, limit=paging.limit, render=programme_out)


# --- Courses and sessions ---------------------------------------------------------------------


def course_out(c: Course) -> dict[str, Any]:
    return {
        "id": c.pk,
        "code": c.code,
        "name": c.name,
        "programme_id": c.programme_id,
        "organizer_id": c.organizer_id,
        "partner": c.partner,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "venue_id": c.venue_id,
        "capacity": c.capacity,
        "status": c.status,
    }


class CourseFilter(Paging):
    year: int | None = None
    programme_id: int | None = None
    status: str = ""


@router.get(
    "/courses",
    response={200: paged("CoursePage", CourseOut), **READ_ERRORS},
    summary=gettext_noop("Courses the token's role may see"),
)
def course_list(request: HttpRequest, filters: Query[CourseFilter]) -> Any:
    qs = course_selectors.course_list(
        user=principal(request),
        year=filters.year,
        programme_id=filters.programme_id,
        status=filters.status,
    )
    return page(qs, cursor=filters.cursor, limit=filters.limit, render=course_out)


@router.get(
    "/courses/{int:course_id}",
    response={200: CourseOut, **ONE_ERRORS},
    summary=gettext_noop("One course"),
)
def course_detail(request: HttpRequest, course_id: int) -> Any:
    return course_out(course_selectors.course_get(user=principal(request), pk=course_id))


def session_out(s: Session) -> dict[str, Any]:
    return {
        "id": s.pk,
        "course_id": s.course_id,
        "date": s.date,
        "part": s.part,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "topic": s.topic.title if s.topic else None,
        "lecturer": s.lecturer.full_name if s.lecturer else None,
        "venue": s.venue.name if s.venue else None,
    }


class SessionFilter(Paging):
    course_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@router.get(
    "/sessions",
    response={200: paged("SessionPage", SessionOut), **READ_ERRORS},
    summary=gettext_noop("Sessions of the courses the token's role may see"),
)
def session_list(request: HttpRequest, filters: Query[SessionFilter]) -> Any:
    courses = course_selectors.course_list(user=principal(request)).values("pk")
    qs = Session.objects.filter(course__in=courses).select_related("topic", "lecturer", "venue")
    if filters.course_id is not None:
        qs = qs.filter(course_id=filters.course_id)
    if filters.date_from is not None:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to is not None:
        qs = qs.filter(date__lte=filters.date_to)
    return page(qs, cursor=filters.cursor, limit=filters.limit, render=session_out)


# --- Enrolments, attendance, results ------------------------------------------------------------


def enrolment_out(e: Enrolment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "course_id": e.course_id,
        "person_id": e.person_id,
        "full_name": e.person.full_name,
        "organization_id": e.person.organization_id,
        "status": e.status,
        "withdrawn_on": e.withdrawn_on,
    }


@router.get(
    "/courses/{int:course_id}/enrolments",
    response={200: paged("EnrolmentPage", EnrolmentOut), **ONE_ERRORS},
    summary=gettext_noop("Learners of a course within the token's scope"),
)
def enrolment_list(request: HttpRequest, course_id: int, paging: Query[Paging]) -> Any:
    course = course_selectors.course_get(user=principal(request), pk=course_id)
    qs = course_selectors.enrolment_list(user=principal(request), course=course)
    return page(qs, cursor=paging.cursor, limit=paging.limit, render=enrolment_out)


def attendance_out(a: Attendance) -> dict[str, Any]:
    return {
        "id": a.pk,
        "session_id": a.session_id,
        "enrolment_id": a.enrolment_id,
        "status": a.status,
        "method": a.method,
        "marked_at": a.marked_at,
    }


class AttendanceFilter(Paging):
    session_id: int | None = None


@router.get(
    "/courses/{int:course_id}/attendance",
    response={200: paged("AttendancePage", AttendanceOut), **ONE_ERRORS},
    summary=gettext_noop("Attendance marks of a course's learners within the token's scope"),
)
def attendance_list(request: HttpRequest, course_id: int, filters: Query[AttendanceFilter]) -> Any:
    course = course_selectors.course_get(user=principal(request), pk=course_id)
    visible = course_selectors.enrolment_list(user=principal(request), course=course).values("pk")
    qs = Attendance.objects.filter(session__course=course, enrolment__in=visible)
    if filters.session_id is not None:
        qs = qs.filter(session_id=filters.session_id)
    return page(qs, cursor=filters.cursor, limit=filters.limit, render=attendance_out)


def result_out(r: Result, approved: bool) -> dict[str, Any]:
    return {
        "enrolment_id": r.enrolment_id,
        "person_id": r.enrolment.person_id,
        "essay_score": r.essay_score,
        "test_score": r.test_score,
        "final_score": r.final_score,
        "band": r.band,
        "attendance_percent": r.attendance_percent,
        "passed": r.passed,
        "fail_reason": r.fail_reason,
        "approved": approved,
        "updated_at": r.updated_at,
    }


@router.get(
    "/courses/{int:course_id}/results",
    response={200: paged("ResultPage", ResultOut), **ONE_ERRORS},
    summary=gettext_noop("Results of a course's learners within the token's scope"),
)
def result_list(request: HttpRequest, course_id: int, paging: Query[Paging]) -> Any:
    course = course_selectors.course_get(user=principal(request), pk=course_id)
    visible = course_selectors.enrolment_list(user=principal(request), course=course).values("pk")
    approved = ResultsApproval.objects.filter(course=course).exists()
    qs = Result.objects.filter(enrolment__in=visible).select_related("enrolment")
    return page(
        qs,
        cursor=paging.cursor,
        limit=paging.limit,
        render=lambda r: result_out(r, approved),
    )


# --- Writes ----------------------------------------------------------------------------------


@router.post(
    "/sessions/{int:session_id}/attendance",
    response={200: MarksOut, **WRITE_ERRORS},
    summary=gettext_noop("Mark attendance for a session (as the roll call does)"),
    description=gettext_noop(
        "Only for whoever may take the session's attendance (the course's managers). Every "
        "enrolment must be an enrolled learner of the course within the token's scope, or "
        "nothing is written. As on the roll call: marks open on the session's day; after that "
        "day a change is a correction and needs a `reason` (kept in the audit trail). Send "
        'each mark\'s `original` (the mark you read, "" for none): if someone else changed '
        "it meanwhile, nothing is written and the answer is 409 stale_write."
    ),
)
def attendance_write(
    request: HttpRequest,
    session_id: int,
    payload: MarksIn,
    idempotency_key: IdempotencyKey,
) -> JsonResponse:
    require_write(request)
    user = principal(request)
    session = roll.session_get(user=user, pk=session_id)
    if not roll.may_take_attendance(user, session):
        raise ApiError("forbidden")

    def work() -> tuple[int, dict[str, Any]]:
        wanted = {m.enrolment_id for m in payload.marks}
        visible = {
            e.pk: e
            for e in roll.roll_call_enrolments(user=user, course=session.course).filter(
                pk__in=wanted
            )
        }
        unknown = sorted(wanted - visible.keys())
        if unknown:
            raise ApiError(
                "validation_error",
                _("These enrolments are not learners of this course that the token may see."),
                details={"enrolment_ids": unknown},
            )
        today = timezone.localdate()
        clashes: list[dict[str, Any]] = []
        with transaction.atomic():  # all or nothing: a clash or a refusal undoes every mark
            for mark in payload.marks:
                saved = roll_call_save(
                    session=session,
                    enrolment=visible[mark.enrolment_id],
                    status=mark.status,
                    original=mark.original,
                    reason=payload.reason,
                    actor=user,
                    today=today,
                    method=Attendance.Method.API,
                )
                if saved.clash:
                    clashes.append(
                        {"enrolment_id": mark.enrolment_id, "stored": saved.status or None}
                    )
            if clashes:
                raise stale_write(clashes)
        return 200, {"session_id": session.pk, "marked": len(payload.marks)}

    return run_idempotent(request, idempotency_key, work)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def stale_write(clashes: list[dict[str, Any]]) -> ApiError:
    return ApiError(
        "stale_write",
        _(
            "Someone else changed %(n)s of these values after you read them: nothing was "
            "written. Read them again, then send your changes."
        )
        % {"n": len(clashes)},
        details={"clashes": clashes},
    )


def _scores_save(course: Course, payload: ScoresIn, user: User, today: dt.date) -> None:
    """Before approval: as the grade sheet saves, each score against the one the client read."""
    changes: dict[int, dict[str, Any]] = {}
    originals: dict[int, dict[str, Any]] = {}
    for s in payload.scores:
        changes.setdefault(s.enrolment_id, {})[s.field] = s.value
        if s.original is not None:
            originals.setdefault(s.enrolment_id, {})[s.field] = parse_score(s.original)
    saved = results_services.scores_save(
        course=course, changes=changes, originals=originals, actor=user, today=today
    )
    if saved.clashes:
        raise stale_write(
            [
                {"enrolment_id": e, "field": f, "stored": _text(clash.stored)}
                for (e, f), clash in sorted(saved.clashes.items())
            ]
        )


def _scores_correct(
    course: Course, visible: dict[int, Any], payload: ScoresIn, user: User, today: dt.date
) -> None:
    """After approval: each score is a correction, with its reason, as on the correction page."""
    if any(not s.reason.strip() for s in payload.scores):
        raise ApiError(
            "results_approved",
            _(
                "The results of this course have been approved: a score now changes "
                "only through a correction, with its reason."
            ),
        )
    for s in payload.scores:
        enrolment = visible[s.enrolment_id]
        enrolment.course = course
        try:
            results_services.score_correct(
                enrolment=enrolment,
                field_name=s.field,
                value=s.value,
                reason=s.reason,
                actor=user,
                today=today,
                original=results_services.UNSEEN if s.original is None else parse_score(s.original),
            )
        except results_services.ScoreStale as stale:
            raise stale_write(
                [{"enrolment_id": s.enrolment_id, "field": s.field, "stored": _text(stale.stored)}]
            ) from None


@router.post(
    "/courses/{int:course_id}/scores",
    response={200: ScoresOut, **WRITE_ERRORS},
    summary=gettext_noop("Enter scores, or correct them once the results are approved"),
    description=gettext_noop(
        "Before approval the scores go in as on the grade sheet. Once the department has "
        "approved the results, each score needs a `reason` and goes in as a correction; "
        "without one the answer is 409 results_approved. Send each score's `original` (the "
        'score you read, "" for none): if someone else changed it meanwhile, the answer is '
        "409 stale_write. All or nothing."
    ),
)
def scores_write(
    request: HttpRequest,
    course_id: int,
    payload: ScoresIn,
    idempotency_key: IdempotencyKey,
) -> JsonResponse:
    require_write(request)
    user = principal(request)
    course = course_selectors.course_get(user=user, pk=course_id)
    if not results_selectors.may_enter_results(user, course):
        raise ApiError("forbidden")

    def work() -> tuple[int, dict[str, Any]]:
        today = timezone.localdate()
        wanted = {s.enrolment_id for s in payload.scores}
        visible = {
            e.pk: e
            for e in results_selectors.sheet_enrolments(user=user, course=course).filter(
                pk__in=wanted
            )
        }
        unknown = sorted(wanted - visible.keys())
        if unknown:
            raise ApiError(
                "validation_error",
                _("These enrolments are not learners of this course that the token may see."),
                details={"enrolment_ids": unknown},
            )
        approved = results_selectors.approval_of(course) is not None
        with transaction.atomic():  # all or nothing: a clash or a refusal undoes every score
            if approved:
                _scores_correct(course, visible, payload, user, today)
            else:
                _scores_save(course, payload, user, today)
        results = Result.objects.filter(enrolment_id__in=wanted).select_related("enrolment")
        return 200, {
            "course_id": course.pk,
            "corrected": approved,
            "results": [result_out(r, approved) for r in results.order_by("enrolment_id")],
        }

    return run_idempotent(request, idempotency_key, work)
