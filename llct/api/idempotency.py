"""Writes with an Idempotency-Key: a client that did not hear the answer (a timeout, a dropped
connection) sends the same request again with the same key and gets the first answer back,
while the write happens once.

The key is claimed in its own committed row before the work starts, so a second request with
the key, even at the same moment, finds it: still running (409), or done (the stored answer).
The work and the stored answer commit together; an unexpected failure frees the key, a refused
request (4xx) keeps its answer, so a retry is told the same."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.params import HeaderEx, P

from llct.api.auth import token_of
from llct.api.errors import ApiError, body, validation_details
from llct.api.models import IdempotencyRecord

MAX_KEY_LENGTH = 100
# A first request that has not finished after this long died with its process.
STALE_AFTER = dt.timedelta(minutes=10)

Work = Callable[[], tuple[int, dict[str, Any]]]
IdempotencyKey = HeaderEx[
    str,
    P(
        alias="Idempotency-Key",
        description="1 to 100 characters, new for each write; the same key on a retry.",
    ),
]


def request_fingerprint(request: HttpRequest) -> str:
    data = b"\n".join([(request.method or "").encode(), request.path.encode(), request.body])
    return hashlib.sha256(data).hexdigest()


def _claim(
    request: HttpRequest, key: str, now: dt.datetime, mark: str
) -> IdempotencyRecord | JsonResponse:
    token = token_of(request)
    retention = dt.timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    IdempotencyRecord.objects.filter(token=token, created_at__lt=now - retention).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                token=token, key=key, fingerprint=mark, created_at=now
            )
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.get(token=token, key=key)
    if record.fingerprint != mark:
        raise ApiError("idempotency_key_reused")
    if record.status is None:
        if record.created_at > now - STALE_AFTER:
            raise ApiError("idempotency_in_progress", headers={"Retry-After": "5"})
        record.created_at = now
        record.save(update_fields=["created_at"])
        return record
    response = JsonResponse(record.response, status=record.status, safe=False)
    response["Idempotent-Replayed"] = "true"
    return response


def run_idempotent(
    request: HttpRequest, key: str, work: Work, *, fingerprint: str = ""
) -> JsonResponse:
    """Run `work` (which returns status and JSON data) once per key; replay its answer after.
    `fingerprint` tells two requests apart when their bodies are not comparable byte for byte
    (a file upload: its boundary changes on each retry)."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            "idempotency_key_required",
            _("Send an Idempotency-Key header of 1 to 100 characters."),
        )
    claimed = _claim(request, key, timezone.now(), fingerprint or request_fingerprint(request))
    if isinstance(claimed, JsonResponse):
        return claimed
    record = claimed
    try:
        with transaction.atomic():
            status, data = work()
            # As JSON carries it: dates as ISO text, decimals as text; replayed as stored.
            data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
            IdempotencyRecord.objects.filter(pk=record.pk).update(status=status, response=data)
    except DjangoValidationError as error:
        details = validation_details(error)
        code = "results_approved" if getattr(error, "code", None) == "approved" else ""
        message = "; ".join(m for messages in details.values() for m in messages)
        _refused(record, ApiError(code or "validation_error", message, details=details))
    except ApiError as error:
        _refused(record, error)
    except BaseException:
        record.delete()
        raise
    return JsonResponse(data, status=status)


def _refused(record: IdempotencyRecord, error: ApiError) -> None:
    if error.status >= 500 or error.code in ("rate_limited", "idempotency_in_progress"):
        record.delete()
    else:
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status=error.status, response=body(error.code, error.message, error.details)
        )
    raise error
