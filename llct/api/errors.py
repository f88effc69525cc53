"""Errors as the API answers them: JSON, a stable code for programs, a Vietnamese message for
people, and details where they help (the fields in error, the rejected rows).

    {"error": {"code": "not_found", "message": "Không tìm thấy...", "details": null}}

The codes are part of the contract (the documentation page lists them); the messages may
change wording."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)

# code -> (HTTP status, what it means), for the documentation page.
CODES: dict[str, tuple[int, Any]] = {
    "invalid_request": (422, gettext_lazy("The request does not match the schema.")),
    "validation_error": (422, gettext_lazy("The values break a rule of the rolls or results.")),
    "rows_rejected": (422, gettext_lazy("Rows were rejected; nothing was written.")),
    "results_approved": (
        409,
        gettext_lazy("The results are approved: a score changes only by a correction."),
    ),
    "stale_write": (
        409,
        gettext_lazy("Someone else changed the values after they were read; nothing was written."),
    ),
    "bad_cursor": (400, gettext_lazy("The cursor is not one this API gave.")),
    "idempotency_key_required": (400, gettext_lazy("A write needs an Idempotency-Key header.")),
    "idempotency_key_reused": (
        422,
        gettext_lazy("The Idempotency-Key was already used for another request."),
    ),
    "idempotency_in_progress": (
        409,
        gettext_lazy("A request with this Idempotency-Key is still running."),
    ),
    "unauthenticated": (401, gettext_lazy("No valid token was sent.")),
    "token_expired": (401, gettext_lazy("The token has expired.")),
    "token_revoked": (401, gettext_lazy("The token has been revoked.")),
    "forbidden": (403, gettext_lazy("The token's role may not do this.")),
    "read_only": (403, gettext_lazy("The token may only read.")),
    "personal_data_forbidden": (
        403,
        gettext_lazy("The token has no permission for personal data."),
    ),
    "not_found": (404, gettext_lazy("Not found, or outside the token's scope.")),
    "rate_limited": (429, gettext_lazy("Too many requests; wait and retry.")),
    "bad_file": (422, gettext_lazy("The file cannot be read.")),
    "server_error": (500, gettext_lazy("An unexpected error; the request can be retried.")),
}


class ApiError(Exception):
    def __init__(
        self,
        code: str,
        message: str = "",
        *,
        details: Any = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.status = status or CODES[code][0]
        self.message = message or str(CODES[code][1])
        self.details = details
        self.headers = headers or {}


def body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def respond(error: ApiError) -> HttpResponse:
    response = JsonResponse(body(error.code, error.message, error.details), status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def validation_details(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def install(api: NinjaAPI) -> None:
    """Every error the API can meet, answered in the one shape."""

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(exc)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(ApiError("unauthenticated", headers={"WWW-Authenticate": "Bearer"}))

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        for e in exc.errors:
            loc = [str(part).lower() for part in e.get("loc", ())]
            if loc[:1] == ["header"] and "idempotency-key" in loc:
                return respond(ApiError("idempotency_key_required"))
        details = [
            {"loc": [str(part) for part in e.get("loc", ())], "type": e.get("type", "")}
            for e in exc.errors
        ]
        return respond(ApiError("invalid_request", details=details))

    @api.exception_handler(DjangoValidationError)
    def rule_broken(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        code = "results_approved" if getattr(exc, "code", None) == "approved" else ""
        details = validation_details(exc)
        return respond(
            ApiError(
                code or "validation_error",
                "; ".join(m for messages in details.values() for m in messages),
                details=details,
            )
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(ApiError("not_found"))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(ApiError("forbidden"))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {404: "not_found", 403: "forbidden", 401: "unauthenticated", 429: "rate_limited"}
        return respond(ApiError(code.get(exc.status_code, "invalid_request")))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return respond(ApiError("server_error", _("An unexpected error occurred.")))
