"""Nomination rounds (đề xuất học viên): reads, writes and the suggestion rules.

The department opens a round for a year (programmes on offer, a deadline, instructions). Each
grassroots organization has its own Submission: its officer, or an officer of a committee above
it, reviews the people the system suggests, accepts them or adds others, and submits before the
deadline. After the deadline only the department can reopen a submission, until a date.

Suggestions are computed in bulk: the people of a subtree, their enrolments (with results and
approvals) and their certificates come in a fixed handful of queries, then small pure rules
decide who is due. The rules take the round's year and `today` as arguments, never the clock.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from llct.assessment.certificates import certificate_status_on
from llct.assessment.models import Certificate
from llct.assessment.records import Attempt, new_member_class_finished, revoked_enrolments
from llct.core.models import Role, User, audit_record
from llct.core.permissions import ALL, is_department, scope_path
from llct.core.text import clean_text, fold
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Programme
from llct.organizations.models import MembershipStage, Organization, Person, TheoryLevel
from llct.planning.models import (
    Nomination,
    NominationRound,
    PositionRequirement,
    Submission,
    SubmissionEvent,
)

# ---------------------------------------------------------------------------------------------
# Who may do what


def can_see_rounds(user: Any) -> bool:
    """Department officers, leaders (read only) and organization officers."""
    return scope_path(user) is not None


def can_nominate(user: Any, organization: Organization) -> bool:
    """Department officers for every organization; an organization officer for the grassroots
    organizations in their subtree. Leaders read only."""
    if not user.is_authenticated:
        return False
    if is_department(user):
        return True
    path = scope_path(user)
    return user.role == Role.ORG_OFFICER and path is not None and organization.path.startswith(path)


# ---------------------------------------------------------------------------------------------
# The rules. Each is a small pure function: facts in, a Due (or None) out.

RULE_NEW_MEMBER = "new_member"
RULE_ADMISSION = "admission"
RULE_POSITION = "position"
RULE_RETAKE = "retake"
RULE_ORDER = {RULE_NEW_MEMBER: 0, RULE_ADMISSION: 1, RULE_POSITION: 2, RULE_RETAKE: 3}
RULE_LABELS = {
    RULE_NEW_MEMBER: gettext_lazy("Probationary member without the new-member class"),
    RULE_ADMISSION: gettext_lazy("Admission candidate without a valid certificate"),
    RULE_POSITION: gettext_lazy("Position requires a higher theory level"),
    RULE_RETAKE: gettext_lazy("Did not complete the programme last time"),
    "": gettext_lazy("Added by the organization"),
}
EVENT_LABELS = {
    "submitted": gettext_lazy("Submitted"),
    "reopened": gettext_lazy("Reopened by the department"),
    "reminded": gettext_lazy("Reminder sent"),
    "unlocked": gettext_lazy("Taken back for changes"),
}
# The model's "Draft" is shared with courses and plans ("Dự kiến"); a submission in the works
# reads better as "being prepared".
STATUS_LABELS = {
    "not_started": gettext_lazy("Not started"),
    Submission.Status.DRAFT: gettext_lazy("Being prepared"),
    Submission.Status.SUBMITTED: gettext_lazy("Submitted"),
    Submission.Status.REOPENED: gettext_lazy("Reopened for changes"),
}
QUARTER_CHOICES = [
    (1, gettext_lazy("Quarter I")),
    (2, gettext_lazy("Quarter II")),
    (3, gettext_lazy("Quarter III")),
    (4, gettext_lazy("Quarter IV")),
]


@dataclass(frozen=True)
class Due:
    """Why someone must be nominated. `due_on` is the date the rule is about (the end of the
    probation, the expiry of the current certificate); `detail` qualifies the rule."""

    rule: str
    urgent: bool
    due_on: dt.date | None = None
    detail: str = ""


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def is_booked(attempts: Iterable[Attempt], *, today: dt.date) -> bool:
    """Already enrolled in a course of the programme that has not ended (a course ending today
    still counts) and whose results are not approved: nominating them again would be noise."""
    return any(
        not a.withdrawn and not a.cancelled and not a.approved and a.ends_on >= today
        for a in attempts
    )


def awaits_approval(attempts: Iterable[Attempt]) -> bool:
    """Passed a course whose results are not approved yet: not due again while they wait."""
    return any(a.has_passed and not a.approved for a in attempts)


def has_valid_certificate(certificates: Iterable[Certificate], *, on: dt.date) -> bool:
    return any(certificate_status_on(c, on) == "valid" for c in certificates)


def new_member_rule(
    *, stage: str, probation_ends_on: dt.date | None, trained: bool, year: int
) -> Due | None:
    """A probationary member must pass the new-member class during probation. Urgent when the
    probation ends within the round's year (31/12 included) or has already ended."""
    if stage != MembershipStage.PROBATIONARY or trained:
        return None
    urgent = probation_ends_on is not None and probation_ends_on <= year_end(year)
    return Due(RULE_NEW_MEMBER, urgent=urgent, due_on=probation_ends_on)


def admission_rule(
    *, stage: str, certificates: Sequence[Certificate], year: int, today: dt.date
) -> Due | None:
    """An admission candidate needs a certificate of the admission class valid on the day of
    the cell's resolution: due unless one is still valid at the end of the round's year.
    Urgent when none is valid at the start of the year (they cannot be admitted at all);
    otherwise due by the current certificate's expiry."""
    if stage != MembershipStage.CANDIDATE:
        return None
    if has_valid_certificate(certificates, on=year_end(year)):
        return None
    start = max(today, dt.date(year, 1, 1))
    current = [c for c in certificates if certificate_status_on(c, start) == "valid"]
    if not current:
        return Due(RULE_ADMISSION, urgent=True)
    expiries = [c.expires_on for c in current if c.expires_on]
    return Due(
        RULE_ADMISSION, urgent=False, due_on=max(expiries) if expiries else None, detail="expires"
    )


@dataclass(frozen=True)
class Requirement:
    """A PositionRequirement ready for matching: the phrase folded, as a whole-word pattern."""

    position: str
    required_level: int
    programme_id: int
    pattern: re.Pattern[str]

    @classmethod
    def build(cls, position: str, required_level: int, programme_id: int) -> "Requirement":
        phrase = re.escape(fold(position))
        return cls(
            position=position,
            required_level=required_level,
            programme_id=programme_id,
            pattern=re.compile(rf"(?<![0-9a-z]){phrase}(?![0-9a-z])"),
        )

    def matches(self, folded_position: str) -> bool:
        return bool(self.pattern.search(folded_position))


def position_rule(
    *, folded_position: str, theory_level: int, requirements: Sequence[Requirement]
) -> tuple[Due, Requirement] | None:
    """A cadre whose position (a phrase of it, without diacritics) requires a theory level they
    lack. Of several unmet requirements the strictest wins: meeting it meets the others."""
    if not folded_position:
        return None
    unmet = [
        r for r in requirements if theory_level < r.required_level and r.matches(folded_position)
    ]
    if not unmet:
        return None
    top = max(unmet, key=lambda r: (r.required_level, len(r.position)))
    return Due(RULE_POSITION, urgent=False, detail=top.position), top


def _attempt_order(a: Attempt) -> tuple[dt.date, dt.date, int]:
    return (a.starts_on, a.ends_on, a.enrolment_id)


def retake_rule(*, attempts: Sequence[Attempt], today: dt.date) -> Due | None:
    """Failed (in an approved course) or withdrew in a programme, and has not passed it since;
    not due while enrolled in a course of it that has not ended."""
    ordered = sorted(attempts, key=_attempt_order)
    last_failure = None
    for index, attempt in enumerate(ordered):
        if attempt.failed:
            last_failure = index
    if last_failure is None:
        return None
    if any(a.has_passed for a in ordered[last_failure + 1 :]):
        return None
    if is_booked(ordered, today=today):
        return None
    failure = ordered[last_failure]
    return Due(
        RULE_RETAKE,
        urgent=False,
        due_on=failure.ends_on,
        detail="withdrawn" if failure.withdrawn else "failed",
    )


def suggested_quarter(due_on: dt.date | None, year: int) -> int | None:
    """The quarter by which a dated rule falls due: the quarter of the date within the year,
    the first quarter when it is already past, none when it falls after the year."""
    if due_on is None or due_on.year > year:
        return None
    if due_on.year < year:
        return 1
    return (due_on.month - 1) // 3 + 1


# ---------------------------------------------------------------------------------------------
# Grassroots organizations: each person belongs to the nearest grassroots organization at or
# above their own (a chi bộ trực thuộc belongs to its đảng bộ cơ sở).


def _nearest_grassroots(rows: Iterable[tuple[int, str, bool]]) -> dict[int, int]:
    """organization id → nearest grassroots organization id at or above it, from
    (id, path, is_grassroots) rows. Organizations with none above are left out."""
    rows = list(rows)
    grassroots = {org_id for org_id, _path, is_grassroots in rows if is_grassroots}
    mapping: dict[int, int] = {}
    for org_id, path, _is_grassroots in rows:
        for ancestor in reversed([int(p) for p in path.strip("/").split("/") if p]):
            if ancestor in grassroots:
                mapping[org_id] = ancestor
                break
    return mapping


def _ancestor_ids(organization: Organization) -> list[int]:
    return [int(p) for p in organization.path.strip("/").split("/") if p]


def grassroots_in_scope(*, user: Any) -> QuerySet[Organization]:
    """The grassroots organizations the user may see (and, if they nominate, act for)."""
    path = scope_path(user)
    qs = Organization.objects.filter(kind__is_grassroots=True, dissolved_on__isnull=True)
    if path is None:
        return qs.none()
    if path != ALL:
        qs = qs.filter(path__startswith=path)
    return qs.select_related("parent").order_by("path")


def grassroots_get(*, user: Any, pk: int) -> Organization:
    """A grassroots organization in the user's scope; 404 otherwise, so that an officer cannot
    learn of another subtree's organizations or nominees."""
    try:
        return grassroots_in_scope(user=user).get(pk=pk)
    except Organization.DoesNotExist:
        raise Http404 from None


def _part_rows(organization: Organization) -> list[tuple[int, str, str, bool]]:
    """(id, path, name, is_grassroots) of the organizations whose people the grassroots
    organization nominates: its subtree, less any grassroots organization nested in it."""
    return list(
        Organization.objects.filter(path__startswith=organization.path).values_list(
            "id", "path", "name", "kind__is_grassroots"
        )
    )


def _part_ids(organization: Organization) -> list[int]:
    rows = _part_rows(organization)
    mapping = _nearest_grassroots((r[0], r[1], r[3]) for r in rows)
    return [org_id for org_id, grassroots in mapping.items() if grassroots == organization.pk]


# ---------------------------------------------------------------------------------------------
# Suggestions


@dataclass(frozen=True)
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


def _suggest(
    *,
    organization_ids: list[int] | None,
    grassroots_of: dict[int, int],
    organization_names: dict[int, str],
    offer: _Offer,
    organization_paths: dict[int, str] | None = None,
    nominated: set[tuple[int, int]],
    year: int,
    today: dt.date,
) -> SuggestionSet:
    """Everyone due in the given organizations (all when None). Five queries, whatever the
    number of people: people, enrolments, certificates, requirements (the programmes and the
    organizations are loaded by the caller)."""
    people = Person.objects.exclude(stage=MembershipStage.LEFT)
    enrolments = Enrolment.objects.all()
    certificates = Certificate.objects.all()
    if organization_ids is not None:
        people = people.filter(organization_id__in=organization_ids)
        enrolments = enrolments.filter(person__organization_id__in=organization_ids)
        certificates = certificates.filter(person__organization_id__in=organization_ids)

    # Certificates matter only to the admission and new-member rules: loading no others keeps
    # the model instances (certificate_status_on takes one) to a few hundred.
    certificates = certificates.filter(
        programme__kind__in=[Programme.Kind.ADMISSION, Programme.Kind.NEW_MEMBER],
        person__stage__in=[MembershipStage.CANDIDATE, MembershipStage.PROBATIONARY],
    )
    certs: dict[int, list[Certificate]] = defaultdict(list)
    for certificate in certificates.only(
        "person_id",
        "programme_id",
        "enrolment_id",
        "status",
        "revoked_on",
        "issued_on",
        "expires_on",
    ):
        certs[certificate.person_id].append(certificate)
    revoked = revoked_enrolments(c for mine in certs.values() for c in mine)
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for row in enrolments.values_list(
        "person_id",
        "course__programme_id",
        "course__starts_on",
        "course__ends_on",
        "id",
        "status",
        "result__passed",
        "course__results_approval__id",
        "course__status",
    ):
        person_id, programme_id, starts, ends, pk, status, passed, approval, course_status = row
        attempts[person_id].append(
            Attempt(
                programme_id=programme_id,
                starts_on=starts,
                ends_on=ends,
                enrolment_id=pk,
                withdrawn=status == Enrolment.Status.WITHDRAWN,
                passed=passed,
                approved=approval is not None,
                cancelled=course_status == Course.Status.CANCELLED,
                revoked=pk in revoked,
            )
        )
    requirements = [
        Requirement.build(position, level, programme_id)
        for position, level, programme_id in PositionRequirement.objects.values_list(
            "position", "required_level", "programme_id"
        )
    ]

    new_member_ids = offer.ids_by_kind.get(Programme.Kind.NEW_MEMBER, set())
    admission_ids = offer.ids_by_kind.get(Programme.Kind.ADMISSION, set())
    matched_positions: dict[tuple[str, int], tuple[Due, Requirement] | None] = {}
    result = SuggestionSet()
    best: dict[tuple[int, int], Suggestion] = {}

    for (
        person_id,
        full_name,
        sort_key,
        org_id,
        stage,
        admitted_on,
        position,
        level,
    ) in people.values_list(
        "id",
        "full_name",
        "sort_key",
        "organization_id",
        "stage",
        "admitted_on",
        "position",
        "theory_level",
    ):
        grassroots = grassroots_of.get(org_id)
        if grassroots is None:
            result.outside += 1
            continue
        mine = attempts.get(person_id, [])
        my_certs = certs.get(person_id, [])
        found: list[tuple[Due, int | None]] = []

        if stage == MembershipStage.PROBATIONARY:
            in_kind = [a for a in mine if a.programme_id in new_member_ids]
            if not is_booked(in_kind, today=today) and not awaits_approval(in_kind):
                ends_on = _probation_ends_on(admitted_on)
                trained = (
                    new_member_class_finished(
                        in_kind, admitted_on=admitted_on, probation_ends_on=ends_on
                    )
                    is not None
                )
                due = new_member_rule(
                    stage=stage, probation_ends_on=ends_on, trained=trained, year=year
                )
                if due:
                    found.append((due, offer.for_kind(Programme.Kind.NEW_MEMBER)))
        elif stage == MembershipStage.CANDIDATE:
            in_kind = [a for a in mine if a.programme_id in admission_ids]
            if not is_booked(in_kind, today=today):
                due = admission_rule(
                    stage=stage,
                    certificates=[c for c in my_certs if c.programme_id in admission_ids],
                    year=year,
                    today=today,
                )
                if due:
                    found.append((due, offer.for_kind(Programme.Kind.ADMISSION)))

        if position and requirements:
            # A province has thousands of people but a few dozen positions: each (position,
            # level) pair is matched once.
            if (position, level) not in matched_positions:
                matched_positions[position, level] = position_rule(
                    folded_position=fold(position), theory_level=level, requirements=requirements
                )
            matched = matched_positions[position, level]
            if matched:
                due, requirement = matched
                if not is_booked(
                    [a for a in mine if a.programme_id == requirement.programme_id], today=today
                ):
                    found.append((due, offer.for_programme(requirement.programme_id)))

        if mine:
            by_programme: dict[int, list[Attempt]] = defaultdict(list)
            for attempt in mine:
                by_programme[attempt.programme_id].append(attempt)
            for programme_id, programme_attempts in by_programme.items():
                due = retake_rule(attempts=programme_attempts, today=today)
                if due:
                    found.append((due, offer.for_programme(programme_id)))

        for due, target in found:
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
                rule=due.rule,
                urgent=due.urgent,
                due_on=due.due_on,
                detail=due.detail,
                quarter=suggested_quarter(due.due_on, year),
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


def suggestions_for(
    *, nomination_round: NominationRound, organization: Organization, today: dt.date
) -> SuggestionSet:
    """Who the grassroots organization should nominate in this round (people already nominated
    in the round are counted, not repeated). A fixed number of queries."""
    rows = _part_rows(organization)
    grassroots_of = {
        org_id: grassroots
        for org_id, grassroots in _nearest_grassroots((r[0], r[1], r[3]) for r in rows).items()
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


def suggestions_for_province(*, year: int, today: dt.date) -> dict[int, list[Suggestion]]:
    """Every grassroots organization's suggestions for a year, keyed by organization id: the
    programmes on offer are the year's round's, or every programme in use when there is none.
    Serves benchmarks and province-wide overviews."""
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
        grassroots_of=_nearest_grassroots((r[0], r[1], r[3]) for r in rows),
        organization_names={r[0]: r[2] for r in rows},
        offer=_offer(offered),
        nominated=nominated,
        year=year,
        today=today,
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
        grassroots_of=_nearest_grassroots((r[0], r[1], r[3]) for r in rows),
        organization_names={r[0]: r[2] for r in rows},
        organization_paths={r[0]: r[1] for r in rows},
        offer=_offer(offered),
        nominated=set(),
        year=year,
        today=today,
    ).items


# ---------------------------------------------------------------------------------------------
# Rounds: reads


def round_list(*, user: Any) -> QuerySet[NominationRound]:
    if not can_see_rounds(user):
        return NominationRound.objects.none()
    return NominationRound.objects.prefetch_related("programmes").order_by("-year")


def round_get(*, user: Any, pk: int) -> NominationRound:
    try:
        return round_list(user=user).get(pk=pk)
    except NominationRound.DoesNotExist:
        raise Http404 from None


def open_rounds() -> QuerySet[NominationRound]:
    return (
        NominationRound.objects.filter(is_closed=False)
        .prefetch_related("programmes")
        .order_by("-year")
    )


@dataclass(frozen=True)
class RoundNotice:
    """What the home page says about the open round to someone who takes part in it."""

    round: NominationRound
    total: int  # grassroots organizations the user sees
    submitted: int
    today: dt.date

    @property
    def pending(self) -> int:
        return self.total - self.submitted

    @property
    def status(self) -> str:
        """submitted (all in), partial, or pending (none)."""
        if self.total and self.submitted >= self.total:
            return "submitted"
        return "partial" if self.submitted else "pending"

    @property
    def deadline_passed(self) -> bool:
        return self.today > self.round.deadline

    @property
    def days_left(self) -> int:
        return (self.round.deadline - self.today).days


def open_round_for(user: Any, *, today: dt.date | None = None) -> RoundNotice | None:
    """The newest open round and how far the user's grassroots organizations have got with it
    (all of them for the department); None when there is no open round or nothing for the user
    to see. Three queries."""
    if not can_see_rounds(user):
        return None
    nomination_round = NominationRound.objects.filter(is_closed=False).order_by("-year").first()
    if nomination_round is None:
        return None
    organizations = grassroots_in_scope(user=user)
    total = organizations.count()
    if not total and not is_department(user):
        return None
    submitted = Submission.objects.filter(
        round=nomination_round,
        status=Submission.Status.SUBMITTED,
        organization__in=organizations.values("id"),
    ).count()
    return RoundNotice(
        round=nomination_round,
        total=total,
        submitted=submitted,
        today=today or timezone.localdate(),
    )


@dataclass
class StatusRow:
    organization: Organization
    submission: Submission | None
    nominations: int
    last_reminded: dt.datetime | None
    late: bool  # the deadline (or the reopening) has passed and it is not submitted
    submitted_late: bool

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else "not_started"

    @property
    def is_submitted(self) -> bool:
        return self.status == Submission.Status.SUBMITTED

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class StatusTable:
    rows: list[StatusRow]
    submitted: int
    pending: int
    late: int

    @property
    def total(self) -> int:
        return self.submitted + self.pending


def submission_status_table(
    *, user: Any, nomination_round: NominationRound, today: dt.date, show: str = ""
) -> StatusTable:
    """Each grassroots organization in the user's scope with its submission's status, the
    number of people it nominated and when it was last reminded. Two queries."""
    organizations = list(grassroots_in_scope(user=user))
    submissions = {
        s.organization_id: s
        for s in Submission.objects.filter(
            round=nomination_round, organization__in=[o.pk for o in organizations]
        ).annotate(
            n_nominations=Count("nominations", distinct=True),
            last_reminded=Max("events__at", filter=Q(events__action="reminded")),
        )
    }
    rows = []
    for organization in organizations:
        submission = submissions.get(organization.pk)
        submitted = submission is not None and submission.status == Submission.Status.SUBMITTED
        closes = nomination_round.deadline
        if submission is not None and submission.reopened_until:
            closes = max(closes, submission.reopened_until)
        submitted_late = bool(
            submitted
            and submission is not None
            and submission.submitted_at
            and timezone.localdate(submission.submitted_at) > nomination_round.deadline
        )
        rows.append(
            StatusRow(
                organization=organization,
                submission=submission,
                nominations=getattr(submission, "n_nominations", 0),
                last_reminded=getattr(submission, "last_reminded", None),
                late=not submitted and today > closes,
                submitted_late=submitted_late,
            )
        )
    submitted_count = sum(1 for r in rows if r.is_submitted)
    table = StatusTable(
        rows=rows,
        submitted=submitted_count,
        pending=len(rows) - submitted_count,
        late=sum(1 for r in rows if r.late),
    )
    if show == "pending":
        table.rows = [r for r in rows if not r.is_submitted]
    elif show == "submitted":
        table.rows = [r for r in rows if r.is_submitted]
    elif show == "late":
        table.rows = [r for r in rows if r.late]
    return table


def submission_find(
    *, nomination_round: NominationRound, organization: Organization
) -> Submission | None:
    return (
        Submission.objects.filter(round=nomination_round, organization=organization)
        .select_related("submitted_by")
        .first()
    )


def submission_nominations(submission: Submission | None) -> list[Nomination]:
    if submission is None or submission.pk is None:
        return []
    return list(
        submission.nominations.select_related("person__organization", "programme").order_by(
            "programme__code", "person__sort_key", "id"
        )
    )


def submission_events(submission: Submission | None) -> list[SubmissionEvent]:
    if submission is None or submission.pk is None:
        return []
    return list(submission.events.select_related("actor"))


@dataclass(frozen=True)
class SubmissionState:
    editable: bool
    can_take_back: bool  # submitted, and the window for changes is still open
    reason: str  # why it is locked, for the page


def submission_state(
    *, nomination_round: NominationRound, submission: Submission | None, today: dt.date
) -> SubmissionState:
    """Whether the organization may change its nominations today: a draft until the deadline,
    a reopened submission until its reopening ends; a submitted one only after taking it back
    (before the deadline or within a reopening)."""
    status = submission.status if submission else Submission.Status.DRAFT
    until = submission.reopened_until if submission else None
    window = max(nomination_round.deadline, until) if until else nomination_round.deadline
    if nomination_round.is_closed:
        return SubmissionState(False, False, _("This round is closed."))
    if status == Submission.Status.SUBMITTED:
        if today <= window:
            return SubmissionState(
                False,
                True,
                _("Submitted. To change it, take it back first, then submit it again."),
            )
        return SubmissionState(
            False,
            False,
            _("Submitted. The deadline has passed: to change it, ask the department to reopen it."),
        )
    if status == Submission.Status.REOPENED and until is not None:
        if today <= window:
            return SubmissionState(True, False, "")
        return SubmissionState(
            False,
            False,
            _("The reopening ended on %(date)s. Ask the department to reopen it again.")
            % {"date": until.strftime("%d/%m/%Y")},
        )
    if today <= nomination_round.deadline:
        return SubmissionState(True, False, "")
    return SubmissionState(
        False,
        False,
        _("The deadline (%(date)s) has passed. Ask the department to reopen your submission.")
        % {"date": nomination_round.deadline.strftime("%d/%m/%Y")},
    )


def person_search(*, organization: Organization, q: str, limit: int = 20) -> list[Person]:
    """People of the grassroots organization (not those who left), by name without
    diacritics, in Vietnamese name order."""
    words = fold(q).split()
    if not words:
        return []
    qs = Person.objects.filter(organization_id__in=_part_ids(organization)).exclude(
        stage=MembershipStage.LEFT
    )
    for word in words:
        qs = qs.filter(search_key__contains=word)
    return list(qs.select_related("organization").order_by("sort_key", "id")[:limit])


def nominations_for_year(*, year: int) -> QuerySet[Nomination]:
    """The nominations the annual plan is built from: those of submitted submissions of the
    year's round. Group by `programme_id`, `submission__organization_id` and `quarter`."""
    return Nomination.objects.filter(
        submission__round__year=year, submission__status=Submission.Status.SUBMITTED
    )


def nomination_list(*, user: Any, year: int | None = None) -> QuerySet[Nomination]:
    """Nominations of the organizations within the user's scope (those who see rounds), every
    round or one year's, oldest first."""
    path = scope_path(user) if can_see_rounds(user) else None
    qs = Nomination.objects.select_related("submission__round", "submission__organization")
    if path is None:
        return qs.none()
    if path != ALL:
        qs = qs.filter(submission__organization__path__startswith=path)
    if year:
        qs = qs.filter(submission__round__year=year)
    return qs.order_by("id")


def requirement_list() -> QuerySet[PositionRequirement]:
    return PositionRequirement.objects.select_related("programme").order_by(
        "required_level", "position"
    )


# ---------------------------------------------------------------------------------------------
# Rounds: writes


def _check_round(
    *,
    year: int,
    deadline: dt.date,
    programmes: Sequence[Programme],
    errors: dict[str, list[str]],
) -> None:
    if deadline.year > year:
        errors["deadline"].append(
            _("The deadline must fall before the end of %(year)s.") % {"year": year}
        )
    if not programmes:
        errors["programmes"].append(_("Choose at least one programme on offer."))
    inactive = [p.name for p in programmes if not p.is_active]
    if inactive:
        errors["programmes"].append(
            _("These programmes are no longer in use: %(names)s.") % {"names": ", ".join(inactive)}
        )


def _raise(errors: dict[str, list[str]]) -> None:
    found = {k: v for k, v in errors.items() if v}
    if found:
        raise ValidationError(found)


@transaction.atomic
def round_open(
    *,
    year: int,
    deadline: dt.date,
    programmes: Sequence[Programme],
    instructions: str,
    actor: Any,
    today: dt.date,
) -> NominationRound:
    errors: dict[str, list[str]] = defaultdict(list)
    if year < today.year:
        errors["year"].append(_("A round cannot be opened for a past year."))
    elif NominationRound.objects.filter(year=year).exists():
        errors["year"].append(_("A round for %(year)s already exists.") % {"year": year})
    if deadline < today:
        errors["deadline"].append(_("The deadline cannot be in the past."))
    _check_round(year=year, deadline=deadline, programmes=programmes, errors=errors)
    _raise(errors)
    nomination_round = NominationRound.objects.create(
        year=year,
        deadline=deadline,
        instructions=clean_text_block(instructions),
        opened_by=actor if getattr(actor, "pk", None) else None,
    )
    nomination_round.programmes.set(programmes)
    audit_record(
        actor=actor,
        obj=nomination_round,
        action="opened",
        summary=_("Opened the nomination round for %(year)s") % {"year": year},
    )
    return nomination_round


@transaction.atomic
def round_update(
    *,
    nomination_round: NominationRound,
    deadline: dt.date,
    programmes: Sequence[Programme],
    instructions: str,
    is_closed: bool,
    actor: Any,
) -> NominationRound:
    errors: dict[str, list[str]] = defaultdict(list)
    _check_round(
        year=nomination_round.year, deadline=deadline, programmes=programmes, errors=errors
    )
    kept = {p.pk for p in programmes}
    dropped = (
        Nomination.objects.filter(submission__round=nomination_round)
        .exclude(programme_id__in=kept)
        .values("programme__name")
        .annotate(n=Count("id"))
        .order_by("programme__name")
    )
    for row in dropped:
        errors["programmes"].append(
            _("%(programme)s already has %(n)s nominations: it must stay on offer.")
            % {"programme": row["programme__name"], "n": row["n"]}
        )
    _raise(errors)
    changes: list[dict[str, Any]] = []
    if deadline != nomination_round.deadline:
        changes.append(
            {"field": "deadline", "old": str(nomination_round.deadline), "new": str(deadline)}
        )
    if is_closed != nomination_round.is_closed:
        changes.append({"field": "is_closed", "old": nomination_round.is_closed, "new": is_closed})
    nomination_round.deadline = deadline
    nomination_round.instructions = clean_text_block(instructions)
    nomination_round.is_closed = is_closed
    nomination_round.save(update_fields=["deadline", "instructions", "is_closed"])
    nomination_round.programmes.set(programmes)
    audit_record(
        actor=actor,
        obj=nomination_round,
        action="updated",
        summary=_("Changed the nomination round for %(year)s") % {"year": nomination_round.year},
        changes=changes,
    )
    return nomination_round


def clean_text_block(value: str) -> str:
    """NFC, each line's spaces collapsed, blank lines kept: instructions have paragraphs."""
    lines = [clean_text(line) for line in str(value or "").splitlines()]
    return "\n".join(lines).strip()


# ---------------------------------------------------------------------------------------------
# Submissions: writes


def _submission_locked(
    *, nomination_round: NominationRound, organization: Organization
) -> Submission:
    """The organization's submission for the round, created as a draft on first use, locked
    for the rest of the transaction."""
    Submission.objects.get_or_create(round=nomination_round, organization=organization)
    return (
        Submission.objects.select_for_update()
        .select_related("round")
        .get(round=nomination_round, organization=organization)
    )


def _require_editable(submission: Submission, *, today: dt.date) -> None:
    state = submission_state(nomination_round=submission.round, submission=submission, today=today)
    if not state.editable:
        raise ValidationError(state.reason)


def _event(submission: Submission, action: str, *, actor: Any, note: str = "") -> SubmissionEvent:
    return SubmissionEvent.objects.create(
        submission=submission,
        action=action,
        note=note[:500],
        actor=actor if getattr(actor, "pk", None) else None,
    )


def _other_nominations(
    *, nomination_round: NominationRound, submission: Submission, pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """Of these (person, programme) pairs, those another organization already nominated in the
    round (a person moved between organizations), with that organization's name."""
    if not pairs:
        return {}
    person_ids = {p for p, _programme in pairs}
    found = Nomination.objects.filter(
        submission__round=nomination_round, person_id__in=person_ids
    ).values_list("person_id", "programme_id", "submission_id", "submission__organization__name")
    return {
        (person, programme): name
        for person, programme, submission_id, name in found
        if (person, programme) in pairs and submission_id != submission.pk
    }


@transaction.atomic
def nominations_accept(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    keys: Sequence[str] = (),
    all_urgent: bool = False,
    actor: Any,
    today: dt.date,
) -> list[Nomination]:
    """Accept suggestions, by their keys ("person-programme") or all the urgent ones. Each
    nomination keeps the rule that suggested it; urgent ones get high priority."""
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    _require_editable(submission, today=today)
    suggestions = suggestions_for(
        nomination_round=nomination_round, organization=organization, today=today
    )
    by_key = {s.key: s for s in suggestions.items}
    if all_urgent:
        chosen = suggestions.urgent
        if not chosen:
            raise ValidationError({"accept": _("There is no urgent suggestion left to accept.")})
    else:
        if not keys:
            raise ValidationError({"accept": _("Tick the suggestions to accept.")})
        unknown = [k for k in keys if k not in by_key]
        if unknown:
            raise ValidationError(
                {
                    "accept": _(
                        "%(n)s of the ticked suggestions no longer apply (already nominated, "
                        "or the rolls changed). Nothing has been accepted; look again."
                    )
                    % {"n": len(unknown)}
                }
            )
        chosen = [by_key[k] for k in dict.fromkeys(keys)]
    created = Nomination.objects.bulk_create(
        [
            Nomination(
                submission=submission,
                person_id=s.person_id,
                programme_id=s.programme_id,
                quarter=s.quarter,
                priority=Nomination.Priority.HIGH if s.urgent else Nomination.Priority.NORMAL,
                rule=s.rule,
            )
            for s in chosen
        ]
    )
    return created


@transaction.atomic
def nomination_add(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    person_id: int,
    programme: Programme,
    priority: int,
    quarter: int | None,
    note: str,
    actor: Any,
    today: dt.date,
) -> Nomination:
    """Nominate someone the rules did not suggest: a person of the organization, for a
    programme on offer, once per programme in the round."""
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    _require_editable(submission, today=today)
    errors: dict[str, list[str]] = defaultdict(list)
    person = (
        Person.objects.filter(pk=person_id, organization_id__in=_part_ids(organization))
        .exclude(stage=MembershipStage.LEFT)
        .first()
    )
    if person is None:
        # Someone outside the organization: say nothing about who they are.
        raise Http404
    if not nomination_round.programmes.filter(pk=programme.pk).exists():
        errors["programme"].append(_("This programme is not on offer in this round."))
    if quarter is not None and not 1 <= quarter <= 4:
        errors["quarter"].append(_("Choose a quarter from I to IV."))
    if priority not in Nomination.Priority.values:
        errors["priority"].append(_("Choose a priority."))
    if submission.nominations.filter(person=person, programme=programme).exists():
        errors["person"].append(
            _("%(name)s is already nominated for %(programme)s.")
            % {"name": person.full_name, "programme": programme.name}
        )
    else:
        elsewhere = _other_nominations(
            nomination_round=nomination_round,
            submission=submission,
            pairs={(person.pk, programme.pk)},
        )
        if elsewhere:
            errors["person"].append(
                _("%(name)s is already nominated for %(programme)s by %(organization)s.")
                % {
                    "name": person.full_name,
                    "programme": programme.name,
                    "organization": next(iter(elsewhere.values())),
                }
            )
    _raise(errors)
    return Nomination.objects.create(
        submission=submission,
        person=person,
        programme=programme,
        priority=priority,
        quarter=quarter,
        note=clean_text(note)[:500],
        rule="",
    )


@dataclass(frozen=True)
class NominationChange:
    priority: int
    quarter: int | None
    note: str


@transaction.atomic
def nominations_update(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    changes: dict[int, NominationChange],
    actor: Any,
    today: dt.date,
) -> int:
    """Set priority, preferred quarter and note of the organization's nominations. Returns how
    many changed."""
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    _require_editable(submission, today=today)
    errors: dict[str, list[str]] = defaultdict(list)
    for change in changes.values():
        if change.quarter is not None and not 1 <= change.quarter <= 4:
            errors["quarter"].append(_("Choose a quarter from I to IV."))
            break
    for change in changes.values():
        if change.priority not in Nomination.Priority.values:
            errors["priority"].append(_("Choose a priority."))
            break
    _raise(errors)
    nominations = {n.pk: n for n in submission.nominations.filter(pk__in=list(changes))}
    changed = []
    for pk, change in changes.items():
        nomination = nominations.get(pk)
        if nomination is None:
            continue
        note = clean_text(change.note)[:500]
        if (nomination.priority, nomination.quarter, nomination.note) != (
            change.priority,
            change.quarter,
            note,
        ):
            nomination.priority, nomination.quarter, nomination.note = (
                change.priority,
                change.quarter,
                note,
            )
            changed.append(nomination)
    Nomination.objects.bulk_update(changed, ["priority", "quarter", "note"])
    return len(changed)


@transaction.atomic
def nomination_remove(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    nomination_id: int,
    actor: Any,
    today: dt.date,
) -> None:
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    _require_editable(submission, today=today)
    deleted, _rows = submission.nominations.filter(pk=nomination_id).delete()
    if not deleted:
        raise Http404


@transaction.atomic
def submission_submit(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    actor: Any,
    today: dt.date,
    now: dt.datetime | None = None,
) -> Submission:
    """Send the nominations to the department. Refused after the deadline unless the
    department has reopened the submission and the reopening has not ended."""
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    _require_editable(submission, today=today)
    count = submission.nominations.count()
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = now or timezone.now()
    submission.submitted_by = actor if getattr(actor, "pk", None) else None
    submission.save(update_fields=["status", "submitted_at", "submitted_by"])
    note = _("%(n)s nominations") % {"n": count}
    if today > nomination_round.deadline:
        note = _("%(note)s, after the deadline") % {"note": note}
    _event(submission, "submitted", actor=actor, note=note)
    return submission


@transaction.atomic
def submission_take_back(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    actor: Any,
    today: dt.date,
) -> Submission:
    """Take a submitted submission back to change it, while the window is still open (before
    the deadline, or within the department's reopening). It must then be submitted again."""
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    state = submission_state(nomination_round=nomination_round, submission=submission, today=today)
    if not state.can_take_back:
        raise ValidationError(state.reason or _("This submission cannot be taken back."))
    reopened = submission.reopened_until is not None and today <= submission.reopened_until
    submission.status = Submission.Status.REOPENED if reopened else Submission.Status.DRAFT
    submission.save(update_fields=["status"])
    _event(submission, "unlocked", actor=actor)
    return submission


@transaction.atomic
def submission_reopen(
    *,
    nomination_round: NominationRound,
    organization: Organization,
    until: dt.date,
    note: str,
    actor: Any,
    today: dt.date,
) -> Submission:
    """The department lets an organization submit or change its nominations until a date."""
    errors: dict[str, list[str]] = defaultdict(list)
    if nomination_round.is_closed:
        errors["__all__"].append(_("This round is closed."))
    if until < today:
        errors["reopened_until"].append(_("The date cannot be in the past."))
    if until.year > nomination_round.year:
        errors["reopened_until"].append(
            _("The date must fall before the end of %(year)s.") % {"year": nomination_round.year}
        )
    _raise(errors)
    submission = _submission_locked(nomination_round=nomination_round, organization=organization)
    submission.status = Submission.Status.REOPENED
    submission.reopened_until = until
    submission.save(update_fields=["status", "reopened_until"])
    text = _("Until %(date)s") % {"date": until.strftime("%d/%m/%Y")}
    note = clean_text(note)
    _event(submission, "reopened", actor=actor, note=f"{text}. {note}" if note else text)
    audit_record(
        actor=actor,
        obj=submission,
        action="reopened",
        summary=_("Reopened the nominations of %(organization)s until %(date)s")
        % {"organization": organization.name, "date": until.strftime("%d/%m/%Y")},
    )
    return submission


@dataclass
class ReminderResult:
    sent: list[tuple[Organization, list[str]]] = field(default_factory=list)  # org, emails
    without_email: list[User] = field(default_factory=list)
    nobody: list[Organization] = field(default_factory=list)  # no officer with an email
    already_submitted: list[Organization] = field(default_factory=list)


def organization_officers(organizations: Sequence[Organization]) -> dict[int, list[User]]:
    """organization id → the active organization officers of it or of a committee above it.
    One query."""
    ancestors = {o.pk: _ancestor_ids(o) for o in organizations}
    wanted = {pk for ids in ancestors.values() for pk in ids}
    officers: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        role=Role.ORG_OFFICER, is_active=True, organization_id__in=wanted
    ).order_by("username"):
        officers[user.organization_id or 0].append(user)
    return {
        o.pk: [u for pk in ancestors[o.pk] for u in officers.get(pk, [])] for o in organizations
    }


def _reminder_message(
    *, nomination_round: NominationRound, organization: Organization, link: str, to: list[str]
) -> EmailMessage:
    # Officers read Vietnamese whatever language the department's screen is in.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Reminder: nominations for %(year)s of %(organization)s") % {
            "year": nomination_round.year,
            "organization": organization.name,
        }
        body = "\n\n".join(
            [
                _(
                    "%(organization)s has not yet submitted its nominations of learners for "
                    "the training of %(year)s. The deadline is %(deadline)s."
                )
                % {
                    "organization": organization.name,
                    "year": nomination_round.year,
                    "deadline": nomination_round.deadline.strftime("%d/%m/%Y"),
                },
                _("Review the suggested learners and submit them here: %(link)s") % {"link": link},
                _("The propaganda and education department"),
            ]
        )
    return EmailMessage(subject=subject, body=body, to=to)


@transaction.atomic
def submissions_remind(
    *,
    nomination_round: NominationRound,
    organizations: Sequence[Organization],
    link_for: Callable[[Organization], str],
    actor: Any,
) -> ReminderResult:
    """Email the officers of each organization that has not submitted (officers of it or of a
    committee above it, with an email address) and record a "reminded" event for each one
    reached. Users without an email address are skipped and reported."""
    result = ReminderResult()
    if nomination_round.is_closed:
        raise ValidationError(_("This round is closed."))
    submitted = set(
        Submission.objects.filter(
            round=nomination_round,
            organization__in=[o.pk for o in organizations],
            status=Submission.Status.SUBMITTED,
        ).values_list("organization_id", flat=True)
    )
    pending = []
    for organization in organizations:
        if organization.pk in submitted:
            result.already_submitted.append(organization)
        else:
            pending.append(organization)
    officers = organization_officers(pending)
    messages = []
    skipped: dict[int, User] = {}
    for organization in pending:
        emails = []
        for user in officers[organization.pk]:
            if user.email:
                emails.append(user.email)
            else:
                skipped[user.pk] = user
        emails = list(dict.fromkeys(emails))
        if not emails:
            result.nobody.append(organization)
            continue
        messages.append(
            _reminder_message(
                nomination_round=nomination_round,
                organization=organization,
                link=link_for(organization),
                to=emails,
            )
        )
        result.sent.append((organization, emails))
    result.without_email = list(skipped.values())
    if not messages:
        return result
    mailers.default.send_messages(messages)
    # Record the reminders in a fixed number of queries: "remind all" reaches hundreds.
    reached = [o.pk for o, _emails in result.sent]
    existing = set(
        Submission.objects.filter(round=nomination_round, organization_id__in=reached).values_list(
            "organization_id", flat=True
        )
    )
    Submission.objects.bulk_create(
        [
            Submission(round=nomination_round, organization_id=pk)
            for pk in reached
            if pk not in existing
        ],
        ignore_conflicts=True,
    )
    submission_ids = dict(
        Submission.objects.filter(round=nomination_round, organization_id__in=reached).values_list(
            "organization_id", "id"
        )
    )
    who = actor if getattr(actor, "pk", None) else None
    SubmissionEvent.objects.bulk_create(
        [
            SubmissionEvent(
                submission_id=submission_ids[organization.pk],
                action="reminded",
                actor=who,
                note=(_("Sent to %(emails)s") % {"emails": ", ".join(emails)})[:500],
            )
            for organization, emails in result.sent
        ]
    )
    return result


# ---------------------------------------------------------------------------------------------
# Position requirements (a setting the department keeps)


@transaction.atomic
def requirement_save(
    *,
    requirement: PositionRequirement | None,
    position: str,
    required_level: int,
    programme: Programme,
    actor: Any,
) -> PositionRequirement:
    errors: dict[str, list[str]] = defaultdict(list)
    position = clean_text(position)
    key = fold(position)
    if not key:
        errors["position"].append(_("Enter the position."))
    others = PositionRequirement.objects.all()
    if requirement is not None:
        others = others.exclude(pk=requirement.pk)
    clash = next((p for p in others.values_list("position", flat=True) if fold(p) == key), None)
    if key and clash:
        errors["position"].append(
            _("“%(position)s” is already in the table.") % {"position": clash}
        )
    if required_level <= TheoryLevel.NONE or required_level not in TheoryLevel.values:
        errors["required_level"].append(_("Choose the required theory level."))
    _raise(errors)
    created = requirement is None
    if requirement is None:
        requirement = PositionRequirement()
    requirement.position = position
    requirement.required_level = required_level
    requirement.programme = programme
    requirement.save()
    audit_record(
        actor=actor,
        obj=requirement,
        action="created" if created else "updated",
        summary=_("Position requirement: %(position)s") % {"position": position},
    )
    return requirement


@transaction.atomic
def requirement_delete(*, requirement: PositionRequirement, actor: Any) -> None:
    audit_record(
        actor=actor,
        obj=requirement,
        action="deleted",
        summary=_("Position requirement: %(position)s") % {"position": requirement.position},
    )
    requirement.delete()
