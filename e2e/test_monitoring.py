"""A leader reads the project dashboard in a browser under the strict CSP, opens the number
behind a target, and exports its list to Excel; on a phone the charts still fit."""

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from llct.assessment.models import GradeBand
from llct.curriculum.models import Programme
from llct.monitoring.models import Milestone, Project, Target
from llct.monitoring.tests import factories as f
from llct.organizations.tests.factories import make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _project(world):
    year = timezone.localdate().year
    project = Project.objects.create(
        number="15-ĐA/TU",
        title="Đề án đổi mới giáo dục lý luận chính trị",
        issuer=world.province,
        start_year=year,
        end_year=year + 4,
    )
    target = Target.objects.create(
        project=project,
        code="1.3",
        indicator="pass_rate",
        title="Tỷ lệ học viên hoàn thành chương trình",
        final_value=Decimal(98),
    )
    Milestone.objects.create(target=target, year=year, value=Decimal(90))
    start = dt.date(year, 1, 5)
    held = f.course(
        Programme.Kind.SO_CAP,
        world.province,
        starts_on=start,
        ends_on=start + dt.timedelta(days=3),
        approved_on=start + dt.timedelta(days=5),
    )
    f.result(held, make_person(world.org_a1, "Hà Văn Đạt"), passed=True, band=GradeBand.GOOD)
    f.result(held, make_person(world.org_b1, "Hà Thị Giỏi"), passed=True, band=GradeBand.GOOD)
    f.result(held, make_person(world.org_b1, "Hà Văn Trượt"), passed=False, band=GradeBand.FAIL)
    return project


def test_leader_reads_the_dashboard_opens_a_number_and_exports_it(world, sign_in, live_server):
    project = _project(world)
    page = sign_in("lanhdao")
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)

    page.locator("summary", has_text="Đề án").click()
    page.get_by_role("link", name="Đề án").first.click()
    page.get_by_role("link", name="Bảng điều khiển").first.click()
    expect(page.get_by_role("heading", name=re.compile("Đề án đổi mới giáo dục"))).to_be_visible()
    card = page.locator(f"#target-{project.targets.get().pk}")
    expect(card.get_by_text("Chậm tiến độ").first).to_be_visible()  # 66.7% against 90%
    expect(page.get_by_text("Cách đánh giá tiến độ")).to_be_visible()
    # Charts are drawn (with their colours: presentation attributes, not inline styles).
    chart = card.locator("svg.chart").first
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 100
    expect(card.locator("svg.chart rect[fill='#c0392b']").first).to_be_attached()
    expect(card.get_by_role("rowheader", name="Đảng ủy Khối B")).to_be_visible()

    card.locator("a.value-link").click()
    expect(
        page.get_by_role("heading", name="Tỷ lệ học viên hoàn thành chương trình")
    ).to_be_visible()
    table = page.locator("table.listing")
    expect(table.get_by_role("link", name="Hà Văn Trượt")).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(3)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Xuất ra Excel (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    # The download's path has no extension, which openpyxl refuses: read it as bytes.
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    names = sorted(row[0] for row in list(sheet.values)[1:])
    assert names == ["Hà Thị Giỏi", "Hà Văn Trượt", "Hà Văn Đạt"]
    assert blocked == []


def test_charts_fit_a_phone(world, sign_in, live_server, page):
    project = _project(world)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("lanhdao")
    page.goto(f"{live_server.url}/de-an/{project.pk}/bang-dieu-khien/")
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_home_page_comes_at_once_and_its_watchlist_counts_follow(world, sign_in, page):
    """The counts go over every person of the subtree: the page does not wait for them. On a
    slow network the card says it is counting, then shows the tiles; the next visit has them
    from the shared cache, on the page itself."""
    admitted = timezone.localdate() - dt.timedelta(days=340)  # probation ends within the month
    make_person(world.org_a1, "Hà Văn Dự Bị", stage="probationary", admitted_on=admitted)
    held = []

    def slow(route):
        held.append(route.request.url)
        page.wait_for_timeout(800)
        route.continue_()

    page.route("**/de-an/canh-bao/dem/**", slow)
    sign_in("bantuyengiao")  # lands on the home page
    card = page.locator("#watchlists")
    expect(card).to_contain_text("Đang đếm…")
    probation = card.locator("a", has_text="Sắp hết dự bị")
    expect(probation).to_contain_text("1")
    expect(card).not_to_contain_text("Đang đếm…")
    assert len(held) == 1
    page.reload()
    expect(page.locator("#watchlists a", has_text="Sắp hết dự bị")).to_contain_text("1")
    assert len(held) == 1  # from the shared cache: no second request
