"""Reads for courses. Scope: department officers and leaders see every course; an organization
officer sees every course (a course is not personal data) but only the learners of their
subtree; a lecturer sees the courses they teach; a learner, the courses they are enrolled in."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from llct.core.models import Role
from llct.core.permissions import ALL, scope_path
from llct.courses.models import Attendance, Course, Enrolment, Session


def course_list(*, user: Any, year: int | None = None) -> QuerySet[Course]:
    qs = Course.objects.select_related("programme", "organizer", "venue")
    path = scope_path(user)
    if path is None:
        if user.role == Role.LECTURER:
            qs = qs.filter(sessions__lecturer__user=user).distinct()
        elif getattr(user, "person_id", None):
            qs = qs.filter(enrolments__person_id=user.person_id)
        else:
            return qs.none()
    if year:
        qs = qs.filter(starts_on__year=year)
    return qs


def course_get(*, user: Any, pk: int) -> Course:
    try:
        return course_list(user=user).get(pk=pk)
    except Course.DoesNotExist:
        raise Http404 from None


def can_manage_course(user: Any, course: Course) -> bool:
    """Department officers manage every course; an organization officer, the courses their
    subtree organizes."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role == Role.DEPARTMENT:
        return True
    path = scope_path(user)
    return (
        user.role == Role.ORG_OFFICER
        and path not in (None, ALL)
        and course.organizer.path.startswith(path)
    )


def enrolment_list(*, user: Any, course: Course) -> QuerySet[Enrolment]:
    """The learners of a course that this user may see, in Vietnamese name order."""
    qs = Enrolment.objects.filter(course=course).select_related("person", "person__organization")
    path = scope_path(user)
    if path is None:
        if getattr(user, "person_id", None) and user.role == Role.LEARNER:
            return qs.filter(person_id=user.person_id)
        if user.role == Role.LECTURER:
            return qs
        return qs.none()
    if path != ALL:
        qs = qs.filter(person__organization__path__startswith=path)
    return qs.order_by("person__sort_key", "id")


def attendance_rates(*, course: Course, today: dt.date) -> dict[int, tuple[int, int]]:
    """Per enrolment: (sessions present, sessions held so far). One query."""
    held = course.sessions.filter(date__lte=today).count()
    present = dict(
        Attendance.objects.filter(
            session__course=course, session__date__lte=today, status=Attendance.Status.PRESENT
        )
        .values("enrolment_id")
        .annotate(n=Count("id"))
        .values_list("enrolment_id", "n")
    )
    ids = Enrolment.objects.filter(course=course).values_list("id", flat=True)
    return {i: (present.get(i, 0), held) for i in ids}


def sessions_between(
    *,
    start: dt.date,
    end: dt.date,
    venue_id: int | None = None,
    lecturer_id: int | None = None,
    organization_path: str | None = None,
    person_id: int | None = None,
) -> QuerySet[Session]:
    """Sessions in [start, end] for a calendar of a venue, a lecturer, an organization (courses it
    organizes or its people attend) or a learner."""
    qs = Session.objects.filter(date__gte=start, date__lte=end).select_related(
        "course", "topic", "lecturer", "venue"
    )
    if venue_id:
        qs = qs.filter(venue_id=venue_id)
    if lecturer_id:
        qs = qs.filter(lecturer_id=lecturer_id)
    if organization_path:
        qs = qs.filter(
            Q(course__organizer__path__startswith=organization_path)
            | Q(
                course__enrolments__person__organization__path__startswith=organization_path,
                course__enrolments__status=Enrolment.Status.ENROLLED,
            )
        ).distinct()
    if person_id:
        qs = qs.filter(
            course__enrolments__person_id=person_id,
            course__enrolments__status=Enrolment.Status.ENROLLED,
        )
    return qs.order_by("date", "starts_at")
