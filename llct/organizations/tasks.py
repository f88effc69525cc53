"""The roster import's background jobs. Each records its outcome on the RosterImport row, so the
page polling it needs nothing else; a failure is a status and a message, never a lost job."""

import datetime as dt
import logging
from typing import IO

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from llct.core.jobs import Throttle, export_progress, export_run
from llct.organizations.models import RosterImport
from llct.organizations.roster.imports import person_import_roster, roster_analyse
from llct.organizations.roster.reader import RosterFileError
from llct.organizations.roster.uploads import roster_file_discard

logger = logging.getLogger(__name__)

PROGRESS_TIMEOUT = 6 * 3600


def progress_key(import_id: int) -> str:
    return f"roster-import:{import_id}:progress"


def commit_progress(import_id: int) -> tuple[int, int]:
    """(done, total) of a commit in progress, from the cache: the commit's transaction hides its
    writes, including any to the RosterImport row, until it ends."""
    value = cache.get(progress_key(import_id))
    if not value:
        return 0, 0
    return int(value[0]), int(value[1])


def _unexpected() -> str:
    return _(
        "The import stopped because of an unexpected error; nothing has been written. Try "
        "again, and tell the administrator if it happens again."
    )


@task
def roster_analyse_task(*, import_id: int, today: str, language: str) -> None:
    """ANALYSING → PREVIEW with the counts and every rejected row, or → FAILED."""
    roster_import = RosterImport.objects.select_related("organization").get(pk=import_id)
    if roster_import.status != RosterImport.Status.ANALYSING:
        return
    rows = RosterImport.objects.filter(pk=import_id)

    def publish(done: int, total: int) -> None:
        rows.update(processed_rows=done, total_rows=total)

    with translation.override(language):
        try:
            with roster_import.file.open("rb") as file:
                analysis = roster_analyse(
                    path_or_file=file,
                    organization=roster_import.organization,
                    today=dt.date.fromisoformat(today),
                    progress=Throttle(publish),
                    placement=roster_import.placement,
                )
        except RosterFileError as error:
            rows.update(status=RosterImport.Status.FAILED, error=str(error))
            roster_file_discard(roster_import=roster_import)
            return
        except Exception:
            logger.exception("Roster import %s: analysis failed", import_id)
            rows.update(status=RosterImport.Status.FAILED, error=_unexpected())
            roster_file_discard(roster_import=roster_import)
            return
    rows.update(
        status=RosterImport.Status.PREVIEW,
        total_rows=analysis.total_rows,
        processed_rows=analysis.total_rows,
        to_create=len(analysis.to_create),
        to_update=len(analysis.to_update),
        unchanged=len(analysis.unchanged),
        rejected=len(analysis.rejected),
        rejected_rows=[r.as_dict() for r in analysis.rejected],
        missing_organizations=analysis.missing_organizations,
        readings=analysis.readings,
        error="",
    )


@task
def roster_commit_task(*, import_id: int, actor_id: int | None, today: str, language: str) -> None:
    """COMMITTING → DONE with what was written, or → FAILED with nothing written."""
    roster_import = RosterImport.objects.select_related("organization").get(pk=import_id)
    if roster_import.status != RosterImport.Status.COMMITTING:
        return
    rows = RosterImport.objects.filter(pk=import_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    key = progress_key(import_id)

    def publish(done: int, total: int) -> None:
        cache.set(key, (done, total), PROGRESS_TIMEOUT)

    with translation.override(language):
        try:
            # One transaction for the people and the status: DONE if and only if written.
            with transaction.atomic(), roster_import.file.open("rb") as file:
                result = person_import_roster(
                    file=file,
                    organization=roster_import.organization,
                    actor=actor,
                    today=dt.date.fromisoformat(today),
                    progress=Throttle(publish),
                    placement=roster_import.placement,
                )
                rows.update(
                    status=RosterImport.Status.DONE,
                    to_create=result.created,
                    to_update=result.updated,
                    unchanged=result.unchanged,
                    rejected=len(result.rejected),
                    rejected_rows=[r.as_dict() for r in result.rejected],
                    finished_at=timezone.now(),
                    error="",
                )
        except RosterFileError as error:
            rows.update(status=RosterImport.Status.FAILED, error=str(error))
        except PermissionDenied:
            rows.update(
                status=RosterImport.Status.FAILED,
                error=_("You may not change the rolls of this organization; nothing was written."),
            )
        except Exception:
            logger.exception("Roster import %s: commit failed", import_id)
            rows.update(status=RosterImport.Status.FAILED, error=_unexpected())
        finally:
            cache.delete(key)
            # Written, or failed with nothing written: the file is no longer needed.
            roster_file_discard(roster_import=roster_import)


@task
def people_export_task(*, export_id: int) -> None:
    """QUEUED → RUNNING (with progress) → DONE with the file, or → FAILED."""
    from llct.organizations.exports import people_export_write
    from llct.organizations.forms import person_filter_form
    from llct.organizations.models import PeopleExport
    from llct.organizations.selectors import person_list

    export = PeopleExport.objects.select_related("requested_by").get(pk=export_id)
    user = export.requested_by

    def write(handle: IO[bytes]) -> int:
        form = person_filter_form(user=user, data=export.filters)
        people = person_list(user=user, filters=form.person_filter())
        PeopleExport.objects.filter(pk=export_id).update(total_rows=people.count())
        return people_export_write(handle, people, progress=export_progress(export))

    with translation.override(export.language):
        export_run(export, filename=f"danh-sach-{export_id}.xlsx", write=write)
