"""A report's figures come from the indicator registry and roll up the tree: a parent's
figures are the sum of its children's (and its own), never retyped."""

from decimal import Decimal

import pytest

from llct.monitoring import indicators
from llct.monitoring.indicators import Value
from llct.reviews import figures as fig
from llct.reviews.tests.factories import H1_END, H1_START, results_world

pytestmark = pytest.mark.django_db


def _figures(org, children=None):
    return fig.report_figures(organization=org, start=H1_START, end=H1_END, children=children)


def test_roll_up_across_three_levels_equals_the_sum_of_the_children(world):
    results_world(world)
    province = _figures(world.province)
    a = _figures(world.org_a)
    b = _figures(world.org_b)
    a1 = _figures(world.org_a1)
    b1 = _figures(world.org_b1)
    # Leaves: A1 has 4 learners with results, 3 passed; B1 3 and 2.
    assert (a1.total.with_results, a1.total.passed) == (4, 3)
    assert (b1.total.with_results, b1.total.passed) == (3, 2)
    # A = A1 + A's own two; B = B1; the province = A + B.
    assert (a.total.with_results, a.total.passed) == (6, 5)
    assert (b.total.with_results, b.total.passed) == (3, 2)
    for attr in ("with_results", "passed", "enrolled", "courses_planned", "courses_held"):
        assert getattr(province.total, attr) == getattr(a.total, attr) + getattr(b.total, attr)
    for band in fig.BANDS:
        assert province.total.bands[band] == a.total.bands[band] + b.total.bands[band]
    assert province.budget == a.budget + b.budget
    assert province.rating == a.rating + b.rating
    # The children's rows of the province's report are A's and B's own figures.
    rows = {row.organization.pk: row for row in province.children}
    assert rows[world.org_a.pk].line.passed == a.total.passed
    assert rows[world.org_b.pk].line.courses_planned == b.total.courses_planned


def test_totals_are_the_registrys_own_values(world):
    results_world(world)
    province = _figures(world.province)
    pass_rate = indicators.get("pass_rate").compute(org=world.province, as_of=H1_END, year=2026)
    assert province.total.passed == pass_rate.numerator == 7
    assert province.total.with_results == pass_rate.denominator == 9
    held = indicators.get("courses_held").compute(org=world.province, as_of=H1_END, year=2026)
    assert (province.total.courses_held, province.total.courses_planned) == (
        held.numerator,
        held.denominator,
    )
    assert province.budget == Value(Decimal(12_500_000), Decimal(24_000_000))
    by_code = {line.code: line for line in province.indicators}
    assert by_code["pass_rate"].value == pass_rate


def test_bands_and_programmes_add_up_to_the_total(world):
    results_world(world)
    province = _figures(world.province)
    assert sum(line.with_results for line in province.programmes) == province.total.with_results
    assert sum(province.total.bands.values()) == province.total.with_results
    assert province.total.bands["excellent"] == 2
    assert province.total.bands["fail"] == 2


def test_queries_do_not_grow_with_organizations(world, django_assert_max_num_queries):
    results_world(world)
    with django_assert_max_num_queries(40) as few:
        fig.report_figures(
            organization=world.province, start=H1_START, end=H1_END, with_indicators=False
        )
    baseline = len(few.captured_queries)
    from llct.organizations.tests.factories import make_org

    for n in range(6):
        make_org(f"Đảng ủy thêm {n}", parent=world.province, kind_code="truc_thuoc")
    with django_assert_max_num_queries(baseline):
        fig.report_figures(
            organization=world.province, start=H1_START, end=H1_END, with_indicators=False
        )


def test_an_empty_period_gives_zeros_not_errors(world):
    empty = _figures(world.org_b1)
    assert empty.total.with_results == 0
    assert empty.total.pass_rate == "—"


def test_heavy_indicators_are_read_from_the_snapshot_of_that_very_date(world):
    from llct.monitoring.models import IndicatorSnapshot

    heavy = [i for i in indicators.all_indicators() if i.heavy]
    assert heavy, "the registry flags its costly indicators"
    IndicatorSnapshot.objects.create(
        indicator=heavy[0].code,
        organization=world.province,
        year=2026,
        numerator=Decimal(3),
        denominator=Decimal(4),
        as_of=H1_END,
    )
    lines = {line.code: line for line in _figures(world.province).indicators}
    assert lines[heavy[0].code].value == Value(Decimal(3), Decimal(4))
    # A snapshot of another date is not this report's value.
    IndicatorSnapshot.objects.update(as_of=H1_START)
    lines = {line.code: line for line in _figures(world.province).indicators}
    assert lines[heavy[0].code].value != Value(Decimal(3), Decimal(4))
