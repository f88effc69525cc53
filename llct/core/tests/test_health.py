import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from llct.core.management.commands.worker import Heartbeat
from llct.core.models import WorkerHeartbeat

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_healthz_is_public_json_about_database_cache_and_worker():
    response = Client().get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert report["database"]["ok"] and report["cache"]["ok"]
    assert report["worker"]["ok"] is True
    assert report["worker"]["backend"] == "ImmediateBackend"  # tasks run in the web process
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_degraded_without_a_fresh_worker_heartbeat(settings):
    settings.TASKS = DATABASE_TASKS
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="old", hostname="h", pid=1, started_at=now, beat_at=now - dt.timedelta(hours=1)
    )
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"]["ok"] is False


@pytest.mark.django_db
def test_the_worker_heartbeat_makes_healthz_ok_and_goes_when_the_worker_stops(settings):
    settings.TASKS = DATABASE_TASKS
    heartbeat = Heartbeat("w1", interval=60)
    heartbeat.beat()
    report = Client().get("/healthz").json()
    assert report["status"] == "ok"
    assert report["worker"]["workers"] == 1
    assert report["worker"]["last_beat_s"] < 5
    heartbeat.stop()
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_healthz_fails_with_503_when_the_cache_is_unreachable(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["cache"]["ok"] is False
