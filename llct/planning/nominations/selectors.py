"""Nomination rounds and submissions: reads, each starting from the user's scope.

Each person belongs to the nearest grassroots organization at or above their own (a chi bộ
trực thuộc belongs to its đảng bộ cơ sở)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from llct.core.capabilities import Capability, has_capability
from llct.core.models import User
from llct.core.permissions import ALL, scope_path
from llct.core.text import fold
from llct.organizations.models import MembershipStage, Organization, Person
from llct.planning.models import (
    Nomination,
    NominationRound,
    PositionRequirement,
    Submission,
    SubmissionEvent,
)
from llct.planning.nominations.permissions import can_see_rounds

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


def nearest_grassroots(rows: Iterable[tuple[int, str, bool]]) -> dict[int, int]:
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


def ancestor_ids(organization: Organization) -> list[int]:
    return [int(p) for p in organization.path.strip("/").split("/") if p]


def grassroots_in_scope(*, user: User) -> QuerySet[Organization]:
    """The grassroots organizations the user may see (and, if they nominate, act for)."""
    path = scope_path(user)
    qs = Organization.objects.filter(kind__is_grassroots=True, dissolved_on__isnull=True)
    if path is None:
        return qs.none()
    if path != ALL:
        qs = qs.filter(path__startswith=path)
    return qs.select_related("parent").order_by("path")


def grassroots_get(*, user: User, pk: int) -> Organization:
    """A grassroots organization in the user's scope; 404 otherwise, so that an officer cannot
    learn of another subtree's organizations or nominees."""
    try:
        return grassroots_in_scope(user=user).get(pk=pk)
    except Organization.DoesNotExist:
        raise Http404 from None


def part_rows(organization: Organization) -> list[tuple[int, str, str, bool]]:
    """(id, path, name, is_grassroots) of the organizations whose people the grassroots
    organization nominates: its subtree, less any grassroots organization nested in it."""
    return list(
        Organization.objects.filter(path__startswith=organization.path).values_list(
            "id", "path", "name", "kind__is_grassroots"
        )
    )


def part_ids(organization: Organization) -> list[int]:
    rows = part_rows(organization)
    mapping = nearest_grassroots((r[0], r[1], r[3]) for r in rows)
    return [org_id for org_id, grassroots in mapping.items() if grassroots == organization.pk]


def round_list(*, user: User) -> QuerySet[NominationRound]:
    if not can_see_rounds(user):
        return NominationRound.objects.none()
    return NominationRound.objects.prefetch_related("programmes").order_by("-year")


def round_get(*, user: User, pk: int) -> NominationRound:
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


def open_round_for(user: User, *, today: dt.date | None = None) -> RoundNotice | None:
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
    if not total and not has_capability(user, Capability.MANAGE_NOMINATION_ROUNDS):
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
    *, user: User, nomination_round: NominationRound, today: dt.date, show: str = ""
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


def _submitted_state(*, open_window: bool) -> SubmissionState:
    if open_window:
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


def _reopened_state(*, open_window: bool, until: dt.date) -> SubmissionState:
    if open_window:
        return SubmissionState(True, False, "")
    return SubmissionState(
        False,
        False,
        _("The reopening ended on %(date)s. Ask the department to reopen it again.")
        % {"date": until.strftime("%d/%m/%Y")},
    )


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
        return _submitted_state(open_window=today <= window)
    if status == Submission.Status.REOPENED and until is not None:
        return _reopened_state(open_window=today <= window, until=until)
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
    qs = Person.objects.filter(organization_id__in=part_ids(organization)).exclude(
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


def nomination_list(*, user: User, year: int | None = None) -> QuerySet[Nomination]:
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


def round_initial(nomination_round: NominationRound) -> dict[str, Any]:
    """The round's values for its edit form."""
    return {
        "year": nomination_round.year,
        "deadline": nomination_round.deadline,
        "programmes": list(nomination_round.programmes.all()),
        "instructions": nomination_round.instructions,
        "is_closed": nomination_round.is_closed,
    }


def submission_overview(
    *, nomination_round: NominationRound, organization: Organization, today: dt.date
) -> dict[str, Any]:
    """What the submission page reads: the submission, whether it may change today, its
    nominations and history."""
    submission = submission_find(nomination_round=nomination_round, organization=organization)
    status = submission.status if submission else "not_started"
    return {
        "round": nomination_round,
        "organization": organization,
        "submission": submission,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "state": submission_state(
            nomination_round=nomination_round, submission=submission, today=today
        ),
        "nominations": submission_nominations(submission),
        "events": [
            (e, EVENT_LABELS.get(e.action, e.action)) for e in submission_events(submission)
        ],
        # The round comes with its programmes prefetched: no query for the add forms' choices.
        "offered": sorted(nomination_round.programmes.all(), key=lambda p: p.code),
        "today": today,
    }
