from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.spreadsheets import XLSX_TYPE, file_response, write_csv, write_xlsx
from llct.organizations.models import Organization, Person

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
