"""The planning app's background job: the whole province's suggestions for a year. It records
its progress and outcome on the SuggestionExport row, so the page polling it needs nothing else;
a failure is a status and a message, never a lost job."""

import datetime as dt
from typing import IO

from django.tasks import task
from django.utils import timezone, translation

from llct.core.jobs import export_progress, export_run
from llct.core.xlsx_stream import write_xlsx_rows
from llct.planning.models import SuggestionExport
from llct.planning.nominations.province import province_headers, province_rows
from llct.planning.nominations.suggestions import RULE_STEPS, suggestions_for_province


@task
def province_suggestions_task(*, export_id: int, today: str = "") -> None:
    """QUEUED → RUNNING (the rules one by one, then the rows written) → DONE with the file, or
    → FAILED."""
    export = SuggestionExport.objects.get(pk=export_id)
    rows = SuggestionExport.objects.filter(pk=export_id)
    day = dt.date.fromisoformat(today) if today else timezone.localdate()

    def computing(step: int) -> None:
        rows.update(step=step)

    def write(handle: IO[bytes]) -> int:
        grouped = suggestions_for_province(year=export.year, today=day, progress=computing)
        rows.update(
            step=RULE_STEPS + 1,
            total_rows=sum(len(v) for v in grouped.values()),
            organizations=len(grouped),
            urgent=sum(1 for v in grouped.values() for s in v if s.urgent),
        )
        return write_xlsx_rows(
            handle,
            province_headers(),
            province_rows(grouped),
            title="De xuat",
            progress=export_progress(export),
        )

    with translation.override(export.language):
        export_run(export, filename=f"de-xuat-{export.year}-{export_id}.xlsx", write=write)
