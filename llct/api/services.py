"""Writes of the connections: issuing and revoking tokens (with the principal each acts as),
webhook endpoints, and the study-calendar links. Each validates, writes in one transaction and
records who did it."""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.api.models import (
    EVENT_CHOICES,
    TOKEN_ROLES,
    ApiToken,
    StudyFeed,
    WebhookDelivery,
    WebhookEndpoint,
    feed_code,
    webhook_secret,
)
from llct.core.capabilities import Capability, has_capability, holders
from llct.core.models import User, audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.text import clean_text
from llct.organizations.models import Organization

TOKEN_PREFIX = "llct"
# Tokens do not live forever: an expiry further than this is refused (our default).
MAX_TOKEN_DAYS = 3 * 366
WHOLE_TREE_ROLES = holders(Capability.READ_WHOLE_TREE)


def digest(raw: str) -> str:
    """The stored form of a token. A token is 256 random bits, so a fast hash is enough: there
    is nothing to guess by brute force, unlike a password."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(5)
    return prefix, f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


def token_validate(
    *,
    name: str,
    organization: Organization,
    role: str,
    expires_on: dt.date,
    rate_limit: int,
    today: dt.date,
) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not name:
        add("name", _("Give the token a name that says which system uses it."))
    if role not in {value for value, _label in TOKEN_ROLES}:
        add("role", _("Choose a role the token acts as."))
    elif role in WHOLE_TREE_ROLES and organization.parent_id is not None:
        # These roles read the whole tree in the UI; a token must not pretend otherwise.
        add(
            "organization",
            _(
                "A token acting as the department or a leader covers the whole tree: choose "
                "the root."
            ),
        )
    if organization.dissolved_on is not None:
        add("organization", _("This organization no longer exists."))
    if expires_on <= today:
        add("expires_on", _("The expiry date must be after today."))
    elif (expires_on - today).days > MAX_TOKEN_DAYS:
        add("expires_on", _("A token may be valid for at most three years."))
    if rate_limit < 1 or rate_limit > 10_000:
        add("rate_limit", _("Allow from 1 to 10,000 requests per minute."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def token_issue(
    *,
    name: str,
    organization: Organization,
    role: str,
    expires_on: dt.date,
    actor: Any,
    today: dt.date,
    can_write: bool = False,
    personal_data: bool = False,
    rate_limit: int = 120,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is returned here once and never stored.

    The token acts as a principal of its own: a user who cannot sign in, with the token's role
    and organization, so every selector scopes the API exactly as it scopes the UI."""
    if not has_capability(actor, Capability.MANAGE_API):
        raise PermissionDenied
    name = clean_text(name)
    token_validate(
        name=name,
        organization=organization,
        role=role,
        expires_on=expires_on,
        rate_limit=rate_limit,
        today=today,
    )
    prefix, raw = _new_secret()
    principal = User(
        username=f"api-{prefix}",
        role=role,
        organization=organization,
        last_name="API:",
        first_name=name[:150],
        is_active=False,
    )
    principal.set_unusable_password()
    principal.save()
    token = ApiToken(
        name=name,
        prefix=prefix,
        digest=digest(raw),
        principal=principal,
        organization=organization,
        role=role,
        can_write=can_write,
        personal_data=personal_data,
        rate_limit=rate_limit,
        expires_on=expires_on,
        created_by=actor,
    )
    token.full_clean()
    token.save()
    audit_record(actor=actor, obj=token, action="create", summary=name)
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: Any, now: dt.datetime) -> ApiToken:
    if not has_capability(actor, Capability.MANAGE_API):
        raise PermissionDenied
    if token.revoked_at is not None:
        raise ValidationError(_("This token has already been revoked."))
    token.revoked_at = now
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, obj=token, action="revoke", summary=token.name)
    return token


# ---------------------------------------------------------------------------------------------
# Webhooks


def _endpoint_validate(*, url: str, events: list[str], token: ApiToken) -> None:
    errors: dict[str, list[str]] = {}
    if not url.startswith(("https://", "http://")):
        errors["url"] = [_("Enter an http or https address.")]
    known = {value for value, _label in EVENT_CHOICES}
    if not events or not set(events) <= known:
        errors["events"] = [_("Choose at least one event.")]
    if token.revoked_at is not None:
        errors["token"] = [_("This token has been revoked.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def endpoint_create(*, token: ApiToken, url: str, events: list[str], actor: Any) -> WebhookEndpoint:
    """A new endpoint with a new signing secret (shown to the administrator to give to the
    receiving system)."""
    if not has_capability(actor, Capability.MANAGE_API):
        raise PermissionDenied
    url = clean_text(url)
    _endpoint_validate(url=url, events=events, token=token)
    endpoint = WebhookEndpoint(token=token, url=url, events=sorted(set(events)), created_by=actor)
    endpoint.full_clean()
    endpoint.save()
    audit_record(actor=actor, obj=endpoint, action="create", summary=url[:500])
    return endpoint


@transaction.atomic
def endpoint_set_active(*, endpoint: WebhookEndpoint, active: bool, actor: Any) -> None:
    if not has_capability(actor, Capability.MANAGE_API):
        raise PermissionDenied
    endpoint.is_active = active
    endpoint.save(update_fields=["is_active"])
    audit_record(actor=actor, obj=endpoint, action="activate" if active else "deactivate")


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: Any) -> WebhookEndpoint:
    """A new signing secret; deliveries from now on are signed with it."""
    if not has_capability(actor, Capability.MANAGE_API):
        raise PermissionDenied
    endpoint.secret = webhook_secret()
    endpoint.save(update_fields=["secret"])
    audit_record(actor=actor, obj=endpoint, action="rotate_secret")
    return endpoint


@transaction.atomic
def delivery_retry_now(*, delivery: WebhookDelivery, actor: Any, now: dt.datetime) -> None:
    """Put a failed or waiting delivery back in line for the worker, with its attempts reset."""
    if not has_capability(actor, Capability.MANAGE_API):
        raise PermissionDenied
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        raise ValidationError(_("This delivery has already been delivered."))
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(actor=actor, obj=delivery.endpoint, action="retry", summary=delivery.event)


# ---------------------------------------------------------------------------------------------
# Study-calendar links


def may_manage_feed(user: Any, organization: Organization) -> bool:
    """The department for any organization; an organization officer within their subtree."""
    if not has_capability(user, Capability.MANAGE_STUDY_FEEDS):
        return False
    path = scope_path(user)
    return path is not None and (path == ALL or organization.path.startswith(path))


@transaction.atomic
def feed_renew(*, organization: Organization, actor: Any) -> StudyFeed:
    """The organization's study-calendar link: made on first use; asked again, a new code that
    replaces the old one at once (a link that leaked stops working)."""
    if not may_manage_feed(actor, organization):
        raise PermissionDenied
    feed, created = StudyFeed.objects.get_or_create(
        organization=organization, defaults={"created_by": actor}
    )
    if not created:
        feed.code = feed_code()
        feed.created_by = actor
        feed.created_at = timezone.now()
        feed.save(update_fields=["code", "created_by", "created_at"])
    audit_record(
        actor=actor, obj=organization, action="study_feed", summary=_("Study calendar link made")
    )
    return feed
