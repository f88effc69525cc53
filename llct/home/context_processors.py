from typing import Any

from django.http import HttpRequest

from llct.home.navigation import navigation_context


def navigation(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    return navigation_context(getattr(request, "user", None), match.view_name if match else "")
