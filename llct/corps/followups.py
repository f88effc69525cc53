"""The effect of training: some months after a course, the learner's cell evaluates each learner.

`followups_open` asks the cells (one FollowUp per enrolment of a finished course, idempotent);
`followup_answer` records a cell's scores; `followups_remind` mails the officers of cells that
have not answered. Reads start from the user's scope: an organization officer sees only the
follow-ups of learners in their subtree (404 otherwise).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.permissions import ALL, scope_path
from llct.corps.models import FollowUp, FollowUpCriterion, FollowUpScore, FollowUpSettings
from llct.courses.models import Course, Enrolment
from llct.organizations.models import Organization, add_months
from llct.planning.nominations.reminders import organization_officers

ONE_PLACE = Decimal("0.1")


def followups_open(*, today: dt.date) -> int:
    """Open a follow-up for every enrolled learner of each finished course that ended at least
    the set number of months before today. Returns how many were opened."""
    months = FollowUpSettings.current().months_after
    latest_end = add_months(today, -months)
    enrolments = (
        Enrolment.objects.filter(
            status=Enrolment.Status.ENROLLED,
            course__status=Course.Status.FINISHED,
            course__ends_on__lte=latest_end,
            follow_up__isnull=True,
            person__organization__isnull=False,
        )
        .select_related("course")
        .values_list("pk", "person__organization_id", "course__ends_on")
    )
    rows = [
        FollowUp(enrolment_id=pk, organization_id=org, due_on=add_months(ends, months))
        for pk, org, ends in enrolments
    ]
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def _scoped(user: Any) -> QuerySet[FollowUp]:
    path = scope_path(user)
    if path is None:
        raise Http404
    qs = FollowUp.objects.all()
    if path != ALL:
        qs = qs.filter(organization__path__startswith=path)
    return qs


def can_answer(user: Any) -> bool:
    return has_capability(user, Capability.ANSWER_FOLLOWUPS)


def followup_list(*, user: Any, pending: bool) -> QuerySet[FollowUp]:
    """The follow-ups in the user's scope, pending (unanswered) or answered."""
    return (
        _scoped(user)
        .filter(answered_at__isnull=pending)
        .select_related("enrolment__person", "enrolment__course", "organization")
        .order_by("due_on", "organization__path", "enrolment__person__sort_key", "pk")
    )


def followup_get(*, user: Any, pk: int) -> FollowUp:
    try:
        return (
            _scoped(user)
            .select_related("enrolment__person", "enrolment__course__programme", "organization")
            .get(pk=pk)
        )
    except FollowUp.DoesNotExist:
        raise Http404 from None


def criteria() -> list[FollowUpCriterion]:
    return FollowUpCriterion.in_use()


def followup_answer(
    *,
    follow_up: FollowUp,
    scores: Mapping[int, tuple[int, str]],
    actor: Any,
    now: dt.datetime | None = None,
) -> FollowUp:
    """Record the cell's scores: every criterion in use, 1 to 5 each, with an optional note.
    An answer may be corrected: the scores are replaced."""
    if not can_answer(actor):
        raise PermissionDenied
    followup_get(user=actor, pk=follow_up.pk)  # 404 outside the officer's subtree
    wanted = criteria()
    missing = [c.label for c in wanted if c.pk not in scores]
    bad = [c.label for c in wanted if c.pk in scores and not 1 <= scores[c.pk][0] <= 5]
    if missing or bad or not wanted:
        raise ValidationError(_("Score every criterion from 1 to 5."))
    with transaction.atomic():
        FollowUpScore.objects.filter(follow_up=follow_up).delete()
        FollowUpScore.objects.bulk_create(
            FollowUpScore(
                follow_up=follow_up,
                criterion=c,
                score=scores[c.pk][0],
                note=scores[c.pk][1].strip()[:500],
            )
            for c in wanted
        )
        total = sum(scores[c.pk][0] for c in wanted)
        follow_up.average = (Decimal(total) / len(wanted)).quantize(ONE_PLACE)
        follow_up.answered_at = now or timezone.now()
        follow_up.answered_by = actor
        follow_up.save(update_fields=["average", "answered_at", "answered_by"])
    return follow_up


@dataclass
class Reminders:
    organizations: int = 0
    emails: int = 0
    nobody: int = 0


def followups_remind(*, today: dt.date, link: str, now: dt.datetime | None = None) -> Reminders:
    """One mail to the officers of each cell (or of a committee above it) with follow-ups due
    and unanswered. Cells without an officer with an email address are counted in `nobody`."""
    pending = FollowUp.objects.filter(answered_at__isnull=True, due_on__lte=today)
    counts = dict(
        pending.values_list("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    organizations = list(Organization.objects.filter(pk__in=counts))
    officers = organization_officers(organizations)
    result = Reminders()
    messages = []
    reached = []
    for organization in organizations:
        to = sorted({u.email for u in officers.get(organization.pk, []) if u.email})
        if not to:
            result.nobody += 1
            continue
        messages.append(_message(organization, counts[organization.pk], link, to))
        reached.append(organization.pk)
        result.organizations += 1
        result.emails += len(to)
    mailers.default.send_messages(messages)
    pending.filter(organization_id__in=reached).update(reminded_at=now or timezone.now())
    return result


def _message(organization: Organization, n: int, link: str, to: list[str]) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Reminder: evaluate learners after their course (%(organization)s)") % {
            "organization": organization.name
        }
        body = "\n\n".join(
            [
                _(
                    "%(organization)s has %(n)s learner(s) to evaluate after their course: how "
                    "they apply the knowledge at work, their conduct and their role in the cell."
                )
                % {"organization": organization.name, "n": n},
                _("Fill the evaluations here: %(link)s") % {"link": link},
                _("The propaganda and education department"),
            ]
        )
    return EmailMessage(subject=subject, body=body, to=to)


# ---------------------------------------------------------------------------------------------
# Aggregates


@dataclass
class Aggregate:
    key: int
    label: str
    answered: int
    asked: int
    average: Decimal | None
    by_criterion: dict[int, Decimal]


def aggregates(*, user: Any, by: str, year: int) -> list[Aggregate]:
    """Per course, programme or lecturer: follow-ups asked and answered, the average score and
    the average per criterion, for the courses that ended in `year`, within the user's scope.
    Three queries."""
    base = _scoped(user).filter(enrolment__course__ends_on__year=year)
    if by == "lecturer":
        field, label_field = "enrolment__course__sessions__lecturer", "full_name"
    elif by == "programme":
        field, label_field = "enrolment__course__programme", "name"
    else:
        field, label_field = "enrolment__course", "name"
    key = f"{field}_id" if by != "lecturer" else field
    # A lecturer who taught several sessions of a course must not count its learners twice.
    counts = (
        base.exclude(**{f"{key}__isnull": True})
        .values(key)
        .annotate(
            asked=Count("pk", distinct=True),
            answered=Count("pk", distinct=True, filter=Q(answered_at__isnull=False)),
        )
    )
    scores: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    seen: set[tuple[int, int, int]] = set()
    score_rows = FollowUpScore.objects.filter(follow_up__in=base).values_list(
        f"follow_up__{key}", "follow_up_id", "criterion_id", "score"
    )
    for group, follow_up, criterion, score in score_rows:
        if group is None or (follow_up, criterion, group) in seen:
            continue
        seen.add((follow_up, criterion, group))
        scores[group][criterion].append(score)
    labels = _labels(by, [row[key] for row in counts], label_field)
    result = []
    for row in counts:
        group = row[key]
        per = {c: (Decimal(sum(v)) / len(v)).quantize(ONE_PLACE) for c, v in scores[group].items()}
        every = [s for v in scores[group].values() for s in v]
        result.append(
            Aggregate(
                key=group,
                label=labels.get(group, "—"),
                answered=row["answered"],
                asked=row["asked"],
                average=(Decimal(sum(every)) / len(every)).quantize(ONE_PLACE) if every else None,
                by_criterion=per,
            )
        )
    result.sort(key=lambda a: a.label)
    return result


def _labels(by: str, ids: list[int], field: str) -> dict[int, str]:
    from llct.curriculum.models import Lecturer, Programme

    model: Any = {"lecturer": Lecturer, "programme": Programme}.get(by, Course)
    return dict(model.objects.filter(pk__in=ids).values_list("pk", field))
