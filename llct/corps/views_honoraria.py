"""Honoraria (thù lao giảng dạy) per month, the .xlsx payment sheet, the yearly evaluation and
the settings of the ledger."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from llct.core.permissions import require
from llct.core.spreadsheets import XLSX_TYPE, file_response
from llct.core.types import AuthenticatedHttpRequest
from llct.corps import selectors, services
from llct.corps.evaluation import evaluations
from llct.corps.forms import HoursMinimumFormSet, MonthForm, WorkNormFormSet
from llct.corps.ledger import HonorariumRow, honoraria, honoraria_sheet, hours_ledger
from llct.corps.views import _year


def _month(request: AuthenticatedHttpRequest) -> dt.date:
    form = MonthForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["month"]:
        month: dt.date = form.cleaned_data["month"]
        return month.replace(day=1)
    return timezone.localdate().replace(day=1)


def _sheet(request: AuthenticatedHttpRequest) -> tuple[dt.date, list[HonorariumRow]]:
    require(selectors.can_read_register(request.user))
    month = _month(request)
    return month, honoraria(year=month.year, month=month.month)


def honoraria_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    month, rows = _sheet(request)
    total = sum((row.amount for row in rows), start=0)
    context = {"month": month, "rows": rows, "total": total}
    return render(request, "corps/honoraria.html", context)


def honoraria_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    month, rows = _sheet(request)
    content = honoraria_sheet(month=month, rows=rows)
    name = f"thu-lao-giang-vien-{month:%Y-%m}.xlsx"
    return file_response(content, filename=name, content_type=XLSX_TYPE)


def evaluation_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    year = _year(request)
    ledger = hours_ledger(lecturers=selectors.register(user=request.user), year=year)
    context = {"year": year, "rows": evaluations(ledger=ledger, year=year)}
    return render(request, "corps/evaluation.html", context)


@require_http_methods(["GET", "POST"])
def norms_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(selectors.can_edit_register(request.user))
    data = request.POST or None
    work = WorkNormFormSet(data, prefix="work")
    floors = HoursMinimumFormSet(data, prefix="min")
    if request.method == "POST" and work.is_valid() and floors.is_valid():
        services.settings_save(forms=[work, floors], actor=request.user)
        return redirect("corps:norms")
    return render(request, "corps/norms.html", {"work": work, "floors": floors})


urlpatterns: list[URLPattern] = [
    path("thu-lao/", honoraria_page, name="honoraria"),
    path("thu-lao/xlsx/", honoraria_xlsx, name="honoraria_xlsx"),
    path("danh-gia/", evaluation_page, name="evaluation"),
    path("dinh-muc/", norms_page, name="norms"),
]
