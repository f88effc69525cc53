"""Large people exports run as a task with progress and a download link; only the requester
downloads the file, and it holds only the people of their scope."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from llct.organizations import exports, tasks
from llct.organizations.models import PeopleExport, Person
from llct.organizations.tests.factories import make_person


def _rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_large_export_runs_as_a_task_then_offers_the_file(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "EXPORT_INLINE_MAX", 1)
    make_person(world.org_a1, "Lê Văn Ba", date_of_birth=dt.date(1980, 5, 17))
    client.force_login(world.officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("organizations:people_export"), {"q": ""})
    export = PeopleExport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("organizations:people_export_detail", args=[export.pk])
    page = client.get(response.url)  # the immediate backend ran the task already
    export.refresh_from_db()
    assert export.status == PeopleExport.Status.DONE and export.total_rows == 2
    assert "Tệp đã sẵn sàng" in page.text
    download = client.get(reverse("organizations:people_export_download", args=[export.pk]))
    rows = _rows(b"".join(download.streaming_content))
    assert [r[1] for r in rows] == ["Nguyễn Văn An", "Lê Văn Ba"]  # scope A only, name order
    assert rows[1][3] == "17/05/1980"


def test_the_progress_page_polls_while_the_file_is_written(client, world):
    export = PeopleExport.objects.create(
        requested_by=world.department, status=PeopleExport.Status.RUNNING, total_rows=1000,
        done_rows=250,
    )  # fmt: skip
    client.force_login(world.department)
    response = client.get(reverse("organizations:people_export_detail", args=[export.pk]))
    assert 'max="1000" value="250"' in response.text
    assert 'hx-trigger="every 1s"' in response.text


def test_nobody_else_sees_or_downloads_an_export(client, world, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_INLINE_MAX", 1)
    client.force_login(world.department)
    client.get(reverse("organizations:people_export"))
    export = PeopleExport.objects.get()
    client.force_login(world.leader)
    for name in ("people_export_detail", "people_export_download"):
        assert client.get(reverse(f"organizations:{name}", args=[export.pk])).status_code == 404


def test_a_small_export_still_downloads_at_once(client, world):
    client.force_login(world.department)
    response = client.get(reverse("organizations:people_export"))
    assert response.status_code == 200
    assert not PeopleExport.objects.exists()


def test_exports_older_than_a_day_are_removed(world):
    old = PeopleExport.objects.create(requested_by=world.department)
    PeopleExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    exports.people_export_prune(user=world.department, now=timezone.now())
    assert not PeopleExport.objects.exists()


def test_the_task_writes_every_column_as_the_small_export_does(world, monkeypatch):
    from llct.organizations.models import MembershipStage, TheoryLevel
    from llct.organizations.tasks import people_export_task

    make_person(
        world.org_a1,
        "Lê Văn Ba",
        sex="male",
        date_of_birth=dt.date(1980, 5, 17),
        position="Bí thư <chi bộ> & \x01phó",
        stage=MembershipStage.FULL,
        party_card_no="012345678",
        theory_level=TheoryLevel.CAO_CAP,
    )
    export = PeopleExport.objects.create(requested_by=world.department, language="vi")
    people_export_task.call(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == PeopleExport.Status.DONE and export.total_rows == 3
    with export.file.open("rb") as handle:
        rows = _rows(handle.read())
    assert [r[0] for r in rows] == [1, 2, 3]
    ba = next(r for r in rows if r[1] == "Lê Văn Ba")
    assert ba[2:] == [
        "Nam", "17/05/1980", "Bí thư <chi bộ> & phó", "Chi bộ A1", "Đảng viên chính thức",
        "19/05/2020", "19/05/2021", "012345678", "Cao cấp",
    ]  # fmt: skip
    an = next(r for r in rows if r[1] == "Nguyễn Văn An")
    assert an[3] is None and an[9] is None  # no birth date, no card: empty cells


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the rows written by PostgreSQL")
def test_the_rows_postgresql_writes_are_the_rows_python_writes(world):
    """The two ways of writing the export's rows give the same workbook, whatever the text
    holds: XML's specials, backslashes, characters XML forbids, a filter's parameters."""
    from llct.core.xlsx_stream import write_xlsx_chunks, write_xlsx_rows
    from llct.organizations.models import MembershipStage, TheoryLevel
    from llct.organizations.selectors import PersonFilter, person_list

    make_person(
        world.org_a1,
        "Lê\\Văn \\n Ba\ttab\nline\r\x0b\ufffe&amp;",
        sex="female",
        date_of_birth=dt.date(1980, 5, 17),
        position="Bí thư <chi bộ> & \x01phó \\\\ \x08",
        stage=MembershipStage.FULL,
        party_card_no="012345678",
        theory_level=TheoryLevel.CAO_CAP,
    )
    make_person(world.org_a1, "Trần Thị 100%", position="Kế toán", stage=MembershipStage.LEFT)
    everyone = person_list(user=world.department)
    filtered = person_list(user=world.department, filters=PersonFilter(position="%"))
    assert filtered.count() == 0 and everyone.count() > 2
    written = {}
    for name, people in (("everyone", everyone), ("filtered", filtered)):
        by_python, by_copy = io.BytesIO(), io.BytesIO()
        write_xlsx_rows(by_python, ["A"], exports.people_xml_rows(people))
        write_xlsx_chunks(by_copy, ["A"], exports.people_xml_sql(people))
        written[name] = _rows(by_copy.getvalue())
        assert written[name] == _rows(by_python.getvalue())
    rows = written["everyone"]
    assert written["filtered"] == []
    ba = next(r for r in rows if str(r[1]).startswith("Lê"))
    # Backslashes kept; tabs and line breaks read back as spaces.
    assert ba[1].split() == ["Lê\\Văn", "\\n", "Ba", "tab", "line", "&amp;"]
    assert ba[2:5] == ["Nữ", "17/05/1980", "Bí thư <chi bộ> & phó \\\\ "]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the rows written by PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_rows_stream_through_a_second_connection(world):
    """As the worker runs it (autocommit): the rows are read through a connection of their
    own, while the task's connection publishes the progress."""
    from llct.organizations.tasks import people_export_task

    export = PeopleExport.objects.create(requested_by=world.department, language="vi")
    people_export_task.call(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == PeopleExport.Status.DONE
    assert export.done_rows == export.total_rows == Person.objects.count()
    with export.file.open("rb") as handle:
        rows = _rows(handle.read())
    assert [r[0] for r in rows] == list(range(1, Person.objects.count() + 1))
    assert {r[1] for r in rows} == set(Person.objects.values_list("full_name", flat=True))
    export.file.delete(save=False)


def test_a_failed_export_says_so_and_keeps_no_file(client, world, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "people_export_write", broken)
    export = PeopleExport.objects.create(requested_by=world.department)
    tasks.people_export_task.call(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == PeopleExport.Status.FAILED and not export.file
    assert export.error.startswith("Công việc bị dừng do một lỗi không lường trước")
    assert f"PeopleExport {export.pk} failed" in caplog.text
    client.force_login(world.department)
    page = client.get(reverse("organizations:people_export_detail", args=[export.pk]))
    assert "Công việc bị dừng" in page.text and "hx-trigger" not in page.text


def test_an_export_already_taken_is_not_run_again(world):
    export = PeopleExport.objects.create(
        requested_by=world.department, status=PeopleExport.Status.RUNNING
    )
    tasks.people_export_task.call(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == PeopleExport.Status.RUNNING and export.done_rows == 0
