"""Pages of the briefings (giao ban): the list, a briefing with its agenda, minutes and action
items. The department holds briefings; an organization officer holds those of their subtree
and reads those of the committees above; leaders read."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.capabilities import Capability, has_capability
from llct.core.forms import apply_errors, form_status
from llct.core.htmx import render_page
from llct.core.models import User
from llct.core.permissions import require
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.organizations.selectors import organization_scope
from llct.reviews import access
from llct.reviews import briefings as brief
from llct.reviews.forms import ActionForm, BriefingForm, briefing_initial
from llct.reviews.models import ActionItem, Briefing


def _today() -> dt.date:
    return timezone.localdate()


def _may_hold(user: User, briefing: Briefing | None = None) -> bool:
    """The department holds any briefing; an organization officer those of their subtree."""
    if briefing is not None:
        return access.acts_for(user, briefing.organization)
    if has_capability(user, Capability.WRITE_REPORTS) and access.is_reader_of_all(user):
        return True
    return user.organization is not None and access.acts_for(user, user.organization)


def briefing_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(access.can_see(user))
    context = {"briefings": brief.briefing_list(user=user), "may_hold": _may_hold(user)}
    return render_page(request, "reviews/briefing_list.html", context)


def _briefing_page(request: AuthenticatedHttpRequest, briefing: Briefing | None) -> HttpResponse:
    user = request.user
    require(_may_hold(user, briefing))
    today = _today()
    organizations = organization_scope(user=user).filter(depth__lte=2).order_by("path")
    initial = briefing_initial(
        briefing,
        default_organization=user.organization or organizations.first(),
        period=brief.period_for(Briefing.Kind.MONTHLY, today),
        today=today,
    )
    form = BriefingForm(request.POST or None, initial=initial, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            briefing = brief.briefing_save(briefing=briefing, **form.cleaned_data, actor=user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("reviews:briefing", pk=briefing.pk)
    context = {"form": form, "briefing": briefing}
    return render_page(request, "reviews/briefing_form.html", context, status=form_status(form))


def briefing_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _briefing_page(request, None)


def briefing_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _briefing_page(request, brief.briefing_get(user=request.user, pk=pk))


def briefing_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
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
def action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
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
def action_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
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
