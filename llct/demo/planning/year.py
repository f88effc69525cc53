"""The planning demo's entry point: this year's round, plan, courses and spending, then next
year's round, in that order from one random stream."""

import datetime as dt
import random
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from llct.curriculum.models import Programme
from llct.demo.planning.carried_out import courses_from_plan, expenses
from llct.demo.planning.plan import annual_plan
from llct.demo.planning.rounds import next_years_round, this_years_round
from llct.demo.planning.shared import OFFERED_KINDS, STABLE
from llct.organizations.models import Organization
from llct.planning.models import (
    Nomination,
    NominationRound,
)


def planning_demo(
    *, rng: random.Random, today: dt.date, department: Any, leader: Any
) -> dict[str, int]:
    """This year's round, plan, courses from the plan and expenses; next year's round in
    progress. `department` acts for the department, `leader` approves. Returns what it made."""
    # Event notes and audit summaries are stored text: write them in the app's language.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _demo(rng, today=today, department=department, leader=leader)


def _demo(rng: random.Random, *, today: dt.date, department: Any, leader: Any) -> dict[str, int]:
    offered = list(
        Programme.objects.filter(is_active=True, kind__in=OFFERED_KINDS).order_by("code")
    )
    grassroots = list(
        Organization.objects.filter(kind__is_grassroots=True, dissolved_on__isnull=True).order_by(
            *STABLE
        )
    )
    province = Organization.objects.filter(parent=None, dissolved_on=None).order_by(*STABLE).first()
    if not offered or not grassroots or province is None:
        return {}
    counts: dict[str, int] = {}

    this_round = this_years_round(
        rng, year=today.year, offered=offered, grassroots=grassroots, department=department
    )
    counts["this_year_nominations"] = Nomination.objects.filter(
        submission__round=this_round
    ).count()

    plan, specs = annual_plan(
        rng, today=today, province=province, department=department, leader=leader, counts=counts
    )
    counts.update(courses_from_plan(rng, today=today, specs=specs, department=department))
    counts["expenses"] = expenses(rng, today=today, specs=specs, department=department)

    counts.update(
        next_years_round(
            rng, today=today, offered=offered, grassroots=grassroots, department=department
        )
    )
    counts["rounds"] = NominationRound.objects.count()
    counts["nominations"] = Nomination.objects.count()
    counts["plan_versions"] = plan.versions.count()
    return dict(sorted(counts.items()))
