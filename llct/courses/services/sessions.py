"""Sessions of a course: saving one (refused on a blocking conflict, warnings confirmed),
deleting one, and generating the whole timetable from the programme's topics."""

import datetime as dt
from collections.abc import Iterator

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from llct.core.models import User, audit_record
from llct.courses.models import (
    Attendance,
    Course,
    Holiday,
    SchedulingRules,
    Session,
)
from llct.courses.services.conflicts import (
    Conflict,
    ConflictError,
    conflicts_of,
    course_conflicts,
    session_conflicts,
    split_conflicts,
)
from llct.curriculum.models import LessonPlan


def half_day_times(*, part: str, rules: SchedulingRules) -> tuple[dt.time, dt.time] | None:
    """The times of a half-day from the settings; None for exact times."""
    times = {
        Session.Part.MORNING.value: (rules.morning_start, rules.morning_end),
        Session.Part.AFTERNOON.value: (rules.afternoon_start, rules.afternoon_end),
        Session.Part.EVENING.value: (rules.evening_start, rules.evening_end),
    }
    return times.get(part)


@transaction.atomic
def session_save(
    *, session: Session, actor: User, confirm_warnings: bool = False
) -> tuple[Session, list[Conflict]]:
    """Save a session if nothing blocks it; warnings need confirm_warnings. A half-day takes its
    times from the settings. Everything wrong is reported at once (ConflictError, with the
    conflicts attached). Returns the conflicts that were accepted, so the page can show them."""
    rules = SchedulingRules.current()
    times = half_day_times(part=session.part, rules=rules) if session.part else None
    if times is not None:
        session.starts_at, session.ends_at = times
    session.full_clean(exclude=["checkin_code"])
    errors: dict[str, list[str]] = {}
    course = session.course
    if not course.starts_on <= session.date <= course.ends_on:
        errors["date"] = [
            _("The date is outside the course's dates (%(start)s – %(end)s).")
            % {
                "start": course.starts_on.strftime("%d/%m/%Y"),
                "end": course.ends_on.strftime("%d/%m/%Y"),
            }
        ]
    if session.topic is not None and session.topic.programme_id != course.programme_id:
        errors["topic"] = [_("This topic is not part of the course's programme.")]
    if session.lesson_plan is not None and session.lesson_plan.topic_id != session.topic_id:
        errors["lesson_plan"] = [_("This lesson plan belongs to another topic.")]
    conflicts = session_conflicts(session=session, rules=rules)
    blocks, warnings = split_conflicts(conflicts)
    if blocks or (warnings and not confirm_warnings):
        errors[NON_FIELD_ERRORS] = blocks or warnings
    if errors:
        raise ConflictError(errors, conflicts=conflicts)
    if session.topic_id and not session.lesson_plan_id:
        session.lesson_plan = (
            LessonPlan.objects.filter(topic_id=session.topic_id).order_by("-version").first()
        )
    is_new = session.pk is None
    session.save()
    audit_record(
        actor=actor,
        obj=course,
        action="session_add" if is_new else "session_edit",
        summary=str(session),
    )
    return session, conflicts


@transaction.atomic
def session_delete(*, session: Session, actor: User) -> None:
    """A session whose attendance was taken stays: the roll is a record."""
    if session.attendances.exists():
        raise ValidationError(
            _(
                "Attendance has been taken for this session, so it cannot be deleted."
                " Change its date or times instead."
            )
        )
    summary = str(session)
    course = session.course
    session.delete()
    audit_record(actor=actor, obj=course, action="session_delete", summary=summary)


def half_day_slots(
    *, start: dt.date, holidays: set[dt.date], rules: SchedulingRules
) -> Iterator[tuple[dt.date, str, dt.time, dt.time]]:
    """Morning then afternoon of each working day from start: no weekends, no public holidays."""
    day = start
    while True:
        if day.weekday() < 5 and day not in holidays:
            yield day, Session.Part.MORNING, rules.morning_start, rules.morning_end
            yield day, Session.Part.AFTERNOON, rules.afternoon_start, rules.afternoon_end
        day += dt.timedelta(days=1)


def _refuse_blocks(sessions: list[Session], *, course: Course, rules: SchedulingRules) -> None:
    """The generated timetable is checked as session_save checks one session: a blocking
    conflict refuses the whole timetable (nothing saved), each block listed with its session.
    Warnings are kept: the course page lists them against their sessions."""
    blocks = [
        _("%(date)s, %(part)s: %(conflict)s")
        % {
            "date": session.date.strftime("%d/%m/%Y"),
            "part": session.get_part_display(),
            "conflict": conflict.message,
        }
        for session, found in zip(
            sessions, conflicts_of(sessions, course_id=course.pk, rules=rules), strict=True
        )
        for conflict in found
        if conflict.is_block
    ]
    if blocks:
        raise ConflictError(
            [_("The sessions were not created: %(n)s would clash.") % {"n": len(blocks)}, *blocks]
        )


@transaction.atomic
def course_generate_sessions(
    *, course: Course, actor: User, replace: bool = False
) -> list[Session]:
    """One topic per half-day (a topic may take several), in the programme's order, from the
    course's first day; the course's end date moves out to the last session if needed."""
    if course.sessions.exists():
        if not replace:
            raise ValidationError(_("This course already has sessions."))
        if Attendance.objects.filter(session__course=course).exists():
            raise ValidationError(_("Attendance has been taken; the sessions cannot be replaced."))
        course.sessions.all().delete()
    rules = SchedulingRules.current()
    topics = list(course.programme.topics.order_by("order"))
    if not topics:
        raise ValidationError(_("The programme has no topics."))
    holidays = set(
        Holiday.objects.filter(date__gte=course.starts_on).values_list("date", flat=True)
    )
    latest_plan = {
        plan.topic_id: plan
        for plan in LessonPlan.objects.filter(topic__in=topics).order_by("topic_id", "version")
    }
    slots = half_day_slots(start=course.starts_on, holidays=holidays, rules=rules)
    sessions = []
    for topic in topics:
        for _n in range(max(topic.sessions, 1)):
            date, part, starts_at, ends_at = next(slots)
            sessions.append(
                Session(
                    course=course,
                    date=date,
                    part=part,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    topic=topic,
                    venue=course.venue,
                    lesson_plan=latest_plan.get(topic.pk),
                )
            )
    _refuse_blocks(sessions, course=course, rules=rules)
    created = Session.objects.bulk_create(sessions)
    if sessions[-1].date > course.ends_on:
        course.ends_on = sessions[-1].date
        course.save(update_fields=["ends_on"])
    audit_record(
        actor=actor,
        obj=course,
        action="generate_sessions",
        summary=_("Generated %(n)s sessions") % {"n": len(created)},
    )
    return created


def generated_summary(course: Course, created: list[Session]) -> str:
    """What the page says after generating: how many, from when to when, how many with
    (accepted) warnings."""
    text = _("Generated %(n)s sessions, %(first)s to %(last)s.") % {
        "n": len(created),
        "first": created[0].date.strftime("%d/%m/%Y"),
        "last": created[-1].date.strftime("%d/%m/%Y"),
    }
    conflicted = len(course_conflicts(course=course))
    if conflicted:
        text += " " + _("%(n)s of them have conflicts: see the table.") % {"n": conflicted}
    return text
