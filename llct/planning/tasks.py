"""The planning app's background job: the whole province's suggestions for a year. It records
its progress and outcome on the SuggestionExport row, so the page polling it needs nothing else;
a failure is a status and a message, never a lost job."""

import datetime as dt
import logging
import tempfile
import time

from django.core.files import File
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from llct.core.xlsx_stream import write_xlsx_rows
from llct.planning.models import SuggestionExport
from llct.planning.nominations.province import province_headers, province_rows
from llct.planning.nominations.suggestions import RULE_STEPS, suggestions_for_province

logger = logging.getLogger(__name__)

# Progress is published at most this often: each publication is a write.
PROGRESS_INTERVAL = 0.5


@task
def province_suggestions_task(*, export_id: int, today: str = "") -> None:
    """QUEUED → RUNNING (the rules one by one, then the rows written) → DONE with the file, or
    → FAILED."""
    export = SuggestionExport.objects.get(pk=export_id)
    if export.status != SuggestionExport.Status.QUEUED:
        return
    rows = SuggestionExport.objects.filter(pk=export_id)
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    rows.update(status=SuggestionExport.Status.RUNNING)
    last = [0.0]

    def written(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL:
            last[0] = now
            rows.update(done_rows=done)

    def computing(step: int) -> None:
        rows.update(step=step)

    with translation.override(export.language):
        try:
            grouped = suggestions_for_province(year=export.year, today=day, progress=computing)
            total = sum(len(v) for v in grouped.values())
            rows.update(
                step=RULE_STEPS + 1,
                total_rows=total,
                organizations=len(grouped),
                urgent=sum(1 for v in grouped.values() for s in v if s.urgent),
            )
            with tempfile.TemporaryFile() as handle:
                count = write_xlsx_rows(
                    handle,
                    province_headers(),
                    province_rows(grouped),
                    title="De xuat",
                    progress=written,
                )
                handle.seek(0)
                export.file.save(
                    f"de-xuat-{export.year}-{export_id}.xlsx", File(handle), save=False
                )
            rows.update(
                status=SuggestionExport.Status.DONE,
                file=export.file.name,
                done_rows=count,
                finished_at=timezone.now(),
            )
        except Exception:
            logger.exception("Province suggestions %s failed", export_id)
            rows.update(
                status=SuggestionExport.Status.FAILED,
                error=_(
                    "The job stopped because of an unexpected error. Try again, and tell the "
                    "administrator if it happens again."
                ),
            )
