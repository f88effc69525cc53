"""Types for views: a request whose user is signed in.

`LoginRequiredMiddleware` guarantees a signed-in user on every view not marked public, so views
take `AuthenticatedHttpRequest` and read `request.user.role` without `Any` or `type: ignore`. At
run time it is plain `HttpRequest`; the subclass exists for the type checker only.
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from llct.core.models import User

    class AuthenticatedHttpRequest(HttpRequest):
        user: User

else:
    AuthenticatedHttpRequest = HttpRequest

__all__ = ["AuthenticatedHttpRequest"]
