"""Enrolment: eligibility warnings, scheduling conflicts of new learners, enrolling many at
once (all or none) and withdrawing."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from llct.core.models import User, audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.text import clean_text
from llct.courses.models import (
    Course,
    Enrolment,
    SchedulingRules,
    Session,
)
from llct.courses.services.conflicts import Conflict, ConflictError, overlapping_q, split_conflicts
from llct.curriculum.models import Programme
from llct.organizations.models import MembershipStage, Person, TheoryLevel


@dataclass(frozen=True)
class Ineligibility:
    """One reason a person should not normally attend: `reason` is the same for everyone it
    applies to (so a page can group them), `message` names the person."""

    reason: str
    message: str


def ineligibilities(*, programme: Programme, person: Person) -> list[Ineligibility]:
    """Why a person should not normally attend (DOMAIN.md): wrong membership stage, or a theory
    level below the programme's minimum (trung cấp needs sơ cấp)."""
    found = []
    if programme.eligible_stages and person.stage not in programme.eligible_stages:
        facts = {
            "name": person.full_name,
            "stage": str(MembershipStage(person.stage).label).lower(),
            "stages": ", ".join(programme.stage_labels()).lower(),
        }
        found.append(
            Ineligibility(
                _("Membership stage: %(stage)s; this programme is for: %(stages)s.") % facts,
                _("%(name)s is %(stage)s; this programme is for: %(stages)s.") % facts,
            )
        )
    if person.theory_level < programme.min_theory_level:
        facts = {
            "name": person.full_name,
            "level": str(TheoryLevel(person.theory_level).label),
            "min": str(TheoryLevel(programme.min_theory_level).label),
        }
        found.append(
            Ineligibility(
                _("Theory level %(level)s; this programme needs at least %(min)s.") % facts,
                _("%(name)s has theory level %(level)s; this programme needs at least %(min)s.")
                % facts,
            )
        )
    return found


def eligibility_warnings(*, programme: Programme, person: Person) -> list[str]:
    return [i.message for i in ineligibilities(programme=programme, person=person)]


@dataclass(frozen=True)
class WarningGroup:
    """The people one eligibility reason applies to, for a summary that stays readable when a
    whole organization of hundreds is enrolled."""

    reason: str
    names: list[str]

    @property
    def count(self) -> int:
        return len(self.names)


def warning_groups(found: Iterable[tuple[Person, Ineligibility]]) -> list[WarningGroup]:
    """Grouped by reason, the largest group first, names in the order given."""
    by_reason: dict[str, list[str]] = {}
    for person, ineligibility in found:
        by_reason.setdefault(ineligibility.reason, []).append(person.full_name)
    groups = [WarningGroup(reason, names) for reason, names in by_reason.items()]
    return sorted(groups, key=lambda g: -g.count)


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
                window |= overlapping_q(date, starts_at, ends_at)
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
    groups: list[WarningGroup] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    reenrolled: int = 0

    @property
    def count(self) -> int:
        return len(self.enrolled) + self.reenrolled


def _outside_scope(actor: User, people: Iterable[Person]) -> bool:
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


def _check_eligibility(course: Course, people: list[Person], result: EnrolmentResult) -> set[int]:
    """Put the eligibility warnings on `result`; the ids of the people warned about."""
    warned: set[int] = set()
    problems: list[tuple[Person, Ineligibility]] = []
    for person in people:
        found = ineligibilities(programme=course.programme, person=person)
        if found:
            warned.add(person.pk)
            result.warnings.extend(i.message for i in found)
            problems.extend((person, i) for i in found)
    result.groups = warning_groups(problems)
    return warned


def _reenrol(
    course: Course,
    withdrawn: list[int],
    warned: set[int],
    override_reason: str,
    enrolled_by: User | None,
) -> int:
    """Coming back after a withdrawal: the old row comes back, its attendance kept; the
    withdrawal stays in the audit trail. The override reason only for those warned about."""
    reenrolled = 0
    for reason, ids in (
        (override_reason, [i for i in withdrawn if i in warned]),
        ("", [i for i in withdrawn if i not in warned]),
    ):
        if ids:
            reenrolled += Enrolment.objects.filter(course=course, person_id__in=ids).update(
                status=Enrolment.Status.ENROLLED,
                withdrawn_on=None,
                withdrawal_reason="",
                override_reason=reason,
                enrolled_by=enrolled_by,
            )
    return reenrolled


@transaction.atomic
def enrolment_create_many(
    *,
    course: Course,
    people: list[Person],
    actor: User,
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
    warned = _check_eligibility(course, fresh, result)
    override_reason = override_reason.strip()
    errors: dict[str, list[str]] = {}
    if result.warnings and not override_reason:
        errors["override_reason"] = [_("Give a reason to enrol them anyway.")]
    if fresh:
        result.conflicts = enrolment_conflicts(course=course, person_ids=[p.pk for p in fresh])
    blocks, warnings = split_conflicts(result.conflicts)
    if blocks or (warnings and not confirm_warnings):
        errors[NON_FIELD_ERRORS] = blocks or warnings
    if errors:
        raise ConflictError(
            errors,
            conflicts=result.conflicts,
            eligibility=result.warnings,
            eligibility_groups=result.groups,
        )
    if not fresh:
        return result
    enrolled_by = actor if getattr(actor, "pk", None) else None
    withdrawn = [p.pk for p in fresh if existing.get(p.pk) == Enrolment.Status.WITHDRAWN]
    if withdrawn:
        result.reenrolled = _reenrol(course, withdrawn, warned, override_reason, enrolled_by)
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
def enrolment_withdraw(*, enrolment: Enrolment, reason: str, on: dt.date, actor: User) -> Enrolment:
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
