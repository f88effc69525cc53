"""Indicators counting people: new members, admissions, cadres' theory level, nominations."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models import (
    Value as V,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from llct.assessment.models import Certificate
from llct.assessment.records import new_member_class_finished_sql
from llct.core.text import fold
from llct.curriculum.models import Programme
from llct.monitoring.indicators.base import (
    Column,
    Indicator,
    Period,
    Row,
    Tally,
    remembered,
    url_for,
    whole_tree,
)
from llct.organizations.models import (
    MembershipStage,
    Organization,
    Person,
    TheoryLevel,
    TheoryLevelChange,
    add_months,
)


def people_under(prefix: str) -> QuerySet[Person]:
    """People of the subtree at `prefix`: by organization id in a subquery, which SQLite runs
    once, rather than a join on every person."""
    qs = Person.objects.all()
    if not whole_tree(prefix):
        qs = qs.filter(organization_id__in=people_under_ids(prefix))
    return qs


def person_url(pk: int) -> str:
    return url_for("organizations:person_detail", pk)


def admitted_between_for_probation_end(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The admission dates whose probation (12 months, `add_months`) ends in [start, end]."""
    low = add_months(start, -12)
    while add_months(low - dt.timedelta(days=1), 12) >= start:
        low -= dt.timedelta(days=1)
    while add_months(low, 12) < start:
        low += dt.timedelta(days=1)
    high = add_months(end, -12)
    while add_months(high + dt.timedelta(days=1), 12) <= end:
        high += dt.timedelta(days=1)
    return low, high


def people_under_ids(prefix: str) -> Any:
    """A subquery of the organizations under `prefix`, for filtering people by id."""
    return Organization.objects.filter(path__startswith=prefix).values("pk")


def organization_paths(prefix: str) -> dict[int, str]:
    qs = Organization.objects.all()
    if prefix != "/":
        qs = qs.filter(path__startswith=prefix)
    return dict(qs.values_list("pk", "path"))


def distinct_positions() -> list[str]:
    """The positions on the rolls: a province has a few dozen."""
    return list(
        remembered(
            ("positions",),
            lambda: list(
                Person.objects.exclude(position="")
                .values_list("position", flat=True)
                .distinct()
                .order_by()
            ),
        )
    )


def positions_matching(phrase: str) -> list[str]:
    """The positions on the rolls that contain the phrase (folded, whole words), as the
    suggestion rules match them."""
    from llct.planning.nominations.rules import Requirement

    matcher = Requirement.build(phrase, TheoryLevel.TRUNG_CAP, 0)
    return [p for p in distinct_positions() if matcher.matches(fold(p))]


def _tallies(rows: Iterable[dict[str, Any]]) -> list[Tally]:
    return [
        Tally(r["organization__path"], Decimal(r["num"] or 0), Decimal(r["den"] or 0)) for r in rows
    ]


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _stage_label(stage: str) -> str:
    return str(dict(MembershipStage.choices).get(stage, stage))


# ----------------------------------------------------------------------------------------------


class NewMemberTrained(Indicator):
    code = "new_member_trained"
    label = _("New members who completed the new-member class within probation")
    numerator_label = _("completed the class within probation")
    denominator_label = _("members whose probation ended")
    counts = _(
        "Members whose 12-month probation ended in the year (up to the date), and of them those "
        "who passed a new-member class that ended between their admission and the end of their "
        "probation, with the class's results approved (and both by the date) and its "
        "certificate not revoked. Members who have left are not counted."
    )

    def _base(self, *, prefix: str, period: Period) -> Any:
        low, high = admitted_between_for_probation_end(period.start, period.end)
        return (
            people_under(prefix)
            .exclude(stage=MembershipStage.LEFT)
            .filter(admitted_on__gte=low, admitted_on__lte=high)
            .annotate(trained=Exists(new_member_class_finished_sql(by=period.end)))
        )

    def _tally(self, *, prefix: str, period: Period, variant: str) -> Iterable[Tally]:
        rows = (
            self._base(prefix=prefix, period=period)
            .values("organization__path")
            .annotate(num=Count("pk", filter=Q(trained=True)), den=Count("pk"))
            .order_by()
        )
        return _tallies(rows)

    def columns(self) -> list[Column]:
        return [
            Column(_("Full name")),
            Column(_("Organization")),
            Column(_("Admitted on")),
            Column(_("Probation ends on")),
            Column(_("Completed the class within probation")),
        ]

    def _rows(self, *, prefix: str, period: Period, variant: str) -> Iterable[Row]:
        qs = self._base(prefix=prefix, period=period).order_by("sort_key", "pk")
        for p in qs.values("pk", "full_name", "organization__name", "admitted_on", "trained"):
            yield Row(
                cells=(
                    p["full_name"],
                    p["organization__name"],
                    _fmt(p["admitted_on"]),
                    _fmt(add_months(p["admitted_on"], 12)),
                    _t("Yes") if p["trained"] else _t("No"),
                ),
                counted=bool(p["trained"]),
                url=person_url(p["pk"]),
            )


class AdmissionCertified(Indicator):
    code = "admission_certified"
    label = _("Admitted candidates who held a valid certificate on admission")
    numerator_label = _("held a valid awareness certificate")
    denominator_label = _("members admitted")
    counts = _(
        "People admitted to the Party in the year (up to the date), and of them those holding "
        "a certificate of the awareness class valid on the day of admission (issued by then, "
        "not expired, not revoked)."
    )

    def _base(self, *, prefix: str, period: Period) -> Any:
        valid = Certificate.objects.filter(
            person_id=OuterRef("pk"),
            programme__kind=Programme.Kind.ADMISSION,
            issued_on__lte=OuterRef("admitted_on"),
        ).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=OuterRef("admitted_on")),
            ~Q(status=Certificate.Status.REVOKED, revoked_on__lte=OuterRef("admitted_on")),
        )
        return (
            people_under(prefix)
            .filter(admitted_on__gte=period.start, admitted_on__lte=period.end)
            .annotate(certified=Exists(valid))
        )

    def _tally(self, *, prefix: str, period: Period, variant: str) -> Iterable[Tally]:
        rows = (
            self._base(prefix=prefix, period=period)
            .values("organization__path")
            .annotate(num=Count("pk", filter=Q(certified=True)), den=Count("pk"))
            .order_by()
        )
        return _tallies(rows)

    def columns(self) -> list[Column]:
        return [
            Column(_("Full name")),
            Column(_("Organization")),
            Column(_("Admitted on")),
            Column(_("Valid certificate on admission")),
        ]

    def _rows(self, *, prefix: str, period: Period, variant: str) -> Iterable[Row]:
        qs = self._base(prefix=prefix, period=period).order_by("sort_key", "pk")
        for p in qs.values("pk", "full_name", "organization__name", "admitted_on", "certified"):
            yield Row(
                cells=(
                    p["full_name"],
                    p["organization__name"],
                    _fmt(p["admitted_on"]),
                    _t("Yes") if p["certified"] else _t("No"),
                ),
                counted=bool(p["certified"]),
                url=person_url(p["pk"]),
            )


class CadresTrungCap(Indicator):
    """Variant: a position phrase of a PositionRequirement (the position group); blank for
    every cadre."""

    code = "cadres_trung_cap"
    label = _("Cadres at trung cấp or above")
    numerator_label = _("at trung cấp, cao cấp or cử nhân")
    denominator_label = _("cadres (people with a position)")
    counts = _(
        "People on the rolls holding a position (those of a position group when one is "
        "chosen), and of them those whose theory level on the date is trung cấp or above."
    )

    def variants(self) -> list[tuple[str, str]]:
        from llct.planning.models import PositionRequirement

        return [(p, p) for p in PositionRequirement.objects.values_list("position", flat=True)]

    def _base(self, *, prefix: str, period: Period, variant: str) -> Any:
        qs = people_under(prefix).exclude(stage=MembershipStage.LEFT).exclude(position="")
        if variant:
            qs = qs.filter(position__in=positions_matching(variant))
        # The current level holds on the date unless a level changed after it (one cheap query
        # instead of two correlated subqueries per person).
        later = remembered(
            ("levels_after", period.end),
            TheoryLevelChange.objects.filter(effective_on__gt=period.end).exists,
        )
        if not later:
            return qs.annotate(level_on=F("theory_level"))
        changes = TheoryLevelChange.objects.filter(person_id=OuterRef("pk"))
        latest = changes.filter(effective_on__lte=period.end).order_by("-effective_on", "-id")
        return qs.annotate(
            level_on=Coalesce(
                Subquery(latest.values("level")[:1]),
                Case(
                    When(Exists(changes), then=V(TheoryLevel.NONE)),
                    default="theory_level",
                    output_field=IntegerField(),
                ),
            )
        )

    def _tally(self, *, prefix: str, period: Period, variant: str) -> Iterable[Tally]:
        # Grouped by organization id, not path: no join on twenty thousand rows, and the
        # (organization, ...) index serves the grouping; the paths come from the tree.
        rows = (
            self._base(prefix=prefix, period=period, variant=variant)
            .annotate(
                high=Case(
                    When(level_on__gte=TheoryLevel.TRUNG_CAP, then=V(True)),
                    default=V(False),
                    output_field=BooleanField(),
                )
            )
            .values("organization_id", "high")
            .annotate(n=Count("pk"))
            .order_by()
        )
        paths = organization_paths(prefix)
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in rows:
            entry = sums[paths[r["organization_id"]]]
            entry[1] += r["n"]
            if r["high"]:
                entry[0] += r["n"]
        return [Tally(path, Decimal(n), Decimal(d)) for path, (n, d) in sums.items()]

    def columns(self) -> list[Column]:
        return [
            Column(_("Full name")),
            Column(_("Organization")),
            Column(_("Position")),
            Column(_("Theory level on the date")),
        ]

    def _rows(self, *, prefix: str, period: Period, variant: str) -> Iterable[Row]:
        labels = dict(TheoryLevel.choices)
        qs = self._base(prefix=prefix, period=period, variant=variant).order_by("sort_key", "pk")
        for p in qs.values("pk", "full_name", "organization__name", "position", "level_on"):
            level = p["level_on"] or 0
            yield Row(
                cells=(
                    p["full_name"],
                    p["organization__name"],
                    p["position"],
                    str(labels.get(level, "")),
                ),
                counted=level >= TheoryLevel.TRUNG_CAP,
                url=person_url(p["pk"]),
            )


class NominatedRequired(Indicator):
    """Computed with the planning app's suggestion rules: a handful of queries, but seconds for
    a whole province, hence `heavy`."""

    code = "nominated_required"
    label = _("People nominated of those the rules require")
    numerator_label = _("nominated in the year's round")
    denominator_label = _("due by the suggestion rules")
    counts = _(
        "People the suggestion rules find due for a class in the year's nomination round, "
        "judged on the round's deadline (or the date, if earlier), and of them those their "
        "organization nominated for that class by the date."
    )
    heavy = True

    def _due(self, *, prefix: str, period: Period) -> list[tuple[Any, bool]]:
        from llct.planning.models import Nomination, NominationRound
        from llct.planning.nominations.suggestions import due_in_subtree

        nomination_round = NominationRound.objects.filter(year=period.year).first()
        if nomination_round is None:
            return []
        today = min(period.end, nomination_round.deadline)
        due = due_in_subtree(path=prefix, year=period.year, today=today)
        nominated = set(
            Nomination.objects.filter(
                submission__round=nomination_round, created_at__date__lte=period.end
            ).values_list("person_id", "programme_id")
        )
        return [(s, (s.person_id, s.programme_id) in nominated) for s in due]

    def _tally(self, *, prefix: str, period: Period, variant: str) -> Iterable[Tally]:
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for suggestion, nominated in self._due(prefix=prefix, period=period):
            entry = sums[suggestion.organization_path]
            entry[1] += 1
            entry[0] += int(nominated)
        return [Tally(path, Decimal(n), Decimal(d)) for path, (n, d) in sums.items()]

    def columns(self) -> list[Column]:
        return [
            Column(_("Full name")),
            Column(_("Organization")),
            Column(_("Membership stage")),
            Column(_("Class due")),
            Column(_("Why")),
            Column(_("Nominated")),
        ]

    def _rows(self, *, prefix: str, period: Period, variant: str) -> Iterable[Row]:
        due = sorted(
            self._due(prefix=prefix, period=period),
            key=lambda item: (item[0].sort_key, item[0].person_id),
        )
        for s, nominated in due:
            yield Row(
                cells=(
                    s.full_name,
                    s.organization_name,
                    _stage_label(s.stage),
                    s.programme_name,
                    s.explanation,
                    _t("Yes") if nominated else _t("No"),
                ),
                counted=nominated,
                url=person_url(s.person_id),
            )
