"""The indicator API: what a number counts, its value for a subtree, and the list behind it.

An indicator is a numerator over a denominator, computed from the data for the subtree of an
organization, for a year, as of a date. Values roll up the tree by summing numerators and
denominators, never by averaging percentages: the value of a committee is the value of the
people (or courses) of its whole subtree, whatever the size of each branch.

Each indicator answers with one aggregate query grouped by organization path (`_tally`), so
the value of a node and of all its children costs one query, not one per child:
`compute_many(orgs=[node, *children], ...)` sums the tallies into each requested subtree.

People are counted under their current organization; the tree is today's tree. The dates of
the rules (admission, end of probation, course ends, certificates, expenses) are read as of
`as_of`, so a past date gives the value the data held then, as far as the data keeps history.
"""

import datetime as dt
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django.db import models
from django.http import Http404
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from llct.core.models import User
from llct.core.permissions import ALL, scope_path
from llct.organizations.models import Organization

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Unit(models.TextChoices):
    """How a value reads. PERCENT: numerator / denominator x 100. AVERAGE: numerator /
    denominator (e.g. points on a 1-5 scale, numerator the sum of points)."""

    PERCENT = "percent", _("%")
    POINTS = "points", _("points (1–5)")


class Subject(models.TextChoices):
    """What the list behind a number holds."""

    PEOPLE = "people", _("People")
    COURSES = "courses", _("Courses")
    PLANNED_COURSES = "planned_courses", _("Planned courses")
    LECTURERS = "lecturers", _("Lecturers")


@dataclass(frozen=True)
class Value:
    """A numerator over a denominator. Add two values to roll up two subtrees."""

    numerator: Decimal = ZERO
    denominator: Decimal = ZERO

    def __add__(self, other: "Value") -> "Value":
        return Value(self.numerator + other.numerator, self.denominator + other.denominator)

    @property
    def is_empty(self) -> bool:
        return self.denominator == 0

    def ratio(self) -> Decimal | None:
        if self.denominator == 0:
            return None
        return self.numerator / self.denominator


def value_in_unit(value: Value, unit: str) -> Decimal | None:
    """The value as a reader sees it: a percentage or an average, rounded to 0.1 (points to
    0.01); None when nothing was counted."""
    ratio = value.ratio()
    if ratio is None:
        return None
    if unit == Unit.PERCENT:
        return (ratio * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    """The part of `year` up to `as_of`: [1 January, min(as_of, 31 December)]."""

    year: int
    as_of: dt.date

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return min(self.as_of, dt.date(self.year, 12, 31))

    @property
    def is_empty(self) -> bool:
        return self.end < self.start


@dataclass(frozen=True)
class Tally:
    """The counts of one organization's own people or courses (not its subtree)."""

    path: str
    numerator: Decimal
    denominator: Decimal


@dataclass(frozen=True)
class Column:
    label: str | Promise


@dataclass(frozen=True)
class Row:
    """One person, course or lecturer behind a number. `counted`: in the numerator too."""

    cells: tuple[Any, ...]
    counted: bool
    url: str = ""


@dataclass
class Listing:
    """The list behind a value, within the viewer's scope."""

    indicator: "Indicator"
    organization: Organization
    period: Period
    variant: str
    subject: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)

    @property
    def value(self) -> Value:
        counted = sum(1 for r in self.rows if r.counted)
        return Value(Decimal(counted), Decimal(len(self.rows)))


class Indicator(ABC):
    """An entry of the registry. Subclasses set the class attributes and implement `_tally`
    (one aggregate query grouped by organization path) and `_rows`."""

    code: str
    label: str | Promise
    unit: str = Unit.PERCENT
    subject: str = Subject.PEOPLE
    numerator_label: str | Promise
    denominator_label: str | Promise
    # How the indicator is computed, in a sentence the dashboard shows.
    counts: str | Promise
    # Costly to compute live (seconds at a province's size): dashboards read today's snapshot
    # when there is one.
    heavy: bool = False

    def __str__(self) -> str:
        return str(self.label)

    # -- the public API ----------------------------------------------------------------------

    def compute(self, *, org: Organization, as_of: dt.date, year: int, variant: str = "") -> Value:
        """The value for the subtree of `org`. One aggregate query (plus any the indicator
        documents). The caller is responsible for `org` being in the viewer's scope."""
        return self.compute_many(orgs=[org], as_of=as_of, year=year, variant=variant)[org.pk]

    def compute_many(
        self,
        *,
        orgs: Sequence[Organization],
        as_of: dt.date,
        year: int,
        variant: str = "",
    ) -> dict[int, Value]:
        """The value for each organization's subtree, keyed by organization id, with the same
        fixed number of queries as `compute` whatever the number of organizations."""
        if not orgs:
            return {}
        period = Period(year=year, as_of=as_of)
        tallies: Iterable[Tally] = (
            []
            if period.is_empty
            else self._tally(
                prefix=common_prefix([o.path for o in orgs]), period=period, variant=variant
            )
        )
        return roll_up(tallies, orgs)

    def rows(
        self,
        *,
        user: User,
        org: Organization,
        as_of: dt.date,
        year: int,
        variant: str = "",
    ) -> Listing:
        """The people (or courses, or lecturers) behind the value of `org`'s subtree. Answers
        404 when `org` is outside the user's scope, so no caller can leak another subtree."""
        require_in_scope(user, org)
        period = Period(year=year, as_of=as_of)
        listing = Listing(
            indicator=self,
            organization=org,
            period=period,
            variant=variant,
            subject=self.subject,
            columns=self.columns(),
        )
        if not period.is_empty:
            listing.rows = list(self._rows(prefix=org.path, period=period, variant=variant))
        return listing

    def variants(self) -> list[tuple[str, str]]:
        """(variant, label) pairs a target may pick, e.g. a position group. Empty: none."""
        return []

    def value_of(self, value: Value) -> Decimal | None:
        return value_in_unit(value, self.unit)

    # -- what each indicator implements --------------------------------------------------------

    @abstractmethod
    def _tally(self, *, prefix: str, period: Period, variant: str) -> Iterable[Tally]:
        """Numerator and denominator of each organization under `prefix` (its own people or
        courses), in a fixed number of queries."""

    @abstractmethod
    def columns(self) -> list[Column]: ...

    @abstractmethod
    def _rows(self, *, prefix: str, period: Period, variant: str) -> Iterable[Row]: ...


# -- helpers shared by the indicators -----------------------------------------------------------

_shared: ContextVar[dict[Any, Any] | None] = ContextVar("indicator_shared_work", default=None)


@contextmanager
def shared() -> Iterator[None]:
    """Within the block, indicators that count the same rows share one query (the pass rate
    and the share Khá or better). A dashboard wraps its computation in it; outside, each
    indicator queries on its own, so no value can outlive the request that computed it."""
    if _shared.get() is not None:  # already inside: share with the outer block
        yield
        return
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def remembered(key: Any, compute: Callable[[], Any]) -> Any:
    memo = _shared.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def url_for(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for lists of thousands of rows: the pattern is reversed once
    per list (with a stand-in id) and the id put in its place."""
    head, tail = _url_pattern(name, get_script_prefix())
    return f"{head}{pk}{tail}"


@lru_cache(maxsize=32)
def _url_pattern(name: str, script_prefix: str) -> tuple[str, str]:
    stand_in = 987654321
    url = reverse(name, args=[stand_in])
    head, _sep, tail = url.rpartition(str(stand_in))
    return head, tail


def whole_tree(prefix: str) -> bool:
    """Whether the subtree at `prefix` is the whole tree (the province viewed by a leader).
    Filtering twenty thousand people by "organization in the subtree" then only makes the
    database walk them one organization at a time; a plain scan is several times faster."""
    if prefix == ALL:
        return True
    return bool(
        remembered(
            ("whole", prefix),
            lambda: not Organization.objects.exclude(path__startswith=prefix).exists(),
        )
    )


def require_in_scope(user: User, org: Organization) -> None:
    path = scope_path(user)
    if path is None or (path != ALL and not org.path.startswith(path)):
        raise Http404


def common_prefix(paths: Sequence[str]) -> str:
    """The deepest path every one of `paths` lies under ("/1/7/" and "/1/9/4/" give "/1/")."""
    # Character by character on purpose: the cut at the last "/" makes it whole segments.
    prefix = os.path.commonprefix(list(paths))  # noqa: RUF071
    return prefix[: prefix.rfind("/") + 1] or "/"


def ancestor_paths(path: str) -> list[str]:
    """ "/1/7/42/" -> ["/1/", "/1/7/", "/1/7/42/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def roll_up(tallies: Iterable[Tally], orgs: Sequence[Organization]) -> dict[int, Value]:
    """Sum each organization's own counts into every requested subtree that contains it."""
    wanted = {o.path: o.pk for o in orgs}
    sums: dict[int, Value] = {o.pk: Value() for o in orgs}
    for tally in tallies:
        part = Value(Decimal(tally.numerator), Decimal(tally.denominator))
        for path in ancestor_paths(tally.path):
            pk = wanted.get(path)
            if pk is not None:
                sums[pk] = sums[pk] + part
    return sums


def as_decimal(value: Any) -> Decimal:
    return Decimal(value or 0)
