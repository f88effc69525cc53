"""Reads for courses. Scope: department officers and leaders see every course; an organization
officer sees every course (a course is not personal data) but only the learners of their
subtree; a lecturer sees the courses they teach; a learner, the courses they are enrolled in."""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.urls import reverse

from llct.core.capabilities import Capability, has_capability
from llct.core.models import Role, User
from llct.core.permissions import ALL, scope_path
from llct.core.text import fold
from llct.courses.models import Attendance, Course, Enrolment, Holiday, Session, Venue
from llct.curriculum.models import Programme
from llct.organizations.models import MembershipStage, Organization, Person
from llct.organizations.selectors import PersonFilter, person_list

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations  # a development dependency


def course_list(
    *,
    user: User,
    year: int | None = None,
    programme_id: int | None = None,
    status: str = "",
    q: str = "",
) -> QuerySet[Course]:
    """The courses this user may see, filtered. `q` matches the code or the name, ignoring case
    and diacritics ("so cap" finds "Sơ cấp")."""
    qs = Course.objects.select_related("programme", "organizer", "venue")
    path = scope_path(user)
    if path is None:
        if user.role == Role.LECTURER:
            qs = qs.filter(sessions__lecturer__user=user).distinct()
        elif user.person_id:
            qs = qs.filter(enrolments__person_id=user.person_id)
        else:
            return qs.none()
    if year:
        qs = qs.filter(starts_on__year=year)
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if status:
        qs = qs.filter(status=status)
    words = fold(q).split()
    if words:
        # Course has no folded search column; the courses of a province number in the
        # thousands at most, so their codes and names are folded here (one small query).
        matching = [
            pk
            for pk, code, name in qs.values_list("pk", "code", "name")
            if all(w in fold(f"{code} {name}") for w in words)
        ]
        qs = qs.filter(pk__in=matching)
    return qs


class LearnerCount(TypedDict):
    learner_count: int | None  # None: nobody enrolled


def with_learner_counts(qs: QuerySet[Course]) -> "QuerySet[WithAnnotations[Course, LearnerCount]]":
    """Each course with `learner_count`, the learners currently enrolled (a subquery, so the
    joins of the scope filter cannot multiply it)."""
    enrolled = (
        Enrolment.objects.filter(course=OuterRef("pk"), status=Enrolment.Status.ENROLLED)
        .order_by()
        .values("course")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(learner_count=Subquery(enrolled, output_field=IntegerField()))


def course_years(*, user: User) -> list[int]:
    """The years in which the courses this user may see start, newest first."""
    years = (
        course_list(user=user)
        .order_by()
        .annotate(y=ExtractYear("starts_on"))
        .values_list("y", flat=True)
        .distinct()
    )
    return sorted(set(years), reverse=True)


def course_get(*, user: User, pk: int) -> Course:
    try:
        return course_list(user=user).get(pk=pk)
    except Course.DoesNotExist:
        raise Http404 from None


def can_create_course(user: User) -> bool:
    """Department officers, and organization officers for their own subtree."""
    return has_capability(user, Capability.MANAGE_COURSES) and scope_path(user) is not None


def can_manage_course(user: User, course: Course) -> bool:
    """Department officers manage every course; an organization officer, the courses their
    subtree organizes."""
    if not has_capability(user, Capability.MANAGE_COURSES):
        return False
    path = scope_path(user)
    return path is not None and (path == ALL or course.organizer.path.startswith(path))


def can_enrol(user: User, course: Course) -> bool:
    """Whoever manages the course enrols learners; while it is open for enrolment, any
    organization officer may also enrol people of their subtree (the scope of person_list)."""
    if course.status in (Course.Status.FINISHED, Course.Status.CANCELLED):
        return False
    if can_manage_course(user, course):
        return True
    return bool(
        has_capability(user, Capability.ENROL_LEARNERS)
        and scope_path(user) is not None
        and course.status == Course.Status.OPEN
    )


def can_withdraw(user: User, course: Course) -> bool:
    """Withdrawals are recorded by the course's managers and, for their own people, by the
    officers who may enrol them (enrolment_list limits whom they see)."""
    if can_manage_course(user, course):
        return True
    return bool(
        has_capability(user, Capability.ENROL_LEARNERS)
        and scope_path(user) is not None
        and course.status in (Course.Status.OPEN, Course.Status.IN_PROGRESS)
    )


def course_sessions(*, course: Course) -> QuerySet[Session]:
    """The sessions of a course in order, with what the sessions table shows."""
    return course.sessions.select_related("topic", "lecturer", "venue", "lesson_plan").order_by(
        "date", "starts_at", "pk"
    )


def enrolment_list(*, user: User, course: Course) -> QuerySet[Enrolment]:
    """The learners of a course that this user may see, in Vietnamese name order."""
    qs = Enrolment.objects.filter(course=course).select_related("person", "person__organization")
    path = scope_path(user)
    qs = qs.order_by("person__sort_key", "id")
    if path is None:
        if user.person_id and user.role == Role.LEARNER:
            return qs.filter(person_id=user.person_id)
        if user.role == Role.LECTURER:
            return qs
        return qs.none()
    if path != ALL:
        qs = qs.filter(person__organization__path__startswith=path)
    return qs


def enrolment_get(*, user: User, pk: int) -> Enrolment:
    """An enrolment whose course and learner the user may see, with its course; 404 otherwise."""
    enrolment = Enrolment.objects.filter(pk=pk).only("course_id").first()
    if enrolment is None:
        raise Http404
    course = course_get(user=user, pk=enrolment.course_id)
    found = enrolment_list(user=user, course=course).filter(pk=pk).first()
    if found is None:
        raise Http404
    found.course = course
    return found


def attendance_rates(*, course: Course, today: dt.date) -> dict[int, tuple[int, int]]:
    """Per enrolment: (sessions present, sessions held so far). Three queries, whatever the
    number of learners."""
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


# ---------------------------------------------------------------------------------------------
# Venues: who may manage them


def can_create_venue(user: User) -> bool:
    return has_capability(user, Capability.MANAGE_VENUES) and scope_path(user) is not None


def can_manage_venue(user: User, venue: Venue) -> bool:
    if not has_capability(user, Capability.MANAGE_VENUES):
        return False
    path = scope_path(user)
    if path == ALL:
        return True
    return path is not None and venue.owner is not None and venue.owner.path.startswith(path)


# ---------------------------------------------------------------------------------------------
# Venues: reads


def venue_list(*, q: str = "", include_inactive: bool = False, today: dt.date) -> list[Venue]:
    """Venues with their owner and the number of sessions booked from today. One query; the
    search ignores diacritics (venues number in the tens or hundreds)."""
    qs = Venue.objects.select_related("owner").annotate(
        upcoming=Count("sessions", filter=Q(sessions__date__gte=today))
    )
    if not include_inactive:
        qs = qs.filter(is_active=True)
    words = fold(q).split()
    return [v for v in qs if all(w in fold(f"{v.name} {v.address}") for w in words)]


def venue_get(*, pk: int) -> Venue:
    try:
        return Venue.objects.select_related("owner").get(pk=pk)
    except Venue.DoesNotExist:
        raise Http404 from None


def venue_bookings(*, venue: Venue, today: dt.date, limit: int = 100) -> QuerySet[Session]:
    """The venue's sessions from today on, soonest first."""
    return (
        Session.objects.filter(venue=venue, date__gte=today)
        .select_related("course", "topic", "lecturer")
        .order_by("date", "starts_at")[:limit]
    )


# ---------------------------------------------------------------------------------------------
# Working days


def holidays_between(start: dt.date, end: dt.date) -> set[dt.date]:
    return set(
        Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True)
    )


def working_days(
    start: dt.date, count: int, *, holidays: Collection[dt.date] | None = None
) -> list[dt.date]:
    """`count` working days from start (start itself when it is one): no weekends, no public
    holidays. The holidays are read from the calendar unless given (a caller working out many
    dates reads them once)."""
    if holidays is None:
        holidays = holidays_between(start, start + dt.timedelta(days=count * 3 + 30))
    days: list[dt.date] = []
    day = start
    while len(days) < max(count, 1):
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# ---------------------------------------------------------------------------------------------
# The course page and the enrolment picker


@dataclass(frozen=True)
class LearnerRow:
    enrolment: Enrolment
    present: int
    held: int
    withdraw_url: str

    @property
    def rate(self) -> int | None:
        return round(100 * self.present / self.held) if self.held else None


def course_learners(*, user: User, course: Course, today: dt.date) -> list[LearnerRow]:
    """The learners of the course page, each with their attendance so far. Four queries."""
    rates = attendance_rates(course=course, today=today)
    withdraw_url = reverse("courses:withdraw", args=[0]).replace("/0/", "/%s/")
    return [
        LearnerRow(e, *rates.get(e.pk, (0, 0)), withdraw_url % e.pk)
        for e in enrolment_list(user=user, course=course)
    ]


def enrollable_people(*, user: User, filters: PersonFilter | None = None) -> QuerySet[Person]:
    """The people the user may enrol: the rolls of their scope without those who have left the
    Party or moved their membership away (stage "left")."""
    return person_list(user=user, filters=filters).exclude(stage=MembershipStage.LEFT)


def organization_learners(
    *, user: User, organization: Organization, programme: Programme, eligible: bool
) -> list[Person]:
    """Everyone enrollable in the organization's subtree; with `eligible`, only the people the
    programme is for (no eligibility warning to explain)."""
    people = enrollable_people(
        user=user, filters=PersonFilter(organization=organization, subtree=True)
    )
    if eligible:
        if programme.eligible_stages:
            people = people.filter(stage__in=programme.eligible_stages)
        people = people.filter(theory_level__gte=programme.min_theory_level)
    return list(people)


def enrolment_statuses(*, course: Course, people: Collection[Person]) -> dict[int, str]:
    """Person id -> their enrolment status in the course, for the people on a picker page."""
    return dict(
        Enrolment.objects.filter(course=course, person__in=people).values_list(
            "person_id", "status"
        )
    )
