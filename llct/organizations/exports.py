import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.models import User
from llct.core.spreadsheets import XLSX_TYPE, file_response, write_csv, write_xlsx
from llct.core.sql import without_jit
from llct.core.xlsx_stream import text_cell, write_xlsx_chunks, write_xlsx_rows
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
SHEET = "Danh sach"

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
    days: dict[dt.date | None, str] = {None: "<c/>"}
    texts: dict[str, str] = {"": "<c/>"}

    def day(value: dt.date | None) -> str:
        cell = days.get(value)
        if cell is None:
            cell = days[value] = text_cell(_day(value))
        return cell

    def text(value: str) -> str:  # positions and organizations: a few thousand distinct
        cell = texts.get(value)
        if cell is None:
            cell = text_cell(value)
            if len(texts) < 100_000:
                texts[value] = cell
        return cell

    values = people.values_list(*PEOPLE_COLUMNS).iterator(chunk_size=10_000)
    for number, (name, sex, born, position, org, stage, admitted, full, card, level) in enumerate(
        values, start=1
    ):
        yield (
            f"<row><c><v>{number}</v></c>{text_cell(name)}{sexes.get(sex, '<c/>')}{day(born)}"
            f"{text(position)}{text(org)}{stages.get(stage, '<c/>')}{day(admitted)}"
            f"{day(full)}{text_cell(card or '')}{levels.get(level, '<c/>')}</row>"
        )


_SQL_SPACES = "(32, 9, 10, 13)"  # the spaces `text_cell` keeps with xml:space="preserve"


def _sql_text(column: str) -> str:
    """SQL for a string cell of `column`, escaped and spaced as `text_cell` writes it."""
    escaped = f"replace(replace(replace({column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    return (
        f"CASE WHEN {column} IS NULL OR {column} = '' THEN '<c/>' "
        f"WHEN ascii({column}) IN {_SQL_SPACES} OR ascii(right({column}, 1)) IN {_SQL_SPACES} "
        f"THEN '<c t=\"inlineStr\"><is><t xml:space=\"preserve\">' || {escaped} || '</t></is></c>' "
        f"ELSE '<c t=\"inlineStr\"><is><t>' || {escaped} || '</t></is></c>' END"
    )


def _sql_day(column: str) -> str:
    return (
        f"CASE WHEN {column} IS NULL THEN '<c/>' ELSE "
        f"'<c t=\"inlineStr\"><is><t>' || to_char({column}, 'DD/MM/YYYY') || '</t></is></c>' END"
    )


def _sql_label(column: str, choices: Iterable[tuple[Any, Any]], params: list[Any]) -> str:
    """A CASE giving each stored value its label's cell; the labels travel as parameters."""
    whens = []
    for value, label in choices:
        whens.append("WHEN %s THEN %s")
        params.extend([value, text_cell(str(label))])
    return f"CASE {column} {' '.join(whens)} ELSE '<c/>' END"


def people_xml_sql(
    people: Any, *, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """PostgreSQL: the export's rows written as `<row>` XML by the database itself, the same
    cells as `people_xml_rows` (a test compares both): Python only moves the text, a few
    thousand rows at a time through a server-side cursor (`_reader`), and calls `progress`
    with the rows read so far between two fetches."""
    inner, inner_params = people.values_list(
        *PEOPLE_COLUMNS, "sort_key", "id"
    ).query.sql_with_params()
    params: list[Any] = []
    cells = [
        _sql_text("t.full_name"),
        _sql_label("t.sex", Sex.choices, params),
        _sql_day("t.born"),
        _sql_text("t.position"),
        _sql_text("t.org"),
        _sql_label("t.stage", MembershipStage.choices, params),
        _sql_day("t.admitted"),
        _sql_day("t.full_on"),
        _sql_text("t.card"),
        _sql_label("t.level", TheoryLevel.choices, params),
    ]
    # The labels' parameters come first in the statement, the filters' after them.
    sql = (
        "SELECT '<row><c><v>' || row_number() OVER (ORDER BY t.sort_key, t.id) || "
        "'</v></c>' || " + " || ".join(cells) + " || '</row>' "
        f"FROM ({inner}) AS t(full_name, sex, born, position, org, stage, admitted, full_on, "
        "card, level, sort_key, id) ORDER BY t.sort_key, t.id"
    )
    done = 0
    with _reader() as reader, without_jit(reader), reader.chunked_cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params])
        while batch := cursor.fetchmany(5000):
            done += len(batch)
            yield "".join([row[0] for row in batch]).encode()
            if progress is not None:
                progress(done)


@contextmanager
def _reader() -> Iterator[Any]:
    """The connection the export reads through. Outside a transaction, a second connection
    of its own inside one: the rows then stream from the query as the database writes them
    (in autocommit a server-side cursor must first store every row, hundreds of megabytes, to
    survive the commit), and the task's own connection stays free to publish the progress.
    Inside a transaction (tests), that transaction's connection, which sees its rows."""
    if connection.in_atomic_block:
        yield connection
        return
    reader = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        reader.set_autocommit(False)
        yield reader
    finally:
        reader.close()


def people_export_write(
    target: IO[bytes], people: Any, *, progress: Callable[[int], None] | None = None
) -> int:
    """Write the people as the export's workbook; returns the number of rows. On PostgreSQL
    the database writes the rows (`people_xml_sql`), elsewhere Python does."""
    if connection.vendor != "postgresql":
        return write_xlsx_rows(
            target, people_headers(), people_xml_rows(people), title=SHEET, progress=progress
        )
    done = [0]

    def counted(n: int) -> None:
        done[0] = n
        if progress is not None:
            progress(n)

    write_xlsx_chunks(
        target, people_headers(), people_xml_sql(people, progress=counted), title=SHEET
    )
    return done[0]


def people_export_prune(*, user: User, now: dt.datetime) -> None:
    """Exports are personal data: a day after they were asked for, file and row go."""
    for old in PeopleExport.objects.filter(requested_by=user, created_at__lt=now - EXPORT_KEPT):
        old.file.delete(save=False)
        old.delete()


def people_export_start(*, user: User, filters: dict[str, str], language: str) -> PeopleExport:
    from llct.organizations.tasks import people_export_task

    people_export_prune(user=user, now=timezone.now())
    export = PeopleExport.objects.create(requested_by=user, filters=filters, language=language)
    transaction.on_commit(lambda: people_export_task.enqueue(export_id=export.pk))
    return export


def people_export_get(*, user: User, pk: int) -> PeopleExport:
    """Only the person who asked for an export sees it (it holds dates of birth and cards)."""
    export = PeopleExport.objects.filter(pk=pk, requested_by=user).first()
    if export is None:
        raise Http404
    return export
