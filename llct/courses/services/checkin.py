"""Attendance marks written one at a time: by another app (online classes, the API) and by a
learner's own QR check-in. The roll call sheet writes through roll_call.py."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from llct.core.models import User
from llct.courses.models import (
    Attendance,
    Enrolment,
    SchedulingRules,
    Session,
)


def attendance_mark(
    *, session: Session, enrolment: Enrolment, status: str, actor: User, method: str = "roll_call"
) -> Attendance:
    if enrolment.course_id != session.course_id:
        raise ValidationError(_("This learner is not in this course."))
    attendance, _created = Attendance.objects.update_or_create(
        session=session,
        enrolment=enrolment,
        defaults={"status": status, "method": method, "marked_by": actor},
    )
    return attendance


@dataclass(frozen=True)
class CheckIn:
    ok: bool
    message: str
    already: bool = False


def _checkin_enrolment(session: Session, user: User) -> Enrolment | None:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return None
    return Enrolment.objects.filter(
        course_id=session.course_id, person_id=person_id, status=Enrolment.Status.ENROLLED
    ).first()


def _checkin_refusal(
    session: Session, enrolment: Enrolment | None, now: dt.datetime
) -> CheckIn | None:
    """Why the learner may not check in now (None when they may): only an enrolled learner,
    only within the window around the start, and only once."""
    if enrolment is None:
        return CheckIn(False, _("You are not enrolled in this course."))
    rules = SchedulingRules.current()
    start = session.start_datetime()
    opens = start - dt.timedelta(minutes=rules.checkin_opens_minutes)
    closes = start + dt.timedelta(minutes=rules.checkin_closes_minutes)
    if now < opens:
        return CheckIn(
            False,
            _("Check-in opens at %(time)s on %(date)s.")
            % {
                "time": opens.astimezone(start.tzinfo).strftime("%H:%M"),
                "date": start.strftime("%d/%m/%Y"),
            },
        )
    if now > closes:
        return CheckIn(False, _("Check-in for this session has closed."))
    present = Attendance.objects.filter(
        session=session, enrolment=enrolment, status=Attendance.Status.PRESENT
    ).exists()
    if present:
        return CheckIn(True, _("You were already checked in."), already=True)
    return None


def checkin_state(*, session: Session, user: User, now: dt.datetime) -> CheckIn:
    """What the check-in button would do now, without doing it: the page shows the button
    disabled, with the reason, when it would not check the learner in."""
    refusal = _checkin_refusal(session, _checkin_enrolment(session, user), now)
    return refusal or CheckIn(True, "")


def attendance_check_in(*, session: Session, user: User, now: dt.datetime) -> CheckIn:
    """QR self check-in: only an enrolled learner, only within the window around the start,
    never for a future session; a second scan changes nothing."""
    enrolment = _checkin_enrolment(session, user)
    refusal = _checkin_refusal(session, enrolment, now)
    if refusal is not None:
        return refusal
    assert enrolment is not None
    attendance_mark(
        session=session,
        enrolment=enrolment,
        status=Attendance.Status.PRESENT,
        actor=user,
        method=Attendance.Method.QR,
    )
    return CheckIn(True, _("Checked in. Welcome!"))
