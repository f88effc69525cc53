from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from llct.core.capabilities import Capability, has_capability
from llct.core.permissions import require
from llct.core.types import AuthenticatedHttpRequest
from llct.home.selectors import home_context
from llct.monitoring.watchlists import watchlists


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = home_context(user=request.user, today=timezone.localdate(), now=timezone.now())
    return render(request, "home/home.html", context)


def watchlist_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The home page's watchlist card, counted (and kept in the shared cache a few minutes):
    asked for by the page once it is shown, when the cache did not hold the counts."""
    require(has_capability(request.user, Capability.READ_ROLLS))
    lists = watchlists(user=request.user, today=timezone.localdate(), counts_only=True)
    return render(request, "home/watchlists.html", {"watchlists": lists})
