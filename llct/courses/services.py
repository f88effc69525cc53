"""Writes for running classes: courses, sessions (with conflict checks), enrolment, attendance."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from llct.core.models import audit_record
from llct.courses.models import (
    Attendance,
    Course,
    Enrolment,
    Holiday,
    SchedulingRules,
    Session,
    Severity,
)
from llct.curriculum.models import LessonPlan, Programme
from llct.organizations.models import MembershipStage, Person, TheoryLevel

# ---------------------------------------------------------------------------------------------
# Conflicts


@dataclass(frozen=True)
class Conflict:
    kind: str  # venue | lecturer | learner | capacity | approval
    severity: str  # Severity value
    message: str
    url: str = ""

    @property
    def is_block(self) -> bool:
        return self.severity == Severity.BLOCK


def _overlapping(date: dt.date, starts_at: dt.time, ends_at: dt.time) -> Q:
    return Q(date=date, starts_at__lt=ends_at, ends_at__gt=starts_at)


def _session_url(session_id: int, course_id: int) -> str:
    return reverse("courses:detail", args=[course_id]) + f"#session-{session_id}"


def session_conflicts(*, session: Session, rules: SchedulingRules | None = None) -> list[Conflict]:
    """Every conflict of a (possibly unsaved) session, all at once. A fixed number of queries."""
    rules = rules or SchedulingRules.current()
    conflicts: list[Conflict] = []
    if session.starts_at >= session.ends_at:
        return conflicts
    window = _overlapping(session.date, session.starts_at, session.ends_at)
    others = Session.objects.filter(window).exclude(pk=session.pk).select_related("course")
    if session.venue_id:
        for other in others.filter(venue_id=session.venue_id):
            conflicts.append(
                Conflict(
                    "venue",
                    rules.venue_double_booked,
                    _("%(venue)s is already booked %(start)s–%(end)s on %(date)s for %(course)s.")
                    % {
                        "venue": session.venue,
                        "start": other.starts_at.strftime("%H:%M"),
                        "end": other.ends_at.strftime("%H:%M"),
                        "date": other.date.strftime("%d/%m/%Y"),
                        "course": other.course.name,
                    },
                    _session_url(other.pk, other.course_id),
                )
            )
    if session.lecturer_id:
        for other in others.filter(lecturer_id=session.lecturer_id):
            conflicts.append(
                Conflict(
                    "lecturer",
                    rules.lecturer_double_booked,
                    _("%(lecturer)s already teaches %(start)s–%(end)s on %(date)s in %(course)s.")
                    % {
                        "lecturer": session.lecturer,
                        "start": other.starts_at.strftime("%H:%M"),
                        "end": other.ends_at.strftime("%H:%M"),
                        "date": other.date.strftime("%d/%m/%Y"),
                        "course": other.course.name,
                    },
                    _session_url(other.pk, other.course_id),
                )
            )
        topic_id = session.topic_id
        if topic_id and not session.lecturer.topics.filter(pk=topic_id).exists():  # type: ignore[union-attr]
            conflicts.append(
                Conflict(
                    "approval",
                    rules.lecturer_not_approved,
                    _("%(lecturer)s is not approved to teach this topic.")
                    % {"lecturer": session.lecturer},
                )
            )
    if session.course_id:
        conflicts.extend(_learner_clashes(session, others, rules))
        if session.venue_id:
            enrolled = Enrolment.objects.filter(
                course_id=session.course_id, status=Enrolment.Status.ENROLLED
            ).count()
            venue = session.venue
            assert venue is not None
            if enrolled > venue.capacity:
                conflicts.append(
                    Conflict(
                        "capacity",
                        rules.capacity_exceeded,
                        _("%(venue)s has %(seats)s seats but %(n)s learners are enrolled.")
                        % {"venue": venue, "seats": venue.capacity, "n": enrolled},
                    )
                )
    return conflicts


def _learner_clashes(session: Session, others: Any, rules: SchedulingRules) -> list[Conflict]:
    people = Enrolment.objects.filter(
        course_id=session.course_id, status=Enrolment.Status.ENROLLED
    ).values("person_id")
    rows = (
        Enrolment.objects.filter(
            status=Enrolment.Status.ENROLLED,
            person_id__in=people,
            course__sessions__in=others.exclude(course_id=session.course_id),
        )
        .values_list("course__sessions__id", "course_id", "course__name", "person__full_name")
        .distinct()
    )
    by_session: dict[tuple[int, int, str], list[str]] = {}
    for session_id, course_id, course_name, person_name in rows:
        by_session.setdefault((session_id, course_id, course_name), []).append(person_name)
    conflicts = []
    for (session_id, course_id, course_name), names in sorted(by_session.items()):
        shown = ", ".join(sorted(names)[:5]) + ("…" if len(names) > 5 else "")
        conflicts.append(
            Conflict(
                "learner",
                rules.learner_double_booked,
                _("%(n)s learner(s) also have a session of %(course)s at that time: %(names)s")
                % {"n": len(names), "course": course_name, "names": shown},
                _session_url(session_id, course_id),
            )
        )
    return conflicts


def _raise_blocks(conflicts: list[Conflict], *, confirm_warnings: bool) -> None:
    blocks = [c.message for c in conflicts if c.is_block]
    warnings = [c.message for c in conflicts if not c.is_block]
    if blocks:
        raise ValidationError(blocks, code="conflict")
    if warnings and not confirm_warnings:
        raise ValidationError(warnings, code="warning")


@transaction.atomic
def session_save(
    *, session: Session, actor: Any, confirm_warnings: bool = False
) -> tuple[Session, list[Conflict]]:
    """Save a session if nothing blocks it; warnings need confirm_warnings. Returns the conflicts
    that were accepted, so the page can keep showing them."""
    session.full_clean(exclude=["checkin_code"])
    if session.course and not session.course.starts_on <= session.date <= session.course.ends_on:
        raise ValidationError({"date": _("The date is outside the course's dates.")})
    conflicts = session_conflicts(session=session)
    _raise_blocks(conflicts, confirm_warnings=confirm_warnings)
    if session.topic_id and not session.lesson_plan_id:
        session.lesson_plan = (
            LessonPlan.objects.filter(topic_id=session.topic_id).order_by("-version").first()
        )
    session.save()
    return session, conflicts


def half_day_slots(
    *, start: dt.date, holidays: set[dt.date], rules: SchedulingRules
) -> Iterable[tuple[dt.date, str, dt.time, dt.time]]:
    """Morning then afternoon of each working day from start: no weekends, no public holidays."""
    day = start
    while True:
        if day.weekday() < 5 and day not in holidays:
            yield day, Session.Part.MORNING, rules.morning_start, rules.morning_end
            yield day, Session.Part.AFTERNOON, rules.afternoon_start, rules.afternoon_end
        day += dt.timedelta(days=1)


@transaction.atomic
def course_generate_sessions(*, course: Course, actor: Any, replace: bool = False) -> list[Session]:
    """One topic per half-day (a topic may take several), in the programme's order, from the
    course's first day; the course's end date follows the last session."""
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
    created = Session.objects.bulk_create(sessions)
    course.ends_on = max(course.ends_on, sessions[-1].date)
    course.save(update_fields=["ends_on"])
    audit_record(
        actor=actor,
        obj=course,
        action="generate_sessions",
        summary=_("Generated %(n)s sessions") % {"n": len(created)},
    )
    return created


def course_conflicts(*, course: Course) -> dict[int, list[Conflict]]:
    """Conflicts of every session of a course, keyed by session id."""
    rules = SchedulingRules.current()
    sessions = course.sessions.select_related("venue", "lecturer", "course", "topic")
    return {s.pk: found for s in sessions if (found := session_conflicts(session=s, rules=rules))}


# ---------------------------------------------------------------------------------------------
# Enrolment


def eligibility_warnings(*, programme: Programme, person: Person) -> list[str]:
    """Why a person should not normally attend (DOMAIN.md): wrong membership stage, or a theory
    level below the programme's minimum (trung cấp needs sơ cấp)."""
    warnings = []
    if programme.eligible_stages and person.stage not in programme.eligible_stages:
        warnings.append(
            _("%(name)s is %(stage)s; this programme is for: %(stages)s.")
            % {
                "name": person.full_name,
                "stage": str(MembershipStage(person.stage).label).lower(),
                "stages": ", ".join(programme.stage_labels()).lower(),
            }
        )
    if person.theory_level < programme.min_theory_level:
        warnings.append(
            _("%(name)s has theory level %(level)s; this programme needs at least %(min)s.")
            % {
                "name": person.full_name,
                "level": TheoryLevel(person.theory_level).label,
                "min": TheoryLevel(programme.min_theory_level).label,
            }
        )
    return warnings


def enrolment_conflicts(
    *, course: Course, person_ids: list[int], rules: SchedulingRules | None = None
) -> list[Conflict]:
    """Learners who would have two sessions at once, and seats that would run out."""
    rules = rules or SchedulingRules.current()
    conflicts: list[Conflict] = []
    active = Enrolment.objects.filter(course=course, status=Enrolment.Status.ENROLLED)
    new_ids = set(person_ids) - set(active.values_list("person_id", flat=True))
    total = active.count() + len(new_ids)
    seats = min(
        [course.capacity] + ([course.venue.capacity] if course.venue_id and course.venue else [])
    )
    if total > seats:
        conflicts.append(
            Conflict(
                "capacity",
                rules.capacity_exceeded,
                _("The course has %(seats)s seats; %(n)s learners would be enrolled.")
                % {"seats": seats, "n": total},
            )
        )
    if new_ids:
        own = list(course.sessions.values_list("date", "starts_at", "ends_at"))
        if own:
            window = Q()
            for date, starts_at, ends_at in own:
                window |= _overlapping(date, starts_at, ends_at)
            clashes = (
                Enrolment.objects.filter(
                    status=Enrolment.Status.ENROLLED,
                    person_id__in=new_ids,
                    course__sessions__in=Session.objects.filter(window).exclude(course=course),
                )
                .values_list("person__full_name", "course__name", "course_id")
                .distinct()
            )
            for name, other_course, other_id in sorted(clashes):
                conflicts.append(
                    Conflict(
                        "learner",
                        rules.learner_double_booked,
                        _("%(name)s has sessions of %(course)s at the same time.")
                        % {"name": name, "course": other_course},
                        reverse("courses:detail", args=[other_id]),
                    )
                )
    return conflicts


@dataclass
class EnrolmentResult:
    enrolled: list[Enrolment] = field(default_factory=list)
    already: list[Person] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


@transaction.atomic
def enrolment_create_many(
    *,
    course: Course,
    people: list[Person],
    actor: Any,
    override_reason: str = "",
    confirm_warnings: bool = False,
) -> EnrolmentResult:
    """Enrol people, all or none. Eligibility warnings need a written reason (kept on each
    enrolment); scheduling warnings need confirmation; blocks stop everything."""
    if course.status in (Course.Status.FINISHED, Course.Status.CANCELLED):
        raise ValidationError(_("This course no longer takes learners."))
    result = EnrolmentResult()
    existing = dict(
        Enrolment.objects.filter(course=course, person__in=people).values_list(
            "person_id", "status"
        )
    )
    fresh = [p for p in people if existing.get(p.pk) != Enrolment.Status.ENROLLED]
    result.already = [p for p in people if existing.get(p.pk) == Enrolment.Status.ENROLLED]
    for person in fresh:
        result.warnings.extend(eligibility_warnings(programme=course.programme, person=person))
    override_reason = override_reason.strip()
    if result.warnings and not override_reason:
        raise ValidationError(
            {"override_reason": [*result.warnings, _("Give a reason to enrol them anyway.")]}
        )
    result.conflicts = enrolment_conflicts(course=course, person_ids=[p.pk for p in fresh])
    _raise_blocks(result.conflicts, confirm_warnings=confirm_warnings)
    withdrawn = [p.pk for p in fresh if existing.get(p.pk) == Enrolment.Status.WITHDRAWN]
    if withdrawn:
        # Coming back after a withdrawal: the old row comes back, its attendance kept.
        Enrolment.objects.filter(course=course, person_id__in=withdrawn).update(
            status=Enrolment.Status.ENROLLED,
            withdrawn_on=None,
            withdrawal_reason="",
            override_reason=override_reason if result.warnings else "",
        )
    new = [
        Enrolment(
            course=course,
            person=p,
            enrolled_by=actor if getattr(actor, "pk", None) else None,
            override_reason=override_reason if result.warnings else "",
        )
        for p in fresh
        if p.pk not in withdrawn
    ]
    try:
        result.enrolled = Enrolment.objects.bulk_create(new)
    except IntegrityError:
        raise ValidationError(_("Someone else enrolled some of these people just now.")) from None
    return result


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, reason: str, on: dt.date, actor: Any) -> Enrolment:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the withdrawal.")})
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_on = on
    enrolment.withdrawal_reason = reason
    enrolment.save(update_fields=["status", "withdrawn_on", "withdrawal_reason"])
    audit_record(actor=actor, obj=enrolment, action="withdraw", summary=reason)
    return enrolment


# ---------------------------------------------------------------------------------------------
# Attendance


def attendance_mark(
    *, session: Session, enrolment: Enrolment, status: str, actor: Any, method: str = "roll_call"
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


def attendance_check_in(*, session: Session, user: Any, now: dt.datetime) -> CheckIn:
    """QR self check-in: only an enrolled learner, only within the window around the start,
    never for a future session; a second scan changes nothing."""
    rules = SchedulingRules.current()
    person_id = getattr(user, "person_id", None)
    enrolment = (
        Enrolment.objects.filter(
            course_id=session.course_id, person_id=person_id, status=Enrolment.Status.ENROLLED
        ).first()
        if person_id
        else None
    )
    if enrolment is None:
        return CheckIn(False, _("You are not enrolled in this course."))
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
    existing = Attendance.objects.filter(session=session, enrolment=enrolment).first()
    if existing and existing.status == Attendance.Status.PRESENT:
        return CheckIn(True, _("You were already checked in."), already=True)
    attendance_mark(
        session=session,
        enrolment=enrolment,
        status=Attendance.Status.PRESENT,
        actor=user,
        method=Attendance.Method.QR,
    )
    return CheckIn(True, _("Checked in. Welcome!"))
