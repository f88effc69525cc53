"""Charts: SVG the strict CSP allows (no style attribute, no script), and the same as PNG."""

from decimal import Decimal

from llct.monitoring import charts


def line():
    return charts.LineChart(
        title="Tỷ lệ <đạt>",
        categories=["2021", "2022", "2023"],
        series=[
            charts.Series("Giá trị", [Decimal("90.3"), None, Decimal("97.1")]),
            charts.Series("Mốc", [Decimal(90), Decimal(93), Decimal(95)], dashed=True),
        ],
        y_max=Decimal(100),
    )


def bars():
    return charts.BarChart(
        title="Xếp hạng",
        bars=[
            charts.Bar("Đảng ủy Khối A", Decimal("96.5"), "on_track", "193/200"),
            charts.Bar("Đảng ủy Khối B & C", None),
        ],
        reference=Decimal(95),
        reference_label="mốc 95",
    )


def test_svg_has_no_style_attribute_or_script_and_escapes_text():
    for chart in (line(), bars()):
        svg = str(charts.render_svg(chart, ident="x"))
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert "style=" not in svg and "<script" not in svg and "<style" not in svg
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Tỷ lệ &lt;đạt&gt;" in str(charts.render_svg(line()))
    assert "Khối B &amp; C" in str(charts.render_svg(bars()))


def test_a_missing_value_breaks_no_chart():
    svg = str(charts.render_svg(line()))
    assert svg.count("<circle") == 5  # two values and three milestones


def test_data_tables_carry_the_same_numbers():
    headers, rows = line().table
    assert headers == ["", "2021", "2022", "2023"]
    assert rows[0] == ["Giá trị", "90,3", "–", "97,1"]
    assert bars().table[1][0] == ["Đảng ủy Khối A", "96,5", "193/200"]


def test_png_comes_from_the_same_definition():
    png = charts.chart_png(bars(), scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    assert width == 640
