"""The REST API, version 1, mounted at /api/v1/ (django-ninja: see docs/ARCHITECTURE.md).

Every operation but the schema, the study feeds and the documentation needs a bearer token;
errors come in one JSON shape (llct.api.errors)."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI

from llct.api import errors
from llct.api.auth import TokenAuth, audited
from llct.api.endpoints import courses, indicators, interchange, records, rolls

api = NinjaAPI(
    title="LLCT API",
    version="1",
    description=(
        "Data exchange with the systems around LLCT: read the rolls, courses and results within "
        "the token's scope, write people, attendance and scores with an Idempotency-Key, and "
        'receive signed webhooks. Errors: {"error": {"code", "message", "details"}}.'
    ),
    auth=TokenAuth(),
    docs_url=None,
    openapi_url="/openapi.json",
    urls_namespace="api-v1",
)
errors.install(api)
api.add_router("/", rolls.router)
api.add_router("/", courses.router)
api.add_router("/", records.router)
api.add_router("/", indicators.router)
api.add_router("/", interchange.router)


@login_not_required
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/v1/: a JSON 404 like the rest, not the site's HTML page."""
    return errors.respond(errors.ApiError("not_found"))


def urlpatterns() -> list[Any]:
    """The API's URL patterns, each view wrapped: no session login needed, every token use
    audited."""
    patterns, _app_name, _namespace = api.urls
    wrapped: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = audited(pattern.callback)
        wrapped.append(pattern)
    return [*wrapped, re_path(r"^(?P<rest>.*)$", unknown)]
