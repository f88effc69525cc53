"""Running a session: who may take attendance, the roll call, QR check-in, the printable sign-in
sheet and the .xlsx marks that come back from it, the attendance matrix of a course, calendars
and .ics feeds.

Roll-call marks go through roll_call.py, QR check-ins through services.attendance_check_in;
the marks import writes here because it is all-or-nothing over many rows (one bulk upsert in
one transaction), like the roster import.
"""

import calendar as pycalendar
import datetime as dt
import io
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from llct.core.models import Role, audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.spreadsheets import cell_int, write_xlsx
from llct.core.text import clean_text, fold
from llct.courses.models import (
    Attendance,
    CalendarFeed,
    Course,
    Enrolment,
    SchedulingRules,
    Session,
    Venue,
    new_code,
)
from llct.courses.roll_call import Saved, roll_call_all_present, roll_call_save
from llct.courses.selectors import (
    attendance_rates,
    can_manage_course,
    course_get,
    enrolment_list,
    sessions_between,
)
from llct.curriculum.models import Lecturer
from llct.organizations.models import Organization

# ---------------------------------------------------------------------------------------------
# Who may do what


def is_staff(user: Any) -> bool:
    """Everyone but learners: department, organization officers, leaders, lecturers."""
    return bool(user.is_authenticated and (user.is_superuser or user.role != Role.LEARNER))


def may_take_attendance(user: Any, session: Session) -> bool:
    """Department officers, organization officers who manage the course, and the lecturer of
    this very session."""
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


def qr_data_uri(url: str, *, scale: int = 6) -> str:
    """An SVG QR code as a data: URI (the CSP allows data: images, not inline markup)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=scale, border=2))


def qr_svg(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=True)
    return buffer.getvalue()


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


# ---------------------------------------------------------------------------------------------
# Calendars

WEEK = "week"
MONTH = "month"
WEEKDAY_NAMES = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")
CALENDAR_FIRST, CALENDAR_LAST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def parse_calendar_date(value: str | None, *, default: dt.date) -> dt.date:
    """dd/mm/yyyy or ISO; anything else falls back to `default` (a mistyped link still shows a
    calendar)."""
    text = (value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            found = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        # A month's grid and its previous/next links step outside the date range near year 1
        # and year 9999: such an address shows the default calendar.
        return found if CALENDAR_FIRST <= found <= CALENDAR_LAST else default
    return default


def calendar_range(view: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """The days shown: the Monday-to-Sunday week of `anchor`, or whole weeks (Monday first)
    covering its month."""
    if view == MONTH:
        first = anchor.replace(day=1)
        last = anchor.replace(day=pycalendar.monthrange(anchor.year, anchor.month)[1])
        return first - dt.timedelta(days=first.weekday()), last + dt.timedelta(
            days=6 - last.weekday()
        )
    monday = anchor - dt.timedelta(days=anchor.weekday())
    return monday, monday + dt.timedelta(days=6)


def calendar_step(view: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """(previous, next) anchors."""
    if view == MONTH:
        first = anchor.replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return previous, following
    return anchor - dt.timedelta(days=7), anchor + dt.timedelta(days=7)


@dataclass(frozen=True)
class CalendarEntry:
    session: Session
    can_take_attendance: bool


@dataclass
class CalendarDay:
    date: dt.date
    weekday: str
    in_month: bool
    is_today: bool
    entries: list[CalendarEntry] = field(default_factory=list)


@dataclass
class CalendarGrid:
    view: str
    anchor: dt.date
    start: dt.date
    end: dt.date
    weeks: list[list[CalendarDay]]
    previous: dt.date
    next: dt.date
    count: int

    @property
    def days(self) -> list[CalendarDay]:
        return [day for week in self.weeks for day in week]

    @property
    def weekday_names(self) -> list[str]:
        return [str(name) for name in WEEKDAY_NAMES]


def calendar_build(
    *, view: str, anchor: dt.date, sessions: Iterable[Session], today: dt.date, user: Any
) -> CalendarGrid:
    start, end = calendar_range(view, anchor)
    by_day: dict[dt.date, list[CalendarEntry]] = {}
    count = 0
    for session in sessions:
        by_day.setdefault(session.date, []).append(
            CalendarEntry(session, may_take_attendance(user, session))
        )
        count += 1
    days = []
    day = start
    while day <= end:
        days.append(
            CalendarDay(
                date=day,
                weekday=str(WEEKDAY_NAMES[day.weekday()]),
                in_month=view != MONTH or day.month == anchor.month,
                is_today=day == today,
                entries=by_day.get(day, []),
            )
        )
        day += dt.timedelta(days=1)
    previous, following = calendar_step(view, anchor)
    return CalendarGrid(
        view=view,
        anchor=anchor,
        start=start,
        end=end,
        weeks=[days[i : i + 7] for i in range(0, len(days), 7)],
        previous=previous,
        next=following,
        count=count,
    )


@dataclass(frozen=True)
class CalendarScope:
    """Whose calendar: the query parameter that names it and a title."""

    kind: str  # venue | lecturer | organization | learner | mine | all
    title: str
    param: tuple[str, str] | None
    venue_id: int | None = None
    lecturer_id: int | None = None
    organization_path: str | None = None
    person_id: int | None = None
    user: Any = None

    def sessions(self, start: dt.date, end: dt.date) -> QuerySet[Session]:
        if self.kind == "mine":
            qs = own_sessions(user=self.user, start=start, end=end)
        else:
            qs = sessions_between(
                start=start,
                end=end,
                venue_id=self.venue_id,
                lecturer_id=self.lecturer_id,
                organization_path=self.organization_path,
                person_id=self.person_id,
            )
        # The organizer serves the "take attendance" link (can_manage_course).
        return qs.exclude(course__status=Course.Status.CANCELLED).select_related(
            "course__organizer"
        )


def _int_param(value: str) -> int:
    if not value.isdigit():
        raise Http404
    return int(value)


def calendar_scope(*, user: Any, params: Mapping[str, str]) -> CalendarScope:
    """Whose sessions a calendar shows. Venue and lecturer calendars: any staff user.
    Organization calendars: only within the user's scope (404 otherwise). Learners see only
    their own (learner=me). Without a parameter: a learner their own, a lecturer their own
    teaching, an organization officer their organization, the department everything."""
    if params.get("venue"):
        require_staff(user)
        venue = Venue.objects.filter(pk=_int_param(params["venue"])).first()
        if venue is None:
            raise Http404
        return CalendarScope(
            "venue",
            _("Calendar of %(venue)s") % {"venue": venue.name},
            ("venue", str(venue.pk)),
            venue_id=venue.pk,
        )
    if params.get("lecturer"):
        require_staff(user)
        lecturer = Lecturer.objects.filter(pk=_int_param(params["lecturer"])).first()
        if lecturer is None:
            raise Http404
        return _lecturer_scope(lecturer)
    if params.get("organization"):
        path = scope_path(user)
        organization = Organization.objects.filter(pk=_int_param(params["organization"])).first()
        if (
            organization is None
            or path is None
            or (path != ALL and not organization.path.startswith(path))
        ):
            raise Http404
        return _organization_scope(organization)
    if params.get("learner"):
        if params["learner"] != "me" or not getattr(user, "person_id", None):
            raise Http404
        return _learner_scope(user)
    # Defaults.
    if user.role == Role.LEARNER and user.person_id:
        return _learner_scope(user)
    lecturer = Lecturer.objects.filter(user=user).first() if user.role == Role.LECTURER else None
    if lecturer is not None:
        return _lecturer_scope(lecturer)
    path = scope_path(user)
    if path == ALL:
        return CalendarScope("all", _("All sessions"), None)
    if path is not None and user.organization_id:
        return _organization_scope(user.organization)
    if getattr(user, "person_id", None):
        return _learner_scope(user)
    raise PermissionDenied


def require_staff(user: Any) -> None:
    if not is_staff(user):
        raise PermissionDenied


def _lecturer_scope(lecturer: Lecturer) -> CalendarScope:
    return CalendarScope(
        "lecturer",
        _("Teaching calendar of %(name)s") % {"name": lecturer.full_name},
        ("lecturer", str(lecturer.pk)),
        lecturer_id=lecturer.pk,
    )


def _organization_scope(organization: Organization) -> CalendarScope:
    return CalendarScope(
        "organization",
        _("Calendar of %(organization)s") % {"organization": organization.name},
        ("organization", str(organization.pk)),
        organization_path=organization.path,
    )


def _learner_scope(user: Any) -> CalendarScope:
    return CalendarScope(
        "learner", _("My study calendar"), ("learner", "me"), person_id=user.person_id
    )


def own_sessions(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[Session]:
    """The sessions a user teaches or attends (enrolled) in [start, end]."""
    who = Q(lecturer__user_id=user.pk)
    if getattr(user, "person_id", None):
        enrolled = Enrolment.objects.filter(
            person_id=user.person_id, status=Enrolment.Status.ENROLLED
        ).values("course_id")
        who |= Q(course_id__in=enrolled)
    return (
        Session.objects.filter(who, date__gte=start, date__lte=end)
        .select_related("course", "topic", "lecturer", "venue")
        .order_by("date", "starts_at")
    )


def calendar_filter_choices(*, user: Any) -> dict[str, Any]:
    """What a staff user may pick on the calendar page. Organizations stop two levels below
    the user's own, so the list stays short in a province of thousands of cells."""
    if not is_staff(user):
        return {}
    path = scope_path(user)
    organizations: Any = []
    if path is not None:
        depth = user.organization.depth if path != ALL and user.organization_id else 0
        organizations = Organization.objects.filter(
            dissolved_on__isnull=True, depth__lte=depth + 2
        ).order_by("path")
        if path != ALL:
            organizations = organizations.filter(path__startswith=path)
    return {
        "venues": Venue.objects.filter(is_active=True).only("pk", "name"),
        "lecturers": Lecturer.objects.filter(is_active=True).only("pk", "full_name"),
        "organizations": organizations,
    }


# ---------------------------------------------------------------------------------------------
# .ics feeds

FEED_DAYS_BEFORE = 30
FEED_DAYS_AFTER = 365


def calendar_feed_get(*, user: Any) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_regenerate(*, user: Any) -> CalendarFeed:
    """A new secret link; the old one stops working at once."""
    feed = calendar_feed_get(user=user)
    feed.token = new_code()
    feed.save(update_fields=["token"])
    audit_record(actor=user, obj=feed, action="regenerate_token")
    return feed


def session_location(session: Session) -> str:
    venue = session.venue
    if venue is None:
        return ""
    if venue.kind == Venue.Kind.ONLINE and venue.meeting_url:
        return venue.meeting_url
    return ", ".join(part for part in (venue.name, venue.address) if part)


def session_summary(session: Session) -> str:
    if session.topic is not None:
        return f"{session.course.name} — {session.topic.title}"
    return session.course.name


def feed_ics(*, user: Any, today: dt.date, now: dt.datetime) -> bytes:
    """The user's sessions (taught or attended) from 30 days ago to a year ahead, with times
    in the province's zone so phones show them right wherever they are."""
    from icalendar import Calendar, Event

    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    sessions = own_sessions(
        user=user,
        start=today - dt.timedelta(days=FEED_DAYS_BEFORE),
        end=today + dt.timedelta(days=FEED_DAYS_AFTER),
    ).exclude(course__status=Course.Status.CANCELLED)
    cal = Calendar()
    cal.add("prodid", "-//LLCT//Lich hoc//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("LLCT sessions"))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@llct")
        event.add("dtstamp", now)
        event.add("dtstart", dt.datetime.combine(session.date, session.starts_at, tzinfo=zone))
        event.add("dtend", dt.datetime.combine(session.date, session.ends_at, tzinfo=zone))
        event.add("summary", session_summary(session))
        location = session_location(session)
        if location:
            event.add("location", location)
        if session.venue is not None and session.venue.meeting_url:
            event.add("url", session.venue.meeting_url)
        details = [str(session.get_part_display())]
        if session.lecturer is not None:
            details.append(_("Lecturer: %(name)s") % {"name": session.lecturer.full_name})
        event.add("description", "\n".join(details))
        cal.add_component(event)
    cal.add_missing_timezones()
    ics: bytes = cal.to_ical()
    return ics
