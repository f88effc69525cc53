"""How a task writes an export file (`ExportJob` rows: the people list, the province's
suggestions): RUNNING with its progress → DONE with the file, or → FAILED with a message for the
page and the traceback in the log. The row is all the page polling it needs; a failure is a
status and a message, never a lost job."""

import logging
import tempfile
import time
from collections.abc import Callable
from typing import IO

from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.models import ExportJob

logger = logging.getLogger(__name__)

# Progress is published at most this often: each publication is a write.
PROGRESS_INTERVAL = 0.5


class Throttle:
    """Calls `publish(done, total)` at most every PROGRESS_INTERVAL seconds, and at the end."""

    def __init__(self, publish: Callable[[int, int], None]) -> None:
        self.publish = publish
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self.last >= PROGRESS_INTERVAL:
            self.last = now
            self.publish(done, total)


def export_progress(job: ExportJob) -> Callable[[int], None]:
    """A progress callback for the rows written so far, throttled."""
    rows = type(job)._default_manager.filter(pk=job.pk)

    def publish(done: int, _total: int) -> None:
        rows.update(done_rows=done)

    throttle = Throttle(publish)
    return lambda done: throttle(done, done + 1)


def export_run(job: ExportJob, *, filename: str, write: Callable[[IO[bytes]], int]) -> None:
    """Run `write` (which returns the rows it wrote) into a temporary file and keep the file
    as the job's, or record the failure. Does nothing unless the job is still QUEUED."""
    model = type(job)
    rows = model._default_manager.filter(pk=job.pk, status=ExportJob.Status.QUEUED)
    if not rows.update(status=ExportJob.Status.RUNNING):
        return
    rows = model._default_manager.filter(pk=job.pk)
    try:
        with tempfile.TemporaryFile() as handle:
            written = write(handle)
            handle.seek(0)
            job.file.save(filename, File(handle), save=False)
        rows.update(
            status=ExportJob.Status.DONE,
            file=job.file.name,
            done_rows=written,
            total_rows=written,
            finished_at=timezone.now(),
        )
    except Exception:
        logger.exception("%s %s failed", model.__name__, job.pk)
        rows.update(
            status=ExportJob.Status.FAILED,
            error=_(
                "The job stopped because of an unexpected error. Try again, and tell the "
                "administrator if it happens again."
            ),
        )
