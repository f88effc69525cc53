"""Writes for the lecturer corps: every one keyword-only, validated, in one transaction."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.corps.models import (
    Appointment,
    LecturerStandards,
    Observation,
    WorkEntry,
)
from llct.courses.models import Course, Session
from llct.curriculum.models import Lecturer

# The renewal is due this long before a term ends (our default), so the decision is ready in time.
RENEWAL_NOTICE = dt.timedelta(days=60)


def _require_department(actor: Any) -> None:
    if not has_capability(actor, Capability.EDIT_LECTURER_REGISTER):
        raise PermissionDenied


def appointment_create(
    *,
    lecturer: Lecturer,
    number: str,
    signed_on: dt.date,
    issuer: str,
    term_starts: dt.date,
    term_ends: dt.date,
    renewal_due: dt.date | None = None,
    actor: Any,
) -> Appointment:
    _require_department(actor)
    appointment = Appointment(
        lecturer=lecturer,
        number=number.strip(),
        signed_on=signed_on,
        issuer=issuer.strip(),
        term_starts=term_starts,
        term_ends=term_ends,
        renewal_due=renewal_due or term_ends - RENEWAL_NOTICE,
    )
    with transaction.atomic():
        appointment.full_clean()
        appointment.save()
    return appointment


def standards_set(
    *,
    lecturer: Lecturer,
    post: str,
    theory_level: int,
    degree: str = "",
    lecturer_training: str = "",
    lecturer_training_year: int | None = None,
    actor: Any,
) -> LecturerStandards:
    _require_department(actor)
    with transaction.atomic():
        standards, _created = LecturerStandards.objects.select_for_update().get_or_create(
            lecturer=lecturer, defaults={"post": post}
        )
        standards.post = post
        standards.theory_level = theory_level
        standards.degree = degree.strip()
        standards.lecturer_training = lecturer_training.strip()
        standards.lecturer_training_year = lecturer_training_year
        standards.full_clean()
        standards.save()
    return standards


def work_record(
    *,
    lecturer: Lecturer,
    kind: str,
    quantity: int,
    date: dt.date,
    course: Course | None = None,
    note: str = "",
    actor: Any,
) -> WorkEntry:
    _require_department(actor)
    entry = WorkEntry(
        lecturer=lecturer,
        kind=kind,
        quantity=quantity,
        date=date,
        course=course,
        note=note.strip(),
        recorded_by=actor,
    )
    with transaction.atomic():
        entry.full_clean()
        entry.save()
    return entry


def observation_record(
    *,
    session: Session,
    observer: str,
    content: int,
    method: int,
    time: int,
    response: int,
    note: str = "",
    actor: Any,
) -> Observation:
    _require_department(actor)
    if session.lecturer_id is None:
        raise ValidationError(_("This session has no lecturer to observe."))
    observation = Observation(
        session=session,
        lecturer_id=session.lecturer_id,
        observer=observer.strip(),
        content=content,
        method=method,
        time=time,
        response=response,
        note=note.strip(),
        recorded_by=actor,
    )
    with transaction.atomic():
        observation.full_clean()
        observation.save()
    return observation


def settings_save(*, forms: "list[Any]", actor: Any) -> None:
    """Save validated setting forms or formsets (norms, minimums, the follow-up form) at once."""
    _require_department(actor)
    with transaction.atomic():
        for form in forms:
            form.save()
