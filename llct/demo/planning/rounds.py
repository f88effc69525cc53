"""The demo's nomination rounds: this year's, closed, and next year's, in progress."""

import datetime as dt
import random
from typing import Any

from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from llct.core.models import Role, User
from llct.curriculum.models import Programme
from llct.demo.planning.shared import (
    MAIL_DOMAIN,
    MANUAL_ADDITIONS,
    NO_MAIL,
    REOPEN_NOTES,
    ROUND_INSTRUCTIONS,
    STAMPED,
    at,
    dated,
)
from llct.organizations.models import MembershipStage, Organization, Person, TheoryLevel
from llct.planning.models import (
    Nomination,
    NominationRound,
    Submission,
    SubmissionEvent,
)
from llct.planning.nominations import reminders as nom_reminders
from llct.planning.nominations import selectors as nom_selectors
from llct.planning.nominations import services as nom_services
from llct.planning.nominations import suggestions as nom_suggestions

# ---------------------------------------------------------------------------------------------
# Nominations


def _accept(
    rng: random.Random,
    nomination_round: NominationRound,
    organization: Organization,
    *,
    day: dt.date,
    share: float,
    department: Any,
) -> int:
    """Accept the urgent suggestions and about `share` of the others."""
    suggestions = nom_suggestions.suggestions_for(
        nomination_round=nomination_round, organization=organization, today=day
    )
    keys = [s.key for s in suggestions.items if s.urgent or rng.random() < share]
    if not keys:
        return 0
    return len(
        nom_services.nominations_accept(
            nomination_round=nomination_round,
            organization=organization,
            keys=keys,
            actor=department,
            today=day,
        )
    )


def _add_by_hand(
    rng: random.Random,
    nomination_round: NominationRound,
    organization: Organization,
    *,
    day: dt.date,
    department: Any,
) -> int:
    """One person the rules did not suggest, with a priority and a note saying why."""
    offered = {p.kind: p for p in nomination_round.programmes.all()}
    taken = set(
        Nomination.objects.filter(submission__round=nomination_round).values_list(
            "person_id", "programme_id"
        )
    )
    people = list(
        Person.objects.filter(organization_id__in=nom_selectors.part_ids(organization))
        .exclude(stage=MembershipStage.LEFT)
        .order_by("sort_key", "pk")
        .values_list("pk", "stage", "theory_level")
    )
    for kind, who, note, priority, quarter in rng.sample(MANUAL_ADDITIONS, len(MANUAL_ADDITIONS)):
        programme = offered.get(kind)
        if programme is None:
            continue
        stages = programme.eligible_stages or [MembershipStage.PROBATIONARY, MembershipStage.FULL]
        fits = [
            pk
            for pk, stage, level in people
            if stage in stages
            and stage != MembershipStage.CANDIDATE
            and (who != "no_level" or level == TheoryLevel.NONE)
            and (pk, programme.pk) not in taken
        ]
        if fits:
            nom_services.nomination_add(
                nomination_round=nomination_round,
                organization=organization,
                person_id=rng.choice(fits),
                programme=programme,
                priority=priority,
                quarter=quarter,
                note=note,
                actor=department,
                today=day,
            )
            return 1
    return 0


def _submit(
    nomination_round: NominationRound, organization: Organization, *, when: dt.datetime, actor: User
) -> None:
    nom_services.submission_submit(
        nomination_round=nomination_round,
        organization=organization,
        actor=actor,
        today=timezone.localdate(when),
        now=when,
    )


def this_years_round(
    rng: random.Random,
    *,
    year: int,
    offered: list[Programme],
    grassroots: list[Organization],
    department: Any,
) -> NominationRound:
    """Opened in mid-September of last year, closed after its deadline at the end of October;
    every organization submitted but a couple, which nominated nobody."""
    opened_on, deadline = dt.date(year - 1, 9, 15), dt.date(year - 1, 10, 31)
    nomination_round = _open(year, opened_on, deadline, offered, department)
    silent = set(rng.sample(range(len(grassroots)), min(2, len(grassroots) // 10)))
    steps = []
    for index, organization in enumerate(grassroots):
        if index not in silent:
            day = opened_on + dt.timedelta(days=rng.randint(10, (deadline - opened_on).days))
            steps.append((day, index, organization))
    for day, _index, organization in sorted(steps, key=lambda s: (s[0], s[1])):
        when = at(day, rng.randint(8, 16), rng.choice([0, 15, 30, 45]))
        with dated(when, STAMPED):
            _accept(rng, nomination_round, organization, day=day, share=0.9, department=department)
            _submit(nomination_round, organization, when=when, actor=department)
    closed_on = deadline + dt.timedelta(days=7)
    with dated(at(closed_on, 10), STAMPED):
        nom_services.round_update(
            nomination_round=nomination_round,
            deadline=deadline,
            programmes=offered,
            instructions=nomination_round.instructions,
            is_closed=True,
            actor=department,
        )
    return nomination_round


def next_years_round(
    rng: random.Random,
    *,
    today: dt.date,
    offered: list[Programme],
    grassroots: list[Organization],
    department: Any,
) -> dict[str, int]:
    """Opened five weeks ago, the deadline three days ago. About half submitted (a few adding
    people by hand), one after a reopening; the demo officer's organization was reminded and
    reopened and may still change its nominations; the others are late drafts or not started."""
    year = today.year + 1
    opened_on, deadline = today - dt.timedelta(days=35), today - dt.timedelta(days=3)
    reminded_on = deadline - dt.timedelta(days=4)
    nomination_round = _open(year, opened_on, deadline, offered, department)

    featured = _featured(grassroots)
    on_time, drafts, late_submitter = _share_out(rng, grassroots, featured)
    steps = _round_steps(
        rng,
        on_time=on_time,
        drafts=drafts,
        featured=featured,
        dates=(opened_on, reminded_on, deadline),
    )
    by_hand = 0
    reminded = False

    _give_officers_addresses()

    def remind() -> None:
        with dated(at(reminded_on, 15, 30), STAMPED), override_settings(MAILERS=NO_MAIL):
            nom_reminders.submissions_remind(
                nomination_round=nomination_round,
                organizations=grassroots,
                link_for=lambda o: reverse("planning:submission", args=[nomination_round.pk, o.pk]),
                actor=department,
            )

    for n, (day, _order, organization, what) in enumerate(steps):
        if not reminded and day > reminded_on:
            remind()
            reminded = True
        when = at(day, rng.randint(8, 16), rng.choice([0, 10, 20, 30, 40, 50]))
        with dated(when, STAMPED):
            _accept(rng, nomination_round, organization, day=day, share=0.8, department=department)
            if n % 4 == 1 or organization is featured:
                by_hand += _add_by_hand(
                    rng, nomination_round, organization, day=day, department=department
                )
            if what == "submit":
                _submit(nomination_round, organization, when=when, actor=department)
    if not reminded:
        remind()

    # After the deadline the department reopens two: one submits late, one is still at work.
    reopened = 0
    if late_submitter is not None:
        by_hand += _late_submission(
            rng,
            nomination_round,
            late_submitter,
            reopened_on=deadline + dt.timedelta(days=1),
            today=today,
            department=department,
        )
        reopened += 1
    if featured is not None:
        reopened_on = today - dt.timedelta(days=1)
        with dated(at(reopened_on, 14), STAMPED):
            nom_services.submission_reopen(
                nomination_round=nomination_round,
                organization=featured,
                until=today + dt.timedelta(days=7),
                note=REOPEN_NOTES[1],
                actor=department,
                today=reopened_on,
            )
        reopened += 1
    return _round_summary(nomination_round, grassroots, reopened=reopened, by_hand=by_hand)


def _featured(grassroots: list[Organization]) -> Organization | None:
    """The demo officer's own organization (canbo_coso): the one they can still work on."""
    officer = (
        User.objects.filter(role=Role.ORG_OFFICER, organization__in=[o.pk for o in grassroots])
        .order_by("username")
        .first()
    )
    return next((o for o in grassroots if officer and o.pk == officer.organization_id), None)


def _share_out(
    rng: random.Random, grassroots: list[Organization], featured: Organization | None
) -> tuple[list[Organization], list[Organization], Organization | None]:
    """(on time, late drafts, the late submitter): about half submit on time; of the rest one
    submits after a reopening, the last three have not started, the others are drafts."""
    others = [o for o in grassroots if o is not featured]
    rng.shuffle(others)
    half = len(others) // 2
    on_time, rest = others[:half], others[half:]
    late_submitter = rest[0] if rest else None
    untouched = rest[-3:] if len(rest) > 4 else []
    drafts = [o for o in rest[1:] if o not in untouched]
    return on_time, drafts, late_submitter


def _round_steps(
    rng: random.Random,
    *,
    on_time: list[Organization],
    drafts: list[Organization],
    featured: Organization | None,
    dates: tuple[dt.date, dt.date, dt.date],
) -> list[tuple[dt.date, int, Organization, str]]:
    """(day, order, organization, what), in the order they happen: what = "submit" | "draft".
    `dates`: the round's opening, the reminder and the deadline."""
    opened_on, reminded_on, deadline = dates

    def day_between(first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))

    steps: list[tuple[dt.date, int, Organization, str]] = []
    for i, organization in enumerate(on_time):
        day = (
            day_between(opened_on + dt.timedelta(days=3), reminded_on - dt.timedelta(days=1))
            if i % 2 == 0
            else day_between(reminded_on + dt.timedelta(days=1), deadline)
        )
        steps.append((day, len(steps), organization, "submit"))
    for organization in drafts:
        day = day_between(opened_on + dt.timedelta(days=5), deadline - dt.timedelta(days=1))
        steps.append((day, len(steps), organization, "draft"))
    if featured is not None:
        steps.append((reminded_on - dt.timedelta(days=2), len(steps), featured, "draft"))
    steps.sort(key=lambda s: (s[0], s[1]))
    return steps


def _late_submission(
    rng: random.Random,
    nomination_round: NominationRound,
    organization: Organization,
    *,
    reopened_on: dt.date,
    today: dt.date,
    department: Any,
) -> int:
    """Reopened after the deadline, submitted yesterday; the people added by hand."""
    submitted_on = today - dt.timedelta(days=1)
    with dated(at(reopened_on, 10), STAMPED):
        nom_services.submission_reopen(
            nomination_round=nomination_round,
            organization=organization,
            until=today + dt.timedelta(days=4),
            note=REOPEN_NOTES[0],
            actor=department,
            today=reopened_on,
        )
    when = at(submitted_on, 16, 20)
    with dated(when, STAMPED):
        _accept(
            rng, nomination_round, organization, day=submitted_on, share=1.0, department=department
        )
        by_hand = _add_by_hand(
            rng, nomination_round, organization, day=submitted_on, department=department
        )
        _submit(nomination_round, organization, when=when, actor=department)
    return by_hand


def _round_summary(
    nomination_round: NominationRound,
    grassroots: list[Organization],
    *,
    reopened: int,
    by_hand: int,
) -> dict[str, int]:
    statuses = dict(
        Submission.objects.filter(round=nomination_round).values_list("organization_id", "status")
    )
    return {
        "next_year_submitted": sum(s == Submission.Status.SUBMITTED for s in statuses.values()),
        # Late: the deadline has passed and nothing was submitted (drafts and not started).
        "next_year_late": sum(
            statuses.get(o.pk, Submission.Status.DRAFT) == Submission.Status.DRAFT
            for o in grassroots
        ),
        "next_year_reopened": reopened,
        "next_year_by_hand": by_hand,
        "reminders": SubmissionEvent.objects.filter(
            submission__round=nomination_round, action="reminded"
        ).count(),
    }


def _give_officers_addresses() -> None:
    """The demo accounts come without email addresses; a reminder reaches only officers with
    one."""
    for user in User.objects.filter(role=Role.ORG_OFFICER, is_active=True, email="").order_by("pk"):
        user.email = f"{user.username}@{MAIL_DOMAIN}"
        user.save(update_fields=["email"])


def _open(
    year: int, opened_on: dt.date, deadline: dt.date, offered: list[Programme], department: User
) -> NominationRound:
    """The department opens the year's round at half past eight on the day."""
    with dated(at(opened_on, 8, 30), STAMPED):
        nomination_round = nom_services.round_open(
            year=year,
            deadline=deadline,
            programmes=offered,
            instructions=ROUND_INSTRUCTIONS.format(year=year),
            actor=department,
            today=opened_on,
        )
    NominationRound.objects.filter(pk=nomination_round.pk).update(opened_at=at(opened_on, 8, 30))
    return nomination_round
