"""The effect of training: the cell's list and form, the aggregates, the criteria, reminders."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from llct.core.capabilities import Capability, has_capability
from llct.core.permissions import require
from llct.corps import followups, services
from llct.corps.forms import CriterionFormSet, FollowUpSettingsForm, score_form
from llct.corps.models import FollowUpSettings
from llct.corps.views import _year


def followup_list(request: HttpRequest) -> HttpResponse:
    pending = request.GET.get("da-tra-loi") is None
    rows = followups.followup_list(user=request.user, pending=pending)[:300]
    context = {
        "rows": rows,
        "pending": pending,
        "can_manage": has_capability(request.user, Capability.MANAGE_FOLLOWUPS),
    }
    return render(request, "corps/followup_list.html", context)


@require_http_methods(["GET", "POST"])
def followup_fill(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = followups.followup_get(user=request.user, pk=pk)
    require(followups.can_answer(request.user))
    criteria = followups.criteria()
    form = score_form(criteria, request.POST or None, follow_up=follow_up)
    if request.method == "POST" and form.is_valid():
        try:
            followups.followup_answer(follow_up=follow_up, scores=form.scores(), actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The evaluation is saved."))
            return redirect("corps:followups")
    context = {"follow_up": follow_up, "form": form}
    return render(request, "corps/followup_form.html", context)


def followup_report(request: HttpRequest) -> HttpResponse:
    year = _year(request) - (0 if request.GET.get("year") else 1)
    by = request.GET.get("by", "course")
    by = by if by in ("course", "programme", "lecturer") else "course"
    rows = followups.aggregates(user=request.user, by=by, year=year)
    context = {"rows": rows, "by": by, "year": year, "criteria": followups.criteria()}
    return render(request, "corps/followup_report.html", context)


@require_http_methods(["GET", "POST"])
def followup_settings(request: HttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_FOLLOWUPS))
    data = request.POST or None
    form = FollowUpSettingsForm(data, instance=FollowUpSettings.current())
    formset = CriterionFormSet(data, prefix="c")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        services.settings_save(forms=[form, formset], actor=request.user)
        return redirect("corps:followup_settings")
    return render(request, "corps/followup_settings.html", {"form": form, "formset": formset})


@require_POST
def followups_open(request: HttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_FOLLOWUPS))
    n = followups.followups_open(today=timezone.localdate())
    messages.success(request, _("%(n)s evaluations asked of the cells.") % {"n": n})
    return redirect("corps:followups")


@require_POST
def followups_remind(request: HttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_FOLLOWUPS))
    link = request.build_absolute_uri(reverse("corps:followups"))
    result = followups.followups_remind(today=timezone.localdate(), link=link)
    text = _(
        "Reminders sent to %(orgs)s cells (%(emails)s addresses); "
        "%(nobody)s without an officer's email."
    )
    messages.success(
        request,
        text % {"orgs": result.organizations, "emails": result.emails, "nobody": result.nobody},
    )
    return redirect("corps:followups")


urlpatterns: list[URLPattern] = [
    path("sau-khoa-hoc/", followup_list, name="followups"),
    path("sau-khoa-hoc/<int:pk>/", followup_fill, name="followup"),
    path("sau-khoa-hoc/tong-hop/", followup_report, name="followup_report"),
    path("sau-khoa-hoc/cai-dat/", followup_settings, name="followup_settings"),
    path("sau-khoa-hoc/mo/", followups_open, name="followups_open"),
    path("sau-khoa-hoc/nhac/", followups_remind, name="followups_remind"),
]
