"""The dashboard, the list behind each number (and its .xlsx), the watchlists, chart images."""

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.forms import query_without_page
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.core.spreadsheets import XLSX_TYPE, file_response, write_xlsx
from llct.core.types import AuthenticatedHttpRequest
from llct.monitoring import charts, dashboard, indicators, selectors
from llct.monitoring.forms import DashboardForm, clamp_year
from llct.monitoring.models import Project
from llct.monitoring.watchlists import cached_watchlist_counts, watchlists

PAGE_SIZE = 200


def _filters(
    request: AuthenticatedHttpRequest, project: Project | None, today: dt.date
) -> tuple[DashboardForm, Any, int, dt.date, bool]:
    """(form, organization, year, as_of, live) from the query string."""
    user = request.user
    years = project.years if project else list(range(today.year - 10, today.year + 1))
    form = DashboardForm(
        request.GET or None,
        organizations=selectors.organization_options(user=user),
        years=years,
    )
    organization = selectors.organization_for(
        user=user, pk=request.GET.get("org"), default=project.issuer if project else None
    )
    year = (
        clamp_year(form.value("year"), project, today)
        if project
        else (form.value("year") or today.year)
    )
    form.initial = {"org": organization.pk, "year": year}
    return form, organization, year, *_reading(year, form.value("as_of"), today)


def _reading(year: int, as_of: dt.date | None, today: dt.date) -> tuple[dt.date, bool]:
    """(as_of, live): a past year without a date reads the year's snapshots; a date asks for a
    live computation as of it."""
    if as_of is not None:
        return as_of, True
    if year < today.year:
        return dt.date(year, 12, 31), False
    return today, True


def _charts(board: dashboard.Dashboard, *, trend: bool) -> list[dict[str, Any]]:
    blocks = []
    for n, view in enumerate(board.targets):
        block: dict[str, Any] = {"view": view}
        if trend:
            line = dashboard.trend_chart(view, board.project.years)
            block["trend_svg"] = charts.render_svg(line, ident=f"trend-{n}")
            block["trend_table"] = line.table
        if view.ranking:
            bars = dashboard.ranking_chart(view)
            block["ranking_svg"] = charts.render_svg(bars, ident=f"rank-{n}")
            block["ranking_rows"] = [
                (bar, dashboard.STATUS_LABELS.get(bar.status, "—")) for bar in bars.bars
            ]
            block["ranking_headers"] = bars.table[0]
            block["ranking_left_out"] = bars.left_out
        blocks.append(block)
    return blocks


def project_dashboard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(selectors.can_read_projects(request.user))
    project = selectors.project_get(user=request.user, pk=pk)
    # The targets and the watchlists share the queries they have in common.
    with indicators.shared():
        return _project_dashboard(request, project)


def _project_dashboard(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    form, organization, year, as_of, live = _filters(request, project, today)
    full = has_capability(user, Capability.READ_WHOLE_TREE)
    board = dashboard.build(
        project=project,
        organization=organization,
        year=year,
        as_of=as_of,
        today=today,
        live=live,
        trend=full,
    )
    context = {
        "project": project,
        "board": board,
        # From the shared cache, or (None) in a request of their own once the page is shown.
        "watchlists": cached_watchlist_counts(user=user, today=today, organization=organization),
        "form": form,
        "full": full,
        "blocks": _charts(board, trend=full),
    }
    return render_page(request, "monitoring/dashboard.html", context)


def _listing(request: AuthenticatedHttpRequest, code: str) -> indicators.Listing:
    user = request.user
    require(selectors.can_read_projects(user))
    if code not in indicators.REGISTRY:
        raise Http404
    _form, organization, year, as_of, _live = _filters(request, None, timezone.localdate())
    if not request.GET.get("as_of"):
        as_of = min(as_of, dt.date(year, 12, 31))
    return indicators.get(code).rows(
        user=user,
        org=organization,
        as_of=as_of,
        year=year,
        variant=request.GET.get("variant", ""),
    )


def indicator_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    listing = _listing(request, code)
    page = Paginator(listing.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    indicator = listing.indicator
    value = indicator.compute(
        org=listing.organization,
        as_of=listing.period.as_of,
        year=listing.period.year,
        variant=listing.variant,
    )
    return render_page(
        request,
        "monitoring/indicator_list.html",
        {
            "listing": listing,
            "indicator": indicator,
            "page": page,
            "value": value,
            "shown": indicator.value_of(value),
            "unit": dashboard.unit_label(indicator.unit),
            "query": query_without_page(request),
        },
        fragment="rows",
    )


def indicator_export(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    listing = _listing(request, code)
    headers = [str(c.label) for c in listing.columns] + [_("Counted in the numerator")]
    rows = [[*r.cells, _("Yes") if r.counted else _("No")] for r in listing.rows]
    content = write_xlsx(headers, rows, title=str(listing.indicator.label))
    filename = f"{code}-{listing.organization.code}-{listing.period.year}.xlsx"
    return file_response(content, filename=filename, content_type=XLSX_TYPE)


def watchlist_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(selectors.can_read_projects(user))
    organization = selectors.organization_for(user=user, pk=request.GET.get("org"), default=None)
    return render_page(
        request,
        "monitoring/watchlists.html",
        {
            "organization": organization,
            "lists": watchlists(user=user, today=timezone.localdate(), organization=organization),
        },
    )


def watchlist_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The watchlist card, counted (and kept in the shared cache a few minutes): asked for by the
    home page and the dashboards once shown, when the cache did not hold the counts."""
    user = request.user
    require(selectors.can_read_projects(user))
    pk = request.GET.get("org")
    organization = selectors.organization_for(user=user, pk=pk, default=None) if pk else None
    lists = watchlists(
        user=user, today=timezone.localdate(), organization=organization, counts_only=True
    )
    return render(
        request, "monitoring/watchlist_card.html", {"watchlists": lists, "org": organization}
    )


def target_chart_png(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The target's trend chart as a PNG, the image a report would embed."""
    user = request.user
    require(selectors.can_read_projects(user))
    target = selectors.target_get(user=user, pk=pk)
    today = timezone.localdate()
    organization = selectors.organization_for(
        user=user, pk=request.GET.get("org"), default=target.project.issuer
    )
    chart = dashboard.target_trend_chart(
        target=target, organization=organization, as_of=today, today=today
    )
    return HttpResponse(charts.chart_png(chart), content_type="image/png")


urlpatterns: list[URLPattern] = [
    path("<int:pk>/bang-dieu-khien/", project_dashboard, name="dashboard"),
    path("chi-so/<str:code>/", indicator_list, name="indicator_list"),
    path("chi-so/<str:code>/xuat/", indicator_export, name="indicator_export"),
    path("canh-bao/", watchlist_page, name="watchlists"),
    path("canh-bao/dem/", watchlist_counts, name="watchlist_counts"),
    path("chi-tieu/<int:pk>/bieu-do.png", target_chart_png, name="target_chart_png"),
]
