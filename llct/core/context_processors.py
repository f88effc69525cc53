"""What templates may ask about the signed-in user: `{% if caps.run_roll_call %}`."""

from typing import Any

from django.http import HttpRequest

from llct.core.capabilities import capabilities_of


def capabilities(request: HttpRequest) -> dict[str, Any]:
    held = capabilities_of(getattr(request, "user", None))
    return {"caps": {capability.value: True for capability in held}}
