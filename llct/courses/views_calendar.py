"""Calendars of sessions (week and month) for a venue, a lecturer, an organization or oneself,
and the .ics feeds that phones subscribe to."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from llct.core.htmx import render_page
from llct.core.types import AuthenticatedHttpRequest
from llct.courses import calendars, feeds
from llct.courses.models import CalendarFeed


def _grid(request: AuthenticatedHttpRequest, scope: calendars.CalendarScope) -> dict[str, Any]:
    """The calendar of a scope for the view and date the query asks for, with the links to the
    previous and next period (real hrefs that keep the other parameters)."""
    today = timezone.localdate()
    view = calendars.MONTH if request.GET.get("view") == calendars.MONTH else calendars.WEEK
    anchor = calendars.parse_calendar_date(request.GET.get("date"), default=today)
    start, end = calendars.calendar_range(view, anchor)
    grid = calendars.calendar_build(
        view=view,
        anchor=anchor,
        sessions=scope.sessions(start, end),
        today=today,
        user=request.user,
    )
    return {"grid": grid, "scope": scope, **calendars.calendar_links(scope, grid, today)}


@require_GET
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = calendars.calendar_scope(user=request.user, params=request.GET)
    context = _grid(request, scope)
    context.update(calendars.calendar_filter_choices(user=request.user))
    return render_page(request, "courses/calendar_page.html", context, fragment="calendar")


@require_GET
def my_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    scope = calendars.CalendarScope("mine", _("My calendar"), None, user=user)
    context = _grid(request, scope)
    feed = feeds.calendar_feed_get(user=user)
    feed_url = request.build_absolute_uri(reverse("courses:ics_feed", args=[feed.token]))
    context.update(
        {
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
        }
    )
    return render_page(request, "courses/calendar_mine.html", context, fragment="calendar")


@require_POST
def feed_regenerate(request: AuthenticatedHttpRequest) -> HttpResponse:
    feeds.calendar_feed_regenerate(user=request.user)
    messages.success(
        request,
        _("A new calendar link has been made; the old one no longer works. Subscribe again."),
    )
    return redirect("courses:my_calendar")


@login_not_required
@require_GET
def ics_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public: a phone calendar cannot sign in, so the long random token is the key."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    content = feeds.feed_ics(user=feed.user, today=timezone.localdate(), now=timezone.now())
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="llct.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


urlpatterns: list[URLPattern] = [
    path("lich/", calendar, name="calendar"),
    path("lich/cua-toi/", my_calendar, name="my_calendar"),
    path("lich/cua-toi/lien-ket-moi/", feed_regenerate, name="feed_regenerate"),
    path("lich/<str:token>.ics", ics_feed, name="ics_feed"),
]
