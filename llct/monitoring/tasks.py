"""Background jobs: the yearly snapshots of indicator values and the weekly digest. Run them
from cron (`manage.py compute_snapshots`, `manage.py send_watchlist_digest`) or enqueue them."""

from typing import Any

from django.tasks import task
from django.utils import timezone

from llct.monitoring.digest import digest_send
from llct.monitoring.services import snapshots_compute


@task()
def snapshots_task(*, years: list[int] | None = None) -> dict[str, Any]:
    """Past years as of their 31 December, the current year as of today."""
    today = timezone.localdate()
    written = 0
    for year in years or [today.year]:
        written += snapshots_compute(year=year, as_of=today if year == today.year else None)
    return {"rows": written}


@task()
def digest_task(*, site_url: str = "") -> dict[str, Any]:
    result = digest_send(today=timezone.localdate(), site_url=site_url)
    return {"sent": len(result.sent), "without_email": len(result.without_email)}
