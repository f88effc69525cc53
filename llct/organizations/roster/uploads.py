"""An uploaded roster from upload to commit: its row, its file (personal data), the rejected rows
as a workbook."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.models import User
from llct.core.permissions import ALL, scope_path
from llct.core.spreadsheets import write_xlsx
from llct.organizations.models import Organization, RosterImport
from llct.organizations.roster.checking import RejectedRow
from llct.organizations.roster.placement import PLACEMENTS
from llct.organizations.roster.reader import PathOrFile, read_sheet
from llct.organizations.roster.values import cell_text

Status = RosterImport.Status
# Statuses an import ends in: its file is no longer needed.
ENDED = (Status.DONE, Status.FAILED, Status.CANCELLED)


# ---------------------------------------------------------------------------------------------
# The import's steps. Each is one conditional UPDATE, so two clicks (or two servers) cannot both
# start a commit; the work itself is a task (tasks.py).


def roster_import_create(
    *, organization: Organization, upload: Any, user: User, today: dt.date, language: str
) -> RosterImport:
    """Store the upload and queue its analysis. Abandoned previews are swept on the way."""
    from llct.organizations.tasks import roster_analyse_task

    roster_sweep(now=timezone.now())
    roster_import = RosterImport(
        organization=organization,
        file=upload,
        original_name=(upload.name or "")[:255],
        uploaded_by=user,
    )
    roster_import.save()
    roster_analyse_task.enqueue(
        import_id=roster_import.pk, today=today.isoformat(), language=language
    )
    return roster_import


def roster_import_place(
    *, roster_import: RosterImport, placement: str, today: dt.date, language: str
) -> bool:
    """The officer's answer about organizations that do not exist (placement.py): the preview is
    made again with it. False when the import is no longer a preview."""
    from llct.organizations.tasks import roster_analyse_task

    if placement not in PLACEMENTS:
        raise ValidationError(_("Choose what to do with the organizations that do not exist."))
    started = RosterImport.objects.filter(pk=roster_import.pk, status=Status.PREVIEW).update(
        status=Status.ANALYSING, placement=placement, processed_rows=0
    )
    if started:
        roster_analyse_task.enqueue(
            import_id=roster_import.pk, today=today.isoformat(), language=language
        )
    return bool(started)


def roster_import_commit(
    *, roster_import: RosterImport, actor: User, today: dt.date, language: str
) -> bool:
    """Queue the writing of a preview; False when it is not a preview (any more)."""
    from llct.organizations.tasks import PROGRESS_TIMEOUT, progress_key, roster_commit_task

    started = RosterImport.objects.filter(pk=roster_import.pk, status=Status.PREVIEW).update(
        status=Status.COMMITTING
    )
    if started:
        cache.set(progress_key(roster_import.pk), (0, 0), PROGRESS_TIMEOUT)
        roster_commit_task.enqueue(
            import_id=roster_import.pk,
            actor_id=actor.pk,
            today=today.isoformat(),
            language=language,
        )
    return bool(started)


def roster_import_cancel(*, roster_import: RosterImport) -> bool:
    """Cancel a preview (or a failed import); its file goes at once. False when too late."""
    cancelled = RosterImport.objects.filter(
        pk=roster_import.pk, status__in=[Status.PREVIEW, Status.FAILED]
    ).update(status=Status.CANCELLED)
    if cancelled:
        roster_file_discard(roster_import=roster_import)
    return bool(cancelled)


def roster_file_discard(*, roster_import: RosterImport) -> None:
    """The uploaded file holds dates of birth and card numbers: once the import has ended it is
    deleted, and the readings (which may show dates of birth) with it."""
    if roster_import.file:
        roster_import.file.delete(save=False)
    RosterImport.objects.filter(pk=roster_import.pk).update(file="", readings=[])


def roster_sweep(*, now: dt.datetime) -> int:
    """Abandoned imports: previews (or checks) older than LLCT_ROSTER_PREVIEW_HOURS are cancelled,
    and any import that has ended but still has its file (a worker stopped mid-way) loses it.
    Returns how many files were deleted. Run by `manage.py roster_sweep` (hourly in production,
    docs/DEPLOYMENT.md) and on every upload."""
    cutoff = now - dt.timedelta(hours=settings.LLCT_ROSTER_PREVIEW_HOURS)
    stale = Q(status__in=[Status.ANALYSING, Status.PREVIEW], created_at__lt=cutoff)
    swept = 0
    for roster_import in RosterImport.objects.filter(stale | Q(status__in=ENDED)).exclude(file=""):
        if roster_import.status not in ENDED:
            left = RosterImport.objects.filter(
                pk=roster_import.pk, status__in=[Status.ANALYSING, Status.PREVIEW]
            ).update(
                status=Status.CANCELLED,
                error=_(
                    "This import was left unfinished for more than %(hours)s hours; the file was "
                    "deleted and nothing was written."
                )
                % {"hours": settings.LLCT_ROSTER_PREVIEW_HOURS},
            )
            if not left:
                continue
        roster_file_discard(roster_import=roster_import)
        swept += 1
    return swept


# ---------------------------------------------------------------------------------------------
# The rejected rows, back as a workbook


def _export_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        # As text, day first: what the user typed, and what the importer reads back.
        return cell_text(value)
    return value


def rejected_rows_xlsx(*, path_or_file: PathOrFile, rejected: Sequence[RejectedRow]) -> bytes:
    """The rejected rows as they are in the file (its own columns), with the row number first
    and the reason last: fixed, the file can be imported again as it is."""
    sheet = read_sheet(path_or_file)
    cells = dict(sheet.rows)
    width = max([len(sheet.headers), *(len(cells.get(r.row, ())) for r in rejected)])

    def padded(values: Sequence[Any]) -> list[Any]:
        return [_export_value(v) for v in values] + [None] * (width - len(values))

    rows = [
        [r.row, *padded(cells.get(r.row, ())), r.reason]
        for r in sorted(rejected, key=lambda r: r.row)
    ]
    return write_xlsx(["Dòng", *padded(sheet.headers), "Lý do"], rows, title="Dòng bị từ chối")


def roster_rejected_xlsx(*, roster_import: RosterImport) -> bytes:
    rejected = [
        RejectedRow(row=r["row"], name=r["name"], reason=r["reason"])
        for r in roster_import.rejected_rows
    ]
    with roster_import.file.open("rb") as file:
        return rejected_rows_xlsx(path_or_file=file, rejected=rejected)


# ---------------------------------------------------------------------------------------------
# Reads of the imports (selectors.py holds the rest; these live with the feature they serve)


def roster_import_list(*, user: User) -> QuerySet[RosterImport]:
    """Imports into organizations within the user's scope, newest first."""
    path = scope_path(user)
    qs = RosterImport.objects.select_related("organization", "uploaded_by")
    if path is None:
        return qs.none()
    if path != ALL:
        qs = qs.filter(organization__path__startswith=path)
    return qs.order_by("-created_at", "-id")


def roster_import_get(*, user: User, pk: int) -> RosterImport:
    """The import if it is within the user's scope; 404 otherwise."""
    try:
        return roster_import_list(user=user).get(pk=pk)
    except RosterImport.DoesNotExist:
        raise Http404 from None
