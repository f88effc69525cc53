"""Creating and editing courses: every rule checked at once, each change audited."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from llct.core.models import User, audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.text import clean_text
from llct.courses.models import (
    Course,
)

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


def _course_validate(course: Course, *, actor: User) -> None:
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
def course_create(*, data: dict[str, Any], actor: User) -> Course:
    course = Course()
    _course_apply(course, data)
    _course_validate(course, actor=actor)
    course.save()
    audit_record(actor=actor, obj=course, action="create", summary=course.name)
    return course


@transaction.atomic
def course_update(*, course: Course, data: dict[str, Any], actor: User) -> Course:
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


def course_save(*, course: Course | None, data: dict[str, Any], actor: User) -> Course:
    """Create (course=None) or update a course."""
    if course is None:
        return course_create(data=data, actor=actor)
    return course_update(course=course, data=data, actor=actor)
