"""The dashboard, the list behind each number and its export: who sees what, and how many
queries it takes."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from llct.assessment.models import GradeBand
from llct.curriculum.models import Programme
from llct.monitoring import dashboard
from llct.monitoring.models import IndicatorSnapshot, Milestone, Project, Target
from llct.monitoring.services import snapshots_compute
from llct.monitoring.tests import factories as f
from llct.organizations.tests.factories import make_org, make_person

NOW = dt.datetime(2026, 6, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
TODAY = NOW.date()


@pytest.fixture
def steered(world):
    """A 2026–2030 project with a pass-rate target (milestone 90 in 2026), A at 100% and B at
    50%, and a target measured by hand."""
    project = Project.objects.create(
        number="15-ĐA/TU", title="Đề án thử", issuer=world.province, start_year=2026, end_year=2030
    )
    target = Target.objects.create(
        project=project,
        code="1.1",
        title="Tỷ lệ học viên đạt",
        indicator="pass_rate",
        final_value=Decimal(98),
    )
    Milestone.objects.create(target=target, year=2026, value=Decimal(90))
    Milestone.objects.create(target=target, year=2025, value=Decimal(85))
    manual = Target.objects.create(
        project=project, code="1.2", title="Hội trường đạt chuẩn", final_value=Decimal(100)
    )
    Milestone.objects.create(target=manual, year=2026, value=Decimal(80))
    held = f.course(
        Programme.Kind.SO_CAP,
        world.province,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 20),
        approved_on=dt.date(2026, 4, 1),
    )
    f.result(held, make_person(world.org_a1, "Cao Văn Đạt"), passed=True, band=GradeBand.GOOD)
    f.result(held, make_person(world.org_b1, "Cao Văn Giỏi"), passed=True, band=GradeBand.GOOD)
    f.result(held, make_person(world.org_b1, "Cao Văn Trượt"), passed=False, band=GradeBand.FAIL)
    world.project, world.target = project, target
    return world


def test_status_rule_on_the_edges():
    def status(value, milestone, direction="at_least", unit="percent"):
        return dashboard.status_of(
            Decimal(value), Decimal(milestone), direction=direction, unit=unit, points=Decimal(5)
        )

    assert status("90", "90") == dashboard.ON_TRACK
    assert status("85", "90") == dashboard.AT_RISK
    assert status("84.9", "90") == dashboard.OFF_TRACK
    assert status("12", "10", direction="at_most") == dashboard.AT_RISK
    assert status("3.8", "4.0", unit="points") == dashboard.AT_RISK  # within 5% of 4.0
    assert status("3.79", "4.0", unit="points") == dashboard.OFF_TRACK


@time_machine.travel(NOW, tick=False)
def test_leader_reads_values_milestones_status_and_ranking(client, steered):
    client.force_login(steered.leader)
    page = client.get(reverse("monitoring:dashboard", args=[steered.project.pk])).text
    assert "66,7" in page  # 2 of 3 passed in the province
    assert "Chậm tiến độ" in page  # 66.7 against 90
    assert "Đảng ủy Khối A" in page and "Đảng ủy Khối B" in page
    assert "Cách đánh giá tiến độ" in page
    assert "<svg" in page and "style=" not in page.split("<main", 1)[1]
    assert "nhập tay có minh chứng" in page


@time_machine.travel(NOW, tick=False)
def test_officer_sees_their_subtree_only(client, steered):
    client.force_login(steered.officer_a)
    url = reverse("monitoring:dashboard", args=[steered.project.pk])
    page = client.get(url).text
    assert "Đảng ủy Khối A" in page and "Đảng ủy Khối B" not in page
    assert "100,0" in page
    assert client.get(url, {"org": steered.org_b.pk}).status_code == 404
    assert client.get(url, {"org": steered.province.pk}).status_code == 404


def test_learners_and_lecturers_may_not_open_projects(client, steered):
    client.force_login(steered.learner)
    assert client.get(reverse("monitoring:projects")).status_code == 403
    assert client.get(reverse("monitoring:dashboard", args=[steered.project.pk])).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_dashboard_queries_do_not_grow_with_organizations(
    client, steered, django_assert_max_num_queries
):
    client.force_login(steered.leader)
    url = reverse("monitoring:dashboard", args=[steered.project.pk])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(12):
        branch = make_org(f"Đảng ủy thêm {n}", parent=steered.province, kind_code="truc_thuoc")
        make_person(make_org(f"Chi bộ thêm {n}", parent=branch), f"Người Thêm {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).text
    assert "Đảng ủy thêm 11" in page


def test_past_year_reads_the_stored_snapshots(client, steered):
    snapshots_compute(year=2026)
    IndicatorSnapshot.objects.filter(organization=steered.province).update(
        numerator=Decimal(86), denominator=Decimal(100)
    )
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, tzinfo=NOW.tzinfo), tick=False):
        client.force_login(steered.leader)
        page = client.get(
            reverse("monitoring:dashboard", args=[steered.project.pk]), {"year": 2026}
        ).text
        assert "86,0" in page and "số liệu chốt cuối năm" in page
        # A date asks for the live value as of it.
        live = client.get(
            reverse("monitoring:dashboard", args=[steered.project.pk]),
            {"year": 2026, "as_of": "2026-12-31"},
        ).text
        assert "66,7" in live


@time_machine.travel(NOW, tick=False)
def test_a_number_opens_its_list_and_exports_it(client, steered, django_assert_max_num_queries):
    client.force_login(steered.leader)
    query = {"org": steered.province.pk, "year": 2026}
    url = reverse("monitoring:indicator_list", args=["pass_rate"])
    with django_assert_max_num_queries(12):
        page = client.get(url, query).text
    assert "Cao Văn Đạt" in page and "Cao Văn Trượt" in page
    export = client.get(reverse("monitoring:indicator_export", args=["pass_rate"]), query)
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Họ và tên" and rows[0][-1] == "Được tính vào tử số"
    assert sorted(r[0] for r in rows[1:]) == ["Cao Văn Giỏi", "Cao Văn Trượt", "Cao Văn Đạt"]


@time_machine.travel(NOW, tick=False)
def test_officer_of_a_never_gets_b_names_or_numbers(client, steered):
    client.force_login(steered.officer_a)
    url = reverse("monitoring:indicator_list", args=["pass_rate"])
    assert client.get(url, {"org": steered.org_b.pk, "year": 2026}).status_code == 404
    export = reverse("monitoring:indicator_export", args=["pass_rate"])
    assert client.get(export, {"org": steered.org_b.pk, "year": 2026}).status_code == 404
    mine = client.get(url, {"year": 2026}).text  # defaults to the officer's own organization
    assert "Cao Văn Đạt" in mine and "Cao Văn Giỏi" not in mine


def test_unknown_indicator_is_404(client, steered):
    client.force_login(steered.leader)
    assert client.get(reverse("monitoring:indicator_list", args=["nope"])).status_code == 404


def test_snapshots_store_every_subtree_as_computed(steered):
    rows = snapshots_compute(year=2026, as_of=TODAY)
    assert rows == 5  # one used indicator for five organizations
    stored = {
        s.organization_id: (s.numerator, s.denominator)
        for s in IndicatorSnapshot.objects.filter(year=2026)
    }
    assert stored[steered.province.pk] == (Decimal(2), Decimal(3))
    assert stored[steered.org_b.pk] == (Decimal(1), Decimal(2))
    snapshots_compute(year=2026, as_of=TODAY)  # again: updated in place
    assert IndicatorSnapshot.objects.count() == 5


@time_machine.travel(NOW, tick=False)
def test_chart_png_for_reports(client, steered):
    client.force_login(steered.leader)
    response = client.get(reverse("monitoring:target_chart_png", args=[steered.target.pk]))
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_a_long_ranking_shows_both_ends():
    from llct.organizations.models import Organization

    view = dashboard.TargetView(
        target=Target(title="t", direction="at_least", final_value=Decimal(1)),
        unit="percent",
        unit_label="%",
        milestone=Decimal(50),
        measure=dashboard.Measure(None),
        status=dashboard.NO_DATA,
        ranking=[
            dashboard.Ranked(
                Organization(pk=n, name=f"O{n:02d}"),
                dashboard.Measure(Decimal(n)),
                dashboard.ON_TRACK,
            )
            for n in range(40)
        ],
    )
    chart = dashboard.ranking_chart(view, limit=10)
    assert [b.label for b in chart.bars] == [
        "O39",
        "O38",
        "O37",
        "O36",
        "O35",
        "O04",
        "O03",
        "O02",
        "O01",
        "O00",
    ]
    assert chart.left_out == 30


@time_machine.travel(NOW, tick=False)
def test_heavy_indicator_reads_its_snapshot_even_for_new_organizations(
    client, steered, django_assert_max_num_queries
):
    from llct.planning.tests.factories import year_round as make_round

    make_round(2026)
    Target.objects.create(
        project=steered.project,
        code="1.8",
        title="Cử đi học",
        indicator="nominated_required",
        final_value=Decimal(95),
    )
    snapshots_compute(year=2026, as_of=TODAY)
    client.force_login(steered.leader)
    url = reverse("monitoring:dashboard", args=[steered.project.pk])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    make_org("Đảng ủy mới lập", parent=steered.province, kind_code="truc_thuoc")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).text
    assert "Đảng ủy mới lập" in page


@time_machine.travel(NOW, tick=False)
def test_the_dashboards_watchlist_card_follows_for_the_organization_shown(client, steered):
    client.force_login(steered.officer_a)
    url = reverse("monitoring:dashboard", args=[steered.project.pk])
    counts_url = reverse("monitoring:watchlist_counts")
    page = client.get(url, {"org": steered.org_a1.pk}).text
    # Not counted yet: the dashboard does not wait; its card asks for the organization's counts.
    assert f'hx-get="{counts_url}?org={steered.org_a1.pk}"' in page and "Đang đếm…" in page
    card = client.get(counts_url, {"org": steered.org_a1.pk}, headers={"HX-Request": "true"})
    assert card.status_code == 200 and f"?org={steered.org_a1.pk}#" in card.text
    assert "Đang đếm…" not in client.get(url, {"org": steered.org_a1.pk}).text  # now cached
    assert client.get(counts_url, {"org": steered.org_b.pk}).status_code == 404
    assert client.get(counts_url, {"org": "x'\"<>"}).status_code == 404
