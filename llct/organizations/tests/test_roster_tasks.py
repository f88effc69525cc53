import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from llct.core import jobs
from llct.organizations import tasks
from llct.organizations.models import Person, RosterImport
from llct.organizations.tests.test_roster_support import person_row, roster_xlsx


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def make_import(world, content: bytes, status: str = RosterImport.Status.ANALYSING) -> RosterImport:
    roster_import = RosterImport(
        organization=world.org_a,
        original_name="ds.xlsx",
        uploaded_by=world.officer_a,
        status=status,
    )
    roster_import.file.save("ds.xlsx", ContentFile(content), save=False)
    roster_import.save()
    return roster_import


def analyse(roster_import: RosterImport) -> None:
    tasks.roster_analyse_task.call(import_id=roster_import.pk, today="2026-11-25", language="en")
    roster_import.refresh_from_db()


def commit(roster_import: RosterImport, actor_id: int | None) -> None:
    RosterImport.objects.filter(pk=roster_import.pk).update(status=RosterImport.Status.COMMITTING)
    tasks.roster_commit_task.call(
        import_id=roster_import.pk, actor_id=actor_id, today="2026-11-25", language="en"
    )
    roster_import.refresh_from_db()


def test_analysis_publishes_its_progress_on_the_import(world, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    roster_import = make_import(world, roster_xlsx([person_row(f"Người {i}") for i in range(600)]))
    with CaptureQueriesContext(connection) as queries:
        analyse(roster_import)
    progress = [
        q for q in queries if q["sql"].startswith("UPDATE") and "processed_rows" in q["sql"]
    ]
    assert len(progress) >= 3  # 250, 500, 600 rows, then the final counts
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert (roster_import.processed_rows, roster_import.total_rows) == (600, 600)
    assert roster_import.to_create == 600


class RecordingCache:
    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.seen: list[object] = []

    def set(self, key: str, value: object, timeout: int) -> None:
        self.values[key] = value
        self.seen.append(value)

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


def test_commit_publishes_progress_in_the_cache(world, monkeypatch):
    recorder = RecordingCache()
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    monkeypatch.setattr(tasks, "cache", recorder)
    roster_import = make_import(world, roster_xlsx([person_row(f"Người {i}") for i in range(300)]))
    analyse(roster_import)
    commit(roster_import, world.officer_a.pk)
    assert roster_import.status == RosterImport.Status.DONE
    assert recorder.seen[-1] == (600, 600)
    assert len(recorder.seen) > 2
    assert recorder.values == {}  # dropped once done
    assert Person.objects.filter(full_name__startswith="Người ").count() == 300


def test_commit_rechecks_the_rolls(world):
    content = roster_xlsx([person_row("Lê Văn Một", born="01/01/1990", sex="")])
    roster_import = make_import(world, content)
    analyse(roster_import)
    assert roster_import.to_create == 1
    # Someone adds the same person between the preview and the commit.
    Person.objects.create(
        full_name="Lê Văn Một", date_of_birth=dt.date(1990, 1, 1), organization=world.org_a1
    )
    commit(roster_import, world.officer_a.pk)
    assert (roster_import.to_create, roster_import.to_update, roster_import.unchanged) == (0, 0, 1)
    assert Person.objects.filter(full_name="Lê Văn Một").count() == 1


def test_commit_by_someone_who_lost_the_right_fails(world):
    roster_import = make_import(world, roster_xlsx([person_row("Lê Văn Một")]))
    analyse(roster_import)
    commit(roster_import, world.officer_b.pk)
    assert roster_import.status == RosterImport.Status.FAILED
    assert "nothing was written" in roster_import.error
    assert not Person.objects.filter(full_name="Lê Văn Một").exists()


def test_a_missing_file_fails_the_analysis(world):
    roster_import = make_import(world, b"")
    roster_import.file.delete(save=False)
    RosterImport.objects.filter(pk=roster_import.pk).update(file="imports/khong-co.xlsx")
    analyse(roster_import)
    assert roster_import.status == RosterImport.Status.FAILED
    assert "unexpected error" in roster_import.error
