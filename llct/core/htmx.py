from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """One view, one template: an htmx request gets only the named partial."""
    if fragment and getattr(request, "htmx", False):
        return render(request, f"{template}#{fragment}", context, status=status)
    return render(request, template, context, status=status)


def wants_json(request: HttpRequest) -> bool:
    """A sheet saving a cell in the background (static/js/app.js) asks for JSON."""
    return request.headers.get("Accept", "").startswith("application/json")
