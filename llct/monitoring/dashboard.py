"""A project's targets against their milestones, for one organization's subtree and year.

What is live and what is stored: the current year's values of the viewed subtree and of the
organizations ranked under it are computed live (one aggregate query per indicator); past
years come from IndicatorSnapshot rows written by `snapshots_compute` (a task); a heavy
indicator (seconds at a province's size) reads this year's latest snapshot when there is one.
The number of queries does not depend on the number of organizations or people.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from llct.monitoring import charts, indicators
from llct.monitoring.indicators import Unit, Value, value_in_unit
from llct.monitoring.models import (
    Direction,
    IndicatorSnapshot,
    MonitoringSettings,
    Project,
    Target,
    TargetEntry,
    TargetUnit,
)
from llct.organizations.models import Organization

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_DATA = "no_data"
NO_MILESTONE = "no_milestone"
STATUS_LABELS = {
    ON_TRACK: gettext_lazy("On track"),
    AT_RISK: gettext_lazy("At risk"),
    OFF_TRACK: gettext_lazy("Off track"),
    NO_DATA: gettext_lazy("No data"),
    NO_MILESTONE: gettext_lazy("No milestone this year"),
}


def target_unit(target: Target) -> str:
    if target.indicator:
        return indicators.get(target.indicator).unit
    return target.manual_unit


def unit_label(unit: str) -> str:
    labels = {**dict(Unit.choices), **dict(TargetUnit.choices)}
    return str(labels.get(unit, ""))


def margin_for(unit: str, milestone: Decimal, points: Decimal) -> Decimal:
    """The at-risk margin: percentage points for a %, the same share of the milestone for
    other units (5 points -> within 5% of it)."""
    if unit == Unit.PERCENT:
        return points
    return abs(milestone) * points / 100


def status_of(
    value: Decimal | None,
    milestone: Decimal | None,
    *,
    direction: str,
    unit: str,
    points: Decimal,
) -> str:
    if milestone is None:
        return NO_MILESTONE
    if value is None:
        return NO_DATA
    gap = milestone - value if direction == Direction.AT_LEAST else value - milestone
    if gap <= 0:
        return ON_TRACK
    if gap <= margin_for(unit, milestone, points):
        return AT_RISK
    return OFF_TRACK


def rule_text(points: Decimal) -> str:
    """The status rule in one sentence, as the dashboard states it."""
    return _(
        "On track: this year's value has reached the year's milestone (for an “at most” "
        "target, has not exceeded it). At risk: it falls short by no more than %(points)s "
        "percentage points (for targets not in %%, by no more than %(points)s%% of the "
        "milestone). Off track: it falls short by more."
    ) % {"points": charts.fmt(points)}


# ---------------------------------------------------------------------------------------------


@dataclass
class Measure:
    """A value of a target for one organization and year, and where it comes from."""

    value: Decimal | None
    raw: Value | None = None  # numerator and denominator (indicators)
    source: str = "live"  # live | snapshot | entry | none
    computed_at: dt.datetime | None = None
    entry: TargetEntry | None = None


@dataclass
class Ranked:
    organization: Organization
    measure: Measure
    status: str


@dataclass
class TargetView:
    target: Target
    unit: str
    unit_label: str
    milestone: Decimal | None
    measure: Measure
    status: str
    trend: dict[int, Measure] = field(default_factory=dict)
    milestones: dict[int, Decimal] = field(default_factory=dict)
    ranking: list[Ranked] = field(default_factory=list)
    list_url: str = ""
    counts: str = ""
    year: int = 0
    as_of: dt.date | None = None

    def list_url_for(self, organization: Organization) -> str:
        """The list behind this target's value for one organization (built only for the
        organizations a chart shows: a ranking may hold a thousand)."""
        if not self.target.indicator or self.as_of is None:
            return ""
        return listing_url(
            self.target.indicator,
            org=organization,
            year=self.year,
            as_of=self.as_of,
            variant=self.target.variant,
        )

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def indicator(self) -> Any:
        return indicators.get(self.target.indicator) if self.target.indicator else None


@dataclass
class Dashboard:
    project: Project
    organization: Organization
    year: int
    as_of: dt.date
    live: bool
    targets: list[TargetView]
    rule: str
    ranked_orgs: list[Organization]

    @property
    def tally(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for view in self.targets:
            counts[view.status] += 1
        return dict(counts)


def code_order(target: Target) -> tuple[Any, ...]:
    """ "1.2" before "1.10": numbers compare as numbers."""
    parts = [
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in target.code.replace("-", ".").split(".")
    ]
    return (*parts, (2, target.pk, ""))


def listing_url(
    code: str, *, org: Organization, year: int, as_of: dt.date, variant: str = ""
) -> str:
    query: dict[str, str | int] = {"org": org.pk, "year": year, "as_of": as_of.isoformat()}
    if variant:
        query["variant"] = variant
    return _list_base(code) + "?" + urlencode(query)


@lru_cache(maxsize=64)
def _list_base(code: str) -> str:
    # A dashboard links every value of every organization: reverse each indicator once.
    return reverse("monitoring:indicator_list", args=[code])


def ranked_organizations(
    target: Target, org: Organization, children: list[Organization], cache: dict[int, Any]
) -> list[Organization]:
    """Who a target ranks: the organizations of its kind under the viewed one (each-of-kind
    targets), else the viewed organization's children."""
    if target.scope != Target.Scope.EACH_OF_KIND or target.scope_kind_id is None:
        return children
    kind_id = target.scope_kind_id
    if kind_id not in cache:
        cache[kind_id] = list(
            Organization.objects.filter(
                kind_id=kind_id, path__startswith=org.path, dissolved_on__isnull=True
            ).order_by("path")
        )
    found: list[Organization] = cache[kind_id]
    return found


def _snapshots(
    codes: Sequence[tuple[str, str]],
    organization: Organization,
    years: Sequence[int],
    *,
    kind_ids: Sequence[int] | None = None,
) -> dict[tuple[str, str, int, int], IndicatorSnapshot]:
    """The stored values of `organization`, and with `kind_ids` given, of its children and
    of the organizations of those kinds under it: described by the tree, not listed by id
    (a ranking may hold a thousand organizations)."""
    if not codes or not years:
        return {}
    whose = Q(organization_id=organization.pk)
    if kind_ids is not None:
        whose |= Q(organization__parent_id=organization.pk)
        if kind_ids:
            whose |= Q(
                organization__kind_id__in=list(kind_ids),
                organization__path__startswith=organization.path,
            )
    rows = IndicatorSnapshot.objects.filter(
        whose, indicator__in={c for c, _v in codes}, year__in=list(years)
    )
    return {(s.indicator, s.variant, s.organization_id, s.year): s for s in rows}


def _from_snapshot(snapshot: IndicatorSnapshot | None, unit: str) -> Measure:
    if snapshot is None:
        return Measure(None, source="none")
    raw = Value(snapshot.numerator, snapshot.denominator)
    return Measure(
        value_in_unit(raw, unit), raw=raw, source="snapshot", computed_at=snapshot.computed_at
    )


def _entries(targets: Sequence[Target], organization: Organization) -> dict[Any, TargetEntry]:
    """The entry in force (the latest) per (target, organization, year) in the subtree."""
    manual = [t.pk for t in targets if t.is_manual]
    if not manual:
        return {}
    latest: dict[Any, TargetEntry] = {}
    for entry in TargetEntry.objects.filter(
        target_id__in=manual, organization__path__startswith=organization.path
    ).order_by("entered_at", "id"):
        latest[entry.target_id, entry.organization_id, entry.year] = entry
    return latest


def _entry_measure(entry: TargetEntry | None) -> Measure:
    if entry is None:
        return Measure(None, source="none")
    return Measure(entry.value, source="entry", entry=entry, computed_at=entry.entered_at)


def build(
    *,
    project: Project,
    organization: Organization,
    year: int,
    as_of: dt.date,
    today: dt.date,
    live: bool,
    trend: bool = True,
) -> Dashboard:
    """The dashboard of `organization`'s subtree (already checked against the viewer's scope).
    `live`: compute the year's values as of `as_of`; otherwise read the year's snapshots.
    Indicators that count the same rows share their query."""
    with indicators.shared():
        return _build(project, organization, year, as_of, live, trend)


def _build(
    project: Project,
    organization: Organization,
    year: int,
    as_of: dt.date,
    live: bool,
    trend: bool,
) -> Dashboard:
    points = MonitoringSettings.current().at_risk_points
    targets = sorted(
        project.targets.select_related("scope_kind").prefetch_related("milestones"),
        key=code_order,
    )
    children = list(
        Organization.objects.filter(parent=organization, dissolved_on__isnull=True).order_by("path")
    )
    kind_cache: dict[int, Any] = {}
    ranked = {t.pk: ranked_organizations(t, organization, children, kind_cache) for t in targets}
    past_years = [y for y in project.years if y < year] if trend else []
    codes = [(t.indicator, t.variant) for t in targets if t.indicator]
    trend_snaps = _snapshots(codes, organization, past_years)
    heavy = [(c, v) for c, v in codes if indicators.get(c).heavy]
    year_snaps = _snapshots(
        codes if not live else heavy, organization, [year], kind_ids=list(kind_cache)
    )
    entries = _entries(targets, organization)

    views = []
    for target in targets:
        unit = target_unit(target)
        milestones = {m.year: m.value for m in target.milestones.all()}
        orgs = ranked[target.pk]
        if target.indicator:
            current, per_org = _indicator_measures(
                target, organization, orgs, year, as_of, unit, live, year_snaps
            )
            history = {
                y: _from_snapshot(
                    trend_snaps.get((target.indicator, target.variant, organization.pk, y)), unit
                )
                for y in past_years
            }
        else:
            current = _entry_measure(entries.get((target.pk, organization.pk, year)))
            per_org = {o.pk: _entry_measure(entries.get((target.pk, o.pk, year))) for o in orgs}
            history = {
                y: _entry_measure(entries.get((target.pk, organization.pk, y))) for y in past_years
            }
        milestone = milestones.get(year)

        def status(
            m: Measure,
            unit: str = unit,
            target: Target = target,
            milestone: Decimal | None = milestone,
        ) -> str:
            return status_of(
                m.value, milestone, direction=target.direction, unit=unit, points=points
            )

        view = TargetView(
            target=target,
            unit=unit,
            unit_label=unit_label(unit),
            milestone=milestone,
            measure=current,
            status=status(current),
            trend={**history, year: current},
            milestones=milestones,
            ranking=[Ranked(o, per_org[o.pk], status(per_org[o.pk])) for o in orgs],
            counts=str(indicators.get(target.indicator).counts) if target.indicator else "",
        )
        if target.indicator:
            view.list_url = listing_url(
                target.indicator, org=organization, year=year, as_of=as_of, variant=target.variant
            )
            view.year, view.as_of = year, as_of
        views.append(view)
    return Dashboard(
        project=project,
        organization=organization,
        year=year,
        as_of=as_of,
        live=live,
        targets=views,
        rule=rule_text(points),
        ranked_orgs=children,
    )


def _indicator_measures(
    target: Target,
    organization: Organization,
    orgs: list[Organization],
    year: int,
    as_of: dt.date,
    unit: str,
    live: bool,
    year_snaps: dict[tuple[str, str, int, int], IndicatorSnapshot],
) -> tuple[Measure, dict[int, Measure]]:
    indicator = indicators.get(target.indicator)
    key = (target.indicator, target.variant)
    everyone = [organization, *orgs]
    stored = {o.pk: year_snaps.get((*key, o.pk, year)) for o in everyone}
    # Stored values when asked for (a past year) or when the indicator is heavy, as long as
    # the viewed subtree has one: an organization made since the snapshot shows "no data"
    # rather than making the page compute everything live. With nothing stored for the
    # subtree itself (the task has not run yet), compute live.
    use_snapshots = ((not live) or indicator.heavy) and stored[organization.pk] is not None
    if use_snapshots:
        measures = {pk: _from_snapshot(s, unit) for pk, s in stored.items()}
    else:
        values = indicator.compute_many(
            orgs=everyone, as_of=as_of, year=year, variant=target.variant
        )
        measures = {
            pk: Measure(value_in_unit(v, unit), raw=v, source="live") for pk, v in values.items()
        }
    return measures[organization.pk], {o.pk: measures[o.pk] for o in orgs}


# -- charts -------------------------------------------------------------------------------------


def trend_chart(view: TargetView, years: Sequence[int]) -> charts.LineChart:
    decimals = 2 if view.unit == Unit.POINTS else 1
    return charts.LineChart(
        title=_("%(target)s: values and milestones by year") % {"target": view.target.title},
        categories=[str(y) for y in years],
        series=[
            charts.Series(
                _("Value"),
                [view.trend[y].value if y in view.trend else None for y in years],
            ),
            charts.Series(
                _("Milestone"),
                [view.milestones.get(y) for y in years],
                colour=charts.COLOURS["milestone"],
                dashed=True,
            ),
        ],
        unit=view.unit_label,
        y_max=_axis_max(view.unit),
        decimals=decimals,
    )


RANKED_AT_MOST = 30


def ranking_chart(view: TargetView, *, limit: int = RANKED_AT_MOST) -> charts.BarChart:
    """Best first. Past `limit` organizations, the first and last halves of the ranking: a
    chart of a thousand bars helps nobody (each organization has its own dashboard)."""
    ordered = sorted(
        view.ranking,
        key=lambda r: (r.measure.value is None, -(r.measure.value or 0), r.organization.name),
    )
    if view.target.direction == Direction.AT_MOST:
        ordered = sorted(
            view.ranking,
            key=lambda r: (r.measure.value is None, r.measure.value or 0, r.organization.name),
        )
    if len(ordered) > limit:
        valued = [r for r in ordered if r.measure.value is not None]
        empty = [r for r in ordered if r.measure.value is None]
        half = limit // 2
        if len(valued) > limit:
            ordered = valued[:half] + valued[-half:]
        else:
            ordered = valued + empty[: limit - len(valued)]
    left_out = len(view.ranking) - len(ordered)
    chart = charts.BarChart(
        title=_("%(target)s: organizations ranked") % {"target": view.target.title},
        bars=[
            charts.Bar(
                label=r.organization.name,
                value=r.measure.value,
                status=r.status if r.status in (ON_TRACK, AT_RISK, OFF_TRACK) else "none",
                note=_raw_note(r.measure),
                url=view.list_url_for(r.organization),
                key=r.organization.pk,
            )
            for r in ordered
        ],
        unit=view.unit_label,
        reference=view.milestone,
        reference_label=(
            _("milestone %(value)s") % {"value": charts.fmt(view.milestone)}
            if view.milestone is not None
            else ""
        ),
        x_max=_axis_max(view.unit),
        decimals=2 if view.unit == Unit.POINTS else 1,
        headers=[_("Organization"), view.unit_label, _("Numerator / denominator")],
        left_out=left_out,
    )
    return chart


def _axis_max(unit: str) -> Decimal | None:
    if unit == Unit.PERCENT:
        return Decimal(100)
    return Decimal(5) if unit == Unit.POINTS else None


def _raw_note(measure: Measure) -> str:
    if measure.raw is None:
        return ""
    return f"{charts.fmt(measure.raw.numerator, 0)}/{charts.fmt(measure.raw.denominator, 0)}"


def target_trend_chart(
    *, target: Target, organization: Organization, as_of: dt.date, today: dt.date
) -> charts.LineChart:
    """The trend of one target for one subtree, for reports (the reviews app's .docx)."""
    year = min(max(as_of.year, target.project.start_year), target.project.end_year)
    board = build(
        project=target.project,
        organization=organization,
        year=year,
        as_of=as_of,
        today=today,
        live=True,
    )
    view = next(v for v in board.targets if v.target.pk == target.pk)
    return trend_chart(view, target.project.years)


def projects_for_dashboard() -> QuerySet[Project]:
    return Project.objects.select_related("issuer").order_by("-start_year", "number")
