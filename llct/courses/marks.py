"""The sign-in sheet's marks: the .xlsx template of a session and its import, all or nothing
(one bulk upsert in one transaction, like the roster import), under the roll call's rules: the
window, the correction reason after the session's day, and a three-way check against the marks
saved when the template was downloaded."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.models import User, audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.spreadsheets import cell_int, read_first_sheet, write_xlsx
from llct.core.text import clean_text, fold
from llct.courses.models import (
    Attendance,
    Enrolment,
    Session,
)
from llct.courses.roll_call import (
    Phase,
    Saved,
    Window,
    check_window,
    marker_name,
    status_label,
)
from llct.courses.selectors import (
    enrolment_list,
)

# The "Có mặt" column: x present, P absent with leave, K or blank absent.
MARK_CODES = {
    "x": Attendance.Status.PRESENT,
    "p": Attendance.Status.EXCUSED,
    "k": Attendance.Status.ABSENT,
    "": Attendance.Status.ABSENT,
}
# Keyed by the stored status text, as the marks are read from the database.
STATUS_CODES: dict[str, str] = {
    Attendance.Status.PRESENT: "x",
    Attendance.Status.EXCUSED: "P",
    Attendance.Status.ABSENT: "K",
}
# Headers are matched without case or diacritics, in both UI languages: a template downloaded
# in English still imports in Vietnamese.
ID_HEADERS = ("ma hoc vien", "learner id")
MARK_HEADERS = ("co mat", "present")
NAME_HEADERS = ("ho va ten", "full name")
# The mark stored when the template was downloaded: the import writes only what the sheet
# changed, and refuses a row someone else changed meanwhile (as the roll call sheet does).
SAVED_HEADERS = ("da luu", "saved")
SAVED_CODES = {
    "x": Attendance.Status.PRESENT,
    "p": Attendance.Status.EXCUSED,
    "k": "absent",
    "": "",
}
HEADER_SEARCH_ROWS = 10
MAX_MARK_ROWS = 5000


def marks_headers() -> list[str]:
    return [
        _("No."),
        _("Full name"),
        _("Unit"),
        _("Learner ID"),
        _("Present (x: present, P: absent with leave, K or blank: absent)"),
        _("Saved when downloaded (do not edit)"),
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
            STATUS_CODES.get(marks.get(e.pk, ""), ""),
            STATUS_CODES.get(marks.get(e.pk, ""), ""),
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
    # enrolment id -> the mark stored when the template was downloaded ("" for none); absent
    # from a sheet without that column (then the marks are written as they are).
    originals: dict[int, str] = field(default_factory=dict)
    rows: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (row, name)
    blank: set[int] = field(default_factory=set)  # mark cell left blank (absent, or untouched)
    rejected: list[RejectedMark] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0


def _find_columns(
    rows: list[tuple[Any, ...]],
) -> tuple[int, int, int, int | None, int | None]:
    """(header row index, id column, mark column, name column or None, saved column or None)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        folded = [fold(v) for v in row]
        id_col = next((i for i, v in enumerate(folded) if v.startswith(ID_HEADERS)), None)
        mark_col = next((i for i, v in enumerate(folded) if v.startswith(MARK_HEADERS)), None)
        if id_col is not None and mark_col is not None:
            name_col = next((i for i, v in enumerate(folded) if v.startswith(NAME_HEADERS)), None)
            saved_col = next((i for i, v in enumerate(folded) if v.startswith(SAVED_HEADERS)), None)
            return index, id_col, mark_col, name_col, saved_col
    raise MarksFileError(
        _("The file has no “Mã học viên” and “Có mặt” columns. Start from the template.")
    )


def _read_rows(file: IO[bytes]) -> list[tuple[Any, ...]]:
    return read_first_sheet(file, max_rows=MAX_MARK_ROWS + HEADER_SEARCH_ROWS, error=MarksFileError)


def _enrolment_id(value: Any) -> int | None:
    return cell_int(value)


def _importable(*, user: User, session: Session, ids: set[int]) -> dict[int, Enrolment]:
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


def marks_read(*, file: IO[bytes], session: Session, user: User) -> MarksImport:
    """Check every row; nothing is written."""
    rows = _read_rows(file)
    header, id_col, mark_col, name_col, saved_col = _find_columns(rows)
    ids = {_enrolment_id(r[id_col]) for r in rows[header + 1 :] if len(r) > id_col}
    found = _importable(user=user, session=session, ids={i for i in ids if i is not None})
    result = MarksImport()
    seen: dict[int, int] = {}
    for index, row in enumerate(rows[header + 1 :], start=header + 2):
        width = max(mark_col, saved_col or 0) + 1
        cells = [*row, *([None] * max(0, width - len(row)))]
        if all(clean_text(v) == "" for v in cells):
            continue
        name = clean_text(cells[name_col]) if name_col is not None and name_col < len(cells) else ""
        raw_id, raw_mark = cells[id_col], clean_text(cells[mark_col])
        enrolment_id = _enrolment_id(raw_id)
        reasons = learner_row_errors(raw_id, enrolment_id, found, seen, session.course_id)
        status = MARK_CODES.get(raw_mark.lower())
        if status is None:
            reasons.append(
                _("Unknown mark “%(mark)s”: use x (present), P (absent with leave) or K (absent).")
                % {"mark": raw_mark}
            )
        saved = SAVED_CODES.get(clean_text(cells[saved_col]).lower()) if saved_col else None
        if saved_col is not None and saved is None:
            reasons.append(_("The “saved” column was edited: download the template again."))
        if reasons:
            result.rejected.append(RejectedMark(index, name, " ".join(reasons)))
            continue
        assert enrolment_id is not None and status is not None
        seen[enrolment_id] = index
        result.marks[enrolment_id] = status
        result.rows[enrolment_id] = (index, name)
        if raw_mark == "":
            result.blank.add(enrolment_id)
        if saved is not None:
            result.originals[enrolment_id] = saved
    return result


def learner_row_errors(
    raw_id: Any,
    enrolment_id: int | None,
    found: dict[int, Enrolment],
    seen: dict[int, int],
    course_id: int,
) -> list[str]:
    """Why a sheet row's learner ID names nobody who may be marked or graded in the course (on
    no earlier row): the marks import here and the grades import of assessment read it alike."""
    enrolment = found.get(enrolment_id) if enrolment_id is not None else None
    if enrolment_id is None:
        return [_("Missing or invalid learner ID “%(value)s”.") % {"value": clean_text(raw_id)}]
    if enrolment is None:
        return [_("Unknown learner ID %(id)s.") % {"id": enrolment_id}]
    if enrolment.course_id != course_id:
        return [_("This learner is not in this course.")]
    if enrolment.status != Enrolment.Status.ENROLLED:
        return [_("This learner has withdrawn from the course.")]
    if enrolment_id in seen:
        return [_("This learner is already on row %(row)s.") % {"row": seen[enrolment_id]}]
    return []


def _marks_to_write(
    result: MarksImport, stored: Mapping[int, Attendance], window: Window
) -> tuple[dict[int, str], list[RejectedMark]]:
    """What the sheet changed, compared three ways as on the roll call sheet: a mark the sheet
    left as downloaded keeps what is stored now; a mark both the sheet and someone else changed
    is refused, saying who made the stored one."""
    changed: dict[int, str] = {}
    clashes: list[RejectedMark] = []
    for enrolment_id, status in result.marks.items():
        current = stored[enrolment_id].status if enrolment_id in stored else ""
        original = result.originals.get(enrolment_id)
        if status == current or (original is not None and status == original):
            continue
        if enrolment_id in result.blank and original == "" and current:
            continue  # blank as downloaded: someone has marked this learner since, keep it
        if original is not None and current != original:
            row, name = result.rows[enrolment_id]
            clash = Saved(current, window, clash=True, by=marker_name(stored.get(enrolment_id)))
            clashes.append(RejectedMark(row, name, clash.clash_message(status)))
            continue
        changed[enrolment_id] = status
    return changed, clashes


def attendance_import_marks(
    *, file: IO[bytes], session: Session, actor: User, today: dt.date, reason: str = ""
) -> MarksImport:
    """Check every row, then write the marks the sheet changed in one transaction, or nothing
    when a row is rejected or clashes with a mark someone else made since the download. As on
    the roll call: refused before the roll call opens; after the session's day a correction,
    with its reason, audited. Raises MarksFileError when the file cannot be read."""
    reason = clean_text(reason)
    window = check_window(session, today, reason)
    result = marks_read(file=file, session=session, user=actor)
    if result.rejected or not result.marks:
        return result
    with transaction.atomic():
        stored = {
            a.enrolment_id: a
            for a in Attendance.objects.select_for_update(of=("self",))
            .select_related("marked_by")
            .filter(session=session, enrolment_id__in=list(result.marks))
        }
        changed, result.rejected = _marks_to_write(result, stored, window)
        if result.rejected:
            return result
        _marks_write(session, changed, stored, actor, window, reason)
    result.written = len(changed)
    result.unchanged = len(result.marks) - len(changed)
    return result


def _marks_write(
    session: Session,
    changed: Mapping[int, str],
    stored: Mapping[int, Attendance],
    actor: User,
    window: Window,
    reason: str,
) -> None:
    if not changed:
        return
    now = timezone.now()
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
            for enrolment_id, status in changed.items()
        ],
        update_conflicts=True,
        unique_fields=["session", "enrolment"],
        update_fields=["status", "method", "marked_by", "marked_at"],
    )
    audit_record(
        actor=actor,
        obj=session,
        action="import_attendance",
        summary=_("Imported %(n)s attendance marks") % {"n": len(changed)},
    )
    if window.phase == Phase.CORRECTION:
        names = dict(
            Enrolment.objects.filter(pk__in=list(changed)).values_list("pk", "person__full_name")
        )
        audit_record(
            actor=actor,
            obj=session,
            action="attendance_correct",
            summary=reason,
            changes=[
                {
                    "field": "attendance",
                    "label": _("Attendance of %(name)s") % {"name": names.get(i, "")},
                    "old": status_label(stored[i].status) if i in stored else "",
                    "new": status_label(status),
                }
                for i, status in changed.items()
            ],
        )
