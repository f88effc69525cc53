"""Taking the roll of a session.

- It opens on the session's day, or `SchedulingRules.roll_call_opens_days` days before.
- A mark is saved one learner at a time, against the mark the officer saw: a tap never silently
  overwrites a mark someone else made meanwhile (it is reported back, and a retry keeps it).
- "All present" marks every learner the officer saw unmarked, and only those still unmarked:
  the exceptions (marked before, or by someone else meanwhile) keep their marks.
- After the session's day a change is a correction: it needs a reason and leaves an AuditEntry.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.models import AuditEntry, User, audit_record
from llct.core.text import clean_text
from llct.core.versions import three_way
from llct.courses.models import Attendance, Enrolment, SchedulingRules, Session

REASON_MAX = 255


class Phase(StrEnum):
    EARLY = "early"  # not open yet
    OPEN = "open"
    CORRECTION = "correction"  # the session's day is over


@dataclass(frozen=True)
class Window:
    opens_on: dt.date
    phase: Phase


def roll_call_window(
    session: Session, *, today: dt.date, rules: SchedulingRules | None = None
) -> Window:
    rules = rules or SchedulingRules.current()
    opens_on = session.date - dt.timedelta(days=rules.roll_call_opens_days)
    if today < opens_on:
        phase = Phase.EARLY
    elif today > session.date:
        phase = Phase.CORRECTION
    else:
        phase = Phase.OPEN
    return Window(opens_on=opens_on, phase=phase)


def check_window(session: Session, today: dt.date, reason: str) -> Window:
    """Refuse a mark before the roll call opens, and a correction without its reason."""
    window = roll_call_window(session, today=today)
    if window.phase == Phase.EARLY:
        raise ValidationError(
            _("The roll call of this session opens on %(date)s.")
            % {"date": window.opens_on.strftime("%d/%m/%Y")},
            code="early",
        )
    if window.phase == Phase.CORRECTION:
        if not reason:
            raise ValidationError(
                {
                    "reason": _(
                        "This session took place on %(date)s: a change now is a correction. "
                        "Give its reason."
                    )
                    % {"date": session.date.strftime("%d/%m/%Y")}
                },
                code="reason",
            )
        if len(reason) > REASON_MAX:
            raise ValidationError(
                {"reason": _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}}
            )
    return window


def status_label(status: str) -> str:
    return str(dict(Attendance.Status.choices).get(status, _("not marked")))


@dataclass(frozen=True)
class Saved:
    status: str  # the mark stored now ("" for none)
    window: Window
    clash: bool = False  # someone else marked differently meanwhile: nothing was written
    by: str = ""  # who made the stored mark, when it clashes

    def clash_message(self, yours: str) -> str:
        return _(
            "%(who)s has just marked “%(theirs)s”; your “%(yours)s” is not saved. "
            "Retry to keep yours."
        ) % {
            "who": self.by or _("Someone else"),
            "theirs": status_label(self.status),
            "yours": status_label(yours),
        }


def marker_name(attendance: Attendance | None) -> str:
    if attendance is None:
        return ""
    if attendance.method == Attendance.Method.QR:
        return _("The learner (QR check-in)")
    return attendance.marked_by.display_name if attendance.marked_by else ""


@transaction.atomic
def roll_call_save(
    *,
    session: Session,
    enrolment: Enrolment,
    status: str,
    original: str | None,
    reason: str = "",
    actor: User,
    today: dt.date,
    method: str = Attendance.Method.ROLL_CALL,
) -> Saved:
    """Mark one learner. `original` is the mark the officer saw ("" for none), or None when
    the request did not say (then the mark is simply written). The API writes here too, with
    its own `method`."""
    if enrolment.course_id != session.course_id:
        raise ValidationError(_("This learner is not in this course."))
    if status not in Attendance.Status.values:
        raise ValidationError(_("Unknown attendance mark."), code="status")
    reason = clean_text(reason)
    window = check_window(session, today, reason)
    existing = _locked_mark(session, enrolment)
    if existing is None and original:
        # The officer saw a mark that has been removed meanwhile: say so, write nothing.
        return Saved("", window, clash=True)
    if existing is None:
        try:
            with transaction.atomic():  # a first mark: there is no row to lock yet
                Attendance.objects.create(
                    session=session,
                    enrolment=enrolment,
                    status=status,
                    method=method,
                    marked_by=actor,
                )
        except IntegrityError:  # someone marked this learner in the same instant
            existing = _locked_mark(session, enrolment)
        else:
            _audit_correction(session, enrolment, window, reason, "", status, actor)
            return Saved(status, window)
    assert existing is not None  # the row that won the race
    current = existing.status
    if status == current:
        return Saved(current, window)
    if original is not None:
        merge = three_way(original={"s": original}, current={"s": current}, submitted={"s": status})
        if merge.theirs:
            return Saved(current, window, clash=True, by=marker_name(existing))
    existing.status, existing.method = status, method
    existing.marked_by = actor if getattr(actor, "pk", None) else None
    existing.save(update_fields=["status", "method", "marked_by", "marked_at"])
    _audit_correction(session, enrolment, window, reason, current, status, actor)
    return Saved(status, window)


def _locked_mark(session: Session, enrolment: Enrolment) -> Attendance | None:
    return (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("marked_by")
        .filter(session=session, enrolment=enrolment)
        .first()
    )


def _audit_correction(
    session: Session,
    enrolment: Enrolment,
    window: Window,
    reason: str,
    old: str,
    new: str,
    actor: User,
) -> None:
    if window.phase != Phase.CORRECTION:
        return
    audit_record(
        actor=actor,
        obj=session,
        action="attendance_correct",
        summary=reason,
        changes=[
            {
                "field": "attendance",
                "label": _("Attendance of %(name)s") % {"name": enrolment.person.full_name},
                "old": status_label(old) if old else "",
                "new": status_label(new),
            }
        ],
    )


@transaction.atomic
def roll_call_all_present(
    *,
    session: Session,
    enrolments: Sequence[Enrolment],
    reason: str = "",
    actor: User,
    today: dt.date,
) -> dict[int, str]:
    """Mark present every one of `enrolments` (the learners the officer saw unmarked) who is
    still unmarked. Returns the mark of each of them now."""
    reason = clean_text(reason)
    window = check_window(session, today, reason)
    ids = [e.pk for e in enrolments if e.course_id == session.course_id]
    marked = dict(
        Attendance.objects.select_for_update()
        .filter(session=session, enrolment_id__in=ids)
        .values_list("enrolment_id", "status")
    )
    todo = [i for i in ids if i not in marked]
    now = timezone.now()
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=session,
                enrolment_id=i,
                status=Attendance.Status.PRESENT,
                method=Attendance.Method.ROLL_CALL,
                marked_by=actor,
                marked_at=now,
            )
            for i in todo
        ],
        ignore_conflicts=True,  # a check-in at the same instant keeps its own mark
    )
    if todo and window.phase == Phase.CORRECTION:
        audit_record(
            actor=actor,
            obj=session,
            action="attendance_correct",
            summary=reason,
            changes=[
                {
                    "field": "attendance",
                    "label": _("Marked present: %(n)s learners") % {"n": len(todo)},
                    "old": "",
                    "new": status_label(Attendance.Status.PRESENT),
                }
            ],
        )
    stored = dict(
        Attendance.objects.filter(session=session, enrolment_id__in=ids).values_list(
            "enrolment_id", "status"
        )
    )
    return {i: stored.get(i, "") for i in ids}


def roll_call_corrections(session: Session) -> QuerySet[AuditEntry]:
    """The corrections of a session's marks after its day, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Session),
        object_id=session.pk,
        action="attendance_correct",
    ).select_related("actor")
