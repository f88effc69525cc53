"""The demo projects: 06-ĐA/TU with five years of stored values, 2026–2030 in progress with
some organizations off track, tasks with reports, a target measured by hand."""

import datetime as dt
from decimal import Decimal

from llct.monitoring import dashboard
from llct.monitoring.models import IndicatorSnapshot, ProgressReport, Project, TargetEntry
from llct.organizations.demo import demo_seed
from llct.organizations.models import Organization

TODAY = dt.date(2026, 11, 25)


def test_demo_projects_have_history_and_laggards(db):
    summary = demo_seed(people=300, seed=7, today=TODAY)
    assert summary.monitoring is not None and summary.monitoring["projects"] == 2
    old = Project.objects.get(number="06-ĐA/TU")
    new = Project.objects.get(start_year=2026)
    province = old.issuer

    # Every past year of the old project is stored, and a parent holds the sum of its children.
    years = set(
        IndicatorSnapshot.objects.filter(indicator="pass_rate").values_list("year", flat=True)
    )
    assert {2021, 2022, 2023, 2024, 2025} <= years
    for year in (2021, 2025):
        snaps = {
            s.organization_id: s
            for s in IndicatorSnapshot.objects.filter(indicator="pass_rate", year=year)
        }
        children = Organization.objects.filter(parent=province)
        own_people = snaps[province.pk].denominator - sum(snaps[c.pk].denominator for c in children)
        assert own_people == 0  # nobody sits in the province node itself
        assert 0 < snaps[province.pk].numerator <= snaps[province.pk].denominator

    board = dashboard.build(
        project=old,
        organization=province,
        year=2025,
        as_of=dt.date(2025, 12, 31),
        today=TODAY,
        live=False,
    )
    assert all(v.measure.value is not None for v in board.targets)

    now = dashboard.build(
        project=new, organization=province, year=2026, as_of=TODAY, today=TODAY, live=True
    )
    ranked = [r.status for v in now.targets for r in v.ranking]
    assert dashboard.OFF_TRACK in ranked and dashboard.ON_TRACK in ranked
    assert ProgressReport.objects.exists()
    assert TargetEntry.objects.filter(target__project=new, value=Decimal(75)).exists()
    assert TargetEntry.objects.exclude(evidence="").count() == TargetEntry.objects.count()
