"""Who is calling: the bearer token, checked against its digest, its expiry and its revocation;
the rate limit, counted in the shared cache; and the audit of each use.

The token's principal (a user who cannot sign in, with the token's role and organization) is
what every endpoint passes to the selectors as `user`, so the API reads exactly what the UI
would show that role in that organization."""

import datetime as dt
import functools
import hmac
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.security import HttpBearer

from llct.api.errors import ApiError
from llct.api.models import ApiRequest, ApiToken
from llct.api.services import TOKEN_PREFIX, digest
from llct.core.models import User

RATE_WINDOW_SECONDS = 60


def token_authenticate(*, raw: str, now: dt.datetime) -> ApiToken:
    """The token a bearer secret belongs to, or ApiError (unauthenticated, token_revoked,
    token_expired). Compared in constant time."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise ApiError("unauthenticated", headers={"WWW-Authenticate": "Bearer"})
    token = (
        ApiToken.objects.select_related("principal__organization", "organization")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, digest(raw.strip())):
        raise ApiError("unauthenticated", headers={"WWW-Authenticate": "Bearer"})
    if token.revoked_at is not None:
        raise ApiError("token_revoked")
    if timezone.localdate(now) > token.expires_on:
        raise ApiError("token_expired")
    return token


def rate_check(*, token: ApiToken, now: dt.datetime) -> None:
    """At most `rate_limit` requests a minute per token, counted in the cache that the web
    processes share (a fixed window: simple, and strict enough for a data exchange)."""
    stamp = int(now.timestamp())
    window = stamp // RATE_WINDOW_SECONDS
    key = f"api-rate:{token.prefix}:{window}"
    cache.add(key, 0, timeout=2 * RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=2 * RATE_WINDOW_SECONDS)
        count = 1
    if count > token.rate_limit:
        wait = RATE_WINDOW_SECONDS - stamp % RATE_WINDOW_SECONDS
        raise ApiError("rate_limited", headers={"Retry-After": str(wait)})


class TokenAuth(HttpBearer):
    """`Authorization: Bearer llct_...`. Sets request.api_token; returns the principal."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        now = timezone.now()
        api_token = token_authenticate(raw=token, now=now)
        # Kept on the request before the rate check, so that a refused request is audited too;
        # ninja hands authenticate a plain HttpRequest.
        request.api_token = api_token  # type: ignore[attr-defined]
        rate_check(token=api_token, now=now)
        principal = api_token.principal
        principal.api_token = api_token
        return principal


def record_use(
    *, token: ApiToken, method: str, path: str, status: int, duration_ms: int, now: dt.datetime
) -> None:
    """The audit of one use: last_used_at and a request row (no query string, no body)."""
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    ApiRequest.objects.create(
        token=token,
        at=now,
        method=method[:10],
        path=path[:255],
        status=status,
        duration_ms=duration_ms,
    )


def audited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an API view: it needs no session login (the token is the login), and each request
    made with a token is recorded once the answer is known."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        started = time.perf_counter()
        response = view(request, *args, **kwargs)
        token = getattr(request, "api_token", None)
        if token is not None:
            record_use(
                token=token,
                method=request.method or "",
                path=request.path,
                status=response.status_code,
                duration_ms=int((time.perf_counter() - started) * 1000),
                now=timezone.now(),
            )
        return response

    return login_not_required(wrapper)


def principal(request: HttpRequest) -> User:
    """The user the token acts as: what every selector and service is given as `user` (the
    very object TokenAuth returned, which ninja keeps as request.auth)."""
    return token_of(request).principal


def token_of(request: HttpRequest) -> ApiToken:
    """The token TokenAuth checked for this request; ApiError when there is none."""
    token = getattr(request, "api_token", None)
    if not isinstance(token, ApiToken):
        raise ApiError("unauthenticated", headers={"WWW-Authenticate": "Bearer"})
    return token


def require_write(request: HttpRequest) -> None:
    if not token_of(request).can_write:
        raise ApiError("read_only")


def require_personal(request: HttpRequest) -> None:
    if not token_of(request).personal_data:
        raise ApiError("personal_data_forbidden")
