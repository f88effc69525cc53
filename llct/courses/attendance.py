"""Running a session: who may take attendance, the roll call, QR check-in, the printable sign-in
sheet, the attendance matrix of a course. The .xlsx marks that come back from the sheet are
in marks.py.
Calendars are in calendars.py, .ics feeds in feeds.py, QR images in qr.py.

Roll-call marks go through roll_call.py, QR check-ins through services.attendance_check_in;
the marks import writes here because it is all-or-nothing over many rows (one bulk upsert in
one transaction), like the roster import.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.template.loader import render_to_string

from llct.core.capabilities import Capability, has_capability
from llct.core.models import User
from llct.core.pdf import html_to_pdf
from llct.courses.models import (
    Attendance,
    Course,
    Enrolment,
    SchedulingRules,
    Session,
)
from llct.courses.roll_call import (
    Saved,
    roll_call_all_present,
    roll_call_save,
)
from llct.courses.selectors import (
    attendance_rates,
    can_manage_course,
    course_get,
    enrolment_list,
)

# ---------------------------------------------------------------------------------------------
# Who may do what


def is_staff(user: User) -> bool:
    """Everyone but learners: department, organization officers, leaders, lecturers."""
    return has_capability(user, Capability.READ_OTHER_CALENDARS)


def may_take_attendance(user: User, session: Session) -> bool:
    """Department officers, organization officers who manage the course, and the lecturer of
    this very session."""
    if not has_capability(user, Capability.RUN_ROLL_CALL):
        return False
    if can_manage_course(user, session.course):
        return True
    lecturer = session.lecturer
    return lecturer is not None and lecturer.user_id is not None and lecturer.user_id == user.pk


def session_get(*, user: User, pk: int) -> Session:
    """A session whose course the user may see; 404 otherwise."""
    session = Session.objects.select_related("topic", "lecturer", "venue").filter(pk=pk).first()
    if session is None:
        raise Http404
    # course_get applies the course scope and loads programme, organizer and venue.
    session.course = course_get(user=user, pk=session.course_id)
    return session


def roll_call_enrolments(*, user: User, course: Course) -> QuerySet[Enrolment]:
    """Enrolled learners of the course within the user's scope, in Vietnamese name order."""
    return (
        enrolment_list(user=user, course=course)
        .filter(status=Enrolment.Status.ENROLLED)
        .order_by("person__sort_key", "id")
    )


# ---------------------------------------------------------------------------------------------
# Roll call


@dataclass(frozen=True)
class Rate:
    present: int
    held: int
    threshold: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.present / self.held) if self.held else None

    @property
    def below(self) -> bool:
        return bool(self.held) and self.present * 100 < self.threshold * self.held


@dataclass
class Counts:
    present: int = 0
    excused: int = 0
    absent: int = 0
    unmarked: int = 0

    @property
    def total(self) -> int:
        return self.present + self.excused + self.absent + self.unmarked


@dataclass(frozen=True)
class RollCallRow:
    enrolment: Enrolment
    status: str  # an Attendance.Status value, or "" when not marked yet
    rate: Rate


@dataclass
class RollCall:
    rows: list[RollCallRow]
    counts: Counts


def _counts(statuses: Iterable[str]) -> Counts:
    counts = Counts()
    for status in statuses:
        name = status if status in Attendance.Status.values else "unmarked"
        setattr(counts, name, getattr(counts, name) + 1)
    return counts


def _rate(rates: Mapping[int, tuple[int, int]], enrolment_id: int, threshold: int) -> Rate:
    present, held = rates.get(enrolment_id, (0, 0))
    return Rate(present, held, threshold)


def roll_call(*, user: User, session: Session, today: dt.date) -> RollCall:
    """Every visible learner with today's mark and their rate. A fixed number of queries."""
    enrolments = list(roll_call_enrolments(user=user, course=session.course))
    marks = dict(
        Attendance.objects.filter(
            session=session, enrolment_id__in=[e.pk for e in enrolments]
        ).values_list("enrolment_id", "status")
    )
    rates = attendance_rates(course=session.course, today=today)
    threshold = session.course.programme.attendance_threshold
    rows = [RollCallRow(e, marks.get(e.pk, ""), _rate(rates, e.pk, threshold)) for e in enrolments]
    return RollCall(rows=rows, counts=_counts(r.status for r in rows))


def roll_call_mark(
    *,
    user: User,
    session: Session,
    enrolment_id: int,
    status: str,
    today: dt.date,
    original: str | None = None,
    reason: str = "",
) -> tuple[RollCallRow, Saved]:
    """Mark one learner (404 for a learner the user may not see) against the mark the user saw
    (`original`), and return the row as stored now."""
    visible = roll_call_enrolments(user=user, course=session.course)
    enrolment = visible.filter(pk=enrolment_id).first()
    if enrolment is None:
        raise Http404
    saved = roll_call_save(
        session=session,
        enrolment=enrolment,
        status=status,
        original=original,
        reason=reason,
        actor=user,
        today=today,
    )
    rates = attendance_rates(course=session.course, today=today)
    rate = _rate(rates, enrolment.pk, session.course.programme.attendance_threshold)
    return RollCallRow(enrolment, saved.status, rate), saved


def roll_call_counts(*, user: User, session: Session) -> Counts:
    """The counts of the roll call page, for the learners the user may see."""
    visible = roll_call_enrolments(user=user, course=session.course)
    statuses = dict(
        Attendance.objects.filter(session=session, enrolment__in=visible).values_list(
            "enrolment_id", "status"
        )
    )
    counts = _counts(statuses.values())
    counts.unmarked = visible.count() - len(statuses)
    return counts


def roll_call_mark_all(
    *, user: User, session: Session, enrolment_ids: list[int], reason: str, today: dt.date
) -> list[RollCallRow]:
    """ "All present" for the learners the user saw unmarked (those they may see); returns their
    rows as stored now."""
    visible = list(
        roll_call_enrolments(user=user, course=session.course).filter(pk__in=enrolment_ids)
    )
    marks = roll_call_all_present(
        session=session, enrolments=visible, reason=reason, actor=user, today=today
    )
    rates = attendance_rates(course=session.course, today=today)
    threshold = session.course.programme.attendance_threshold
    return [RollCallRow(e, marks.get(e.pk, ""), _rate(rates, e.pk, threshold)) for e in visible]


# ---------------------------------------------------------------------------------------------
# QR check-in


@dataclass(frozen=True)
class CheckInWindow:
    opens: dt.datetime
    closes: dt.datetime


def checkin_window(session: Session, rules: SchedulingRules | None = None) -> CheckInWindow:
    rules = rules or SchedulingRules.current()
    start = session.start_datetime()
    return CheckInWindow(
        opens=start - dt.timedelta(minutes=rules.checkin_opens_minutes),
        closes=start + dt.timedelta(minutes=rules.checkin_closes_minutes),
    )


# ---------------------------------------------------------------------------------------------
# Sign-in sheet (PDF)


def signin_sheet_context(*, session: Session, enrolments: Iterable[Enrolment]) -> dict[str, Any]:
    return {"session": session, "course": session.course, "enrolments": list(enrolments)}


def signin_sheet_html(*, session: Session, enrolments: Iterable[Enrolment]) -> str:
    return render_to_string(
        "courses/signin_sheet.html",
        signin_sheet_context(session=session, enrolments=enrolments),
    )


def signin_sheet_pdf(*, session: Session, enrolments: Iterable[Enrolment]) -> bytes:
    """A4, DejaVu Sans (installed with the system: it has every Vietnamese glyph)."""
    return html_to_pdf(signin_sheet_html(session=session, enrolments=enrolments))


# ---------------------------------------------------------------------------------------------
# The attendance matrix of a course


@dataclass(frozen=True)
class MatrixRow:
    enrolment: Enrolment
    marks: list[str]  # one per session, "" when not marked
    rate: Rate


@dataclass(frozen=True)
class MatrixColumn:
    session: Session
    can_take_attendance: bool


@dataclass
class Matrix:
    columns: list[MatrixColumn]
    rows: list[MatrixRow]
    threshold: int


def attendance_matrix(*, user: User, course: Course, today: dt.date) -> Matrix:
    """Learners (in the user's scope) × sessions. Five queries, whatever the size."""
    sessions = list(
        course.sessions.select_related("topic", "lecturer").order_by("date", "starts_at")
    )
    for session in sessions:
        session.course = course  # already loaded, with its organizer
    enrolments = list(enrolment_list(user=user, course=course).order_by("person__sort_key", "id"))
    marks: dict[tuple[int, int], str] = {
        (session_id, enrolment_id): status
        for session_id, enrolment_id, status in Attendance.objects.filter(
            session__course=course, enrolment_id__in=[e.pk for e in enrolments]
        ).values_list("session_id", "enrolment_id", "status")
    }
    rates = attendance_rates(course=course, today=today)
    threshold = course.programme.attendance_threshold
    rows = [
        MatrixRow(
            enrolment=e,
            marks=[marks.get((s.pk, e.pk), "") for s in sessions],
            rate=_rate(rates, e.pk, threshold),
        )
        for e in enrolments
    ]
    columns = [MatrixColumn(s, may_take_attendance(user, s)) for s in sessions]
    return Matrix(columns=columns, rows=rows, threshold=threshold)
