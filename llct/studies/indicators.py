"""Participation in resolution study as an indicator of the monitoring registry.

`StudyParticipation`: the (person, campaign) pairs of the campaigns started in the year (up to
the date), over each campaign's audience in the subtree, and of them those who attended one of
the campaign's conferences (a make-up one counts) held by the date. A variant narrows it to one
campaign. Rolled up by summing numerators and denominators (the registry's `roll_up`).

`study_participation` is the same count as a plain function (organization, as_of), for callers
that want one campaign or every campaign regardless of the year.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from llct.monitoring.indicators.base import Column, Indicator, Period, Row, Tally
from llct.organizations.models import Organization, Person
from llct.studies.campaigns import audience_filter, participation
from llct.studies.models import Campaign, ConferenceAttendance


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(self.numerator * 100 / self.denominator, 2) if self.denominator else None


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _reaching(prefix: str) -> Q:
    """Campaigns over the subtree's root or above it, or over a part of the subtree."""
    if prefix == "/":
        return Q()
    return Q(organization__path__in=_ancestors(prefix)) | Q(organization__path__startswith=prefix)


def study_participation(
    *, organization: Organization, as_of: dt.date, campaign_id: int | None = None
) -> Ratio:
    """People who attended a study conference by `as_of` over the campaigns' audiences in the
    subtree; without a campaign, every campaign started by `as_of` that reaches the subtree
    (each person counted once per campaign)."""
    campaigns = Campaign.objects.select_related("organization").filter(starts_on__lte=as_of)
    if campaign_id is not None:
        campaigns = campaigns.filter(pk=campaign_id)
    numerator = denominator = 0
    for campaign in campaigns.filter(_reaching(organization.path)):
        within = (
            organization
            if organization.path.startswith(campaign.organization.path)
            else campaign.organization
        )
        studied, audience = participation(campaign=campaign, within=within, as_of=as_of)
        numerator += studied
        denominator += audience
    return Ratio(numerator, denominator)


class StudyParticipation(Indicator):
    code = "study_participation"
    label = _("Share of the audience who studied the resolution")
    numerator_label = _("attended a study conference")
    denominator_label = _("people in the campaigns' audience")
    counts = _(
        "For each resolution-study campaign started in the year (up to the date), the people of "
        "its audience in the subtree (stages, positions, organization), and of them those who "
        "attended one of its conferences, a make-up one included, held by the date. One query "
        "per campaign."
    )

    def _campaigns(self, *, prefix: str, period: Period, variant: str) -> list[Campaign]:
        qs = Campaign.objects.select_related("organization").filter(
            starts_on__gte=period.start, starts_on__lte=period.end
        )
        if variant.isdigit():
            qs = qs.filter(pk=int(variant))
        return list(qs.filter(_reaching(prefix)))

    def _people(self, campaign: Campaign, *, prefix: str, period: Period) -> Any:
        attended = ConferenceAttendance.objects.filter(
            person_id=OuterRef("pk"),
            conference__campaign=campaign,
            conference__held_on__lte=period.end,
        )
        qs = Person.objects.filter(audience_filter(campaign))
        if prefix != "/":
            qs = qs.filter(organization__path__startswith=prefix)
        return qs.annotate(studied=Exists(attended))

    def _tally(self, *, prefix: str, period: Period, variant: str) -> Iterable[Tally]:
        for campaign in self._campaigns(prefix=prefix, period=period, variant=variant):
            rows = (
                self._people(campaign, prefix=prefix, period=period)
                .values("organization__path")
                .annotate(num=Count("pk", filter=Q(studied=True)), den=Count("pk"))
                .order_by()
            )
            for r in rows:
                yield Tally(r["organization__path"], Decimal(r["num"]), Decimal(r["den"]))

    def variants(self) -> list[tuple[str, str]]:
        return [(str(pk), title) for pk, title in Campaign.objects.values_list("pk", "title")]

    def columns(self) -> list[Column]:
        return [
            Column(_("Full name")),
            Column(_("Organization")),
            Column(_("Campaign")),
            Column(_("Studied")),
        ]

    def _rows(self, *, prefix: str, period: Period, variant: str) -> Iterable[Row]:
        for campaign in self._campaigns(prefix=prefix, period=period, variant=variant):
            qs = self._people(campaign, prefix=prefix, period=period).order_by("sort_key", "pk")
            for p in qs.values("pk", "full_name", "organization__name", "studied"):
                yield Row(
                    cells=(
                        p["full_name"],
                        p["organization__name"],
                        campaign.title,
                        _t("Yes") if p["studied"] else _t("No"),
                    ),
                    counted=bool(p["studied"]),
                    url=reverse("studies:person_record", args=[p["pk"]]),
                )
