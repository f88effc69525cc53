"""The weekly watchlist digest: one email to each organization officer, with the watchlists of
their subtree. Sent through the default mailer, like the nomination reminders."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.utils import translation
from django.utils.translation import gettext as _

from llct.core.models import Role, User
from llct.monitoring.watchlists import Watchlist, watchlists_for_path

# An email lists at most this many names per watchlist; the link opens the rest.
ITEMS_PER_LIST = 15


@dataclass
class DigestResult:
    sent: list[str] = field(default_factory=list)  # usernames
    without_email: list[str] = field(default_factory=list)
    nothing_to_report: list[str] = field(default_factory=list)


def digest_message(
    *, officer: User, lists: list[Watchlist], today: dt.date, site_url: str
) -> EmailMessage:
    """The digest for one officer, in Vietnamese whatever the sender's language."""
    with translation.override(settings.LANGUAGE_CODE):
        organization = officer.organization.name if officer.organization else ""
        subject = _("Weekly watchlist of %(organization)s, %(date)s") % {
            "organization": organization,
            "date": today.strftime("%d/%m/%Y"),
        }
        parts = [
            _(
                "What must not slip in %(organization)s and the organizations under it, as of "
                "%(date)s:"
            )
            % {"organization": organization, "date": today.strftime("%d/%m/%Y")}
        ]
        for watchlist in lists:
            parts.append(f"{watchlist.label}: {watchlist.count}")
            for item in watchlist.items[:ITEMS_PER_LIST]:
                parts.append(f"  - {item.name} ({item.organization}): {item.detail}")
            if watchlist.count > ITEMS_PER_LIST:
                parts.append(
                    "  " + _("… and %(n)s more.") % {"n": watchlist.count - ITEMS_PER_LIST}
                )
        parts.append(_("The full lists: %(link)s") % {"link": site_url + "/de-an/canh-bao/"})
        parts.append(_("The propaganda and education department"))
    return EmailMessage(subject=subject, body="\n".join(parts), to=[officer.email])


def digest_send(*, today: dt.date, site_url: str = "", dry_run: bool = False) -> DigestResult:
    """Email every active organization officer their subtree's watchlists (officers of one
    organization share the lists, computed once). Officers with nothing on any list get no
    email."""
    result = DigestResult()
    officers = (
        User.objects.filter(role=Role.ORG_OFFICER, is_active=True, organization__isnull=False)
        .select_related("organization")
        .order_by("organization__path", "username")
    )
    computed: dict[str, list[Watchlist]] = {}
    messages = []
    for officer in officers:
        if not officer.email:
            result.without_email.append(officer.username)
            continue
        assert officer.organization is not None
        path = officer.organization.path
        if path not in computed:
            computed[path] = watchlists_for_path(prefix=path, today=today, counts_only=False)
        lists = computed[path]
        if not any(w.count for w in lists):
            result.nothing_to_report.append(officer.username)
            continue
        messages.append(
            digest_message(officer=officer, lists=lists, today=today, site_url=site_url)
        )
        result.sent.append(officer.username)
    if messages and not dry_run:
        mailers.default.send_messages(messages)
    return result
