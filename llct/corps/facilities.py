"""Facilities: equipment, the utilisation of each venue from its sessions, investment proposals.

Everyone who may read the register (department, leaders) reads these; the department writes.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404

from llct.core.capabilities import Capability, has_capability
from llct.core.permissions import require
from llct.corps.models import Equipment, InvestmentProposal
from llct.corps.selectors import can_read_register
from llct.courses.models import Session, Venue


@dataclass
class Utilisation:
    venue: Venue
    hours: list[Decimal] = field(default_factory=lambda: [Decimal(0)] * 12)

    @property
    def total(self) -> Decimal:
        return sum(self.hours, Decimal(0))


def venue_utilisation(*, user: Any, year: int) -> list[Utilisation]:
    """Hours of sessions per venue and month (a session's own venue, else its course's). Two
    queries whatever the number of venues and sessions."""
    if not can_read_register(user):
        raise Http404
    venues = {v.pk: Utilisation(v) for v in Venue.objects.filter(is_active=True)}
    rows = Session.objects.filter(date__year=year).values_list(
        "venue_id", "course__venue_id", "date", "starts_at", "ends_at"
    )
    for venue_id, course_venue_id, day, starts, ends in rows:
        row = venues.get(venue_id or course_venue_id)
        if row is None:
            continue
        minutes = (dt.datetime.combine(day, ends) - dt.datetime.combine(day, starts)).seconds // 60
        row.hours[day.month - 1] += (Decimal(minutes) / 60).quantize(Decimal("0.1"))
    return sorted(venues.values(), key=lambda u: (u.venue.kind, u.venue.name))


def equipment_list(*, user: Any) -> list[Equipment]:
    if not can_read_register(user):
        raise Http404
    return list(Equipment.objects.select_related("venue"))


def proposal_list(*, user: Any) -> list[InvestmentProposal]:
    if not can_read_register(user):
        raise Http404
    return list(InvestmentProposal.objects.select_related("venue", "target"))


def proposal_totals(proposals: list[InvestmentProposal]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for p in proposals:
        totals[p.status] += p.cost
    return dict(totals)


def equipment_save(*, equipment: Equipment, actor: Any) -> Equipment:
    require(has_capability(actor, Capability.EDIT_FACILITIES))
    with transaction.atomic():
        equipment.full_clean()
        equipment.save()
    return equipment


def proposal_save(*, proposal: InvestmentProposal, actor: Any) -> InvestmentProposal:
    require(has_capability(actor, Capability.EDIT_FACILITIES))
    with transaction.atomic():
        proposal.full_clean()
        proposal.save()
    return proposal
