"""The charts of a report, drawn by llct.monitoring.charts (one definition: SVG on a page, PNG
in a document), from the report's own figures."""

from decimal import Decimal

from llct.monitoring.charts import Bar, BarChart, chart_png
from llct.reviews import figures as fig

MAX_BARS = 30


def _rate(passed: int, total: int) -> Decimal | None:
    if not total:
        return None
    return (Decimal(passed) * 100 / Decimal(total)).quantize(Decimal("0.1"))


def report_bar_charts(figures: fig.Figures) -> list[BarChart]:
    charts = []
    if figures.programmes:
        charts.append(
            BarChart(
                title="Tỷ lệ học viên đạt yêu cầu theo chương trình (%)",
                bars=[
                    Bar(
                        label=line.label,
                        value=_rate(line.passed, line.with_results),
                        note=f"{line.passed}/{line.with_results}",
                    )
                    for line in figures.programmes
                ],
                x_max=Decimal(100),
            )
        )
    # The thirty organizations with most learners: a chart of hundreds of bars reads as none.
    busiest = sorted(figures.children, key=lambda row: -row.line.with_results)[:MAX_BARS]
    if busiest:
        charts.append(
            BarChart(
                title="Tỷ lệ học viên đạt yêu cầu theo tổ chức đảng (%)",
                bars=[
                    Bar(
                        label=row.organization.name,
                        value=_rate(row.line.passed, row.line.with_results),
                        note=f"{row.line.passed}/{row.line.with_results}",
                    )
                    for row in busiest
                ],
                x_max=Decimal(100),
            )
        )
    return charts


def report_charts(figures: fig.Figures) -> list[tuple[bytes, str]]:
    """(PNG, caption) of each chart, for the .docx."""
    return [(chart_png(chart), chart.title) for chart in report_bar_charts(figures)]
