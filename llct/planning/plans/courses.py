"""From plan to courses: an approved planned course becomes a course and its nominees enrol."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.models import User, audit_record
from llct.courses.models import Course
from llct.courses.selectors import working_days
from llct.courses.services.courses import course_create
from llct.courses.services.enrolment import eligibility_warnings, enrolment_create_many
from llct.planning.models import (
    AnnualPlan,
    Nomination,
    PlannedCourse,
)
from llct.planning.plans.budget import whole

Status = AnnualPlan.Status


def course_dates(planned: PlannedCourse, year: int) -> tuple[dt.date, dt.date]:
    """The first working day of the planned month, and the end after the planned days."""
    days = working_days(dt.date(year, planned.month, 1), int(whole(Decimal(planned.days)).max(1)))
    return days[0], days[-1]


def _course_code(planned: PlannedCourse, year: int) -> str:
    """The programme, the year and the next number of its classes that year ("DVM-2026-07": the
    year's seventh new-member class), whatever the row ids are."""
    prefix = f"{planned.programme.code[:24]}-{year}-".upper()
    number = Course.objects.filter(code__startswith=prefix).count() + 1
    code = f"{prefix}{number:02d}"
    while Course.objects.filter(code=code).exists():
        number += 1
        code = f"{prefix}{number:02d}"
    return code


@dataclass
class CourseFromPlan:
    course: Course
    created: bool
    enrolled: int = 0
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def planned_course_create_course(
    *,
    planned: PlannedCourse,
    actor: User,
    override_reason: str = "",
    confirm_warnings: bool = False,
) -> CourseFromPlan:
    """Turn an approved planned course into a course open for enrolment and enrol its nominees.

    Idempotent: the planned course keeps its course, and asking again returns it. All or
    nothing: when the enrolment is refused (eligibility warnings without a reason, scheduling
    conflicts per the course rules), no course is created and the ConflictError goes up."""
    if not has_capability(actor, Capability.EDIT_PLANS):
        raise PermissionDenied
    locked = (
        PlannedCourse.objects.select_for_update(of=("self",))
        .select_related("plan", "programme", "venue", "organizer", "course")
        .get(pk=planned.pk)
    )
    if locked.course is not None:
        return CourseFromPlan(locked.course, created=False)
    plan = locked.plan
    if plan.status != Status.APPROVED:
        raise ValidationError(_("Courses are created only from an approved plan."))
    people = []
    seen: set[int] = set()
    for nomination in locked.nominations.select_related("person").order_by("person__sort_key"):
        if nomination.person_id not in seen:
            seen.add(nomination.person_id)
            people.append(nomination.person)
    starts_on, ends_on = course_dates(locked, plan.year)
    course = course_create(
        data={
            "code": _course_code(locked, plan.year),
            "name": locked.name,
            "programme": locked.programme,
            "organizer": locked.organizer,
            "partner": "",
            "starts_on": starts_on,
            "ends_on": ends_on,
            "venue": locked.venue,
            # Every nominee gets a seat even if more were nominated than expected.
            "capacity": max(locked.expected_learners, len(people), 1),
            "status": Course.Status.OPEN,
        },
        actor=actor,
    )
    result = CourseFromPlan(course, created=True)
    if people:
        enrolled = enrolment_create_many(
            course=course,
            people=people,
            actor=actor,
            override_reason=override_reason,
            confirm_warnings=confirm_warnings,
        )
        result.enrolled = enrolled.count
        result.warnings = enrolled.warnings
    locked.course = course
    locked.save(update_fields=["course"])
    planned.course = course
    audit_record(
        actor=actor,
        obj=plan,
        action="course_create",
        summary=_("Course created from the plan: %(name)s (%(code)s)")
        % {"name": course.name, "code": course.code},
    )
    return result


def nominees(*, planned: PlannedCourse) -> list[Nomination]:
    return list(
        planned.nominations.select_related("person", "submission__organization").order_by(
            "person__sort_key", "id"
        )
    )


def nominee_warnings(*, planned: PlannedCourse, people: Iterable[Any]) -> list[str]:
    """The eligibility warnings the nominees would raise, to show before creating the course."""
    out: list[str] = []
    for person in people:
        out.extend(eligibility_warnings(programme=planned.programme, person=person))
    return out
