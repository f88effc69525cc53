"""What /healthz reports: can this server reach the database and the cache, and is a task
worker alive. Each check is cheap and bounded: a load balancer calls it every few seconds."""

import datetime as dt
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.tasks import task_backends
from django.utils import timezone

from llct.core.models import WorkerHeartbeat


def _timed(check: Any) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        report: dict[str, Any] = {"ok": True, **check()}
    except Exception as error:  # a health check reports failures, it never raises them
        report = {"ok": False, "error": type(error).__name__}
    report["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return report


def _database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache() -> dict[str, Any]:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, 1, timeout=10)
    if cache.get(key) != 1:
        raise RuntimeError("cache did not keep a value")
    cache.delete(key)
    return {"backend": type(caches["default"]).__name__}


def _worker(now: dt.datetime) -> dict[str, Any]:
    backend = type(task_backends["default"]).__name__
    if backend != "DatabaseBackend":
        # Tasks run in the web process (thread or immediate backend): no worker to watch.
        return {"backend": backend, "workers": 0}
    stale = now - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    beats = list(WorkerHeartbeat.objects.filter(beat_at__gte=stale).values_list("beat_at"))
    if not beats:
        raise RuntimeError("no worker heartbeat")
    newest = max(b[0] for b in beats)
    return {
        "backend": backend,
        "workers": len(beats),
        "last_beat_s": round((now - newest).total_seconds(), 1),
    }


def health_report() -> tuple[dict[str, Any], int]:
    """The report and its HTTP status: 503 when the database or the cache fails (take this
    server out of rotation); a missing worker degrades the report but the server still serves."""
    now = timezone.now()
    database = _timed(_database)
    report: dict[str, Any] = {
        "database": database,
        "cache": _timed(_cache),
        "worker": _timed(lambda: _worker(now)) if database["ok"] else {"ok": False},
    }
    if not (report["database"]["ok"] and report["cache"]["ok"]):
        report["status"] = "fail"
        return report, 503
    report["status"] = "ok" if report["worker"]["ok"] else "degraded"
    return report, 200
