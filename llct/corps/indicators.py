"""The effect of training as an indicator of the monitoring registry.

`TrainingEffect`: the cells' evaluations answered in the year (up to the date), by the learner's
organization, and of them those whose average reaches the "good effect" threshold of the
follow-up settings (our default 4 of 5). Rolled up by summing numerators and denominators.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from llct.corps.models import FollowUp, FollowUpSettings
from llct.monitoring.indicators.base import Column, Indicator, Period, Row, Tally


def _answered(*, prefix: str, period: Period) -> QuerySet[FollowUp]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    qs = FollowUp.objects.filter(answered_at__gte=start, answered_at__lt=end)
    if prefix != "/":
        qs = qs.filter(organization__path__startswith=prefix)
    return qs


class TrainingEffect(Indicator):
    code = "training_effect"
    label = _("Share of learners whose cell rates the effect of training good")
    numerator_label = _("rated good by their cell")
    denominator_label = _("learners evaluated by their cell")
    counts = _(
        "The evaluations the learners' cells answered in the year (up to the date), some months "
        "after each course, and of them those whose average score reaches the threshold of the "
        "follow-up settings. One query."
    )

    def _tally(self, *, prefix: str, period: Period, variant: str) -> Iterable[Tally]:
        good = FollowUpSettings.current().good_from
        rows = (
            _answered(prefix=prefix, period=period)
            .values("organization__path")
            .annotate(num=Count("pk", filter=Q(average__gte=good)), den=Count("pk"))
            .order_by()
        )
        for r in rows:
            yield Tally(r["organization__path"], Decimal(r["num"]), Decimal(r["den"]))

    def columns(self) -> list[Column]:
        return [
            Column(_("Full name")),
            Column(_("Organization")),
            Column(_("Course")),
            Column(_("Average (1–5)")),
        ]

    def _rows(self, *, prefix: str, period: Period, variant: str) -> Iterable[Row]:
        good = FollowUpSettings.current().good_from
        qs = _answered(prefix=prefix, period=period).order_by("enrolment__person__sort_key", "pk")
        for f in qs.values(
            "enrolment__person__full_name",
            "organization__name",
            "enrolment__course__name",
            "average",
        ):
            yield Row(
                cells=(
                    f["enrolment__person__full_name"],
                    f["organization__name"],
                    f["enrolment__course__name"],
                    f["average"],
                ),
                counted=f["average"] is not None and f["average"] >= good,
            )
