"""Demo connections: the province's party-member database and a committee's member handbook
app holding tokens with some weeks of use, a webhook with its delivery log, and study-calendar
links for a few cells.

The webhook is paused: the demo's receiving address is fictional, and a running demo must not
send anything out. Its log was written as the worker would have written it."""

import datetime as dt
import random
import uuid
from typing import Any

from django.utils import timezone

from llct.api.models import ApiRequest, StudyFeed, WebhookDelivery, WebhookEndpoint
from llct.api.services import endpoint_create, feed_renew, token_issue
from llct.core.models import Role
from llct.organizations.models import Organization

READ_PATHS = [
    "/api/v1/people",
    "/api/v1/organizations",
    "/api/v1/certificates",
    "/api/v1/courses",
    "/api/v1/nominations",
]


def api_demo(*, rng: random.Random, today: dt.date, department: Any) -> dict[str, int]:
    root = Organization.objects.filter(parent=None, dissolved_on=None).order_by("pk").first()
    if root is None:
        return {}
    committee = (
        Organization.objects.filter(parent=root, dissolved_on=None).order_by("code").first() or root
    )
    party_db, _raw = token_issue(
        name="CSDL đảng viên tỉnh",
        organization=root,
        role=Role.DEPARTMENT,
        expires_on=today + dt.timedelta(days=365),
        actor=department,
        today=today,
        can_write=True,
        personal_data=True,
        rate_limit=600,
    )
    handbook, _raw = token_issue(
        name=f"Sổ tay đảng viên điện tử — {committee.name}",
        organization=committee,
        role=Role.ORG_OFFICER,
        expires_on=today + dt.timedelta(days=180),
        actor=department,
        today=today,
    )
    now = timezone.now()
    requests = []
    for token, per_day in ((party_db, 6), (handbook, 12)):
        for day in range(21, 0, -1):
            for _ in range(rng.randint(per_day // 2, per_day)):
                at = now - dt.timedelta(days=day, minutes=rng.randint(0, 600))
                path = rng.choice(READ_PATHS)
                requests.append(
                    ApiRequest(
                        token=token,
                        at=at,
                        method="GET",
                        path=path,
                        status=200,
                        duration_ms=rng.randint(12, 90),
                    )
                )
        token.last_used_at = now - dt.timedelta(hours=rng.randint(1, 20))
        token.save(update_fields=["last_used_at"])
    ApiRequest.objects.bulk_create(requests)

    endpoint = endpoint_create(
        token=party_db,
        url="https://csdl-dangvien.hoabinhson.example/llct/webhook",
        events=["certificate.issued", "certificate.revoked", "person.transferred"],
        actor=department,
    )
    deliveries = []
    for day in range(14, 0, -1):
        failed = day in (3, 4)
        created = now - dt.timedelta(days=day, hours=rng.randint(0, 8))
        deliveries.append(
            WebhookDelivery(
                endpoint=endpoint,
                event=rng.choice(endpoint.events),
                event_id=str(uuid.UUID(int=rng.getrandbits(128))),
                payload={},
                status=WebhookDelivery.Status.FAILED
                if failed
                else WebhookDelivery.Status.DELIVERED,
                attempts=8 if failed else 1,
                next_attempt_at=None,
                last_attempt_at=created + dt.timedelta(hours=2 if failed else 0),
                response_status=503 if failed else 204,
                error="HTTP 503" if failed else "",
                created_at=created,
            )
        )
    WebhookDelivery.objects.bulk_create(deliveries)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    cells = Organization.objects.filter(
        path__startswith=committee.path, kind__is_grassroots=True, dissolved_on=None
    ).order_by("code")[:3]
    for cell in cells:
        feed_renew(organization=cell, actor=department)
    return {
        "tokens": 2,
        "requests": len(requests),
        "webhook deliveries": len(deliveries),
        "calendar links": StudyFeed.objects.count(),
    }
