"""A task backend for the demo: runs each task on a thread of the web process.

Production uses django-tasks-db's worker; this keeps `make run` to one process while the
page that enqueued the task stays responsive and can poll for progress.
"""

import threading
import time
from typing import Any

from django.db import close_old_connections, connections
from django.tasks.backends.immediate import ImmediateBackend
from django.tasks.base import Task, TaskResult, TaskResultStatus
from django.utils import timezone
from django.utils.crypto import get_random_string


class ThreadBackend(ImmediateBackend):
    # A task to run later (a webhook retry) waits on its thread until then.
    supports_defer = True

    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any, Any]:
        self.validate_task(task)
        task_result: TaskResult[Any, Any] = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )

        def run() -> None:
            if task.run_after is not None:
                delay = (task.run_after - timezone.now()).total_seconds()
                if delay > 0:
                    time.sleep(delay)
            close_old_connections()
            try:
                # ImmediateBackend runs a result this way; the stubs leave out private methods.
                self._execute_task(task_result)  # type: ignore[attr-defined]
            finally:
                connections.close_all()

        threading.Thread(target=run, name=f"task-{task_result.id}", daemon=True).start()
        return task_result
