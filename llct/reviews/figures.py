"""The figures of a report, an agenda and an inspection, for an organization's subtree and a
period: all read through the indicator registry of llct.monitoring, so a number is computed in
one place only.

The registry counts a year up to a date (`Period(year, as_of)`): a report's period is read as
the year of its end, up to its end (a half-year report of 2026: 01/01–30/06/2026).

Totals are the registry's own values (pass rate, courses held, budget spent, ratings); the
breakdowns by programme and grade band group the registry's own base rows (the same learners,
the same planned courses) by programme, so they always add up to those totals. A parent's
figures are the sum of its own rows and its children's, never retyped.
"""

# Just over 600 lines: every figure a report, an agenda or an inspection shows sits here side by
# side, each a thin read of monitoring's indicator registry.

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.formats import number_format

from llct.assessment.models import GradeBand
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Programme
from llct.monitoring import indicators
from llct.monitoring.indicators import Period, Unit, Value, ancestor_paths, common_prefix
from llct.organizations.models import Organization
from llct.reviews.models import Finding, Inspection, Recommendation

# The order of the classification columns; their Vietnamese names are in BAND_HEADERS.
BANDS = [
    GradeBand.EXCELLENT.value,
    GradeBand.GOOD.value,
    GradeBand.FAIR.value,
    GradeBand.AVERAGE.value,
    GradeBand.FAIL.value,
]


def period_of(start: dt.date, end: dt.date) -> Period:
    return Period(year=end.year, as_of=end)


def percent(numerator: int | Decimal, denominator: int | Decimal) -> str:
    """ "97,5%"; "—" when nothing was counted."""
    value = indicators.value_in_unit(Value(Decimal(numerator), Decimal(denominator)), Unit.PERCENT)
    return "—" if value is None else f"{number_format(value, decimal_pos=1)}%"


def money(amount: Decimal | int) -> str:
    """1.500.000: party documents group thousands with dots, whatever the screen's language."""
    return f"{int(amount):,}".replace(",", ".")


def value_text(indicator: indicators.Indicator, value: Value) -> str:
    shown = indicator.value_of(value)
    if shown is None:
        return "—"
    if indicator.unit == Unit.PERCENT:
        return (
            f"{number_format(shown, decimal_pos=1)}% "
            f"({money(value.numerator)}/{money(value.denominator)})"
        )
    return number_format(shown, decimal_pos=2)


@dataclass
class Line:
    """The learners and courses of one programme (or of all: the total)."""

    label: str
    courses_planned: int = 0
    courses_held: int = 0
    learners_planned: int = 0
    enrolled: int = 0
    with_results: int = 0
    passed: int = 0
    bands: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BANDS, 0))

    def add(self, other: "Line") -> None:
        self.courses_planned += other.courses_planned
        self.courses_held += other.courses_held
        self.learners_planned += other.learners_planned
        self.enrolled += other.enrolled
        self.with_results += other.with_results
        self.passed += other.passed
        for band, n in other.bands.items():
            self.bands[band] += n

    @property
    def pass_rate(self) -> str:
        return percent(self.passed, self.with_results)

    @property
    def held_rate(self) -> str:
        return percent(self.courses_held, self.courses_planned)

    def cells(self) -> list[str]:
        """As the tables print it (screen, .docx and .xlsx read the same lists)."""
        return [
            self.label,
            str(self.courses_planned),
            str(self.courses_held),
            str(self.learners_planned),
            str(self.enrolled),
            str(self.with_results),
            str(self.passed),
            self.pass_rate,
        ]

    def band_cells(self) -> list[str]:
        return [self.label, *(str(self.bands[b]) for b in BANDS), str(self.with_results)]


LINE_HEADERS = [
    "Chương trình",
    "Lớp kế hoạch",
    "Lớp đã mở",
    "Học viên kế hoạch",
    "Học viên nhập học",
    "Có kết quả",
    "Đạt",
    "Tỷ lệ đạt",
]
BAND_HEADERS = [
    "Chương trình",
    "Xuất sắc",
    "Giỏi",
    "Khá",
    "Trung bình",
    "Không đạt",
    "Cộng",
]


@dataclass
class OrgLine:
    organization: Organization
    line: Line
    budget: Value
    rating: Value

    def cells(self) -> list[str]:
        return [
            self.organization.name,
            str(self.line.courses_planned),
            str(self.line.courses_held),
            str(self.line.with_results),
            str(self.line.passed),
            self.line.pass_rate,
            money(self.budget.denominator),
            money(self.budget.numerator),
        ]


ORG_HEADERS = [
    "Tổ chức đảng",
    "Lớp kế hoạch",
    "Lớp đã mở",
    "Có kết quả",
    "Đạt",
    "Tỷ lệ đạt",
    "Kinh phí kế hoạch (đồng)",
    "Đã chi (đồng)",
]


@dataclass
class IndicatorLine:
    code: str
    label: str
    value: Value
    text: str

    def cells(self) -> list[str]:
        return [
            self.label,
            money(self.value.numerator),
            money(self.value.denominator),
            self.text,
        ]


INDICATOR_HEADERS = ["Chỉ số", "Tử số", "Mẫu số", "Kết quả"]


TARGET_STATUS = {
    "on_track": "Đạt tiến độ",
    "at_risk": "Có nguy cơ không đạt",
    "off_track": "Chậm tiến độ",
    "no_data": "Chưa có số liệu",
    "no_milestone": "Chưa có mốc năm",
}


@dataclass
class TargetLine:
    """A target of the project against the year's milestone, as monitoring's dashboard
    computes it (the same values, the same status rule)."""

    project: str
    code: str
    title: str
    milestone: str
    value: str
    status: str

    def cells(self) -> list[str]:
        return [f"{self.code}. {self.title}", self.milestone, self.value, self.status]


TARGET_HEADERS = ["Chỉ tiêu", "Mốc năm", "Kết quả", "Đánh giá"]


def _number(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    shown = number_format(value, decimal_pos=1 if unit != "points" else 2)
    return f"{shown}%" if unit == "percent" else shown


def target_lines(
    *,
    organization: Organization,
    end: dt.date,
    computed: dict[str, Value] | None = None,
) -> list[TargetLine]:
    """The targets of the project in force in `end`'s year, for the subtree as of `end`, with
    the dashboard's own rule (monitoring.dashboard.status_of). Only the subtree's own value is
    needed, not the ranking of its children, so this reads the values directly: `computed`
    (indicator code -> value already computed for this report) first, then the registry."""
    from llct.monitoring import dashboard
    from llct.monitoring.models import MonitoringSettings, Project, TargetEntry

    project = (
        Project.objects.filter(start_year__lte=end.year, end_year__gte=end.year)
        .order_by("-start_year", "number")
        .first()
    )
    if project is None:
        return []
    points = MonitoringSettings.current().at_risk_points
    targets = sorted(project.targets.prefetch_related("milestones"), key=dashboard.code_order)
    # The entry in force (the latest) of each target entered by hand, for this organization.
    entries = {
        (e.target_id, e.organization_id, e.year): e
        for e in TargetEntry.objects.filter(
            target__in=[t for t in targets if t.is_manual],
            organization=organization,
            year=end.year,
        ).order_by("entered_at", "id")
    }
    computed = computed or {}
    lines = []
    for target in targets:
        unit = dashboard.target_unit(target)
        milestone = next((m.value for m in target.milestones.all() if m.year == end.year), None)
        if target.indicator:
            value = computed.get(target.indicator) if not target.variant else None
            if value is None:
                value = indicators.get(target.indicator).compute(
                    org=organization, as_of=end, year=end.year, variant=target.variant
                )
            shown = indicators.value_in_unit(value, unit)
        else:
            entry = entries.get((target.pk, organization.pk, end.year))
            shown = entry.value if entry is not None else None
        status = dashboard.status_of(
            shown, milestone, direction=target.direction, unit=unit, points=points
        )
        lines.append(
            TargetLine(
                project=project.number,
                code=target.code,
                title=target.title,
                milestone=_number(milestone, unit),
                value=_number(shown, unit),
                status=TARGET_STATUS.get(status, status),
            )
        )
    return lines


@dataclass
class Oversight:
    inspections: int = 0
    findings: int = 0
    not_met: int = 0
    recommendations: int = 0
    accepted: int = 0
    awaiting: int = 0
    overdue: int = 0

    def cells(self) -> list[str]:
        return [
            str(self.inspections),
            str(self.findings),
            str(self.not_met),
            str(self.recommendations),
            str(self.accepted),
            str(self.awaiting),
            str(self.overdue),
        ]


OVERSIGHT_HEADERS = [
    "Cuộc kiểm tra, giám sát",
    "Nội dung đã xem xét",
    "Chưa đạt",
    "Kiến nghị",
    "Đã khắc phục",
    "Chờ đánh giá",
    "Quá hạn",
]


@dataclass
class Figures:
    organization: Organization
    start: dt.date
    end: dt.date
    programmes: list[Line]
    total: Line
    budget: Value
    rating: Value
    children: list[OrgLine]
    indicators: list[IndicatorLine]
    oversight: Oversight
    targets: list[TargetLine] = field(default_factory=list)
    idle_children: int = 0

    @property
    def rating_text(self) -> str:
        return value_text(indicators.get("lecturer_rating"), self.rating)

    @property
    def rating_answers(self) -> int:
        return int(self.rating.denominator / 3)

    @property
    def budget_planned_text(self) -> str:
        return money(self.budget.denominator)

    @property
    def budget_spent_text(self) -> str:
        return money(self.budget.numerator)

    @property
    def budget_rate(self) -> str:
        return percent(self.budget.numerator, self.budget.denominator)


# ---------------------------------------------------------------------------------------------
# The grouped counts: each one query for a whole subtree, keyed (organization path, programme)

Key = tuple[str, int]


def _results(prefix: str, period: Period) -> dict[Key, Line]:
    """The registry's learners with approved results (those the pass rate counts), by band."""
    lines: dict[Key, Line] = defaultdict(lambda: Line(""))
    rows = (
        indicators.learners_with_results(prefix=prefix, period=period)
        .values("person__organization__path", "course__programme_id", "result__band")
        .annotate(n=Count("pk"), passed=Count("pk", filter=Q(result__passed=True)))
        .order_by()
    )
    for r in rows:
        line = lines[(r["person__organization__path"], r["course__programme_id"])]
        line.with_results += r["n"]
        line.passed += r["passed"]
        if r["result__band"] in line.bands:
            line.bands[r["result__band"]] += r["n"]
    return lines


def _enrolled(prefix: str, period: Period) -> dict[Key, int]:
    """Learners enrolled (not withdrawn) in courses that ended in the period, by programme;
    the registry's results are a part of them."""
    qs = Enrolment.objects.filter(
        status=Enrolment.Status.ENROLLED,
        course__ends_on__gte=period.start,
        course__ends_on__lte=period.end,
    ).exclude(course__status=Course.Status.CANCELLED)
    if prefix != "/":
        qs = qs.filter(person__organization__path__startswith=prefix)
    rows = (
        qs.values("person__organization__path", "course__programme_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(r["person__organization__path"], r["course__programme_id"]): r["n"] for r in rows}


def _planned(prefix: str, period: Period) -> dict[Key, Line]:
    """The registry's planned courses due by the date (those "planned courses held"
    counts), by programme."""
    lines: dict[Key, Line] = defaultdict(lambda: Line(""))
    rows = (
        indicators.planned_courses_due(prefix=prefix, period=period)
        .values("organizer__path", "programme_id")
        .annotate(
            n=Count("pk"),
            held=Count("pk", filter=indicators.planned_course_held(period)),
            learners=Sum("expected_learners"),
        )
        .order_by()
    )
    for r in rows:
        line = lines[(r["organizer__path"], r["programme_id"])]
        line.courses_planned += r["n"]
        line.courses_held += r["held"]
        line.learners_planned += r["learners"] or 0
    return lines


def _lines_by_org(orgs: Sequence[Organization], period: Period) -> dict[int, dict[int, Line]]:
    """organization id -> programme id -> the line of its whole subtree."""
    prefix = common_prefix([o.path for o in orgs])
    wanted = {o.path: o.pk for o in orgs}
    out: dict[int, dict[int, Line]] = {o.pk: defaultdict(lambda: Line("")) for o in orgs}
    if period.is_empty:
        return out

    def spread(path: str, programme: int, part: Line) -> None:
        for ancestor in ancestor_paths(path):
            pk = wanted.get(ancestor)
            if pk is not None:
                out[pk][programme].add(part)

    for (path, programme), part in _results(prefix, period).items():
        spread(path, programme, part)
    for (path, programme), n in _enrolled(prefix, period).items():
        spread(path, programme, Line("", enrolled=n))
    for (path, programme), part in _planned(prefix, period).items():
        spread(path, programme, part)
    return out


def _oversight(organization: Organization, start: dt.date, end: dt.date) -> Oversight:
    path = organization.path
    inspections = Inspection.objects.filter(
        subjects__path__startswith=path, scheduled_on__gte=start, scheduled_on__lte=end
    ).distinct()
    findings = Finding.objects.filter(
        inspection__in=inspections, organization__path__startswith=path
    ).aggregate(n=Count("pk"), not_met=Count("pk", filter=Q(result=Finding.Result.NOT_MET)))
    recs = Recommendation.objects.filter(
        organization__path__startswith=path, inspection__in=inspections
    ).aggregate(
        n=Count("pk"),
        accepted=Count("pk", filter=Q(status=Recommendation.Status.ACCEPTED)),
        awaiting=Count("pk", filter=Q(status=Recommendation.Status.REPORTED)),
        overdue=Count("pk", filter=~Q(status=Recommendation.Status.ACCEPTED) & Q(deadline__lt=end)),
    )
    return Oversight(
        inspections=inspections.count(),
        findings=findings["n"],
        not_met=findings["not_met"],
        recommendations=recs["n"],
        accepted=recs["accepted"],
        awaiting=recs["awaiting"],
        overdue=recs["overdue"],
    )


def _stored_heavy(organization: Organization, period: Period) -> dict[str, Value]:
    """Values of the heavy indicators already computed by monitoring's snapshot task for this
    subtree, year and very date: the same numbers the registry would compute (seconds each at
    a province's size), so they are read, not recomputed. One query."""
    from llct.monitoring.models import IndicatorSnapshot

    heavy = [i.code for i in indicators.all_indicators() if i.heavy]
    if not heavy:
        return {}
    return {
        s.indicator: Value(s.numerator, s.denominator)
        for s in IndicatorSnapshot.objects.filter(
            indicator__in=heavy,
            variant="",
            organization=organization,
            year=period.year,
            as_of=period.as_of,
        )
    }


def report_figures(
    *,
    organization: Organization,
    start: dt.date,
    end: dt.date,
    children: Sequence[Organization] | None = None,
    with_indicators: bool = True,
) -> Figures:
    """Everything a report prints for the subtree of `organization`. `children`: the
    organizations broken out in the table per organization (default: its direct children).
    A fixed number of queries whatever the number of organizations."""
    period = period_of(start, end)
    if children is None:
        children = list(
            Organization.objects.filter(parent=organization, dissolved_on__isnull=True).order_by(
                "path"
            )
        )
    orgs = [organization, *children]
    by_org = _lines_by_org(orgs, period)
    names = dict(Programme.objects.values_list("pk", "name"))
    order = {
        pk: i
        for i, pk in enumerate(Programme.objects.order_by("name").values_list("pk", flat=True))
    }
    own = by_org[organization.pk]
    programmes = []
    total = Line("Tổng cộng")
    for pk in sorted(own, key=lambda pk: order.get(pk, 0)):
        line = own[pk]
        line.label = names.get(pk, "")
        programmes.append(line)
        total.add(line)
    budget = indicators.get("budget_spent").compute_many(
        orgs=orgs, as_of=period.as_of, year=period.year
    )
    rating = indicators.get("lecturer_rating").compute_many(
        orgs=orgs, as_of=period.as_of, year=period.year
    )
    child_lines = []
    idle = 0
    for child in children:
        line = Line(child.name)
        for part in by_org[child.pk].values():
            line.add(part)
        if not (line.courses_planned or line.enrolled or line.with_results) and budget[
            child.pk
        ] == Value(Decimal(0), Decimal(0)):
            idle += 1  # nothing in the period: counted, not listed (a province has hundreds)
            continue
        child_lines.append(OrgLine(child, line, budget[child.pk], rating[child.pk]))
    indicator_lines = []
    if with_indicators:
        stored = _stored_heavy(organization, period)
        for indicator in indicators.all_indicators():
            value = stored.get(indicator.code) or indicator.compute(
                org=organization, as_of=period.as_of, year=period.year
            )
            indicator_lines.append(
                IndicatorLine(
                    indicator.code, str(indicator.label), value, value_text(indicator, value)
                )
            )
    return Figures(
        organization=organization,
        start=start,
        end=end,
        programmes=programmes,
        total=total,
        budget=budget[organization.pk],
        rating=rating[organization.pk],
        children=child_lines,
        indicators=indicator_lines,
        oversight=_oversight(organization, start, end),
        targets=target_lines(
            organization=organization,
            end=end,
            computed={line.code: line.value for line in indicator_lines},
        )
        if with_indicators
        else [],
        idle_children=idle,
    )


def checklist_indicators() -> dict[str, str]:
    return dict(indicators.choices())


def checklist_values(
    *, organizations: Sequence[Organization], keys: Iterable[str], start: dt.date, end: dt.date
) -> dict[tuple[int, str], str]:
    """(organization id, indicator code) -> the value as text, for an inspection's subjects:
    one registry call per indicator whatever the number of subjects."""
    period = period_of(start, end)
    out: dict[tuple[int, str], str] = {}
    for key in dict.fromkeys(keys):
        if key not in indicators.REGISTRY:
            continue
        indicator = indicators.get(key)
        values = indicator.compute_many(orgs=organizations, as_of=period.as_of, year=period.year)
        for pk, value in values.items():
            out[(pk, key)] = value_text(indicator, value)
    return out


def agenda_figures(*, organization: Organization, start: dt.date, end: dt.date) -> list[str]:
    """The lines a briefing's agenda starts from: the period's figures of the subtree."""
    figures = report_figures(
        organization=organization, start=start, end=end, children=[], with_indicators=False
    )
    total = figures.total
    return [
        f"Lớp học: {total.courses_held}/{total.courses_planned} lớp theo kế hoạch đã mở "
        f"({total.held_rate}).",
        f"Học viên: {total.enrolled} nhập học; {total.passed}/{total.with_results} đạt "
        f"({total.pass_rate}).",
        f"Kinh phí: đã chi {money(figures.budget.numerator)}/{money(figures.budget.denominator)} "
        f"đồng ({figures.budget_rate}).",
        f"Đánh giá giảng viên: {figures.rating_text} ({figures.rating_answers} phiếu).",
    ]
