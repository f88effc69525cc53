"""Writes for running classes: courses, sessions (with conflict checks), enrolment, attendance."""

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from llct.core.models import audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.text import clean_text
from llct.courses.models import (
    Attendance,
    Course,
    Enrolment,
    Holiday,
    SchedulingRules,
    Session,
    Severity,
    Venue,
)
from llct.curriculum.models import Lecturer, LessonPlan, Programme
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


class ConflictError(ValidationError):
    """A ValidationError that also carries the conflicts (and eligibility warnings) it was raised
    for, so a page can show each with its severity and its link, not just the messages."""

    def __init__(
        self,
        message: Any,
        *,
        conflicts: Sequence[Conflict] = (),
        eligibility: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.conflicts = list(conflicts)
        self.eligibility = list(eligibility)

    @property
    def blocked(self) -> bool:
        return any(c.is_block for c in self.conflicts)

    @property
    def needs_confirmation(self) -> bool:
        """Only warnings stand in the way: the user may confirm and save anyway."""
        return bool(self.conflicts) and not self.blocked


def overlaps(a_start: dt.time, a_end: dt.time, b_start: dt.time, b_end: dt.time) -> bool:
    """Half-open intervals: a session ending at 11:30 and one starting at 11:30 do not clash."""
    return a_start < b_end and b_start < a_end


def _overlapping(date: dt.date, starts_at: dt.time, ends_at: dt.time) -> Q:
    return Q(date=date, starts_at__lt=ends_at, ends_at__gt=starts_at)


def _session_url(session_id: int, course_id: int) -> str:
    return reverse("courses:detail", args=[course_id]) + f"#session-{session_id}"


def _hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _checkable(session: Session) -> bool:
    return (
        bool(session.date and session.starts_at and session.ends_at)
        and session.starts_at < session.ends_at
    )


def _conflicts_of(
    sessions: Sequence[Session], *, course_id: int | None, rules: SchedulingRules
) -> list[list[Conflict]]:
    """The conflicts of each of some sessions of one course (saved or not), in a fixed number of
    queries however many sessions, learners or other courses there are: candidates are fetched
    by date in one query per kind, and the overlaps are worked out here."""
    found: list[list[Conflict]] = [[] for _s in sessions]
    checked = [(i, s) for i, s in enumerate(sessions) if _checkable(s)]
    if not checked:
        return found
    dates = {s.date for _i, s in checked}
    venue_ids = {s.venue_id for _i, s in checked if s.venue_id}
    lecturer_ids = {s.lecturer_id for _i, s in checked if s.lecturer_id}

    # Venue double-booked, lecturer in two places: any course, this one included.
    same_place = Q()
    if venue_ids:
        same_place |= Q(venue_id__in=venue_ids)
    if lecturer_ids:
        same_place |= Q(lecturer_id__in=lecturer_ids)
    candidates: dict[dt.date, list[Session]] = {}
    if venue_ids or lecturer_ids:
        for other in (
            Session.objects.filter(same_place, date__in=dates)
            .select_related("course")
            .order_by("date", "starts_at", "pk")
        ):
            candidates.setdefault(other.date, []).append(other)

    approved: set[tuple[int, int]] = set()
    pairs = {(s.lecturer_id, s.topic_id) for _i, s in checked if s.lecturer_id and s.topic_id}
    if pairs:
        approved = set(
            Lecturer.topics.through.objects.filter(
                lecturer_id__in={p[0] for p in pairs}, topic_id__in={p[1] for p in pairs}
            ).values_list("lecturer_id", "topic_id")
        )

    enrolled = 0
    clashes: dict[dt.date, list[tuple[int, dt.time, dt.time, int, str, str, str]]] = {}
    if course_id:
        active = Enrolment.objects.filter(course_id=course_id, status=Enrolment.Status.ENROLLED)
        if venue_ids:
            enrolled = active.count()
        # Learners of this course who are also enrolled elsewhere, with the other course's
        # sessions on the same days. One query; the overlap is checked below.
        # Starting from the learners' own enrolments lets the database use the
        # (person, status) index instead of scanning every session of those days.
        rows = (
            Enrolment.objects.filter(
                status=Enrolment.Status.ENROLLED,
                person_id__in=active.values("person_id"),
                course__sessions__date__in=dates,
            )
            .exclude(course_id=course_id)
            .order_by()
            .values_list(
                "course__sessions__id",
                "course__sessions__date",
                "course__sessions__starts_at",
                "course__sessions__ends_at",
                "course_id",
                "course__name",
                "person__full_name",
                "person__sort_key",
            )
        )
        for sid, date, starts_at, ends_at, other_course, name, person, key in rows:
            clashes.setdefault(date, []).append(
                (sid, starts_at, ends_at, other_course, name, person, key)
            )

    for i, s in checked:
        out = found[i]
        for other in candidates.get(s.date, []):
            if other.pk == s.pk or not overlaps(
                s.starts_at, s.ends_at, other.starts_at, other.ends_at
            ):
                continue
            facts = {
                "start": _hhmm(other.starts_at),
                "end": _hhmm(other.ends_at),
                "date": other.date.strftime("%d/%m/%Y"),
                "course": other.course.name,
            }
            if s.venue_id and other.venue_id == s.venue_id:
                out.append(
                    Conflict(
                        "venue",
                        rules.venue_double_booked,
                        _(
                            "%(venue)s is already booked %(start)s–%(end)s on %(date)s"
                            " for %(course)s."
                        )
                        % {"venue": s.venue, **facts},
                        _session_url(other.pk, other.course_id),
                    )
                )
            if s.lecturer_id and other.lecturer_id == s.lecturer_id:
                out.append(
                    Conflict(
                        "lecturer",
                        rules.lecturer_double_booked,
                        _(
                            "%(lecturer)s already teaches %(start)s–%(end)s on %(date)s"
                            " in %(course)s."
                        )
                        % {"lecturer": s.lecturer, **facts},
                        _session_url(other.pk, other.course_id),
                    )
                )
        if s.lecturer_id and s.topic_id and (s.lecturer_id, s.topic_id) not in approved:
            out.append(
                Conflict(
                    "approval",
                    rules.lecturer_not_approved,
                    _("%(lecturer)s is not approved to teach this topic.")
                    % {"lecturer": s.lecturer},
                )
            )
        by_session: dict[tuple[int, int, str], list[tuple[str, str]]] = {}
        for sid, starts_at, ends_at, other_course, name, person, key in clashes.get(s.date, []):
            if overlaps(s.starts_at, s.ends_at, starts_at, ends_at):
                by_session.setdefault((sid, other_course, name), []).append((key, person))
        for (sid, other_course, name), people in sorted(by_session.items()):
            names = [person for _key, person in sorted(set(people))]
            shown = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
            out.append(
                Conflict(
                    "learner",
                    rules.learner_double_booked,
                    _("%(n)s learner(s) also have a session of %(course)s at that time: %(names)s")
                    % {"n": len(names), "course": name, "names": shown},
                    _session_url(sid, other_course),
                )
            )
        if s.venue_id and s.venue is not None and enrolled > s.venue.capacity:
            out.append(
                Conflict(
                    "capacity",
                    rules.capacity_exceeded,
                    _("%(venue)s has %(seats)s seats but %(n)s learners are enrolled.")
                    % {"venue": s.venue, "seats": s.venue.capacity, "n": enrolled},
                )
            )
    return found


def session_conflicts(*, session: Session, rules: SchedulingRules | None = None) -> list[Conflict]:
    """Every conflict of a (possibly unsaved) session, all at once. A fixed number of queries."""
    rules = rules or SchedulingRules.current()
    return _conflicts_of([session], course_id=session.course_id, rules=rules)[0]


def course_conflicts(
    *,
    course: Course,
    sessions: Sequence[Session] | None = None,
    rules: SchedulingRules | None = None,
) -> dict[int, list[Conflict]]:
    """Conflicts of every session of a course, keyed by session id; sessions without conflicts
    are left out. Pass the sessions already loaded (with venue and lecturer) to save a query."""
    rules = rules or SchedulingRules.current()
    if sessions is None:
        sessions = list(course.sessions.select_related("venue", "lecturer", "course", "topic"))
    found = _conflicts_of(sessions, course_id=course.pk, rules=rules)
    return {s.pk: conflicts for s, conflicts in zip(sessions, found, strict=True) if conflicts}


def _split(conflicts: Sequence[Conflict]) -> tuple[list[str], list[str]]:
    blocks = [c.message for c in conflicts if c.is_block]
    warnings = [c.message for c in conflicts if not c.is_block]
    return blocks, warnings


def _raise_blocks(conflicts: list[Conflict], *, confirm_warnings: bool) -> None:
    blocks, warnings = _split(conflicts)
    if blocks:
        raise ConflictError(blocks, conflicts=conflicts)
    if warnings and not confirm_warnings:
        raise ConflictError(warnings, conflicts=conflicts)


# ---------------------------------------------------------------------------------------------
# Courses

COURSE_FIELDS = (
    "code",
    "name",
    "programme",
    "organizer",
    "partner",
    "starts_on",
    "ends_on",
    "venue",
    "capacity",
    "status",
)


def _course_validate(course: Course, *, actor: Any) -> None:
    """Every rule at once, each error under its field."""
    errors: dict[str, list[str]] = {}
    try:
        course.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    path = scope_path(actor) if actor is not None else ALL
    if (
        course.organizer_id
        and path != ALL
        and (path is None or not course.organizer.path.startswith(path))
    ):
        errors.setdefault("organizer", []).append(
            _("You may only organize courses within your own organization.")
        )
    if course.starts_on and course.ends_on:
        if course.ends_on < course.starts_on:
            errors.setdefault("ends_on", []).append(_("The course cannot end before it starts."))
        elif course.pk:
            outside = course.sessions.exclude(
                date__gte=course.starts_on, date__lte=course.ends_on
            ).order_by("date")
            first = outside.first()
            if first is not None:
                errors.setdefault(
                    "starts_on" if first.date < course.starts_on else "ends_on", []
                ).append(
                    _("%(n)s session(s) would fall outside these dates (first: %(date)s).")
                    % {"n": outside.count(), "date": first.date.strftime("%d/%m/%Y")}
                )
    if course.capacity is not None and course.capacity < 1:
        errors.setdefault("capacity", []).append(_("A course needs at least one seat."))
    if errors:
        raise ValidationError(errors)


def _course_apply(course: Course, data: dict[str, Any]) -> None:
    for name in COURSE_FIELDS:
        if name in data:
            setattr(course, name, data[name])
    course.code = clean_text(course.code).upper()
    course.name = clean_text(course.name)
    course.partner = clean_text(course.partner)


@transaction.atomic
def course_create(*, data: dict[str, Any], actor: Any) -> Course:
    course = Course()
    _course_apply(course, data)
    _course_validate(course, actor=actor)
    course.save()
    audit_record(actor=actor, obj=course, action="create", summary=course.name)
    return course


@transaction.atomic
def course_update(*, course: Course, data: dict[str, Any], actor: Any) -> Course:
    before = Course.objects.get(pk=course.pk)
    _course_apply(course, data)
    _course_validate(course, actor=actor)
    changes = []
    for name in COURSE_FIELDS:
        old, new = getattr(before, name), getattr(course, name)
        if old != new:
            changes.append(
                {
                    "field": name,
                    "label": str(getattr(Course._meta.get_field(name), "verbose_name", name)),
                    "old": str(old) if old is not None else "",
                    "new": str(new) if new is not None else "",
                }
            )
    if changes:
        course.save()
        audit_record(actor=actor, obj=course, action="update", changes=changes)
    return course


# ---------------------------------------------------------------------------------------------
# Sessions


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
    *, session: Session, actor: Any, confirm_warnings: bool = False
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
    blocks, warnings = _split(conflicts)
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
def session_delete(*, session: Session, actor: Any) -> None:
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


@transaction.atomic
def course_generate_sessions(*, course: Course, actor: Any, replace: bool = False) -> list[Session]:
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
    already = set(active.values_list("person_id", flat=True))
    new_ids = set(person_ids) - already
    total = len(already) + len(new_ids)
    seats = min(
        [course.capacity] + ([course.venue.capacity] if course.venue_id and course.venue else [])
    )
    if new_ids and total > seats:
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
    reenrolled: int = 0

    @property
    def count(self) -> int:
        return len(self.enrolled) + self.reenrolled


def _outside_scope(actor: Any, people: Iterable[Person]) -> bool:
    """True when the actor may not see one of these people (an id posted by hand)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    path = scope_path(actor)
    if path == ALL:
        return False
    if path is None:
        return True
    ids = [p.pk for p in people]
    return Person.objects.filter(pk__in=ids).exclude(organization__path__startswith=path).exists()


@transaction.atomic
def enrolment_create_many(
    *,
    course: Course,
    people: list[Person],
    actor: Any,
    override_reason: str = "",
    confirm_warnings: bool = False,
) -> EnrolmentResult:
    """Enrol people, all or none. Eligibility warnings need a written reason (kept on the
    enrolments of the people it was given for); scheduling warnings need confirmation; blocks
    stop everything. Everything wrong is reported at once (ConflictError)."""
    if course.status in (Course.Status.FINISHED, Course.Status.CANCELLED):
        raise ValidationError(_("This course no longer takes learners."))
    if _outside_scope(actor, people):
        raise ValidationError(_("You may only enrol people of your own organization."))
    result = EnrolmentResult()
    existing = dict(
        Enrolment.objects.filter(course=course, person__in=people).values_list(
            "person_id", "status"
        )
    )
    fresh = [p for p in people if existing.get(p.pk) != Enrolment.Status.ENROLLED]
    result.already = [p for p in people if existing.get(p.pk) == Enrolment.Status.ENROLLED]
    warned: set[int] = set()
    for person in fresh:
        found = eligibility_warnings(programme=course.programme, person=person)
        if found:
            warned.add(person.pk)
            result.warnings.extend(found)
    override_reason = override_reason.strip()
    errors: dict[str, list[str]] = {}
    if result.warnings and not override_reason:
        errors["override_reason"] = [_("Give a reason to enrol them anyway.")]
    if fresh:
        result.conflicts = enrolment_conflicts(course=course, person_ids=[p.pk for p in fresh])
    blocks, warnings = _split(result.conflicts)
    if blocks or (warnings and not confirm_warnings):
        errors[NON_FIELD_ERRORS] = blocks or warnings
    if errors:
        raise ConflictError(errors, conflicts=result.conflicts, eligibility=result.warnings)
    if not fresh:
        return result
    enrolled_by = actor if getattr(actor, "pk", None) else None
    withdrawn = [p.pk for p in fresh if existing.get(p.pk) == Enrolment.Status.WITHDRAWN]
    if withdrawn:
        # Coming back after a withdrawal: the old row comes back, its attendance kept; the
        # withdrawal stays in the audit trail.
        for reason, ids in (
            (override_reason, [i for i in withdrawn if i in warned]),
            ("", [i for i in withdrawn if i not in warned]),
        ):
            if ids:
                result.reenrolled += Enrolment.objects.filter(
                    course=course, person_id__in=ids
                ).update(
                    status=Enrolment.Status.ENROLLED,
                    withdrawn_on=None,
                    withdrawal_reason="",
                    override_reason=reason,
                    enrolled_by=enrolled_by,
                )
    new = [
        Enrolment(
            course=course,
            person=p,
            enrolled_by=enrolled_by,
            override_reason=override_reason if p.pk in warned else "",
        )
        for p in fresh
        if p.pk not in withdrawn
    ]
    try:
        with transaction.atomic():
            result.enrolled = Enrolment.objects.bulk_create(new)
    except IntegrityError:
        raise ValidationError(_("Someone else enrolled some of these people just now.")) from None
    audit_record(
        actor=actor,
        obj=course,
        action="enrol",
        summary=_("Enrolled %(n)s learner(s)") % {"n": result.count}
        + (f" — {override_reason}" if warned else ""),
    )
    return result


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, reason: str, on: dt.date, actor: Any) -> Enrolment:
    reason = clean_text(reason)
    errors: dict[str, list[str]] = {}
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        raise ValidationError(_("This learner has already withdrawn."))
    if not reason:
        errors["reason"] = [_("Give the reason for the withdrawal.")]
    if on is None:
        errors["on"] = [_("Give the date of the withdrawal.")]
    if errors:
        raise ValidationError(errors)
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_on = on
    enrolment.withdrawal_reason = reason[:255]
    enrolment.save(update_fields=["status", "withdrawn_on", "withdrawal_reason"])
    audit_record(
        actor=actor,
        obj=enrolment,
        action="withdraw",
        summary=f"{on:%d/%m/%Y}: {reason}"[:500],
    )
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


# ---------------------------------------------------------------------------------------------
# Venues, holidays and scheduling rules

# The fields the venue and rules forms may set.
VENUE_FIELDS = ["name", "kind", "address", "capacity", "meeting_url", "equipment", "owner"]
RULES_FIELDS = [
    "checkin_opens_minutes",
    "checkin_closes_minutes",
    "roll_call_opens_days",
    "venue_double_booked",
    "lecturer_double_booked",
    "learner_double_booked",
    "capacity_exceeded",
    "lecturer_not_approved",
    "morning_start",
    "morning_end",
    "afternoon_start",
    "afternoon_end",
    "evening_start",
    "evening_end",
]
HALF_DAYS = [
    ("morning_start", "morning_end"),
    ("afternoon_start", "afternoon_end"),
    ("evening_start", "evening_end"),
]

_http_url = URLValidator(schemes=["http", "https"])


def venue_validate(venue: Venue) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not venue.name:
        add("name", _("Enter the venue's name."))
    if not venue.capacity or venue.capacity < 1:
        add("capacity", _("Enter the number of seats (at least 1)."))
    if venue.meeting_url:
        try:
            _http_url(venue.meeting_url)
        except ValidationError:
            add("meeting_url", _("Enter a full link, starting with https://"))
    elif venue.kind == Venue.Kind.ONLINE:
        add("meeting_url", _("An online room needs its meeting link."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def venue_save(*, venue: Venue | None, data: dict[str, Any], actor: Any) -> Venue:
    """Create (venue=None) or update a venue."""
    target = venue or Venue()
    for name, value in data.items():
        if name not in VENUE_FIELDS:
            raise ValueError(f"{name} is not an editable venue field")
        if name in ("name", "address", "meeting_url"):
            value = clean_text(value)
        if name == "equipment":
            value = (value or "").strip()
        setattr(target, name, value)
    venue_validate(target)
    target.full_clean()
    target.save()
    audit_record(
        actor=actor,
        obj=target,
        action="update" if venue else "create",
        summary=target.name,
    )
    return target


@transaction.atomic
def venue_set_active(*, venue: Venue, active: bool, actor: Any) -> Venue:
    venue.is_active = active
    venue.save(update_fields=["is_active"])
    audit_record(actor=actor, obj=venue, action="activate" if active else "deactivate")
    return venue


@transaction.atomic
def holiday_add(*, date: dt.date, name: str, actor: Any) -> Holiday:
    name = clean_text(name)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter the holiday's name.")]
    existing = Holiday.objects.filter(date=date).first()
    if existing:
        errors["date"] = [
            _("%(date)s is already a holiday: %(name)s.")
            % {"date": date.strftime("%d/%m/%Y"), "name": existing.name}
        ]
    if errors:
        raise ValidationError(errors)
    holiday = Holiday.objects.create(date=date, name=name)
    audit_record(actor=actor, obj=holiday, action="create", summary=str(holiday))
    return holiday


@transaction.atomic
def holiday_delete(*, holiday: Holiday, actor: Any) -> None:
    audit_record(actor=actor, obj=holiday, action="delete", summary=str(holiday))
    holiday.delete()


MAX_CHECKIN_MINUTES = 720
# A roll call opened weeks ahead would invite marks for a session that has not happened.
MAX_ROLL_CALL_DAYS = 7


@transaction.atomic
def rules_update(*, rules: SchedulingRules, data: dict[str, Any], actor: Any) -> SchedulingRules:
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        if name not in RULES_FIELDS:
            raise ValueError(f"{name} is not an editable rule")
        setattr(rules, name, value)
    for name in ("checkin_opens_minutes", "checkin_closes_minutes"):
        value = getattr(rules, name)
        if value is None or not 0 <= value <= MAX_CHECKIN_MINUTES:
            errors[name] = [
                _("Enter a number of minutes from 0 to %(max)s.") % {"max": MAX_CHECKIN_MINUTES}
            ]
    days = rules.roll_call_opens_days
    if days is None or not 0 <= days <= MAX_ROLL_CALL_DAYS:
        errors["roll_call_opens_days"] = [
            _("Enter a number of days from 0 to %(max)s.") % {"max": MAX_ROLL_CALL_DAYS}
        ]
    for start, end in HALF_DAYS:
        starts_at, ends_at = getattr(rules, start), getattr(rules, end)
        if starts_at is None or ends_at is None:
            for name in (start, end):
                if getattr(rules, name) is None:
                    errors[name] = [_("Enter a time as hh:mm, for example 07:30.")]
        elif ends_at <= starts_at:
            errors[end] = [
                _("The end must be after the start (%(start)s).")
                % {"start": starts_at.strftime("%H:%M")}
            ]
    if errors:
        raise ValidationError(errors)
    rules.full_clean()
    rules.save()
    audit_record(actor=actor, obj=rules, action="update", summary=_("Scheduling rules"))
    return rules
