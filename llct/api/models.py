"""Connections with other systems: API tokens and their use, idempotent writes, webhooks and
their deliveries, and the study-calendar feeds a member app follows."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from llct.core.events import KINDS
from llct.core.models import Role
from llct.organizations.models import Organization

# The roles a token may act as: the UI's roles that read the rolls.
TOKEN_ROLES = [
    (Role.DEPARTMENT.value, Role.DEPARTMENT.label),
    (Role.ORG_OFFICER.value, Role.ORG_OFFICER.label),
    (Role.LEADER.value, Role.LEADER.label),
]
EVENT_CHOICES = [
    ("certificate.issued", _("Certificate issued")),
    ("certificate.revoked", _("Certificate revoked")),
    ("results.approved", _("Results approved")),
    ("person.transferred", _("Person transferred")),
]
assert {k for k, _label in EVENT_CHOICES} == set(KINDS)


def feed_code() -> str:
    # Long and random: the feed link is the only key to it.
    return secrets.token_urlsafe(24)


def webhook_secret() -> str:
    return secrets.token_hex(32)


class ApiToken(models.Model):
    """A key another system uses instead of a password. It acts as a user of its own (the
    principal, who cannot sign in) with the token's role and organization, so the API reads
    through the same selectors, within the same scope, as the UI. Only a digest of the secret
    is stored; the secret is shown once, when the token is issued."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    principal = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("acts as"), max_length=20, choices=TOKEN_ROLES)
    can_write = models.BooleanField(_("may write"), default=False)
    personal_data = models.BooleanField(
        _("may read and send personal data (date of birth, party card number)"), default=False
    )
    rate_limit = models.PositiveIntegerField(_("requests per minute"), default=120)
    expires_on = models.DateField(_("expires on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_limit__gte=1), name="api_token_rate_limit_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and timezone.localdate(now) <= self.expires_on


class ApiRequest(models.Model):
    """One use of a token: when, what (method and path, never the query string, which may carry
    a name being searched), the answer's status and how long it took."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="requests")
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=255)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The token page: its latest requests.
            models.Index(fields=["token", "-at"], name="api_request_token_at"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class IdempotencyRecord(models.Model):
    """A write made with an Idempotency-Key: a retry with the same key gets the first answer
    back instead of writing again. `status` is empty while the first request is running."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_per_token"),
        ]
        indexes = [
            # Clearing out the records past their retention.
            models.Index(fields=["created_at"], name="idempotency_created"),
        ]

    def __str__(self) -> str:
        return self.key


class WebhookEndpoint(models.Model):
    """An address another system listens on. It hears the events its token could read through
    the API: a token of organization A is told nothing about B."""

    token = models.ForeignKey(
        ApiToken, on_delete=models.PROTECT, related_name="webhooks", verbose_name=_("API token")
    )
    url = models.URLField(_("address (URL)"), max_length=500)
    secret = models.CharField(max_length=64, default=webhook_secret, editable=False)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event to one endpoint: attempted by the task worker, retried with backoff until it
    is delivered or the attempts run out. The log the administrator reads."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    event_id = models.CharField(max_length=36)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The retry sweep: pending deliveries whose time has come.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            # The delivery log of an endpoint, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"


class StudyFeed(models.Model):
    """A secret link to an organization's study sessions (.ics and JSON) for a member app or a
    phone calendar. The link carries no personal data; a new one replaces the old at once."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="study_feed"
    )
    code = models.CharField(max_length=64, unique=True, default=feed_code)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("study calendar link")

    def __str__(self) -> str:
        return f"feed {self.organization_id}"
