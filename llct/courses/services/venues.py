"""Venues, public holidays and the scheduling rules the department edits."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from llct.core.models import User, audit_record
from llct.core.text import clean_text
from llct.courses.models import (
    Holiday,
    SchedulingRules,
    Venue,
)

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
def venue_save(*, venue: Venue | None, data: dict[str, Any], actor: User) -> Venue:
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
def venue_set_active(*, venue: Venue, active: bool, actor: User) -> Venue:
    venue.is_active = active
    venue.save(update_fields=["is_active"])
    audit_record(actor=actor, obj=venue, action="activate" if active else "deactivate")
    return venue


@transaction.atomic
def holiday_add(*, date: dt.date, name: str, actor: User) -> Holiday:
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
def holiday_delete(*, holiday: Holiday, actor: User) -> None:
    audit_record(actor=actor, obj=holiday, action="delete", summary=str(holiday))
    holiday.delete()


MAX_CHECKIN_MINUTES = 720
# A roll call opened weeks ahead would invite marks for a session that has not happened.
MAX_ROLL_CALL_DAYS = 7


@transaction.atomic
def rules_update(*, rules: SchedulingRules, data: dict[str, Any], actor: User) -> SchedulingRules:
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
    _check_half_days(rules, errors)
    if errors:
        raise ValidationError(errors)
    rules.full_clean()
    rules.save()
    audit_record(actor=actor, obj=rules, action="update", summary=_("Scheduling rules"))
    return rules


def _check_half_days(rules: SchedulingRules, errors: dict[str, list[str]]) -> None:
    """Each half day (morning, afternoon) has both times, the end after the start."""
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
