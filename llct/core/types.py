"""Types for views and permissions: a request whose user is signed in, and whoever may ask.

`LoginRequiredMiddleware` guarantees a signed-in user on every view not marked public, so views
take `AuthenticatedHttpRequest` and read `request.user.role` without `Any` or an ignore. At
run time it is plain `HttpRequest`; the subclass exists for the type checker only.

Services and selectors take a `User`: the signed-in user, or the API token's principal (a user
who cannot sign in, with the token's role and organization). Only the permission checks that a
public page or a template may call with nobody signed in take an `Actor`, narrowed by
`user.is_authenticated` before anything a user has is read.
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from llct.core.models import User

    class AuthenticatedHttpRequest(HttpRequest):
        user: User

else:
    AuthenticatedHttpRequest = HttpRequest

type Actor = User | AnonymousUser
"""A signed-in user (or the API's principal), or nobody."""

__all__ = ["Actor", "AuthenticatedHttpRequest"]
