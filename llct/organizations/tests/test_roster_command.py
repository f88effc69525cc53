import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from llct.organizations.models import Person
from llct.organizations.tests.test_roster_support import FIRST_ROW, person_row, roster_xlsx


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def roster_file(tmp_path):
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(
        roster_xlsx(
            [
                person_row("Lê Văn Một", born="01/01/1980"),
                person_row("Lê Văn Hai", born="1985"),
                person_row("Lê Văn Ba", born="03/03/1983", level="Cao cấp"),
            ]
        )
    )
    return path


def run(*args: object) -> list[str]:
    out = io.StringIO()
    call_command("import_roster", *map(str, args), stdout=out)
    return out.getvalue().splitlines()


def test_the_last_line_is_the_summary(world, roster_file):
    lines = run(roster_file, "--org", "a")
    assert lines[-1] == "imported 2, updated 0, unchanged 0, rejected 1"
    assert lines[0].startswith(f"Row {FIRST_ROW + 1} (Lê Văn Hai): The date of birth is incomplete")
    assert Person.objects.filter(organization=world.org_a, full_name="Lê Văn Ba").exists()
    assert run(roster_file, "--org", "A")[-1] == "imported 0, updated 0, unchanged 2, rejected 1"


def test_a_dry_run_writes_nothing(world, roster_file):
    lines = run(roster_file, "--org", "A", "--dry-run")
    assert lines[-1] == "imported 2, updated 0, unchanged 0, rejected 1"
    assert not Person.objects.filter(full_name="Lê Văn Một").exists()


def test_the_report_holds_the_rejected_rows(world, roster_file, tmp_path):
    report = tmp_path / "tu-choi.xlsx"
    run(roster_file, "--org", "A", "--report", report)
    sheet: Any = load_workbook(report).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Dòng" and rows[0][-1] == "Lý do"
    assert [(r[0], r[2]) for r in rows[1:]] == [(FIRST_ROW + 1, "Lê Văn Hai")]


def test_unknown_organization_or_file_is_an_error(world, roster_file, tmp_path):
    with pytest.raises(CommandError, match="code"):
        run(roster_file, "--org", "KHONG")
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "missing.xlsx", "--org", "A")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="cannot be read"):
        run(bad, "--org", "A")
