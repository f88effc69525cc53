import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.spreadsheets import XLSX_TYPE, file_response, write_csv, write_xlsx
from llct.core.xlsx_stream import text_cell
from llct.organizations.models import (
    MembershipStage,
    Organization,
    PeopleExport,
    Person,
    Sex,
    TheoryLevel,
)

# Up to this many people the file is written in the request; beyond, by a task.
EXPORT_INLINE_MAX = 5_000
EXPORT_KEPT = dt.timedelta(days=1)
WORKING = (PeopleExport.Status.QUEUED, PeopleExport.Status.RUNNING)

ORG_HEADERS = ["Mã", "Tên", "Loại", "Mã cấp trên"]


def organization_rows(orgs: Iterable[Organization]) -> Iterator[list[Any]]:
    for org in orgs:
        yield [org.code, org.name, org.kind.name, org.parent.code if org.parent else ""]


def organizations_response(orgs: Any, *, fmt: str) -> HttpResponse:
    stamp = timezone.localdate().strftime("%Y%m%d")
    rows = organization_rows(orgs.order_by("path"))
    if fmt == "csv":
        return file_response(
            write_csv(ORG_HEADERS, rows),
            filename=f"to-chuc-{stamp}.csv",
            content_type="text/csv; charset=utf-8",
        )
    return file_response(
        write_xlsx(ORG_HEADERS, rows, title="To chuc"),
        filename=f"to-chuc-{stamp}.xlsx",
        content_type=XLSX_TYPE,
    )


def people_headers() -> list[str]:
    return [
        _("No."),
        _("Full name"),
        _("Sex"),
        _("Date of birth"),
        _("Position"),
        _("Organization"),
        _("Membership stage"),
        _("Admitted on"),
        _("Full member since"),
        _("Party card number"),
        _("Theory level"),
    ]


def people_rows(people: Iterable[Person]) -> Iterator[list[Any]]:
    for number, p in enumerate(people, start=1):
        yield [
            number,
            p.full_name,
            p.get_sex_display(),
            p.date_of_birth.strftime("%d/%m/%Y") if p.date_of_birth else "",
            p.position,
            p.organization.name,
            p.get_stage_display(),
            p.admitted_on.strftime("%d/%m/%Y") if p.admitted_on else "",
            p.full_member_on.strftime("%d/%m/%Y") if p.full_member_on else "",
            p.party_card_no or "",
            p.get_theory_level_display(),
        ]


def people_response(people: Any) -> HttpResponse:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return file_response(
        write_xlsx(
            people_headers(), people_rows(people.iterator(chunk_size=2000)), title="Danh sach"
        ),
        filename=f"danh-sach-{stamp}.xlsx",
        content_type=XLSX_TYPE,
    )


PEOPLE_COLUMNS = (
    "full_name", "sex", "date_of_birth", "position", "organization__name", "stage",
    "admitted_on", "full_member_on", "party_card_no", "theory_level",
)  # fmt: skip


def _day(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def people_xml_rows(people: Any) -> Iterator[str]:
    """The export's rows from plain values (no model objects), each written as the sheet's
    `<row>` XML at once: what a million rows need. Labels, organizations, positions and dates
    repeat, so each is escaped or formatted once; a name is escaped as it comes."""
    sexes = {k: text_cell(str(v)) for k, v in Sex.choices}
    stages = {k: text_cell(str(v)) for k, v in MembershipStage.choices}
    levels = {k: text_cell(str(v)) for k, v in TheoryLevel.choices}
    seen: dict[Any, str] = {None: "<c/>", "": "<c/>"}

    def once(value: Any) -> str:
        cell = seen.get(value)
        if cell is None:
            cell = text_cell(_day(value) if isinstance(value, dt.date) else str(value))
            if len(seen) < 200_000:
                seen[value] = cell
        return cell

    values = people.values_list(*PEOPLE_COLUMNS).iterator(chunk_size=10_000)
    for number, (name, sex, born, position, org, stage, admitted, full, card, level) in enumerate(
        values, start=1
    ):
        yield (
            f"<row><c><v>{number}</v></c>{text_cell(name)}{sexes.get(sex, '<c/>')}{once(born)}"
            f"{once(position)}{once(org)}{stages.get(stage, '<c/>')}{once(admitted)}"
            f"{once(full)}{text_cell(card or '')}{levels.get(level, '<c/>')}</row>"
        )


def people_export_prune(*, user: Any, now: dt.datetime) -> None:
    """Exports are personal data: a day after they were asked for, file and row go."""
    for old in PeopleExport.objects.filter(requested_by=user, created_at__lt=now - EXPORT_KEPT):
        old.file.delete(save=False)
        old.delete()


def people_export_start(*, user: Any, filters: dict[str, str], language: str) -> PeopleExport:
    from llct.organizations.tasks import people_export_task

    people_export_prune(user=user, now=timezone.now())
    export = PeopleExport.objects.create(requested_by=user, filters=filters, language=language)
    transaction.on_commit(lambda: people_export_task.enqueue(export_id=export.pk))
    return export


def people_export_get(*, user: Any, pk: int) -> PeopleExport:
    """Only the person who asked for an export sees it (it holds dates of birth and cards)."""
    export = PeopleExport.objects.filter(pk=pk, requested_by=user).first()
    if export is None:
        raise Http404
    return export
