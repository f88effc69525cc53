"""The connections pages: API tokens and their use, webhooks and their delivery log (the
department's), study-calendar links and interchange files (organization officers too)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.api import interchange, selectors, services, webhooks
from llct.api.forms import DeliveryFilterForm, EndpointForm, OrganizationForm, TokenForm
from llct.core.capabilities import Capability, has_capability
from llct.core.forms import apply_errors, form_status
from llct.core.htmx import render_page
from llct.core.permissions import can_edit_rolls, can_read_rolls, require
from llct.core.spreadsheets import XLSX_TYPE, file_response
from llct.organizations.selectors import organization_choices, organization_get

DELIVERIES_PAGE_SIZE = 50


def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(has_capability(user, Capability.USE_CONNECTIONS))
    return render_page(
        request,
        "api/index.html",
        {
            "department": has_capability(user, Capability.MANAGE_API),
            "feeds": selectors.feed_list(user=user)[:20],
            "docs_url": reverse("api_docs"),
        },
    )


# --- Tokens ----------------------------------------------------------------------------------


def token_list(request: HttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_API))
    tokens = selectors.token_list(user=request.user)
    return render_page(request, "api/token_list.html", {"tokens": tokens, "now": timezone.now()})


def token_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(has_capability(user, Capability.MANAGE_API))
    today = timezone.localdate()
    form = TokenForm(
        request.POST or None, organizations=organization_choices(user=user), today=today
    )
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.token_issue(**form.cleaned_data, actor=user, today=today)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            # The secret is shown on this answer only: it is stored as a digest.
            return render_page(request, "api/token_created.html", {"token": token, "raw": raw})
    return render_page(request, "api/token_form.html", {"form": form}, status=form_status(form))


def token_detail(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(user=request.user, pk=pk)
    return render_page(
        request,
        "api/token_detail.html",
        {
            "token": token,
            "requests": selectors.token_requests(token=token),
            "endpoints": token.webhooks.all(),
            "active": token.is_active_on(timezone.now()),
        },
    )


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(user=request.user, pk=pk)
    try:
        services.token_revoke(token=token, actor=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The token has been revoked; it no longer works."))
    return redirect("api:token_detail", pk=token.pk)


# --- Webhooks --------------------------------------------------------------------------------


def endpoint_list(request: HttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_API))
    endpoints = selectors.endpoint_list(user=request.user)
    return render_page(request, "api/endpoint_list.html", {"endpoints": endpoints})


def endpoint_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(has_capability(user, Capability.MANAGE_API))
    tokens = selectors.token_list(user=user).filter(revoked_at__isnull=True)
    form = EndpointForm(request.POST or None, tokens=tokens)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(**form.cleaned_data, actor=user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return render_page(request, "api/endpoint_secret.html", {"endpoint": endpoint})
    return render_page(request, "api/endpoint_form.html", {"form": form}, status=form_status(form))


def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(user=request.user, pk=pk)
    form = DeliveryFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    deliveries = selectors.endpoint_deliveries(endpoint=endpoint, status=status)
    page = Paginator(deliveries, DELIVERIES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "api/endpoint_detail.html",
        {"endpoint": endpoint, "form": form, "page": page, "status": status},
        fragment="log",
    )


@require_POST
def endpoint_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(user=request.user, pk=pk)
    services.endpoint_set_active(
        endpoint=endpoint, active=not endpoint.is_active, actor=request.user
    )
    return redirect("api:endpoint_detail", pk=endpoint.pk)


@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(user=request.user, pk=pk)
    endpoint = services.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    return render_page(request, "api/endpoint_secret.html", {"endpoint": endpoint, "rotated": True})


@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    try:
        services.delivery_retry_now(delivery=delivery, actor=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        webhooks.deliver_webhooks.enqueue([delivery.pk])
        messages.success(request, _("The delivery has been sent to the worker again."))
    return redirect("api:endpoint_detail", pk=delivery.endpoint_id)


# --- Study-calendar links --------------------------------------------------------------------


def feed_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(has_capability(user, Capability.USE_CONNECTIONS))
    form = OrganizationForm(request.POST or None, organizations=organization_choices(user=user))
    if request.method == "POST" and form.is_valid():
        feed = services.feed_renew(organization=form.cleaned_data["organization"], actor=user)
        messages.success(
            request, _("The link for %(name)s is ready.") % {"name": feed.organization}
        )
        return redirect("api:feeds")
    feeds = selectors.feed_list(user=user)
    return render_page(
        request, "api/feed_list.html", {"form": form, "feeds": feeds}, status=form_status(form)
    )


# --- Interchange files ----------------------------------------------------------------------


def interchange_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(can_read_rolls(user))
    form = OrganizationForm(request.GET or None, organizations=organization_choices(user=user))
    if form.is_valid():
        organization = organization_get(user=user, pk=form.cleaned_data["organization"].pk)
        content = interchange.party_db_xlsx(user=user, organization=organization)
        stamp = timezone.localdate().strftime("%Y%m%d")
        name = f"dang-vien-{organization.code}-{stamp}.xlsx"
        return file_response(content, filename=name, content_type=XLSX_TYPE)
    return render_page(
        request,
        "api/interchange.html",
        {"form": form, "can_import": can_edit_rolls(user), "headers": interchange.PARTY_DB_HEADERS},
        status=form_status(form),
    )
