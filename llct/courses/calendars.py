"""Calendars: the week or month grid of sessions, whose calendar a user may see (a venue, a
lecturer, an organization, their own), and the choices of the calendar page."""

import calendar as pycalendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from llct.core.models import Role, User
from llct.core.permissions import ALL, scope_path
from llct.courses.attendance import is_staff, may_take_attendance
from llct.courses.models import (
    Course,
    Enrolment,
    Session,
    Venue,
)
from llct.courses.selectors import (
    sessions_between,
)
from llct.curriculum.models import Lecturer
from llct.organizations.models import Organization

WEEK = "week"
MONTH = "month"
WEEKDAY_NAMES = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")
CALENDAR_FIRST, CALENDAR_LAST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def parse_calendar_date(value: str | None, *, default: dt.date) -> dt.date:
    """dd/mm/yyyy or ISO; anything else falls back to `default` (a mistyped link still shows a
    calendar)."""
    text = (value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            found = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        # A month's grid and its previous/next links step outside the date range near year 1
        # and year 9999: such an address shows the default calendar.
        return found if CALENDAR_FIRST <= found <= CALENDAR_LAST else default
    return default


def calendar_range(view: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """The days shown: the Monday-to-Sunday week of `anchor`, or whole weeks (Monday first)
    covering its month."""
    if view == MONTH:
        first = anchor.replace(day=1)
        last = anchor.replace(day=pycalendar.monthrange(anchor.year, anchor.month)[1])
        return first - dt.timedelta(days=first.weekday()), last + dt.timedelta(
            days=6 - last.weekday()
        )
    monday = anchor - dt.timedelta(days=anchor.weekday())
    return monday, monday + dt.timedelta(days=6)


def calendar_step(view: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """(previous, next) anchors."""
    if view == MONTH:
        first = anchor.replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return previous, following
    return anchor - dt.timedelta(days=7), anchor + dt.timedelta(days=7)


@dataclass(frozen=True)
class CalendarEntry:
    session: Session
    can_take_attendance: bool


@dataclass
class CalendarDay:
    date: dt.date
    weekday: str
    in_month: bool
    is_today: bool
    entries: list[CalendarEntry] = field(default_factory=list)


@dataclass
class CalendarGrid:
    view: str
    anchor: dt.date
    start: dt.date
    end: dt.date
    weeks: list[list[CalendarDay]]
    previous: dt.date
    next: dt.date
    count: int

    @property
    def days(self) -> list[CalendarDay]:
        return [day for week in self.weeks for day in week]

    @property
    def weekday_names(self) -> list[str]:
        return [str(name) for name in WEEKDAY_NAMES]


def calendar_build(
    *, view: str, anchor: dt.date, sessions: Iterable[Session], today: dt.date, user: User
) -> CalendarGrid:
    start, end = calendar_range(view, anchor)
    by_day: dict[dt.date, list[CalendarEntry]] = {}
    count = 0
    for session in sessions:
        by_day.setdefault(session.date, []).append(
            CalendarEntry(session, may_take_attendance(user, session))
        )
        count += 1
    days = []
    day = start
    while day <= end:
        days.append(
            CalendarDay(
                date=day,
                weekday=str(WEEKDAY_NAMES[day.weekday()]),
                in_month=view != MONTH or day.month == anchor.month,
                is_today=day == today,
                entries=by_day.get(day, []),
            )
        )
        day += dt.timedelta(days=1)
    previous, following = calendar_step(view, anchor)
    return CalendarGrid(
        view=view,
        anchor=anchor,
        start=start,
        end=end,
        weeks=[days[i : i + 7] for i in range(0, len(days), 7)],
        previous=previous,
        next=following,
        count=count,
    )


@dataclass(frozen=True)
class CalendarScope:
    """Whose calendar: the query parameter that names it and a title."""

    kind: str  # venue | lecturer | organization | learner | mine | all
    title: str
    param: tuple[str, str] | None
    venue_id: int | None = None
    lecturer_id: int | None = None
    organization_path: str | None = None
    person_id: int | None = None
    user: User | None = None

    def sessions(self, start: dt.date, end: dt.date) -> QuerySet[Session]:
        if self.user is not None:  # "mine": only that scope names a user
            qs = own_sessions(user=self.user, start=start, end=end)
        else:
            qs = sessions_between(
                start=start,
                end=end,
                venue_id=self.venue_id,
                lecturer_id=self.lecturer_id,
                organization_path=self.organization_path,
                person_id=self.person_id,
            )
        # The organizer serves the "take attendance" link (can_manage_course).
        return qs.exclude(course__status=Course.Status.CANCELLED).select_related(
            "course__organizer"
        )


def _int_param(value: str) -> int:
    if not value.isdigit():
        raise Http404
    return int(value)


def calendar_scope(*, user: User, params: Mapping[str, str]) -> CalendarScope:
    """Whose sessions a calendar shows. Venue and lecturer calendars: any staff user.
    Organization calendars: only within the user's scope (404 otherwise). Learners see only
    their own (learner=me). Without a parameter: a learner their own, a lecturer their own
    teaching, an organization officer their organization, the department everything."""
    asked = {
        "venue": _venue_asked,
        "lecturer": _lecturer_asked,
        "organization": _organization_asked,
        "learner": _learner_asked,
    }
    for name, scope_of in asked.items():
        if params.get(name):
            return scope_of(user, params[name])
    return _default_scope(user)


def _venue_asked(user: User, value: str) -> CalendarScope:
    require_staff(user)
    venue = Venue.objects.filter(pk=_int_param(value)).first()
    if venue is None:
        raise Http404
    return CalendarScope(
        "venue",
        _("Calendar of %(venue)s") % {"venue": venue.name},
        ("venue", str(venue.pk)),
        venue_id=venue.pk,
    )


def _lecturer_asked(user: User, value: str) -> CalendarScope:
    require_staff(user)
    lecturer = Lecturer.objects.filter(pk=_int_param(value)).first()
    if lecturer is None:
        raise Http404
    return _lecturer_scope(lecturer)


def _organization_asked(user: User, value: str) -> CalendarScope:
    path = scope_path(user)
    organization = Organization.objects.filter(pk=_int_param(value)).first()
    if (
        organization is None
        or path is None
        or (path != ALL and not organization.path.startswith(path))
    ):
        raise Http404
    return _organization_scope(organization)


def _learner_asked(user: User, value: str) -> CalendarScope:
    if value != "me" or not getattr(user, "person_id", None):
        raise Http404
    return _learner_scope(user)


def _default_scope(user: User) -> CalendarScope:
    if user.role == Role.LEARNER and user.person_id:
        return _learner_scope(user)
    lecturer = Lecturer.objects.filter(user=user).first() if user.role == Role.LECTURER else None
    if lecturer is not None:
        return _lecturer_scope(lecturer)
    path = scope_path(user)
    if path == ALL:
        return CalendarScope("all", _("All sessions"), None)
    if path is not None and user.organization is not None:
        return _organization_scope(user.organization)
    if getattr(user, "person_id", None):
        return _learner_scope(user)
    raise PermissionDenied


def require_staff(user: User) -> None:
    if not is_staff(user):
        raise PermissionDenied


def _lecturer_scope(lecturer: Lecturer) -> CalendarScope:
    return CalendarScope(
        "lecturer",
        _("Teaching calendar of %(name)s") % {"name": lecturer.full_name},
        ("lecturer", str(lecturer.pk)),
        lecturer_id=lecturer.pk,
    )


def _organization_scope(organization: Organization) -> CalendarScope:
    return CalendarScope(
        "organization",
        _("Calendar of %(organization)s") % {"organization": organization.name},
        ("organization", str(organization.pk)),
        organization_path=organization.path,
    )


def _learner_scope(user: User) -> CalendarScope:
    return CalendarScope(
        "learner", _("My study calendar"), ("learner", "me"), person_id=user.person_id
    )


def own_sessions(*, user: User, start: dt.date, end: dt.date) -> QuerySet[Session]:
    """The sessions a user teaches or attends (enrolled) in [start, end]."""
    who = Q(lecturer__user_id=user.pk)
    if user.person_id:
        enrolled = Enrolment.objects.filter(
            person_id=user.person_id, status=Enrolment.Status.ENROLLED
        ).values("course_id")
        who |= Q(course_id__in=enrolled)
    return (
        Session.objects.filter(who, date__gte=start, date__lte=end)
        .select_related("course", "topic", "lecturer", "venue")
        .order_by("date", "starts_at")
    )


def calendar_filter_choices(*, user: User) -> dict[str, Any]:
    """What a staff user may pick on the calendar page. Organizations stop two levels below
    the user's own, so the list stays short in a province of thousands of cells."""
    if not is_staff(user):
        return {}
    path = scope_path(user)
    organizations: Any = []
    if path is not None:
        depth = user.organization.depth if path != ALL and user.organization is not None else 0
        organizations = Organization.objects.filter(
            dissolved_on__isnull=True, depth__lte=depth + 2
        ).order_by("path")
        if path != ALL:
            organizations = organizations.filter(path__startswith=path)
    return {
        "venues": Venue.objects.filter(is_active=True).only("pk", "name"),
        "lecturers": Lecturer.objects.filter(is_active=True).only("pk", "full_name"),
        "organizations": organizations,
    }


def calendar_links(scope: CalendarScope, grid: CalendarGrid, today: dt.date) -> dict[str, str]:
    """The previous, next, today, week and month links of a calendar: real hrefs that keep the
    scope's parameter."""
    base = [scope.param] if scope.param else []

    def link(**params: str) -> str:
        query = {"view": grid.view, "date": grid.anchor.isoformat(), **params}
        return "?" + urlencode([*base, *query.items()])

    return {
        "previous_url": link(date=grid.previous.isoformat()),
        "next_url": link(date=grid.next.isoformat()),
        "today_url": link(date=today.isoformat()),
        "week_url": link(view=WEEK),
        "month_url": link(view=MONTH),
    }
