"""Facilities: equipment, venue utilisation per month, investment proposals."""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from llct.core.capabilities import Capability, has_capability
from llct.core.forms import number_formfield
from llct.core.permissions import require
from llct.corps import facilities
from llct.corps.models import Equipment, InvestmentProposal
from llct.corps.views import _year


class EquipmentForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Equipment
        fields = ["name", "kind", "condition", "venue", "location", "acquired_on"]
        widgets = {"acquired_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ProposalForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        formfield_callback = number_formfield
        model = InvestmentProposal
        fields = ["title", "cost", "status", "venue", "target", "year", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


def facilities_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    proposals = facilities.proposal_list(user=request.user)
    context = {
        "year": year,
        "months": range(1, 13),
        "utilisation": facilities.venue_utilisation(user=request.user, year=year),
        "equipment": facilities.equipment_list(user=request.user),
        "proposals": proposals,
        "totals": facilities.proposal_totals(proposals),
        "can_edit": has_capability(request.user, Capability.EDIT_FACILITIES),
    }
    return render(request, "corps/facilities.html", context)


def _edit(request: HttpRequest, form_class: Any, instance: Any, save: Any) -> HttpResponse:
    require(has_capability(request.user, Capability.EDIT_FACILITIES))
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        save(form.instance)
        return redirect("corps:facilities")
    return render(request, "corps/facility_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def equipment_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(has_capability(request.user, Capability.EDIT_FACILITIES))
    item = get_object_or_404(Equipment, pk=pk) if pk else None

    def save(obj: Equipment) -> None:
        facilities.equipment_save(equipment=obj, actor=request.user)

    return _edit(request, EquipmentForm, item, save)


@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(has_capability(request.user, Capability.EDIT_FACILITIES))
    item = get_object_or_404(InvestmentProposal, pk=pk) if pk else None

    def save(obj: InvestmentProposal) -> None:
        facilities.proposal_save(proposal=obj, actor=request.user)

    return _edit(request, ProposalForm, item, save)


urlpatterns: list[URLPattern] = [
    path("co-so-vat-chat/", facilities_page, name="facilities"),
    path("co-so-vat-chat/thiet-bi/them/", equipment_edit, name="equipment_add"),
    path("co-so-vat-chat/thiet-bi/<int:pk>/", equipment_edit, name="equipment_edit"),
    path("co-so-vat-chat/de-xuat/them/", proposal_edit, name="proposal_add"),
    path("co-so-vat-chat/de-xuat/<int:pk>/", proposal_edit, name="proposal_edit"),
]
