"""No page answers 500 to what a person (or a script) can type into the address bar.

Every URL pattern of the URLconf is requested as every role and signed out, over the demo data
(the module demo of conftest.py, built once for this module and test_demo.py): first with
plausible path values (ids of the demo data), then with hostile ones in each path converter, then
with hostile values in each query parameter the page reads. To stay fast (a few seconds), values are
sampled: every role requests every page, and the hostile values are dealt round-robin over the
roles, so that each (page, parameter, value) is tried once and every role tries every page and
parameter. A client per role keeps its session; one query parameter changes at a time.
"""

import inspect
import itertools
import logging
import re
import time
import traceback
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from llct.core.models import User
from llct.demo.seed import DemoSummary

# Sampled: dates far ahead and at year 1, an id no column holds, a negative, garbage with a NUL,
# and a string far longer than any field.
HOSTILE = [
    "9999-12-31",
    "0001-01-01",
    "99999999999999999999",
    "-1",
    "x'\"<>%00",
    "é" * 2000,
]
HOSTILE_PATH = {"int": ["99999999999999999999"], "str": ["x%00" + "é" * 600]}
# Query parameters that views read through request.GET.get(...) are found in the source;
# those of filter forms, on the page itself.
_GET_NAME = re.compile(r"""GET\.get(?:list)?\(\s*["']([\w-]+)["']""")
# Downloads and feeds stream big files: their hostile values are tried, not their plain pages
# by every role over and over.
SKIP_PREFIXES = ("/static/", "/media/", "/admin/")


class _GetForms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.in_get_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.in_get_form = (a.get("method") or "get").lower() == "get"
        elif (
            self.in_get_form
            and tag in ("input", "select", "textarea")
            and a.get("name")
            and (a.get("type") or "") not in ("submit", "button")
        ):
            self.names.add(str(a["name"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_get_form = False


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def _fill(route: str, value: dict[str, str]) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    return "/" + _CONVERTER.sub(lambda m: value.get(m.group("kind") or "str", value["str"]), route)


def _view_params(callback: Any) -> set[str]:
    """The names the view function itself reads from request.GET."""
    view = getattr(callback, "view_class", None) or callback
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    if not getattr(view, "__module__", "").startswith("llct."):
        return set()
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return set()
    return set(_GET_NAME.findall(source))


def _urls() -> list[tuple[str, Any]]:
    routes = []
    for route, callback in _patterns(get_resolver()):
        if "(?P" in route or route.startswith(("static", "media")):
            continue
        routes.append((route, callback))
    return routes


pytestmark = pytest.mark.xdist_group("demo")


@pytest.fixture
def clients(summary: DemoSummary, demo_media: Path) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for user in _one_per_role():
        client = Client()
        client.force_login(user)
        clients[user.role] = client
    admin = User.objects.create_superuser("quantri_thu", password="matkhau-123")
    clients["superuser"] = Client()
    clients["superuser"].force_login(admin)
    return clients


def _one_per_role() -> list[User]:
    seen: dict[str, User] = {}
    for user in User.objects.order_by("pk"):
        seen.setdefault(user.role, user)
    return list(seen.values())


def _ours(error: BaseException) -> list[traceback.FrameSummary]:
    frames = traceback.extract_tb(error.__traceback__)
    return [f for f in frames if "/llct/" in f.filename and "/tests/" not in f.filename]


def _form_names(response: Any) -> set[str]:
    """The names the fields of the page's GET forms send."""
    if (
        response is None
        or response.status_code != 200
        or "html" not in response.get("Content-Type", "")
        or response.streaming
    ):
        return set()
    reader = _GetForms()
    reader.feed(response.content.decode(errors="replace"))
    return reader.names


def _hostile_urls(
    route: str, plain: str, params: set[str], plausible: dict[str, str]
) -> Iterator[str]:
    """The route with hostile values in its path, then with each parameter hostile."""
    kinds = {m.group("kind") or "str" for m in _CONVERTER.finditer(route)}
    for kind in kinds & set(HOSTILE_PATH):
        for value in HOSTILE_PATH[kind]:
            yield _fill(route, {**plausible, kind: value})
    for name in sorted(params - {"csrfmiddlewaretoken"}):
        for value in HOSTILE:
            yield f"{plain}?{quote(name)}={quote(value, safe='%')}"


def test_no_url_answers_500_to_hostile_input(clients):
    started, cpu = time.perf_counter(), time.process_time()
    roles = list(clients)
    failures: list[str] = []
    requests = 0
    plausible = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.UUID(int=1))}
    deal = itertools.count()

    def get(role: str, url: str) -> Any:
        nonlocal requests
        requests += 1
        try:
            response = clients[role].get(url)
        except Exception as error:  # the test client re-raises what would be a 500
            where = [f"{f.filename.rsplit('/llct/', 1)[-1]}:{f.lineno}" for f in _ours(error)]
            failures.append(
                f"{role} {url[:150]}: {type(error).__name__}: {str(error)[:150]} at {where[-1:]}"
            )
            return None
        if response.status_code >= 500:
            failures.append(f"{role} {url[:150]}: {response.status_code}")
        return response

    def next_role() -> str:
        return str(roles[next(deal) % len(roles)])

    logging.disable(logging.CRITICAL)
    try:
        for route, callback in _urls():
            plain = _fill(route, plausible)
            if plain.startswith(SKIP_PREFIXES):
                continue
            # The superuser sees every page: its forms name the page's query parameters.
            params = _view_params(callback) | _form_names(get("superuser", plain))
            for url in _hostile_urls(route, plain, params, plausible):
                get(next_role(), url)
    finally:
        logging.disable(logging.NOTSET)
    elapsed = time.perf_counter() - started
    for failure in failures:
        print("500>", failure)
    print(
        f"hostile sweep: {requests} requests, {len(failures)} 500s, {elapsed:.1f} s "
        f"({time.process_time() - cpu:.1f} s of CPU)"
    )
    assert not failures, f"{len(failures)} of {requests} requests answered 500:\n" + "\n".join(
        failures
    )
