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
