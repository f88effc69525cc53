from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation bar needs to know the current section to highlight it."""
    match = getattr(request, "resolver_match", None)
    return {"nav_section": match.namespace if match else ""}
