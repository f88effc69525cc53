import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from llct.organizations.models import Organization, OrganizationVersion


def write_xlsx(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH TỔ CHỨC ĐẢNG"])
    sheet.merge_cells("A1:D1")
    sheet.append([])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_import_creates_the_tree_in_any_order(world, tmp_path, capsys):
    path = write_xlsx(
        tmp_path / "to-chuc.xlsx",
        [
            ["Mã", "Tên", "Loại", "Mã cấp trên"],
            ["C1A", "Chi bộ Thôn Đông", "Chi bộ trực thuộc", "C1"],
            ["C1", "Đảng bộ xã Tân Lập", "Đảng bộ cơ sở", "B"],
        ],
    )
    call_command("import_orgs", str(path), "--founded-on", "01/01/2024")
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        "created 2, updated 0, unchanged 0, rejected 0"
    )
    cell = Organization.objects.get(code="C1A")
    assert cell.parent.code == "C1" and cell.parent.parent.code == "B"
    assert cell.path.startswith(world.org_b.path)
    assert cell.founded_on == dt.date(2024, 1, 1)


def test_reimport_renames_with_history_and_counts_unchanged(world, tmp_path, capsys):
    path = write_xlsx(
        tmp_path / "to-chuc.csv.xlsx",
        [
            ["Mã", "Tên", "Loại", "Mã cấp trên"],
            ["A", "Đảng ủy các cơ quan Đảng tỉnh", "Đảng ủy trực thuộc", "TINH"],
            ["A1", "Chi bộ A1", "chi bo co so", "A"],
        ],
    )
    call_command("import_orgs", str(path), "--founded-on", "01/07/2025")
    assert (
        capsys.readouterr().out.strip().splitlines()[-1]
        == "created 0, updated 1, unchanged 1, rejected 0"
    )
    names = list(
        OrganizationVersion.objects.filter(organization=world.org_a).values_list("name", flat=True)
    )
    assert names == ["Đảng ủy Khối A", "Đảng ủy các cơ quan Đảng tỉnh"]


def test_csv_with_bad_rows_writes_nothing(world, tmp_path, capsys):
    path = tmp_path / "to-chuc.csv"
    path.write_text(
        "Mã,Tên,Loại,Mã cấp trên\nX1,Chi bộ X1,Chi bộ cơ sở,A\nX2,,Chi bộ cơ sở,A\n"
        "X3,Chi bộ X3,Loại lạ,A\nX4,Chi bộ X4,Chi bộ cơ sở,KHONGCO\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("import_orgs", str(path))
    out = capsys.readouterr().out
    assert "dòng 3: thiếu tên" in out
    assert "dòng 4" in out and "Loại lạ" in out
    assert "dòng 5" in out and "KHONGCO" in out
    assert not Organization.objects.filter(code="X1").exists()
