"""Reads for the lecturer corps, and who may read them.

The register carries decisions, standards and evaluations: the department and leaders read all
of it, a lecturer reads their own record, nobody else reads any (404).
"""

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from llct.core.capabilities import Capability, has_capability
from llct.core.text import name_sort_key
from llct.corps.models import Appointment, Observation, WorkEntry
from llct.courses.models import Session
from llct.curriculum.models import Lecturer, Topic


def can_read_register(user: Any) -> bool:
    return has_capability(user, Capability.READ_LECTURER_REGISTER)


def can_edit_register(user: Any) -> bool:
    return has_capability(user, Capability.EDIT_LECTURER_REGISTER)


def register(*, user: Any, include_inactive: bool = False) -> list[Lecturer]:
    """Every lecturer with standards, appointments and approved topics: four queries."""
    if not can_read_register(user):
        raise Http404
    qs = Lecturer.objects.select_related("standards").prefetch_related(
        Prefetch("appointments", queryset=Appointment.objects.order_by("-term_starts", "-pk")),
        Prefetch("topics", queryset=Topic.objects.select_related("programme")),
    )
    if not include_inactive:
        qs = qs.filter(is_active=True)
    lecturers = list(qs)
    lecturers.sort(key=lambda lecturer: (name_sort_key(lecturer.full_name), lecturer.pk))
    return lecturers


def lecturer_get(*, user: Any, pk: int) -> Lecturer:
    """One lecturer's register record: for the department and leaders, or the lecturer."""
    try:
        lecturer = Lecturer.objects.select_related("standards").get(pk=pk)
    except Lecturer.DoesNotExist:
        raise Http404 from None
    if can_read_register(user) or (user.is_authenticated and lecturer.user_id == user.pk):
        return lecturer
    raise Http404


def appointments(*, lecturer: Lecturer) -> QuerySet[Appointment]:
    return lecturer.appointments.all()


def work_entries(*, lecturer: Lecturer, year: int) -> QuerySet[WorkEntry]:
    return lecturer.work_entries.filter(date__year=year).select_related("course")


def observations(*, lecturer: Lecturer) -> QuerySet[Observation]:
    return lecturer.observations.select_related("session__course", "session__topic")


def observable_sessions(*, lecturer: Lecturer, today: dt.date) -> QuerySet[Session]:
    """The sessions of the lecturer that took place (up to today), latest first."""
    return (
        Session.objects.filter(lecturer=lecturer, date__lte=today)
        .select_related("course", "topic")
        .order_by("-date", "-starts_at")
    )


def renewals_due(*, user: Any, today: dt.date) -> list[Appointment]:
    """The current appointments whose renewal is due (today is on or after the due date)."""
    if not can_read_register(user):
        raise Http404
    return list(
        Appointment.objects.filter(renewal_due__lte=today, term_ends__gte=today).select_related(
            "lecturer"
        )
    )
