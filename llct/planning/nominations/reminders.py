"""Reminding the officers of organizations that have not submitted their nominations."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from llct.core.models import Role, User
from llct.organizations.models import Organization
from llct.planning.models import (
    NominationRound,
    Submission,
    SubmissionEvent,
)
from llct.planning.nominations.selectors import ancestor_ids


@dataclass
class ReminderResult:
    sent: list[tuple[Organization, list[str]]] = field(default_factory=list)  # org, emails
    without_email: list[User] = field(default_factory=list)
    nobody: list[Organization] = field(default_factory=list)  # no officer with an email
    already_submitted: list[Organization] = field(default_factory=list)


def organization_officers(organizations: Sequence[Organization]) -> dict[int, list[User]]:
    """organization id → the active organization officers of it or of a committee above it.
    One query."""
    ancestors = {o.pk: ancestor_ids(o) for o in organizations}
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
    actor: User,
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
