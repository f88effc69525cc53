"""Suggestions: who each grassroots organization should nominate in a round."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

from django.utils.translation import gettext as _

from llct.core.permissions import ALL
from llct.core.sql import without_jit
from llct.curriculum.models import Programme
from llct.organizations.models import MembershipStage, Organization, Person
from llct.planning.models import (
    Nomination,
    NominationRound,
    PositionRequirement,
)
from llct.planning.nominations import due
from llct.planning.nominations.rules import (
    RULE_ADMISSION,
    RULE_LABELS,
    RULE_NEW_MEMBER,
    RULE_ORDER,
    RULE_POSITION,
    RULE_RETAKE,
    Due,
    Requirement,
    new_member_rule,
    suggested_quarter,
)
from llct.planning.nominations.selectors import nearest_grassroots, part_rows


# Slots: a province-wide run holds hundreds of thousands of these.
@dataclass(frozen=True, slots=True)
class Suggestion:
    person_id: int
    full_name: str
    sort_key: str
    organization_name: str  # the person's own organization (the chi bộ)
    grassroots_id: int
    stage: str
    programme_id: int
    programme_name: str
    rule: str
    urgent: bool
    due_on: dt.date | None
    detail: str
    quarter: int | None
    organization_path: str = ""  # the person's own organization's path

    @property
    def key(self) -> str:
        return f"{self.person_id}-{self.programme_id}"

    @property
    def rule_label(self) -> str:
        return str(RULE_LABELS[self.rule])

    @property
    def stage_label(self) -> str:
        return str(dict(MembershipStage.choices).get(self.stage, self.stage))

    @property
    def explanation(self) -> str:
        """The rule's facts in a phrase: the end of the probation, the certificate, the
        position, the last attempt."""
        day = self.due_on.strftime("%d/%m/%Y") if self.due_on else ""
        if self.rule == RULE_NEW_MEMBER:
            if not day:
                return _("Probation end unknown (no admission date)")
            return _("Probation ends on %(date)s") % {"date": day}
        if self.rule == RULE_ADMISSION:
            if self.detail == "expires" and day:
                return _("Certificate valid only until %(date)s") % {"date": day}
            return _("No valid certificate")
        if self.rule == RULE_POSITION:
            return _("Position “%(position)s”") % {"position": self.detail}
        return self._retake_explanation(day)

    def _retake_explanation(self, day: str) -> str:
        if self.detail == "withdrawn":
            return _("Withdrew from the course ending %(date)s") % {"date": day}
        return _("Failed the course ending %(date)s") % {"date": day}


@dataclass
class SuggestionSet:
    items: list[Suggestion] = field(default_factory=list)
    not_offered: int = 0  # due for a programme the round does not offer
    already_nominated: int = 0
    outside: int = 0  # people under no grassroots organization

    @property
    def urgent(self) -> list[Suggestion]:
        return [s for s in self.items if s.urgent]


@dataclass(frozen=True)
class _Offer:
    """The programmes on offer, and how a rule's programme maps onto one of them."""

    names: dict[int, str]
    kinds: dict[int, str]
    stages: dict[int, list[str]]  # who may attend; empty means everyone
    ids_by_kind: dict[str, set[int]]
    offered: list[int]  # in code order

    def admits(self, programme_id: int, stage: str) -> bool:
        stages = self.stages.get(programme_id)
        return not stages or stage in stages

    def for_kind(self, kind: str) -> int | None:
        return next((p for p in self.offered if self.kinds.get(p) == kind), None)

    def for_programme(self, programme_id: int) -> int | None:
        """The programme itself if on offer, else one of the same kind that is."""
        if programme_id in self.offered:
            return programme_id
        return self.for_kind(self.kinds.get(programme_id, ""))


def _offer(offered_ids: Iterable[int]) -> _Offer:
    rows = list(
        Programme.objects.order_by("code").values_list("id", "kind", "name", "eligible_stages")
    )
    ids_by_kind: dict[str, set[int]] = defaultdict(set)
    for pk, kind, _name, _stages in rows:
        ids_by_kind[kind].add(pk)
    wanted = set(offered_ids)
    return _Offer(
        names={pk: name for pk, _kind, name, _stages in rows},
        kinds={pk: kind for pk, kind, _name, _stages in rows},
        stages={pk: list(stages or []) for pk, _kind, _name, stages in rows},
        ids_by_kind=dict(ids_by_kind),
        offered=[pk for pk, _kind, _name, _stages in rows if pk in wanted],
    )


@lru_cache(maxsize=4096)
def _probation_ends_on(admitted_on: dt.date | None) -> dt.date | None:
    # The Person model's rule, computed once per admission date rather than once per person.
    return Person(admitted_on=admitted_on).probation_ends_on()


def _suggest(**arguments: Any) -> SuggestionSet:
    with without_jit():
        return _suggest_all(**arguments)


def _suggest_all(
    *,
    organization_ids: list[int] | None,
    grassroots_of: dict[int, int],
    organization_names: dict[int, str],
    offer: _Offer,
    organization_paths: dict[int, str] | None = None,
    nominated: set[tuple[int, int]],
    year: int,
    today: dt.date,
    progress: Callable[[int], None] | None = None,
) -> SuggestionSet:
    """Everyone due in the given organizations (all when None). The database finds who is due,
    one query per rule (and per programme for positions, see `due.py`); Python only maps each
    rule onto a programme on offer and keeps one suggestion per person and programme."""
    people = Person.objects.exclude(stage=MembershipStage.LEFT)
    if organization_ids is not None:
        people = people.filter(organization_id__in=organization_ids)
    requirements = [
        Requirement.build(position, level, programme_id)
        for position, level, programme_id in PositionRequirement.objects.values_list(
            "position", "required_level", "programme_id"
        )
    ]
    result = SuggestionSet()
    best: dict[tuple[int, int], Suggestion] = {}
    outside: set[int] = set()
    rules: list[Iterable[due.DueRow]] = [
        due.new_member_due(people, today=today),
        due.admission_due(people, year=year, today=today),
        due.position_due(people, requirements=requirements, today=today),
        due.retake_due(people, today=today),
    ]
    rows = chain.from_iterable(_announced(rules, progress))
    for row in rows:
        person_id, full_name, sort_key, org_id, stage = row.person
        grassroots = grassroots_of.get(org_id)
        if grassroots is None:
            outside.add(person_id)
            continue
        found = _due_of(row, year=year)
        target = _target(row, offer)
        if target is None:
            result.not_offered += 1
            continue
        if not offer.admits(target, stage):
            # e.g. a full member who once withdrew from the admission class.
            continue
        if (person_id, target) in nominated:
            result.already_nominated += 1
            continue
        suggestion = Suggestion(
            person_id=person_id,
            full_name=full_name,
            sort_key=sort_key,
            organization_name=organization_names.get(org_id, ""),
            grassroots_id=grassroots,
            stage=stage,
            programme_id=target,
            programme_name=offer.names[target],
            rule=found.rule,
            urgent=found.urgent,
            due_on=found.due_on,
            detail=found.detail,
            quarter=suggested_quarter(found.due_on, year),
            organization_path=(organization_paths or {}).get(org_id, ""),
        )
        key = (person_id, target)
        kept = best.get(key)
        # One suggestion per person and programme: the most urgent rule, then the first.
        if kept is None or (not suggestion.urgent, RULE_ORDER[suggestion.rule]) < (
            not kept.urgent,
            RULE_ORDER[kept.rule],
        ):
            best[key] = suggestion
    result.outside = len(outside)
    result.items = sorted(
        best.values(),
        key=lambda s: (
            not s.urgent,
            RULE_ORDER[s.rule],
            s.due_on or dt.date.max,
            s.sort_key,
            s.person_id,
        ),
    )
    return result


def _announced(
    rules: list[Iterable[due.DueRow]], progress: Callable[[int], None] | None
) -> Iterator[Iterable[due.DueRow]]:
    """Each rule's rows, telling `progress` the number of the rule about to run (1..4)."""
    for step, rows in enumerate(rules, start=1):
        if progress is not None:
            progress(step)
        yield rows


def _due_of(row: due.DueRow, *, year: int) -> Due:
    """The Due a row of `due.py` stands for, urgency and dates as `rules.py` states them."""
    if row.rule == RULE_NEW_MEMBER:
        ends_on = _probation_ends_on(row.day)
        found = new_member_rule(
            stage=MembershipStage.PROBATIONARY, probation_ends_on=ends_on, trained=False, year=year
        )
        assert found is not None
        return found
    if row.rule == RULE_ADMISSION:
        if not row.flag:
            return Due(RULE_ADMISSION, urgent=True)
        return Due(RULE_ADMISSION, urgent=False, due_on=row.day, detail="expires")
    if row.rule == RULE_POSITION:
        return Due(RULE_POSITION, urgent=False, detail=row.detail)
    return Due(
        RULE_RETAKE, urgent=False, due_on=row.day, detail="withdrawn" if row.flag else "failed"
    )


def _target(row: due.DueRow, offer: _Offer) -> int | None:
    """The programme on offer a due row asks for."""
    if row.rule == RULE_NEW_MEMBER:
        return offer.for_kind(Programme.Kind.NEW_MEMBER)
    if row.rule == RULE_ADMISSION:
        return offer.for_kind(Programme.Kind.ADMISSION)
    assert row.programme_id is not None
    return offer.for_programme(row.programme_id)


def suggestions_for(
    *, nomination_round: NominationRound, organization: Organization, today: dt.date
) -> SuggestionSet:
    """Who the grassroots organization should nominate in this round (people already nominated
    in the round are counted, not repeated). A fixed number of queries."""
    rows = part_rows(organization)
    grassroots_of = {
        org_id: grassroots
        for org_id, grassroots in nearest_grassroots((r[0], r[1], r[3]) for r in rows).items()
        if grassroots == organization.pk
    }
    part = list(grassroots_of)
    nominated = set(
        Nomination.objects.filter(
            submission__round=nomination_round, person__organization_id__in=part
        ).values_list("person_id", "programme_id")
    )
    return _suggest(
        organization_ids=part,
        grassroots_of=grassroots_of,
        organization_names={r[0]: r[2] for r in rows},
        # .all(): the round's programmes are usually prefetched already.
        offer=_offer(p.pk for p in nomination_round.programmes.all()),
        nominated=nominated,
        year=nomination_round.year,
        today=today,
    )


RULE_STEPS = 4  # the rules `_suggest` runs, one after the other (for progress bars)


def suggestions_for_province(
    *, year: int, today: dt.date, progress: Callable[[int], None] | None = None
) -> dict[int, list[Suggestion]]:
    """Every grassroots organization's suggestions for a year, keyed by organization id: the
    programmes on offer are the year's round's, or every programme in use when there is none.
    Serves the province-wide task (`province.py`) and the benchmarks."""
    nomination_round = NominationRound.objects.filter(year=year).first()
    if nomination_round is not None:
        offered = list(nomination_round.programmes.values_list("id", flat=True))
        nominated = set(
            Nomination.objects.filter(submission__round=nomination_round).values_list(
                "person_id", "programme_id"
            )
        )
    else:
        offered = list(Programme.objects.filter(is_active=True).values_list("id", flat=True))
        nominated = set()
    rows = list(Organization.objects.values_list("id", "path", "name", "kind__is_grassroots"))
    result = _suggest(
        organization_ids=None,
        grassroots_of=nearest_grassroots((r[0], r[1], r[3]) for r in rows),
        organization_names={r[0]: r[2] for r in rows},
        offer=_offer(offered),
        nominated=nominated,
        year=year,
        today=today,
        progress=progress,
    )
    grouped: dict[int, list[Suggestion]] = defaultdict(list)
    for suggestion in result.items:
        grouped[suggestion.grassroots_id].append(suggestion)
    return dict(grouped)


def due_in_subtree(*, path: str, year: int, today: dt.date) -> list[Suggestion]:
    """Everyone due under the year's rules in the subtree at `path`, nominated or not (each
    suggestion names the person's organization path), for the programmes of the year's round
    (every programme in use when there is none). Serves the project indicators; a fixed number
    of queries."""
    nomination_round = NominationRound.objects.filter(year=year).first()
    if nomination_round is not None:
        offered = list(nomination_round.programmes.values_list("id", flat=True))
    else:
        offered = list(Programme.objects.filter(is_active=True).values_list("id", flat=True))
    # Every organization: a subtree's nearest grassroots organization may lie above it.
    rows = list(Organization.objects.values_list("id", "path", "name", "kind__is_grassroots"))
    return _suggest(
        organization_ids=None if path == ALL else [r[0] for r in rows if r[1].startswith(path)],
        grassroots_of=nearest_grassroots((r[0], r[1], r[3]) for r in rows),
        organization_names={r[0]: r[2] for r in rows},
        organization_paths={r[0]: r[1] for r in rows},
        offer=_offer(offered),
        nominated=set(),
        year=year,
        today=today,
    ).items
