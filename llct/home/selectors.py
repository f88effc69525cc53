"""What each role's home page shows. Every card asks the capabilities table whether the user
may open the page it links to, so the home page shows no link that answers 403."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from llct.assessment.feedback.surveys import pending_surveys_for
from llct.assessment.models import ResultsApproval
from llct.core.capabilities import Capability, has_capability
from llct.core.models import Role, User
from llct.corps.online import online_classes_for
from llct.courses.attendance import may_take_attendance
from llct.courses.models import Course, Session
from llct.courses.selectors import sessions_between
from llct.monitoring.watchlists import cached_watchlist_counts
from llct.organizations.models import Organization, Person
from llct.organizations.selectors import organization_scope, people_count_in_scope
from llct.planning.models import AnnualPlan
from llct.planning.nominations.selectors import open_round_for
from llct.reviews.selectors import home_summary

SESSIONS_SHOWN = 12


@dataclass
class SessionRow:
    session: Session
    # The roll call's link is shown only to whoever may take it for this very session.
    may_take_attendance: bool


def _sessions(user: User, today: dt.date) -> QuerySet[Session] | None:
    """The sessions that concern this user: the next week's they teach or attend, or, for staff
    who read the rolls, every session of today."""
    week = today + dt.timedelta(days=7)
    if user.role == Role.LECTURER:
        lecturer = getattr(user, "lecturer", None)
        return (
            sessions_between(start=today, end=week, lecturer_id=lecturer.pk) if lecturer else None
        )
    if has_capability(user, Capability.READ_OWN_RECORD):
        return sessions_between(start=today, end=week, person_id=user.person_id)
    if has_capability(user, Capability.READ_ROLLS):
        return sessions_between(start=today, end=today)
    return None


def sessions_soon(*, user: User, today: dt.date) -> list[SessionRow]:
    qs = _sessions(user, today)
    if qs is None:
        return []
    sessions = qs.exclude(course__status=Course.Status.CANCELLED).select_related(
        "course__organizer"
    )[:SESSIONS_SHOWN]
    return [SessionRow(s, may_take_attendance(user, s)) for s in sessions]


def home_context(*, user: User, today: dt.date, now: dt.datetime) -> dict[str, Any]:
    context: dict[str, Any] = {"today": today}
    if has_capability(user, Capability.READ_ROLLS):
        context["org_count"] = organization_scope(user=user).count()
        context["people_count"] = people_count_in_scope(user=user)
        # From the shared cache, or (None) in a request of their own once the page is shown.
        context["watchlists"] = cached_watchlist_counts(user=user, today=today)
        context["watchlist_card"] = context["watchlists"] != [] and has_capability(
            user, Capability.READ_PROJECTS
        )
        context["oversight"] = home_summary(user=user, today=today)
    if has_capability(user, Capability.READ_WHOLE_TREE):
        context["courses_running"] = Course.objects.filter(status=Course.Status.IN_PROGRESS).count()
    if has_capability(user, Capability.APPROVE_RESULTS):
        context["results_pending"] = (
            Course.objects.filter(status=Course.Status.FINISHED)
            .exclude(pk__in=ResultsApproval.objects.values("course_id"))
            .count()
        )
    if has_capability(user, Capability.READ_PLANS):
        context["plans_submitted"] = AnnualPlan.objects.filter(
            status=AnnualPlan.Status.SUBMITTED
        ).count()
    context["sessions_soon"] = sessions_soon(user=user, today=today)
    if has_capability(user, Capability.READ_NOMINATIONS):
        context["nomination_notice"] = open_round_for(user)
    if user.person_id:
        context["pending_surveys"] = pending_surveys_for(user)
        context["online_classes"] = online_classes_for(user=user, now=now)
        context["me"] = Person.objects.select_related("organization").get(pk=user.person_id)
    context["scope_org"] = (
        Organization.objects.get(pk=user.organization_id) if user.organization_id else None
    )
    return context
