"""`manage.py worker`: django-tasks-db's `db_worker`, plus a heartbeat.

A thread of the worker touches its WorkerHeartbeat row every WORKER_HEARTBEAT_SECONDS, also
while a long task runs, so /healthz can tell a busy worker from a dead one. The row goes when
the worker stops cleanly; a killed worker's row simply goes stale."""

import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from llct.core.models import WorkerHeartbeat


class Heartbeat:
    def __init__(self, worker_id: str, interval: float) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self.tasks_run = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self.started_at = timezone.now()

    def count_task(self, **kwargs: Any) -> None:
        self.tasks_run += 1

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "beat_at": timezone.now(),
                "tasks_run": self.tasks_run,
            },
        )

    def _run(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    self.beat()
                except DatabaseError:
                    # The database is away or locked: the next beat tries again, and a
                    # stale row is exactly what /healthz should see meanwhile.
                    connections.close_all()
                self.stopped.wait(self.interval)
        finally:
            connections.close_all()

    def start(self) -> None:
        task_finished.connect(self.count_task, dispatch_uid=f"heartbeat-{self.worker_id}")
        self.beat()
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        task_finished.disconnect(dispatch_uid=f"heartbeat-{self.worker_id}")
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


class Command(DbWorkerCommand):
    help = "Run the task worker (django-tasks-db's db_worker) with a heartbeat for /healthz."

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = Heartbeat(options["worker_id"], settings.WORKER_HEARTBEAT_SECONDS)
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
