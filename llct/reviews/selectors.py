"""Reads of oversight and reviews that other pages use: the overdue recommendations of a
subtree for the watchlists, and what the home page tells a user."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from llct.core.models import User
from llct.core.permissions import scope_path
from llct.monitoring.watchlists import Item, Watchlist
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


OVERDUE = "overdue_recommendations"
OVERDUE_LABEL = gettext_lazy("Overdue recommendations of inspections")
OVERDUE_HEADING = gettext_lazy("Recommendation")


def overdue_watchlist(*, prefix: str, today: dt.date, counts_only: bool) -> Watchlist:
    """The watchlist of overdue recommendations, registered into monitoring's watchlists in
    `ReviewsConfig.ready` (one query)."""
    qs = overdue_recommendations(prefix=prefix, today=today)
    if counts_only:
        return Watchlist(OVERDUE, qs.count())
    items = [
        Item(
            Truncator(r.text).chars(120),
            r.organization.name,
            _("%(inspection)s: due on %(date)s")
            % {"inspection": r.inspection.title, "date": r.deadline.strftime("%d/%m/%Y")},
            r.deadline,
            reverse("reviews:recommendation", args=[r.pk]),
        )
        for r in qs
    ]
    return Watchlist(OVERDUE, len(items), items)


@dataclass
class HomeSummary:
    overdue: int = 0
    reports_due: list[Report] = field(default_factory=list)


def home_summary(*, user: User, today: dt.date) -> HomeSummary | None:
    """Overdue recommendations in the user's scope and the reports their organization still
    owes (two queries); None for users who read no rolls."""
    if scope_path(user) is None:
        return None
    reports = [r for r in my_reports(user=user) if r.status != Report.Status.SUBMITTED]
    return HomeSummary(
        overdue=recommendations_overdue(user=user, today=today).count(),
        reports_due=reports,
    )
