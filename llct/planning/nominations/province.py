"""The whole province's suggestions for a year, as a task: started by a department officer,
computed by the rules' queries (`due.py`), written as a streamed .xlsx, followed on a page that
shows the progress and offers the file. Only the officer who asked sees the export."""

from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.models import User
from llct.organizations.models import Organization
from llct.planning.models import SuggestionExport
from llct.planning.nominations.suggestions import Suggestion

WORKING = (SuggestionExport.Status.QUEUED, SuggestionExport.Status.RUNNING)


def can_export_province(user: User) -> bool:
    return has_capability(user, Capability.MANAGE_NOMINATION_ROUNDS)


@transaction.atomic
def province_export_start(*, user: User, year: int, language: str) -> SuggestionExport:
    from llct.planning.tasks import province_suggestions_task

    export = SuggestionExport.objects.create(requested_by=user, year=year, language=language)
    transaction.on_commit(lambda: province_suggestions_task.enqueue(export_id=export.pk))
    return export


def province_export_get(*, user: User, pk: int) -> SuggestionExport:
    export = SuggestionExport.objects.filter(pk=pk, requested_by=user).first()
    if export is None or not can_export_province(user):
        raise Http404
    return export


def province_headers() -> list[str]:
    return [
        _("Grassroots organization"),
        _("Organization"),
        _("Full name"),
        _("Programme"),
        _("Why"),
        _("Explanation"),
        _("Urgency"),
        _("Quarter"),
    ]


def province_rows(
    grouped: dict[int, list[Suggestion]], *, on_row: Callable[[int], None] | None = None
) -> Iterator[list[Any]]:
    """One row per suggestion, organizations in tree order, each organization's suggestions in
    the page's order (urgent first)."""
    ids = list(grouped)
    names = dict(Organization.objects.filter(pk__in=ids).values_list("id", "name"))
    paths = dict(Organization.objects.filter(pk__in=ids).values_list("id", "path"))
    done = 0
    for organization_id in sorted(ids, key=lambda pk: paths.get(pk, "")):
        for s in grouped[organization_id]:
            done += 1
            if on_row is not None:
                on_row(done)
            yield [
                names.get(organization_id, ""),
                s.organization_name,
                s.full_name,
                s.programme_name,
                s.rule_label,
                s.explanation,
                _("Urgent") if s.urgent else _("This year"),
                s.quarter or "",
            ]
