"""Reads of oversight and reviews that other pages use: the overdue recommendations of a
subtree for the watchlists, and what the home page tells a user."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from llct.core.permissions import scope_path
from llct.reviews.inspections import recommendations_overdue
from llct.reviews.models import Recommendation, Report
from llct.reviews.rounds import my_reports


def overdue_recommendations(*, prefix: str, today: dt.date) -> QuerySet[Recommendation]:
    """Recommendations to organizations under `prefix` ("/" for all) not yet accepted whose
    deadline has passed, oldest first: the watchlist "overdue recommendations". Served by the
    (status, deadline) index."""
    qs = (
        Recommendation.objects.exclude(status=Recommendation.Status.ACCEPTED)
        .filter(deadline__lt=today)
        .select_related("organization", "inspection")
        .order_by("deadline", "id")
    )
    return qs if prefix == "/" else qs.filter(organization__path__startswith=prefix)


@dataclass
class HomeSummary:
    overdue: int = 0
    reports_due: list[Report] = field(default_factory=list)


def home_summary(*, user: Any, today: dt.date) -> HomeSummary | None:
    """Overdue recommendations in the user's scope and the reports their organization still
    owes (two queries); None for users who read no rolls."""
    if scope_path(user) is None:
        return None
    reports = [r for r in my_reports(user=user) if r.status != Report.Status.SUBMITTED]
    return HomeSummary(
        overdue=recommendations_overdue(user=user, today=today).count(),
        reports_due=reports,
    )
