"""The URLconf of `make bench-scale`: the project's pages, and one more page per measured page,
its *Django floor*: the smallest signed-in Django page that runs that page's raw SQL floor and
writes the rows it fetched, escaped, as an HTML table. It goes through the same middleware, the
same session and the same sign-in as the page, and renders no template. Bench-only: the bench
fills FLOORS before its first request; the project never routes here."""

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import escape

from config.urls import urlpatterns as project_urlpatterns

# The floors' statements, by page number, without the signed-in user's row (the middleware
# reads it, as for the page itself).
FLOORS: list[list[tuple[str, list[Any]]]] = []


def floor_page(request: HttpRequest, index: int) -> HttpResponse:
    parts = ["<!doctype html><table>"]
    with connection.cursor() as cursor:
        for sql, params in FLOORS[index]:
            cursor.execute(sql, params or None)
            if cursor.description is None:  # a captured SET
                continue
            for row in cursor.fetchall():
                cells = "".join(f"<td>{escape(value)}</td>" for value in row)
                parts.append(f"<tr>{cells}</tr>")
    parts.append("</table>")
    return HttpResponse("".join(parts))


urlpatterns = [path("__bench_floor__/<int:index>/", floor_page), *project_urlpatterns]
