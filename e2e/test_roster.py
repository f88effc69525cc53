import datetime as dt
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from llct.organizations.models import Person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def messy_roster(path):
    """What grassroots files look like: title rows with merged cells, headers in their own words,
    Excel and text dates, levels spelled every way, bad rows, a signature block."""
    book = Workbook()
    sheet = book.active
    sheet.append(["ĐẢNG BỘ KHỐI A"])
    sheet.merge_cells("A1:F1")
    sheet.append(["DANH SÁCH ĐẢNG VIÊN NĂM 2026"])
    sheet.merge_cells("A2:F2")
    sheet.append([])
    sheet.append(
        [
            "STT",
            "Họ tên",
            "Ngày, tháng, năm sinh",
            "Chức vụ",
            "Trình độ lý luận chính trị",
            "Ngày vào Đảng",
        ]
    )
    sheet.append(
        [1, "  Phạm   Thị  Lan ", dt.datetime(1990, 4, 12), "Chuyên viên", "TC", "19/05/2015"]
    )
    sheet.append(
        [
            2,
            "Đoàn Văn Minh",
            "03/02/1988",
            "Bí thư chi bộ",
            "Trung cấp LLCT",
            dt.datetime(2012, 9, 2),
        ]
    )
    sheet.append([3, "Hà Thị Ngọc", "31/02/1995", "Công chức", "Sơ cấp", ""])
    sheet.append([4, "Lưu Văn Quang", "12/12/1991", "Cán bộ", "Tiến sĩ", ""])
    sheet.append([])
    sheet.append(["", "Người lập biểu", "", "", "T/M CHI ỦY"])
    book.save(path)
    return path


def test_import_a_messy_roster_through_the_preview(world, sign_in, live_server, tmp_path):
    page = sign_in("canbo_a")
    page.goto(f"{live_server.url}/to-chuc/nhap-danh-sach/")
    page.get_by_label("Tệp danh sách (.xlsx)").set_input_files(
        str(messy_roster(tmp_path / "ds.xlsx"))
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    # The preview lists every rejected row with its row number and reason, and writes nothing.
    rejected = page.locator("table").filter(has_text="Lý do").first
    expect(rejected).to_contain_text("Hà Thị Ngọc")
    expect(rejected).to_contain_text("Lưu Văn Quang")
    expect(rejected).to_contain_text("Tiến sĩ")
    expect(rejected.get_by_role("cell", name="7", exact=True)).to_be_visible()
    assert not Person.objects.filter(full_name="Phạm Thị Lan").exists()
    page.get_by_role("button", name="Nhập các dòng hợp lệ").click()
    expect(page.get_by_text(re.compile("Đã nhập lúc"))).to_be_visible(timeout=15000)
    lan = Person.objects.get(full_name="Phạm Thị Lan")
    assert lan.date_of_birth == dt.date(1990, 4, 12) and lan.theory_level == 2
    assert Person.objects.get(full_name="Đoàn Văn Minh").admitted_on == dt.date(2012, 9, 2)
    assert not Person.objects.filter(
        full_name__in=["Hà Thị Ngọc", "Lưu Văn Quang", "Người lập biểu"]
    ).exists()


def roster_with_new_cells(path):
    """A roster naming cells (chi bộ) that do not exist yet, with a two-digit year and a stage
    written in words."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Ngày sinh", "Chi bộ", "Đối tượng", "Ngày vào Đảng"])
    sheet.append(["Nông Văn Một", "1/2/85", "Chi bộ Mới Một", "DVDB", "10/10/2015"])
    sheet.append(["Nông Văn Hai", "02/03/1986", "Chi bộ Mới Hai", "", ""])
    sheet.append(["Nông Văn Ba", "03/04/1987", "chi bộ mới một", "", ""])
    book.save(path)
    return path


def test_missing_cells_are_created_on_the_officers_choice(world, sign_in, live_server, tmp_path):
    page = sign_in("canbo_a")
    page.goto(f"{live_server.url}/to-chuc/nhap-danh-sach/")
    page.get_by_label("Tệp danh sách (.xlsx)").set_input_files(
        str(roster_with_new_cells(tmp_path / "ds.xlsx"))
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    # Said as it is: the cells do not exist; not "nothing to write".
    missing = page.locator("#missing-organizations")
    expect(missing).to_contain_text("2 tổ chức ghi trong tệp không có trong Đảng ủy Khối A")
    expect(missing).to_contain_text("Chi bộ Mới Một")
    expect(page.get_by_text("Không có gì để ghi")).to_have_count(0)
    # How the messy values were read.
    readings = page.locator("#readings")
    expect(readings).to_contain_text("1/2/85")
    expect(readings).to_contain_text("01/02/1985")
    expect(readings.get_by_role("row").filter(has_text="DVDB")).to_contain_text("dự bị")
    page.get_by_label("Tạo các chi bộ này trực thuộc tổ chức đã chọn, rồi nhập").check()
    page.get_by_label("Tôi đã kiểm tra danh sách trên.").check()
    page.get_by_role("button", name="Kiểm tra lại tệp với lựa chọn này").click()
    expect(page.locator("#missing-organizations")).to_contain_text(
        "Các chi bộ sau sẽ được tạo trực thuộc Đảng ủy Khối A", timeout=15000
    )
    page.get_by_role("button", name="Nhập các dòng hợp lệ").click()
    expect(page.get_by_text(re.compile("Đã nhập lúc"))).to_be_visible(timeout=15000)
    one = Person.objects.get(full_name="Nông Văn Một")
    assert one.organization.name == "Chi bộ Mới Một"
    assert one.organization.parent == world.org_a
    assert one.date_of_birth == dt.date(1985, 2, 1)
    assert Person.objects.get(full_name="Nông Văn Ba").organization == one.organization
