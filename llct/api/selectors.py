"""Reads of the connections pages. Tokens and webhooks are the department's; study-calendar
links follow the organization scope (an organization officer sees their subtree's)."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from llct.api.models import ApiRequest, ApiToken, StudyFeed, WebhookDelivery, WebhookEndpoint
from llct.core.capabilities import Capability, has_capability
from llct.core.permissions import ALL, scope_path


def token_list(*, user: Any) -> QuerySet[ApiToken]:
    if not has_capability(user, Capability.MANAGE_API):
        return ApiToken.objects.none()
    return ApiToken.objects.select_related("organization", "created_by").order_by(
        "-created_at", "-id"
    )


def token_get(*, user: Any, pk: int) -> ApiToken:
    try:
        return token_list(user=user).get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None


def token_requests(*, token: ApiToken, limit: int = 50) -> list[ApiRequest]:
    """The token's latest uses, newest first."""
    return list(ApiRequest.objects.filter(token=token).order_by("-at", "-id")[:limit])


def endpoint_list(*, user: Any) -> QuerySet[WebhookEndpoint]:
    """Endpoints with their counts of deliveries waiting and failed (two conditional counts in
    one query)."""
    if not has_capability(user, Capability.MANAGE_API):
        return WebhookEndpoint.objects.none()
    return (
        WebhookEndpoint.objects.select_related("token")
        .annotate(
            waiting=Count(
                "deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.PENDING)
            ),
            failed=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED)),
        )
        .order_by("-created_at", "-id")
    )


def endpoint_get(*, user: Any, pk: int) -> WebhookEndpoint:
    if not has_capability(user, Capability.MANAGE_API):
        raise Http404
    try:
        return WebhookEndpoint.objects.select_related("token").get(pk=pk)
    except WebhookEndpoint.DoesNotExist:
        raise Http404 from None


def endpoint_deliveries(
    *, endpoint: WebhookEndpoint, status: str = ""
) -> QuerySet[WebhookDelivery]:
    qs = WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def delivery_get(*, user: Any, pk: int) -> WebhookDelivery:
    if not has_capability(user, Capability.MANAGE_API):
        raise Http404
    try:
        return WebhookDelivery.objects.select_related("endpoint").get(pk=pk)
    except WebhookDelivery.DoesNotExist:
        raise Http404 from None


def feed_list(*, user: Any) -> QuerySet[StudyFeed]:
    """The study-calendar links of the organizations within the user's scope."""
    path = scope_path(user)
    qs = StudyFeed.objects.select_related("organization", "created_by")
    if path is None:
        return qs.none()
    if path != ALL:
        qs = qs.filter(organization__path__startswith=path)
    return qs.order_by("organization__path")
