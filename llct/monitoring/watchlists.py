"""Watchlists: what must not slip, for a subtree, as of `today`.

1. probationary members whose probation ends within N days (a setting) without having
   passed the new-member class;
2. admission candidates whose awareness certificate expires within N days (a setting) and who
   hold no other certificate valid beyond that;
3. cadres below the theory level their position requires (PositionRequirement);
4. grassroots organizations late with their nominations (an open round's deadline passed);
5. project tasks past their deadline and not done;
6. and the lists apps above this one add (`register`): reviews adds the overdue
   recommendations of inspections from its `AppConfig.ready`, so this app never imports it.

Each list is one or two queries whatever the size of the subtree; `counts_only` skips the
rows (the home page shows the counts).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from llct.assessment.models import Certificate
from llct.assessment.records import new_member_class_finished_sql
from llct.core.models import User
from llct.core.permissions import ALL, scope_path
from llct.core.text import fold
from llct.curriculum.models import Programme
from llct.monitoring.indicators.base import url_for, whole_tree
from llct.monitoring.indicators.people import (
    admitted_between_for_probation_end,
    distinct_positions,
)
from llct.monitoring.models import Assignment, MonitoringSettings
from llct.organizations.models import MembershipStage, Organization, Person, add_months

PROBATION = "probation"
CERTIFICATE = "certificate"
POSITION = "position"
SUBMISSION = "submission"
TASK = "task"
LABELS: dict[str, str | Promise] = {
    PROBATION: gettext_lazy("Probation ends soon without the new-member class"),
    CERTIFICATE: gettext_lazy("Awareness certificate expires soon"),
    POSITION: gettext_lazy("Below the theory level the position requires"),
    SUBMISSION: gettext_lazy("Organizations late with their nominations"),
    TASK: gettext_lazy("Overdue project tasks"),
}

# What the first column of a list names, where it is not a person.
HEADINGS: dict[str, str | Promise] = {
    SUBMISSION: gettext_lazy("Organization"),
    TASK: gettext_lazy("Task"),
}


@dataclass(frozen=True)
class Item:
    name: str
    organization: str
    detail: str
    due_on: dt.date | None = None
    url: str = ""


@dataclass
class Watchlist:
    code: str
    count: int
    items: list[Item] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(LABELS[self.code])

    @property
    def heading(self) -> str:
        return str(HEADINGS.get(self.code, gettext_lazy("Full name")))

    @property
    def url(self) -> str:
        return reverse("monitoring:watchlists") + f"#{self.code}"


class Builder(Protocol):
    """Builds one watchlist for the subtree at `prefix` ("/" for all) as of `today`: the rows
    (at most a couple of queries whatever the subtree's size), or only the count."""

    def __call__(self, *, prefix: str, today: dt.date, counts_only: bool) -> "Watchlist": ...


# The lists added by apps above this one, in the order they registered.
REGISTERED: dict[str, Builder] = {}


def register(
    *, code: str, label: str | Promise, build: Builder, heading: str | Promise | None = None
) -> None:
    """Add a watchlist, from the `AppConfig.ready` of an app above monitoring (the arrows
    point down: monitoring never imports it); `heading` names what its items are when they
    are not people. Registering a code again replaces it."""
    LABELS[code] = label
    if heading is not None:
        HEADINGS[code] = heading
    REGISTERED[code] = build


def _under(qs: Any, field_name: str, prefix: str) -> Any:
    return qs if prefix == ALL else qs.filter(**{f"{field_name}__startswith": prefix})


def _people_under(qs: Any, prefix: str) -> Any:
    """People of a subtree by organization id in a subquery (run once), not a join."""
    if whole_tree(prefix):
        return qs
    return qs.filter(
        organization_id__in=Organization.objects.filter(path__startswith=prefix).values("pk")
    )


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _person_url(pk: int) -> str:
    return url_for("organizations:person_detail", pk)


def _probation_filter(today: dt.date, days: int) -> Q:
    """Probationary members whose probation ends within `days` and who have not finished the
    new-member class as `assessment.selectors.new_member_class_finished` defines it (its SQL
    twin)."""
    low, high = admitted_between_for_probation_end(today, today + dt.timedelta(days=days))
    # The cheap conditions first: SQLite tests the subquery only for the rows they keep.
    return Q(stage=MembershipStage.PROBATIONARY, admitted_on__gte=low, admitted_on__lte=high) & Q(
        ~Exists(new_member_class_finished_sql())
    )


def probation_ending(*, prefix: str, today: dt.date, days: int) -> Watchlist:
    qs = _people_under(Person.objects.filter(_probation_filter(today, days)), prefix)
    items = []
    for p in qs.order_by("admitted_on", "sort_key").values(
        "pk", "full_name", "organization__name", "admitted_on"
    ):
        ends = add_months(p["admitted_on"], 12)
        items.append(
            Item(
                p["full_name"],
                p["organization__name"],
                _("Probation ends on %(date)s") % {"date": _fmt(ends)},
                ends,
                _person_url(p["pk"]),
            )
        )
    return Watchlist(PROBATION, len(items), items)


def _valid_on(day: dt.date) -> Q:
    return Q(issued_on__lte=day) & ~Q(status=Certificate.Status.REVOKED, revoked_on__lte=day)


def _expiring(today: dt.date, days: int) -> tuple[Any, Any]:
    horizon = today + dt.timedelta(days=days)
    mine = Certificate.objects.filter(
        person_id=OuterRef("pk"), programme__kind=Programme.Kind.ADMISSION
    )
    expiring = mine.filter(_valid_on(today), expires_on__gte=today, expires_on__lte=horizon)
    lasting = mine.filter(_valid_on(today)).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=horizon)
    )
    return expiring, lasting


def _certificate_filter(today: dt.date, days: int) -> Q:
    expiring, lasting = _expiring(today, days)
    return Q(stage=MembershipStage.CANDIDATE) & Q(Exists(expiring), ~Exists(lasting))


def certificate_expiring(*, prefix: str, today: dt.date, days: int) -> Watchlist:
    expiring, _lasting = _expiring(today, days)
    qs = _people_under(Person.objects.filter(_certificate_filter(today, days)), prefix).annotate(
        expires=Subquery(
            expiring.values("person_id").annotate(last=Max("expires_on")).values("last")[:1]
        )
    )
    items = [
        Item(
            p["full_name"],
            p["organization__name"],
            _("Certificate valid until %(date)s") % {"date": _fmt(p["expires"])},
            p["expires"],
            _person_url(p["pk"]),
        )
        for p in qs.order_by("expires", "sort_key").values(
            "pk", "full_name", "organization__name", "expires"
        )
    ]
    return Watchlist(CERTIFICATE, len(items), items)


def _requirements() -> list[Any]:
    from llct.planning.models import PositionRequirement
    from llct.planning.nominations.rules import Requirement

    return [
        Requirement.build(position, level, programme_id)
        for position, level, programme_id in PositionRequirement.objects.values_list(
            "position", "required_level", "programme_id"
        )
    ]


def _required_level(requirements: list[Any], cache: dict[str, int]) -> Callable[[str], int]:
    def level(position: str) -> int:
        if position not in cache:
            folded = fold(position)
            cache[position] = max(
                (r.required_level for r in requirements if r.matches(folded)), default=0
            )
        return cache[position]

    return level


def _position_filter() -> tuple[Q | None, Callable[[str], int]]:
    """The distinct positions on the rolls (a few dozen) matched against the requirements in
    Python, as one filter per required level; None when no position requires a level."""
    requirements = _requirements()
    required = _required_level(requirements, {})
    if not requirements:
        return None, required
    by_level: dict[int, list[str]] = defaultdict(list)
    for position in distinct_positions():
        level = required(position)
        if level:
            by_level[level].append(position)
    if not by_level:
        return None, required
    below = Q()
    for level, positions in by_level.items():
        below |= Q(position__in=positions, theory_level__lt=level)
    return ~Q(stage=MembershipStage.LEFT) & below, required


def below_required_level(*, prefix: str) -> Watchlist:
    below, required = _position_filter()
    if below is None:
        return Watchlist(POSITION, 0)
    from llct.organizations.models import TheoryLevel

    labels = dict(TheoryLevel.choices)
    qs = _people_under(Person.objects.filter(below), prefix)
    items = [
        Item(
            p["full_name"],
            p["organization__name"],
            (
                _("%(position)s: requires %(required)s, has %(level)s")
                if p["theory_level"]
                else _("%(position)s: requires %(required)s, has none yet")
            )
            % {
                "position": p["position"],
                "required": labels[required(p["position"])],
                "level": labels[p["theory_level"]],
            },
            None,
            _person_url(p["pk"]),
        )
        for p in qs.order_by("organization__path", "sort_key").values(
            "pk", "full_name", "organization__name", "position", "theory_level"
        )
    ]
    return Watchlist(POSITION, len(items), items)


def people_counts(*, prefix: str, today: dt.date, rules: MonitoringSettings) -> list[Watchlist]:
    """The three lists of people counted in one pass over the subtree's people."""
    below, _required = _position_filter()
    counts = _people_under(Person.objects.all(), prefix).aggregate(
        probation=Count("pk", filter=_probation_filter(today, rules.probation_watch_days)),
        certificate=Count("pk", filter=_certificate_filter(today, rules.certificate_watch_days)),
        position=Count("pk", filter=below if below is not None else Q(pk__in=[])),
    )
    return [
        Watchlist(PROBATION, counts["probation"]),
        Watchlist(CERTIFICATE, counts["certificate"]),
        Watchlist(POSITION, counts["position"] if below is not None else 0),
    ]


def late_submissions(*, prefix: str, today: dt.date, counts_only: bool) -> Watchlist:
    from llct.planning.models import NominationRound, Submission

    rounds = list(NominationRound.objects.filter(is_closed=False, deadline__lt=today))
    if not rounds:
        return Watchlist(SUBMISSION, 0)
    organizations = list(
        _under(
            Organization.objects.filter(kind__is_grassroots=True, dissolved_on__isnull=True),
            "path",
            prefix,
        )
        .order_by("path")
        .values("pk", "name")
    )
    done = set(
        Submission.objects.filter(round__in=rounds)
        .filter(
            Q(status=Submission.Status.SUBMITTED)
            | Q(status=Submission.Status.REOPENED, reopened_until__gte=today)
        )
        .values_list("round_id", "organization_id")
    )
    if counts_only:
        late = sum(1 for r in rounds for o in organizations if (r.pk, o["pk"]) not in done)
        return Watchlist(SUBMISSION, late)
    items = [
        Item(
            o["name"],
            o["name"],
            _("Nominations for %(year)s were due on %(date)s")
            % {"year": r.year, "date": _fmt(r.deadline)},
            r.deadline,
            reverse("planning:submission", args=[r.pk, o["pk"]]),
        )
        for r in rounds
        for o in organizations
        if (r.pk, o["pk"]) not in done
    ]
    return Watchlist(SUBMISSION, len(items), items)


def overdue_tasks(*, prefix: str, today: dt.date, counts_only: bool) -> Watchlist:
    qs = _under(
        Assignment.objects.exclude(status=Assignment.Status.DONE).filter(task__deadline__lt=today),
        "organization__path",
        prefix,
    )
    if counts_only:
        return Watchlist(TASK, qs.count())
    items = [
        Item(
            a["task__title"],
            a["organization__name"],
            _("%(project)s: due on %(date)s")
            % {"project": a["task__project__number"], "date": _fmt(a["task__deadline"])},
            a["task__deadline"],
            reverse("monitoring:assignment", args=[a["pk"]]),
        )
        for a in qs.order_by("task__deadline", "organization__path").values(
            "pk",
            "task__title",
            "task__deadline",
            "task__project__number",
            "organization__name",
        )
    ]
    return Watchlist(TASK, len(items), items)


def watchlists(
    *,
    user: User,
    today: dt.date,
    organization: Organization | None = None,
    counts_only: bool = False,
) -> list[Watchlist]:
    """The watchlists of the user's subtree (or of `organization`, which the caller has
    checked is in it): the five of this app, then the registered ones. Empty for users who
    may read no rolls."""
    prefix = _prefix(user, organization)
    if prefix is None:
        return []
    return watchlists_for_path(prefix=prefix, today=today, counts_only=counts_only)


def _prefix(user: User, organization: Organization | None) -> str | None:
    """The subtree the lists cover: `organization`'s, else the user's scope (None: no rolls)."""
    return organization.path if organization is not None else scope_path(user)


def watchlists_for_path(*, prefix: str, today: dt.date, counts_only: bool) -> list[Watchlist]:
    rules = MonitoringSettings.current()
    seconds = settings.LLCT_WATCHLIST_COUNTS_SECONDS
    if counts_only and seconds > 0:
        # The home page's and dashboard's counts go over every person of the subtree (about a
        # second for a province of a million): kept in the shared cache for a few minutes, per
        # subtree, day and rule. The lists themselves are always read live.
        key = _counts_key(prefix=prefix, today=today, rules=rules)
        counts: list[Watchlist] | None = cache.get(key)
        if counts is None:
            counts = _watchlists(prefix=prefix, today=today, counts_only=True, rules=rules)
            cache.set(key, counts, seconds)
        return counts
    return _watchlists(prefix=prefix, today=today, counts_only=counts_only, rules=rules)


def cached_watchlist_counts(
    *, user: User, today: dt.date, organization: Organization | None = None
) -> list[Watchlist] | None:
    """The counts of the user's subtree (or of `organization`, checked by the caller) if the
    shared cache holds them, else None: the page then asks for them in a request of their own
    (`monitoring:watchlist_counts`), so that it never waits on a count over a million people."""
    prefix = _prefix(user, organization)
    if prefix is None:
        return []
    if settings.LLCT_WATCHLIST_COUNTS_SECONDS <= 0:
        return None
    rules = MonitoringSettings.current()
    counts: list[Watchlist] | None = cache.get(_counts_key(prefix=prefix, today=today, rules=rules))
    return counts


def _counts_key(*, prefix: str, today: dt.date, rules: MonitoringSettings) -> str:
    return ":".join(
        (
            "watchlist-counts",
            prefix,
            today.isoformat(),
            str(rules.probation_watch_days),
            str(rules.certificate_watch_days),
        )
    )


def _watchlists(
    *, prefix: str, today: dt.date, counts_only: bool, rules: MonitoringSettings
) -> list[Watchlist]:
    if counts_only:
        people = people_counts(prefix=prefix, today=today, rules=rules)
    else:
        people = [
            probation_ending(prefix=prefix, today=today, days=rules.probation_watch_days),
            certificate_expiring(prefix=prefix, today=today, days=rules.certificate_watch_days),
            below_required_level(prefix=prefix),
        ]
    return [
        *people,
        late_submissions(prefix=prefix, today=today, counts_only=counts_only),
        overdue_tasks(prefix=prefix, today=today, counts_only=counts_only),
        *(
            build(prefix=prefix, today=today, counts_only=counts_only)
            for build in REGISTERED.values()
        ),
    ]
