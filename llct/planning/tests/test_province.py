"""The whole province's suggestions as a task: who may start it, its progress page, the file."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from llct.planning.models import SuggestionExport
from llct.planning.nominations import suggestions as nom_suggestions
from llct.planning.tasks import province_suggestions_task
from llct.planning.tests.factories import NOW, make_round, probationary


@pytest.fixture
def at_today():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_department_runs_the_province_wide_job_and_downloads_the_file(
    client, world, at_today, django_capture_on_commit_callbacks
):
    make_round()
    urgent = probationary(world.org_a1, "Lê Văn Gấp", admitted_on=dt.date(2026, 5, 10))
    probationary(world.org_b1, "Trần Văn Bê", admitted_on=dt.date(2026, 5, 10))
    client.force_login(world.department)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("planning:province_suggestions_start"), {"year": "2027"})
    export = SuggestionExport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("planning:province_suggestions", args=[export.pk])
    assert (export.status, export.total_rows, export.organizations) == ("done", 2, 2)
    assert export.urgent == 2
    page = client.get(response.url)
    assert "province-download" in page.text and 'hx-trigger="every 1s"' not in page.text
    download = client.get(reverse("planning:province_suggestions_download", args=[export.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Tổ chức cơ sở đảng", "Tổ chức đảng", "Họ và tên")
    names = {row[2] for row in rows[1:]}
    assert names == {urgent.full_name, "Trần Văn Bê"}
    expected = nom_suggestions.suggestions_for_province(year=2027, today=NOW.date())
    assert len(rows) - 1 == sum(len(v) for v in expected.values())


def test_a_running_job_shows_its_progress_and_polls(client, world, at_today):
    export = SuggestionExport.objects.create(
        requested_by=world.department, year=2027, status="running", step=2
    )
    client.force_login(world.department)
    page = client.get(reverse("planning:province_suggestions", args=[export.pk]))
    assert 'hx-trigger="every 1s"' in page.text
    assert 'value="2"' in page.text and 'max="5"' in page.text
    export.total_rows, export.done_rows = 400, 100
    export.save()
    page = client.get(
        reverse("planning:province_suggestions", args=[export.pk]), headers={"HX-Request": "true"}
    )
    assert "<h1>" not in page.text and 'value="100"' in page.text


@pytest.mark.parametrize("who", ["officer_a", "leader", "learner"])
def test_only_the_department_starts_the_job(client, world, who):
    client.force_login(getattr(world, who))
    response = client.post(reverse("planning:province_suggestions_start"), {"year": "2027"})
    assert response.status_code == 403
    assert not SuggestionExport.objects.exists()


def test_only_the_requester_sees_an_export(client, world):
    export = SuggestionExport.objects.create(requested_by=world.department, year=2027)
    client.force_login(world.officer_a)
    assert client.get(reverse("planning:province_suggestions", args=[export.pk])).status_code == 404


def test_the_task_runs_a_queued_export_once(world, at_today):
    make_round()
    probationary(world.org_a1, "Lê Văn Gấp", admitted_on=dt.date(2026, 5, 10))
    export = SuggestionExport.objects.create(requested_by=world.department, year=2027)
    province_suggestions_task.call(export_id=export.pk, today="2026-11-20")
    export.refresh_from_db()
    assert (export.status, export.total_rows, export.step) == ("done", 1, 5)
    finished = export.finished_at
    province_suggestions_task.call(export_id=export.pk, today="2026-11-20")
    export.refresh_from_db()
    assert export.finished_at == finished


def test_a_failed_job_says_so_on_its_page(client, world, at_today, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("llct.planning.tasks.suggestions_for_province", broken)
    export = SuggestionExport.objects.create(requested_by=world.department, year=2027)
    province_suggestions_task.call(export_id=export.pk, today="2026-11-20")
    export.refresh_from_db()
    assert export.status == SuggestionExport.Status.FAILED and not export.file
    client.force_login(world.department)
    page = client.get(reverse("planning:province_suggestions", args=[export.pk]))
    assert "Công việc bị dừng do một lỗi không lường trước" in page.text
    assert "hx-trigger" not in page.text
