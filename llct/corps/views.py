"""The register of the lecturer corps: the list with the year's hours, a lecturer's record, and
the forms that add decisions, standards, work and observations."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from llct.core.forms import form_status
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.corps import selectors, services
from llct.corps.evaluation import evaluations
from llct.corps.forms import (
    AppointmentForm,
    ObservationForm,
    StandardsForm,
    WorkForm,
    YearForm,
)
from llct.corps.ledger import hours_ledger, sessions_by_month
from llct.corps.models import default_post


def _year(request: AuthenticatedHttpRequest) -> int:
    form = YearForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["year"]:
        return int(form.cleaned_data["year"])
    return timezone.localdate().year


def register_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    year = _year(request)
    lecturers = selectors.register(user=request.user)
    ledger = hours_ledger(lecturers=lecturers, year=year)
    context = {
        "year": year,
        "rows": ledger,
        "short": sum(1 for row in ledger if row.short),
        "renewals": selectors.renewals_due(user=request.user, today=timezone.localdate()),
        "can_edit": selectors.can_edit_register(request.user),
    }
    return render_page(request, "corps/register.html", context, fragment="rows")


def lecturer_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lecturer = selectors.lecturer_get(user=request.user, pk=pk)
    year = _year(request)
    (row,) = hours_ledger(lecturers=[lecturer], year=year)
    (evaluation,) = evaluations(ledger=[row], year=year)
    context = {
        "lecturer": lecturer,
        "year": year,
        "row": row,
        "evaluation": evaluation,
        "months": sorted(sessions_by_month(lecturer=lecturer, year=year).items()),
        "appointments": selectors.appointments(lecturer=lecturer),
        "work": selectors.work_entries(lecturer=lecturer, year=year),
        "observations": selectors.observations(lecturer=lecturer),
        "topics": lecturer.topics.select_related("programme"),
        "can_edit": selectors.can_edit_register(request.user),
    }
    return render(request, "corps/lecturer.html", context)


def _form_page(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: Any,
    title: str,
    save: Any,
    **form_kwargs: Any,
) -> HttpResponse:
    lecturer = selectors.lecturer_get(user=request.user, pk=pk)
    require(selectors.can_edit_register(request.user))
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(lecturer, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            announce_merge(request, form)
            return redirect("corps:lecturer", pk=lecturer.pk)
    context = {"lecturer": lecturer, "form": form, "title": title}
    return render(request, "corps/form.html", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
def appointment_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def save(lecturer: Any, data: dict[str, Any]) -> None:
        services.appointment_create(lecturer=lecturer, actor=request.user, **data)

    return _form_page(request, pk, AppointmentForm, _("Record an appointment decision"), save)


@require_http_methods(["GET", "POST"])
def standards_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lecturer = selectors.lecturer_get(user=request.user, pk=pk)
    standards = getattr(lecturer, "standards", None)
    initial = None if standards else {"post": default_post(lecturer.kind)}

    def save(lecturer: Any, data: dict[str, Any]) -> None:
        services.standards_set(lecturer=lecturer, actor=request.user, **data)

    return _form_page(
        request, pk, StandardsForm, _("Standards"), save, instance=standards, initial=initial
    )


@require_http_methods(["GET", "POST"])
def work_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def save(lecturer: Any, data: dict[str, Any]) -> None:
        services.work_record(lecturer=lecturer, actor=request.user, **data)

    return _form_page(request, pk, WorkForm, _("Record grading or a field trip"), save)


@require_http_methods(["GET", "POST"])
def observation_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lecturer = selectors.lecturer_get(user=request.user, pk=pk)
    sessions = selectors.observable_sessions(lecturer=lecturer, today=timezone.localdate())

    def save(lecturer: Any, data: dict[str, Any]) -> None:
        services.observation_record(actor=request.user, **data)

    return _form_page(
        request, pk, ObservationForm, _("Record a lecture observation"), save, sessions=sessions
    )


urlpatterns: list[URLPattern] = [
    path("", register_page, name="register"),
    path("<int:pk>/", lecturer_page, name="lecturer"),
    path("<int:pk>/bo-nhiem/", appointment_add, name="appointment_add"),
    path("<int:pk>/tieu-chuan/", standards_edit, name="standards"),
    path("<int:pk>/cong-viec/", work_add, name="work_add"),
    path("<int:pk>/du-gio/", observation_add, name="observation_add"),
]
