import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from llct.core.forms import ID_MAX
from llct.core.models import User


class LanguageMiddleware:
    """Vietnamese unless the user chose otherwise (the language switch sets a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and most office
    browsers here say English: the product speaks Vietnamese first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        available = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ForwardedForMiddleware:
    """Behind our own reverse proxy every request comes from the proxy's address; the client's is
    the last one the proxy appended to X-Forwarded-For. Only trusted proxies are believed (what a
    client writes into the header itself stands further left and is ignored), so that per-address
    rate limits count clients, not the proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = set(settings.TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted and request.META.get("REMOTE_ADDR") in self.trusted:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            client = forwarded.rsplit(",", 1)[-1].strip()
            if client:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


class DebugNotFoundMiddleware:
    """With DEBUG on, Django answers a missing page with its technical page in English; people
    trying the app on a developer's machine (`make run`) should see ours, in Vietnamese, as in
    production. Only Django's technical page is replaced: a view's own 404 (an API's JSON) and
    the debug toolbar's are left as they are."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not request.path.startswith("/__debug__/")
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "streaming", False)
            and b"<code>DEBUG = True</code>" in response.content
        ):
            return render(request, "404.html", status=404)
        return response


class OutOfRangeIdMiddleware:
    """An id in the address beyond what the database can hold (a 20-digit number typed or
    crafted) is a page that does not exist. Django's pk lookups already say so, but lookups
    through a foreign key send the number to the database, which refuses it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -ID_MAX <= value <= ID_MAX:
                raise Http404


class IdleSessionMiddleware:
    """A signed-in session ends SESSION_COOKIE_AGE after its last request, not after its first.

    Django's SESSION_SAVE_EVERY_REQUEST would write the session on every request; this writes
    it (pushing the end further) at most once every few minutes, so the idle end is exact to
    within that step and reading pages costs no write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.step = min(300, settings.SESSION_COOKIE_AGE // 6)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(session.get(SEEN_KEY, 0)) >= self.step:
                session[SEEN_KEY] = now  # marks the session modified: saved with a new end
        return response


SEEN_KEY = "_llct_seen"


def session_seen_at_sign_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Signing in counts as activity: the first pages after it need no session write."""
    if getattr(request, "session", None) is not None:
        request.session[SEEN_KEY] = int(time.time())


class NullCharacterMiddleware:
    """A NUL character has no place in an address: PostgreSQL refuses it in any text, so a
    crafted "%00" would otherwise reach a query and fail there. Refused at the door with 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return render(request, "400.html", status=400)
        return self.get_response(request)
