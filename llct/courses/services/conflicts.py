"""Scheduling conflicts: a venue or a lecturer booked twice, learners with two sessions at
once, seats that run out, a lecturer not approved for the topic. Each has a severity from the
scheduling rules (block or warn); the session and enrolment services refuse on blocks."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from llct.courses.models import (
    Course,
    Enrolment,
    SchedulingRules,
    Session,
    Severity,
)
from llct.curriculum.models import Lecturer


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
        eligibility_groups: Sequence[Any] = (),
    ) -> None:
        super().__init__(message)
        self.conflicts = list(conflicts)
        self.eligibility = list(eligibility)
        # The same warnings grouped by reason (enrolment.WarningGroup), for the summary.
        self.eligibility_groups = list(eligibility_groups)

    @classmethod
    def of(cls, error: ValidationError) -> "ConflictError":
        """The error as a ConflictError: itself, or one without conflicts (a plain refusal)."""
        return error if isinstance(error, ConflictError) else cls(error.messages)

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


def overlapping_q(date: dt.date, starts_at: dt.time, ends_at: dt.time) -> Q:
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


_Clash = tuple[int, dt.time, dt.time, int, str, str, str]


def conflicts_of(
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
    candidates = _same_place(dates, venue_ids=venue_ids, lecturer_ids=lecturer_ids)
    approved = _approved_pairs([s for _i, s in checked])
    enrolled, clashes = _learner_clashes(course_id, dates, count=bool(venue_ids))
    for i, s in checked:
        out = found[i]
        out += _place_conflicts(s, candidates.get(s.date, []), rules)
        if s.lecturer_id and s.topic_id and (s.lecturer_id, s.topic_id) not in approved:
            out.append(
                Conflict(
                    "approval",
                    rules.lecturer_not_approved,
                    _("%(lecturer)s is not approved to teach this topic.")
                    % {"lecturer": s.lecturer},
                )
            )
        out += _learner_conflicts(s, clashes.get(s.date, []), rules)
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


def _same_place(
    dates: set[dt.date], *, venue_ids: set[int], lecturer_ids: set[int]
) -> dict[dt.date, list[Session]]:
    """Sessions of those days in one of the venues or with one of the lecturers, by day: a venue
    double-booked or a lecturer in two places, in any course, this one included."""
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
    return candidates


def _approved_pairs(sessions: list[Session]) -> set[tuple[int, int]]:
    """The (lecturer, topic) pairs among the sessions' that the lecturer is approved for."""
    pairs = {(s.lecturer_id, s.topic_id) for s in sessions if s.lecturer_id and s.topic_id}
    if not pairs:
        return set()
    return set(
        Lecturer.topics.through.objects.filter(
            lecturer_id__in={p[0] for p in pairs}, topic_id__in={p[1] for p in pairs}
        ).values_list("lecturer_id", "topic_id")
    )


def _learner_clashes(
    course_id: int | None, dates: set[dt.date], *, count: bool
) -> tuple[int, dict[dt.date, list[_Clash]]]:
    """The course's enrolled learners (counted when `count`), and by day the other courses'
    sessions that some of them attend."""
    enrolled = 0
    clashes: dict[dt.date, list[_Clash]] = {}
    if not course_id:
        return enrolled, clashes
    active = Enrolment.objects.filter(course_id=course_id, status=Enrolment.Status.ENROLLED)
    if count:
        enrolled = active.count()
    # Learners of this course who are also enrolled elsewhere, with the other course's
    # sessions on the same days. One query; the overlap is checked by the caller.
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
    return enrolled, clashes


def _place_conflicts(
    s: Session, candidates: list[Session], rules: SchedulingRules
) -> list[Conflict]:
    """The session's venue or lecturer already taken, that day, by an overlapping session."""
    out: list[Conflict] = []
    for other in candidates:
        if other.pk == s.pk or not overlaps(s.starts_at, s.ends_at, other.starts_at, other.ends_at):
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
                    _("%(venue)s is already booked %(start)s–%(end)s on %(date)s for %(course)s.")
                    % {"venue": s.venue, **facts},
                    _session_url(other.pk, other.course_id),
                )
            )
        if s.lecturer_id and other.lecturer_id == s.lecturer_id:
            out.append(
                Conflict(
                    "lecturer",
                    rules.lecturer_double_booked,
                    _("%(lecturer)s already teaches %(start)s–%(end)s on %(date)s in %(course)s.")
                    % {"lecturer": s.lecturer, **facts},
                    _session_url(other.pk, other.course_id),
                )
            )
    return out


def _learner_conflicts(s: Session, clashes: list[_Clash], rules: SchedulingRules) -> list[Conflict]:
    """One conflict per other course's session that overlaps and that learners also attend."""
    by_session: dict[tuple[int, int, str], list[tuple[str, str]]] = {}
    for sid, starts_at, ends_at, other_course, name, person, key in clashes:
        if overlaps(s.starts_at, s.ends_at, starts_at, ends_at):
            by_session.setdefault((sid, other_course, name), []).append((key, person))
    out: list[Conflict] = []
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
    return out


def session_conflicts(*, session: Session, rules: SchedulingRules | None = None) -> list[Conflict]:
    """Every conflict of a (possibly unsaved) session, all at once. A fixed number of queries."""
    rules = rules or SchedulingRules.current()
    return conflicts_of([session], course_id=session.course_id, rules=rules)[0]


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
    found = conflicts_of(sessions, course_id=course.pk, rules=rules)
    return {s.pk: conflicts for s, conflicts in zip(sessions, found, strict=True) if conflicts}


def split_conflicts(conflicts: Sequence[Conflict]) -> tuple[list[str], list[str]]:
    blocks = [c.message for c in conflicts if c.is_block]
    warnings = [c.message for c in conflicts if not c.is_block]
    return blocks, warnings
