"""Participation in resolution study as an indicator: a numerator over a denominator for an
organization's subtree as of a date, summed (never averaged) when rolled up the tree.

The monitoring app registers `study_participation` as a target's indicator; the function is
shaped as its registry expects: keyword-only (organization, as_of), returning both counts.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from llct.organizations.models import Organization
from llct.studies.campaigns import participation
from llct.studies.models import Campaign


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(self.numerator * 100 / self.denominator, 2) if self.denominator else None


def study_participation(
    *, organization: Organization, as_of: dt.date, campaign_id: int | None = None
) -> Ratio:
    """People who attended a study conference by `as_of` over the campaigns' audiences in the
    subtree. Without a campaign: every campaign started by `as_of` that reaches the subtree
    (each person counted once per campaign)."""
    campaigns = Campaign.objects.select_related("organization").filter(starts_on__lte=as_of)
    if campaign_id is not None:
        campaigns = campaigns.filter(pk=campaign_id)
    # Campaigns over the subtree's root or above it, or over a part of the subtree.
    parts = [p for p in organization.path.split("/") if p]
    ancestors = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    campaigns = campaigns.filter(
        Q(organization__path__in=ancestors) | Q(organization__path__startswith=organization.path)
    )
    numerator = denominator = 0
    for campaign in campaigns:
        within = organization if campaign.organization.path in ancestors else campaign.organization
        studied, audience = participation(campaign=campaign, within=within, as_of=as_of)
        numerator += studied
        denominator += audience
    return Ratio(numerator, denominator)


# For the monitoring app's registry: code -> (label, function).
INDICATORS = {
    "study_participation": (
        _("Share of the audience who studied the resolution"),
        study_participation,
    ),
}
