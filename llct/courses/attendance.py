"""Running a session: who may take attendance, the roll call, QR check-in, the printable sign-in
sheet and the .xlsx marks that come back from it, the attendance matrix of a course.
Calendars are in calendars.py, .ics feeds in feeds.py, QR images in qr.py.

Roll-call marks go through roll_call.py, QR check-ins through services.attendance_check_in;
the marks import writes here because it is all-or-nothing over many rows (one bulk upsert in
one transaction), like the roster import.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from llct.core.capabilities import Capability, has_capability
from llct.core.models import audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.spreadsheets import cell_int, write_xlsx
from llct.core.text import clean_text, fold
from llct.courses.models import (
    Attendance,
    Course,
    Enrolment,
    SchedulingRules,
    Session,
)
from llct.courses.roll_call import Saved, roll_call_all_present, roll_call_save
from llct.courses.selectors import (
    attendance_rates,
    can_manage_course,
    course_get,
    enrolment_list,
)

# ---------------------------------------------------------------------------------------------
# Who may do what


def is_staff(user: Any) -> bool:
    """Everyone but learners: department, organization officers, leaders, lecturers."""
    return has_capability(user, Capability.READ_OTHER_CALENDARS)


def may_take_attendance(user: Any, session: Session) -> bool:
    """Department officers, organization officers who manage the course, and the lecturer of
    this very session."""
    if not has_capability(user, Capability.RUN_ROLL_CALL):
        return False
    if can_manage_course(user, session.course):
        return True
    lecturer = session.lecturer
    return lecturer is not None and lecturer.user_id is not None and lecturer.user_id == user.pk


def session_get(*, user: Any, pk: int) -> Session:
    """A session whose course the user may see; 404 otherwise."""
    session = Session.objects.select_related("topic", "lecturer", "venue").filter(pk=pk).first()
    if session is None:
        raise Http404
    # course_get applies the course scope and loads programme, organizer and venue.
    session.course = course_get(user=user, pk=session.course_id)
    return session


def roll_call_enrolments(*, user: Any, course: Course) -> QuerySet[Enrolment]:
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


def roll_call(*, user: Any, session: Session, today: dt.date) -> RollCall:
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
    user: Any,
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


def roll_call_counts(*, user: Any, session: Session) -> Counts:
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
    *, user: Any, session: Session, enrolment_ids: list[int], reason: str, today: dt.date
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
    from weasyprint import HTML

    html = signin_sheet_html(session=session, enrolments=enrolments)
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return pdf


# ---------------------------------------------------------------------------------------------
# Marks: the .xlsx template and its import

# The "Có mặt" column: x present, P absent with leave, K or blank absent.
MARK_CODES = {
    "x": Attendance.Status.PRESENT,
    "p": Attendance.Status.EXCUSED,
    "k": Attendance.Status.ABSENT,
    "": Attendance.Status.ABSENT,
}
STATUS_CODES = {
    Attendance.Status.PRESENT: "x",
    Attendance.Status.EXCUSED: "P",
    Attendance.Status.ABSENT: "K",
}
# Headers are matched without case or diacritics, in both UI languages: a template downloaded
# in English still imports in Vietnamese.
ID_HEADERS = ("ma hoc vien", "learner id")
MARK_HEADERS = ("co mat", "present")
NAME_HEADERS = ("ho va ten", "full name")
HEADER_SEARCH_ROWS = 10
MAX_MARK_ROWS = 5000


def marks_headers() -> list[str]:
    return [
        _("No."),
        _("Full name"),
        _("Unit"),
        _("Learner ID"),
        _("Present (x: present, P: absent with leave, K or blank: absent)"),
    ]


def marks_template_xlsx(*, session: Session, enrolments: Iterable[Enrolment]) -> bytes:
    """One row per learner, today's marks filled in, so a re-import changes only what the sheet
    changes."""
    enrolments = list(enrolments)
    marks = dict(
        Attendance.objects.filter(
            session=session, enrolment_id__in=[e.pk for e in enrolments]
        ).values_list("enrolment_id", "status")
    )
    rows = [
        [
            n,
            e.person.full_name,
            e.person.organization.name,
            e.pk,
            STATUS_CODES.get(marks.get(e.pk, ""), ""),  # type: ignore[call-overload]
        ]
        for n, e in enumerate(enrolments, start=1)
    ]
    return write_xlsx(marks_headers(), rows, title=session.date.strftime("%d-%m-%Y"))


class MarksFileError(Exception):
    """The file cannot be read at all; the message is user-facing."""


@dataclass(frozen=True)
class RejectedMark:
    row: int
    name: str
    reason: str


@dataclass
class MarksImport:
    marks: dict[int, str] = field(default_factory=dict)  # enrolment id -> status
    rejected: list[RejectedMark] = field(default_factory=list)
    written: int = 0


def _find_columns(rows: list[tuple[Any, ...]]) -> tuple[int, int, int, int | None]:
    """(header row index, id column, mark column, name column or None)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        folded = [fold(v) for v in row]
        id_col = next((i for i, v in enumerate(folded) if v.startswith(ID_HEADERS)), None)
        mark_col = next((i for i, v in enumerate(folded) if v.startswith(MARK_HEADERS)), None)
        if id_col is not None and mark_col is not None:
            name_col = next((i for i, v in enumerate(folded) if v.startswith(NAME_HEADERS)), None)
            return index, id_col, mark_col, name_col
    raise MarksFileError(
        _("The file has no “Mã học viên” and “Có mặt” columns. Start from the template.")
    )


def _read_rows(file: IO[bytes]) -> list[tuple[Any, ...]]:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:
        raise MarksFileError(
            _("This file is not a real .xlsx workbook. Save it again in Excel as .xlsx.")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > MAX_MARK_ROWS + HEADER_SEARCH_ROWS:
                raise MarksFileError(_("The file has too many rows."))
        return rows
    finally:
        workbook.close()


def _enrolment_id(value: Any) -> int | None:
    return cell_int(value)


def _importable(*, user: Any, session: Session, ids: set[int]) -> dict[int, Enrolment]:
    """The enrolments among `ids` the user may see: of this course within their scope, or of
    another course for people in their scope (so the reason can say "not in this course").
    Anything else is reported as unknown, so an import cannot probe other organizations."""
    fields = ("pk", "course_id", "status")
    same = enrolment_list(user=user, course=session.course).select_related(None).order_by()
    found = {e.pk: e for e in same.filter(pk__in=ids).only(*fields)}
    path = scope_path(user)
    if path is not None:
        others = Enrolment.objects.filter(pk__in=ids).exclude(course_id=session.course_id)
        if path != ALL:
            others = others.filter(person__organization__path__startswith=path)
        found.update({e.pk: e for e in others.only(*fields)})
    return found


def marks_read(*, file: IO[bytes], session: Session, user: Any) -> MarksImport:
    """Check every row; nothing is written."""
    rows = _read_rows(file)
    header, id_col, mark_col, name_col = _find_columns(rows)
    ids = {_enrolment_id(r[id_col]) for r in rows[header + 1 :] if len(r) > id_col}
    found = _importable(user=user, session=session, ids={i for i in ids if i is not None})
    result = MarksImport()
    seen: dict[int, int] = {}
    for index, row in enumerate(rows[header + 1 :], start=header + 2):
        cells = [*row, *([None] * max(0, mark_col + 1 - len(row)))]
        if all(clean_text(v) == "" for v in cells):
            continue
        name = clean_text(cells[name_col]) if name_col is not None and name_col < len(cells) else ""
        raw_id, raw_mark = cells[id_col], clean_text(cells[mark_col])
        reasons = []
        enrolment_id = _enrolment_id(raw_id)
        enrolment = found.get(enrolment_id) if enrolment_id is not None else None
        if enrolment_id is None:
            reasons.append(
                _("Missing or invalid learner ID “%(value)s”.") % {"value": clean_text(raw_id)}
            )
        elif enrolment is None:
            reasons.append(_("Unknown learner ID %(id)s.") % {"id": enrolment_id})
        elif enrolment.course_id != session.course_id:
            reasons.append(_("This learner is not in this course."))
        elif enrolment.status != Enrolment.Status.ENROLLED:
            reasons.append(_("This learner has withdrawn from the course."))
        elif enrolment_id in seen:
            reasons.append(
                _("This learner is already on row %(row)s.") % {"row": seen[enrolment_id]}
            )
        status = MARK_CODES.get(raw_mark.lower())
        if status is None:
            reasons.append(
                _("Unknown mark “%(mark)s”: use x (present), P (absent with leave) or K (absent).")
                % {"mark": raw_mark}
            )
        if reasons:
            result.rejected.append(RejectedMark(index, name, " ".join(reasons)))
            continue
        assert enrolment_id is not None and status is not None
        seen[enrolment_id] = index
        result.marks[enrolment_id] = status
    return result


def attendance_import_marks(*, file: IO[bytes], session: Session, actor: Any) -> MarksImport:
    """Check every row, then write all marks in one transaction, or nothing when a row is
    rejected. Raises MarksFileError when the file cannot be read."""
    result = marks_read(file=file, session=session, user=actor)
    if result.rejected or not result.marks:
        return result
    now = timezone.now()
    with transaction.atomic():
        Attendance.objects.bulk_create(
            [
                Attendance(
                    session=session,
                    enrolment_id=enrolment_id,
                    status=status,
                    method=Attendance.Method.IMPORT,
                    marked_by=actor,
                    marked_at=now,
                )
                for enrolment_id, status in result.marks.items()
            ],
            update_conflicts=True,
            unique_fields=["session", "enrolment"],
            update_fields=["status", "method", "marked_by", "marked_at"],
        )
        audit_record(
            actor=actor,
            obj=session,
            action="import_attendance",
            summary=_("Imported %(n)s attendance marks") % {"n": len(result.marks)},
        )
    result.written = len(result.marks)
    return result


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


def attendance_matrix(*, user: Any, course: Course, today: dt.date) -> Matrix:
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
