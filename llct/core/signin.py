"""The sign-in guard: django-axes counts failed sign-ins per account and per address and locks
both out for a while (settings: SIGNIN_FAILURE_LIMIT, SIGNIN_COOLOFF_MINUTES)."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class SignInGuardBackend(AxesStandaloneBackend):
    """Guards every sign-in that comes through a request (the sign-in page, the admin's).

    A call without a request (the test client's `login`, a management command) has no address
    to count and nobody typing at a form: it is left to the next backend rather than refused."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        return None


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, which ForwardedForMiddleware has already set from our trusted proxies."""
    return str(request.META.get("REMOTE_ADDR") or "")


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """The lockout page, in Vietnamese, with 429 Too Many Requests."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
