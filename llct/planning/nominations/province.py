"""The whole province's suggestions for a year, as a task: started by a department officer,
computed by the rules' queries (`due.py`), written as a streamed .xlsx, followed on a page that
shows the progress and offers the file. Only the officer who asked sees the export."""

import datetime as dt
from collections.abc import Iterator

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.models import User
from llct.core.xlsx_stream import text_cell
from llct.organizations.models import Organization
from llct.planning.models import SuggestionExport
from llct.planning.nominations.suggestions import Suggestion


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


def province_rows(grouped: dict[int, list[Suggestion]]) -> Iterator[str]:
    """One row per suggestion, as the sheet's `<row>` XML (`write_xlsx_rows`), organizations
    in tree order, each organization's suggestions in the page's order (urgent first). A
    province's hundreds of thousands of rows repeat a few labels, programmes, organizations
    and explanations: each is translated and escaped once."""
    ids = list(grouped)
    names = dict(Organization.objects.filter(pk__in=ids).values_list("id", "name"))
    paths = dict(Organization.objects.filter(pk__in=ids).values_list("id", "path"))
    urgency = {True: text_cell(_("Urgent")), False: text_cell(_("This year"))}
    cells: dict[str, str] = {}
    rules: dict[str, str] = {}
    explanations: dict[tuple[str, str, dt.date | None], str] = {}

    def cell(value: str) -> str:
        found = cells.get(value)
        if found is None:
            found = cells[value] = text_cell(value)
        return found

    for organization_id in sorted(ids, key=lambda pk: paths.get(pk, "")):
        grassroots = text_cell(names.get(organization_id, ""))
        for s in grouped[organization_id]:
            rule = rules.get(s.rule)
            if rule is None:
                rule = rules[s.rule] = text_cell(s.rule_label)
            key = (s.rule, s.detail, s.due_on)
            explanation = explanations.get(key)
            if explanation is None:
                explanation = explanations[key] = text_cell(s.explanation)
            yield (
                f"<row>{grassroots}{cell(s.organization_name)}{text_cell(s.full_name)}"
                f"{cell(s.programme_name)}{rule}{explanation}{urgency[s.urgent]}"
                f"{f'<c><v>{s.quarter}</v></c>' if s.quarter else '<c/>'}</row>"
            )
