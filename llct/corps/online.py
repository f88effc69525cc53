"""Online classes: the join link of a session in an online room, shown only to its enrolled
learners and only from a few minutes before the start to the end; joins through LLCT recorded;
the provider's participant report (.csv) imported all or nothing, turning minutes in the room
into present, late or absent, written to the course's attendance through its services.
"""

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.models import User
from llct.core.text import fold
from llct.corps.models import OnlineJoin, OnlinePresence, OnlineRoom, OnlineSettings
from llct.courses.attendance import may_take_attendance
from llct.courses.models import Attendance, Enrolment, Session, Venue
from llct.courses.services.checkin import attendance_mark


def session_venue(session: Session) -> Venue | None:
    return session.venue or session.course.venue


def is_online(session: Session) -> bool:
    venue = session_venue(session)
    return venue is not None and venue.kind == Venue.Kind.ONLINE


def join_url(session: Session, rules: OnlineSettings | None = None) -> str:
    """The venue's fixed link, or a room of its own on the configured Jitsi Meet server."""
    rules = rules or OnlineSettings.current()
    venue = session_venue(session)
    if venue is None or venue.kind != Venue.Kind.ONLINE:
        return ""
    if not rules.room_per_session and venue.meeting_url:
        return venue.meeting_url
    room, _created = OnlineRoom.objects.get_or_create(session=session)
    return rules.meeting_base_url.rstrip("/") + "/" + room.name


def join_window(session: Session, rules: OnlineSettings) -> tuple[dt.datetime, dt.datetime]:
    return (
        session.start_datetime() - dt.timedelta(minutes=rules.opens_minutes),
        session.end_datetime(),
    )


def _enrolment(user: User, session: Session) -> Enrolment | None:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return None
    return Enrolment.objects.filter(
        course_id=session.course_id, person_id=person_id, status=Enrolment.Status.ENROLLED
    ).first()


@dataclass(frozen=True)
class OnlineClass:
    session: Session
    opens: dt.datetime
    url: str  # empty until the window opens


def online_classes_for(*, user: User, now: dt.datetime) -> list[OnlineClass]:
    """The learner's online sessions of today; the link only while the window is open."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    rules = OnlineSettings.current()
    today = timezone.localtime(now).date()
    sessions = (
        Session.objects.filter(
            date=today,
            course__enrolments__person_id=person_id,
            course__enrolments__status=Enrolment.Status.ENROLLED,
        )
        .select_related("course__venue", "venue", "topic")
        .order_by("starts_at")
    )
    result = []
    for session in sessions:
        if not is_online(session):
            continue
        opens, closes = join_window(session, rules)
        if now > closes:
            continue
        url = join_url(session, rules) if opens <= now else ""
        result.append(OnlineClass(session=session, opens=opens, url=url))
    return result


def online_join(*, user: User, session: Session, now: dt.datetime) -> str:
    """Record the join of an enrolled learner and give the link; 404 for anyone else, 403
    outside the window."""
    enrolment = _enrolment(user, session)
    if enrolment is None or not is_online(session):
        raise Http404
    rules = OnlineSettings.current()
    opens, closes = join_window(session, rules)
    if not opens <= now <= closes:
        raise PermissionDenied(
            _("The link opens %(m)s minutes before the start.") % {"m": rules.opens_minutes}
        )
    OnlineJoin.objects.create(session=session, enrolment=enrolment, joined_at=now)
    return join_url(session, rules)


# ---------------------------------------------------------------------------------------------
# The participant report


@dataclass
class ReportRow:
    line: int
    who: str
    joined: dt.datetime | None
    left: dt.datetime | None
    problem: str = ""


@dataclass
class ReportImport:
    rows: list[ReportRow] = field(default_factory=list)
    rejected: list[ReportRow] = field(default_factory=list)
    statuses: dict[int, tuple[str, int, dt.datetime | None]] = field(default_factory=dict)
    written: int = 0


NAME_HEADERS = {"name", "ten", "ho va ten", "full name", "participant", "nguoi tham gia"}
EMAIL_HEADERS = {"email", "user email", "e-mail", "thu dien tu"}
JOIN_HEADERS = {"join time", "joined", "join", "thoi gian vao", "vao"}
LEAVE_HEADERS = {"leave time", "left", "leave", "thoi gian ra", "ra"}
FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"]


def _when(value: str) -> dt.datetime | None:
    value = value.strip()
    for pattern in FORMATS:
        try:
            naive = dt.datetime.strptime(value, pattern)
        except ValueError:
            continue
        return timezone.make_aware(naive)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _column(headers: list[str], names: set[str]) -> int | None:
    for i, header in enumerate(headers):
        if fold(header).strip() in names:
            return i
    return None


def report_read(*, file: IO[bytes], session: Session) -> ReportImport:
    """Check every row: who (email or name) must match exactly one enrolled learner, times must
    parse and leave after join, and a row repeated word for word is a duplicate."""
    text = file.read().decode("utf-8-sig", errors="replace")
    lines = list(csv.reader(io.StringIO(text)))
    result = ReportImport()
    if not lines:
        result.rejected.append(ReportRow(1, "", None, None, _("The file is empty.")))
        return result
    headers = lines[0]
    who_col = _column(headers, EMAIL_HEADERS)
    name_col = _column(headers, NAME_HEADERS)
    join_col, leave_col = _column(headers, JOIN_HEADERS), _column(headers, LEAVE_HEADERS)
    if (who_col is None and name_col is None) or join_col is None or leave_col is None:
        problem = _("The file needs columns for the name or email, the join and the leave time.")
        result.rejected.append(ReportRow(1, "", None, None, problem))
        return result
    enrolments = list(
        Enrolment.objects.filter(
            course_id=session.course_id, status=Enrolment.Status.ENROLLED
        ).select_related("person")
    )
    by_email, by_name = _learner_index(enrolments)
    seen: set[tuple[str, ...]] = set()
    intervals: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(headers) - len(cells))
        email = cells[who_col].strip().lower() if who_col is not None else ""
        name = cells[name_col].strip() if name_col is not None else ""
        row = ReportRow(number, email or name, _when(cells[join_col]), _when(cells[leave_col]))
        result.rows.append(row)
        key = tuple(c.strip().lower() for c in cells)
        candidates = by_email.get(email, []) if email else by_name.get(fold(name), [])
        if email and not candidates and name:
            candidates = by_name.get(fold(name), [])
        row.problem = _row_problem(row, candidates, duplicate=key in seen)
        seen.add(key)
        if row.problem:
            result.rejected.append(row)
            continue
        assert row.joined is not None and row.left is not None
        intervals[candidates[0].pk].append((row.joined, row.left))
    result.statuses = _statuses(enrolments, intervals, session)
    return result


def _learner_index(
    enrolments: list[Enrolment],
) -> tuple[dict[str, list[Enrolment]], dict[str, list[Enrolment]]]:
    """The enrolled learners by email and by folded name."""
    by_email: dict[str, list[Enrolment]] = defaultdict(list)
    by_name: dict[str, list[Enrolment]] = defaultdict(list)
    # People have no email on the rolls; a learner's account may have one.
    emails = dict(
        User.objects.filter(person_id__in=[e.person_id for e in enrolments])
        .exclude(email="")
        .values_list("person_id", "email")
    )
    for e in enrolments:
        email = emails.get(e.person_id, "")
        if email:
            by_email[email.strip().lower()].append(e)
        by_name[fold(e.person.full_name)].append(e)
    return by_email, by_name


def _row_problem(row: ReportRow, candidates: list[Enrolment], *, duplicate: bool) -> str:
    if duplicate:
        return _("Duplicate of an earlier row.")
    if row.joined is None or row.left is None or row.left < row.joined:
        return _("The join and leave times cannot be read, or leave is before join.")
    if not candidates:
        return _("No enrolled learner matches this name or email.")
    if len(candidates) > 1:
        return _("Several enrolled learners have this name: use the email.")
    return ""


def _statuses(
    enrolments: list[Enrolment],
    intervals: dict[int, list[tuple[dt.datetime, dt.datetime]]],
    session: Session,
) -> dict[int, tuple[str, int, dt.datetime | None]]:
    """Each learner's status, minutes in the room and first arrival."""
    rules = OnlineSettings.current()
    start, end = session.start_datetime(), session.end_datetime()
    statuses: dict[int, tuple[str, int, dt.datetime | None]] = {}
    for e in enrolments:
        spans = intervals.get(e.pk, [])
        minutes = _minutes(spans, start, end)
        first = min((s for s, _e in spans), default=None)
        statuses[e.pk] = (_status(minutes, first, start, rules), minutes, first)
    return statuses


def _minutes(
    spans: list[tuple[dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime
) -> int:
    """Minutes in the room within the session, overlapping stays (two devices) counted once."""
    clipped = sorted((max(s, start), min(e, end)) for s, e in spans if e > start and s < end)
    total = dt.timedelta()
    current_start: dt.datetime | None = None
    current_end: dt.datetime | None = None
    for s, e in clipped:
        if current_end is None or s > current_end:
            if current_start is not None and current_end is not None:
                total += current_end - current_start
            current_start, current_end = s, e
        else:
            current_end = max(current_end, e)
    if current_start is not None and current_end is not None:
        total += current_end - current_start
    return int(total.total_seconds() // 60)


def _status(
    minutes: int, first: dt.datetime | None, start: dt.datetime, rules: OnlineSettings
) -> str:
    if first is None or minutes < rules.min_minutes:
        return OnlinePresence.Status.ABSENT
    if first > start + dt.timedelta(minutes=rules.late_after_minutes):
        return OnlinePresence.Status.LATE
    return OnlinePresence.Status.PRESENT


def online_report_import(*, file: IO[bytes], session: Session, actor: User) -> ReportImport:
    """All or nothing: any rejected row and nothing is written. Late counts as present in the
    course's attendance (the 80% rule); the online record keeps it as late."""
    if not may_take_attendance(actor, session):
        raise PermissionDenied
    result = report_read(file=file, session=session)
    if result.rejected or not result.rows:
        return result
    with transaction.atomic():
        for enrolment_id, (status, minutes, first) in result.statuses.items():
            OnlinePresence.objects.update_or_create(
                session=session,
                enrolment_id=enrolment_id,
                defaults={"status": status, "minutes": minutes, "first_join": first},
            )
            enrolment = Enrolment(pk=enrolment_id, course_id=session.course_id)
            attendance_mark(
                session=session,
                enrolment=enrolment,
                status=Attendance.Status.ABSENT
                if status == OnlinePresence.Status.ABSENT
                else Attendance.Status.PRESENT,
                actor=actor,
                method=Attendance.Method.IMPORT,
            )
    result.written = len(result.statuses)
    return result
