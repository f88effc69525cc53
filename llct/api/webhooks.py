"""Webhooks: the domain events (llct.core.events) sent, signed, to the endpoints that may hear
them, by the task worker, with retries.

- Who hears what: an endpoint belongs to a token and hears the events its token could read
  through the API (the scope of its principal): a token of organization A is told nothing
  about B. Revoked or expired tokens hear nothing.
- Signing: `X-LLCT-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the
  endpoint's secret>`. The receiver recomputes it and refuses an old `t` (replays).
- Delivery: a 2xx answer is delivered; anything else is retried after 30 s, 1 min, 2 min...
  (doubling) until WEBHOOK_MAX_ATTEMPTS, then failed. The log is on the endpoint's page.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.tasks import default_task_backend, task
from django.utils import timezone

from llct.api.models import WebhookDelivery, WebhookEndpoint
from llct.core.events import Event
from llct.core.permissions import ALL, scope_path
from llct.organizations.models import Organization

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-LLCT-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300
BATCH = 100
USER_AGENT = "LLCT-Webhooks/1"

# (url, body, headers, timeout) -> HTTP status; raises OSError when nothing answers.
Sender = Callable[[str, bytes, dict[str, str], float], int]


# --- Signing ---------------------------------------------------------------------------------


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    *, secret: str, header: str, body: bytes, now: int, tolerance: int = SIGNATURE_TOLERANCE_SECONDS
) -> bool:
    """What a receiver does: recompute the signature and compare in constant time; refuse a
    timestamp too far from now."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, body=body, timestamp=timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# --- Who hears what --------------------------------------------------------------------------


def _listening(now: dt.datetime) -> list[WebhookEndpoint]:
    return list(
        WebhookEndpoint.objects.filter(
            is_active=True,
            token__revoked_at__isnull=True,
            token__expires_on__gte=timezone.localdate(now),
        ).select_related("token__principal__organization")
    )


def _hears(endpoint: WebhookEndpoint, event: Event, paths: dict[int, str]) -> bool:
    if event.kind not in endpoint.events:
        return False
    scope = scope_path(endpoint.token.principal)
    if scope is None:
        return False
    if scope == ALL:
        return True
    return any(paths.get(i, "").startswith(scope) for i in event.organization_ids)


def payload(event: Event, event_id: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": event.kind,
        "created_at": now.isoformat(),
        "data": json.loads(json.dumps(event.data, cls=DjangoJSONEncoder)),
    }


def on_events(batch: Sequence[Event]) -> None:
    """The events listener: one delivery per event and endpoint that hears it, then the worker
    is asked to send them (a few tasks for a whole approval, not one per certificate)."""
    now = timezone.now()
    endpoints = _listening(now)
    if not endpoints:
        return
    ids = {i for event in batch for i in event.organization_ids}
    paths = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "path"))
    deliveries = []
    for event in batch:
        event_id = str(uuid.uuid4())
        body = payload(event, event_id, now)
        for endpoint in endpoints:
            if _hears(endpoint, event, paths):
                deliveries.append(
                    WebhookDelivery(
                        endpoint=endpoint,
                        event=event.kind,
                        event_id=event_id,
                        payload=body,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
    created = WebhookDelivery.objects.bulk_create(deliveries)
    ids_to_send = [d.pk for d in created]
    for start in range(0, len(ids_to_send), BATCH):
        deliver_webhooks.enqueue(ids_to_send[start : start + BATCH])


# --- Sending ---------------------------------------------------------------------------------


def http_send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return int(error.code)


def retry_delay(attempts: int) -> dt.timedelta:
    """After the n-th failed attempt: 30 s, 1 min, 2 min, 4 min... (the first from settings)."""
    return dt.timedelta(seconds=settings.WEBHOOK_FIRST_RETRY_SECONDS * 2 ** (attempts - 1))


def attempt(delivery: WebhookDelivery, *, now: dt.datetime, send: Sender = http_send) -> bool:
    """One attempt at one delivery; the outcome is saved on the delivery. True if delivered."""
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-LLCT-Event": delivery.event,
        "X-LLCT-Delivery": delivery.event_id,
        SIGNATURE_HEADER: sign(secret=endpoint.secret, body=body, timestamp=int(now.timestamp())),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = now
    try:
        status = send(endpoint.url, body, headers, float(settings.WEBHOOK_TIMEOUT_SECONDS))
    except (OSError, ValueError) as error:
        status = 0
        delivery.error = f"{type(error).__name__}: {error}"[:500]
    delivery.response_status = status or None
    if 200 <= status < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.error = ""
        delivery.next_attempt_at = None
    else:
        if status:
            delivery.error = f"HTTP {status}"
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.status = WebhookDelivery.Status.PENDING
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "response_status",
            "status",
            "error",
            "next_attempt_at",
        ]
    )
    return delivery.status == WebhookDelivery.Status.DELIVERED


def deliver(ids: Sequence[int], *, now: dt.datetime, send: Sender = http_send) -> None:
    """Attempt the pending deliveries among `ids` whose time has come, oldest first. An endpoint
    that does not answer is not tried again in this run: its other deliveries wait their turn
    (each keeps its own backoff) instead of each waiting for the timeout."""
    deliveries = (
        WebhookDelivery.objects.filter(
            pk__in=list(ids), status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        )
        .select_related("endpoint")
        .order_by("pk")
    )
    down: set[int] = set()
    retries: list[WebhookDelivery] = []
    for delivery in deliveries:
        if delivery.endpoint_id in down:
            delivery.next_attempt_at = now + retry_delay(max(delivery.attempts, 1))
            delivery.save(update_fields=["next_attempt_at"])
        elif not attempt(delivery, now=now, send=send):
            down.add(delivery.endpoint_id)
        if delivery.status == WebhookDelivery.Status.PENDING:
            retries.append(delivery)
    _schedule(retries)


def _schedule(retries: Sequence[WebhookDelivery]) -> None:
    """Ask the worker to come back when each retry is due, where the task backend can wait
    (the database worker, the demo's threads). Elsewhere the `webhooks_retry` command, run
    every minute by cron, sends what is due."""
    if not retries or not default_task_backend.supports_defer:
        return
    by_time: dict[dt.datetime, list[int]] = {}
    for delivery in retries:
        if delivery.next_attempt_at is not None:
            by_time.setdefault(delivery.next_attempt_at, []).append(delivery.pk)
    for when, ids in by_time.items():
        deliver_webhooks.using(run_after=when).enqueue(ids)


def deliver_due(*, now: dt.datetime, send: Sender = http_send) -> int:
    """Every pending delivery whose time has come (the retry sweep). Returns how many."""
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:1000]
    )
    deliver(due, now=now, send=send)
    return len(due)


@task
def deliver_webhooks(delivery_ids: list[int]) -> None:
    deliver(delivery_ids, now=timezone.now())
