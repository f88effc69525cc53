"""Pages of the briefings (giao ban): the list, a briefing with its agenda, minutes and action
items. The department holds briefings; an organization officer holds those of their subtree
and reads those of the committees above; leaders read."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.capabilities import Capability, has_capability
from llct.core.forms import apply_errors, form_status
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.organizations.selectors import organization_scope
from llct.reviews import access
from llct.reviews import briefings as brief
from llct.reviews.forms import ActionForm, BriefingForm
from llct.reviews.models import ActionItem, Briefing


def _today() -> dt.date:
    return timezone.localdate()


def _may_hold(user: Any, briefing: Briefing | None = None) -> bool:
    """The department holds any briefing; an organization officer those of their subtree."""
    if briefing is not None:
        return access.acts_for(user, briefing.organization)
    if has_capability(user, Capability.WRITE_REPORTS) and access.is_reader_of_all(user):
        return True
    return user.organization_id is not None and access.acts_for(user, user.organization)


def briefing_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(access.can_see(user))
    context = {"briefings": brief.briefing_list(user=user), "may_hold": _may_hold(user)}
    return render_page(request, "reviews/briefing_list.html", context)


def _briefing_page(request: HttpRequest, briefing: Briefing | None) -> HttpResponse:
    user: Any = request.user
    require(_may_hold(user, briefing))
    today = _today()
    organizations = organization_scope(user=user).filter(depth__lte=2).order_by("path")
    if briefing is None:
        start, end = brief.period_for(Briefing.Kind.MONTHLY, today)
        initial: dict[str, Any] = {
            "kind": Briefing.Kind.MONTHLY,
            "organization": user.organization or organizations.first(),
            "period_start": start,
            "period_end": end,
            "held_on": today,
        }
    else:
        initial = {
            name: getattr(briefing, name)
            for name in (
                "kind",
                "organization",
                "period_start",
                "period_end",
                "held_on",
                "place",
                "chair",
                "other_attendees",
                "agenda",
                "minutes",
            )
        }
        initial["attendees"] = list(briefing.attendees.all())
    form = BriefingForm(request.POST or None, initial=initial, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        if not access.acts_for(user, form.cleaned_data["organization"]):
            form.add_error("organization", _("You may not hold briefings for that organization."))
        else:
            try:
                briefing = brief.briefing_save(briefing=briefing, **form.cleaned_data, actor=user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("reviews:briefing", pk=briefing.pk)
    return render_page(
        request,
        "reviews/briefing_form.html",
        {"form": form, "briefing": briefing},
        status=form_status(form),
    )


def briefing_create(request: HttpRequest) -> HttpResponse:
    return _briefing_page(request, None)


def briefing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _briefing_page(request, brief.briefing_get(user=request.user, pk=pk))


def briefing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    briefing = brief.briefing_get(user=user, pk=pk)
    may_hold = _may_hold(user, briefing)
    context = {
        "briefing": briefing,
        "may_hold": may_hold,
        "action_form": ActionForm(initial={"owner": briefing.organization}) if may_hold else None,
        "today": _today(),
    }
    return render_page(request, "reviews/briefing_detail.html", context)


@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    briefing = brief.briefing_get(user=user, pk=pk)
    require(_may_hold(user, briefing))
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            brief.action_add(briefing=briefing, **form.cleaned_data, actor=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Action item added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("reviews:briefing", pk=pk)


@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = get_object_or_404(ActionItem, pk=pk)
    briefing = brief.briefing_get(user=user, pk=item.briefing_id)
    require(_may_hold(user, briefing) or access.acts_for(user, item.owner))
    brief.action_done(item=item, done_on=None if item.done_on else _today(), actor=user)
    return redirect("reviews:briefing", pk=briefing.pk)


urlpatterns: list[URLPattern] = [
    path("kiem-tra/giao-ban/", briefing_list, name="briefings"),
    path("kiem-tra/giao-ban/them/", briefing_create, name="briefing_create"),
    path("kiem-tra/giao-ban/<int:pk>/", briefing_detail, name="briefing"),
    path("kiem-tra/giao-ban/<int:pk>/sua/", briefing_edit, name="briefing_edit"),
    path("kiem-tra/giao-ban/<int:pk>/viec/", action_add, name="action_add"),
    path("kiem-tra/giao-ban/viec/<int:pk>/xong/", action_done, name="action_done"),
]
