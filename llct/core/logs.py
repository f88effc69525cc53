"""Logs as JSON lines, one request one line, and nothing personal in them.

What a line may hold is a fixed list of fields: the formatter never dumps a record's extras, a
request's query string or body, nor an exception's message (a database error repeats the values
it refused, a card number among them); an exception shows its type and where it was raised."""

import contextvars
import datetime as dt
import json
import logging
import re
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# Fields a record may carry into the line (set with `extra=`), each a number or a short code.
ALLOWED_EXTRAS = ("method", "path", "status", "duration_ms", "user_id", "task", "task_id")
# A request id from the proxy (nginx's $request_id) is kept if it looks like one.
REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_logger = logging.getLogger("llct.request")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            line["request_id"] = request_id
        for name in ALLOWED_EXTRAS:
            value = record.__dict__.get(name)
            if isinstance(value, int | float | str) and not isinstance(value, bool):
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exc_type"] = record.exc_info[0].__name__
            line["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(record.exc_info[2])
            ]
        return json.dumps(line, ensure_ascii=False)


class RequestLogMiddleware:
    """Gives each request an id (the proxy's, or a new one; echoed in X-Request-ID) and logs one
    line when it ends: method, path without the query string, status, duration, user id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if REQUEST_ID_SHAPE.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                    "user_id": user_id,
                },
            )
            return response
        finally:
            request_id_var.reset(token)
