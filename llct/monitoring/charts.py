"""Charts from one definition: SVG for the page, PNG for documents.

A chart is a small dataclass (`LineChart`, `BarChart`). `render_svg` draws it as SVG with
presentation attributes only (no style attributes, no script: the strict CSP allows it inline),
a <title> and <desc> for screen readers, and a viewBox so it scales to a phone's width and
prints. `chart_png` rasterizes the very same SVG with CairoSVG, for .docx reports. Each page
shows the chart's data as a table beside it (`Chart.table`).

Why not matplotlib: its SVG carries style attributes the CSP refuses, it takes about half a
second to import and tens of milliseconds per chart, against about a millisecond here (see
docs/ARCHITECTURE.md).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
INK = "#1f2933"
MUTED = "#5f6b7a"
GRID = "#d9dee5"
COLOURS = {
    "on_track": "#1e7b46",
    "at_risk": "#b7791f",
    "off_track": "#c0392b",
    "none": "#8a94a3",
    "value": "#0b57a4",
    "milestone": "#b7791f",
}


def fmt(value: Decimal | None, decimals: int = 1) -> str:
    """A number the way the active language writes it (90,5 / 1.234 in Vietnamese). Charts
    format hundreds of numbers: the separators are looked up once per language, not per
    number as Django's number_format does."""
    if value is None:
        return "–"
    decimal_sep, thousand_sep = _separators(get_language() or "")
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal_sep).replace("\0", thousand_sep)


@lru_cache(maxsize=8)
def _separators(language: str) -> tuple[str, str]:
    return str(get_format("DECIMAL_SEPARATOR")), str(get_format("THOUSAND_SEPARATOR"))


@dataclass
class Series:
    label: str
    values: list[Decimal | None]
    colour: str = COLOURS["value"]
    dashed: bool = False


@dataclass
class LineChart:
    """Values by year: the target's values and its milestones."""

    title: str
    categories: list[str]
    series: list[Series]
    unit: str = "%"
    y_max: Decimal | None = None  # 100 for percentages
    decimals: int = 1

    @property
    def table(self) -> tuple[list[str], list[list[str]]]:
        """Years across, one row per series: narrow enough for a phone."""
        headers = ["", *self.categories]
        rows = [[s.label, *[fmt(v, self.decimals) for v in s.values]] for s in self.series]
        return headers, rows


@dataclass
class Bar:
    label: str
    value: Decimal | None
    status: str = "none"  # on_track | at_risk | off_track | none
    note: str = ""  # e.g. "12/15"
    url: str = ""
    key: int = 0  # what the bar stands for (an organization's id), for links beside it


@dataclass
class BarChart:
    """Organizations ranked: one horizontal bar each, a line at the milestone."""

    title: str
    bars: list[Bar]
    unit: str = "%"
    reference: Decimal | None = None
    reference_label: str = ""
    x_max: Decimal | None = None
    decimals: int = 1
    headers: list[str] = field(default_factory=list)
    left_out: int = 0  # organizations ranked between the bars shown

    @property
    def table(self) -> tuple[list[str], list[list[str]]]:
        headers = self.headers or ["", self.unit, ""]
        rows = [[b.label, fmt(b.value, self.decimals), b.note] for b in self.bars]
        return headers, rows


Chart = LineChart | BarChart


QUOTE = {'"': "&quot;"}


def _attrs(**attrs: Any) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = escape(value, QUOTE) if isinstance(value, str) else str(value)
        parts.append(f'{name}="{text}"')
    return " ".join(parts)


def _el(tag: str, text: str = "", **attrs: Any) -> str:
    if text:
        return f"<{tag} {_attrs(**attrs)}>{escape(text)}</{tag}>"
    return f"<{tag} {_attrs(**attrs)}/>"


def _nice_max(values: Sequence[Decimal | None], floor: Decimal | None) -> Decimal:
    top = max([v for v in values if v is not None] + [Decimal(0)])
    if floor is not None:
        return max(floor, top)
    if top <= 0:
        return Decimal(1)
    for step in (Decimal("0.5"), Decimal(1), Decimal(2), Decimal(5), Decimal(10)):
        for scale in (Decimal(1), Decimal(10), Decimal(100), Decimal(1000)):
            nice = step * scale
            if nice >= top:
                return nice
    return top


def _svg_open(width: int, height: int, title: str, desc: str, ident: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart" '
        f'aria-labelledby="{ident}-t {ident}-d" font-family="{FONT}" font-size="13" '
        f'fill="{INK}">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
    )


def _line_svg(chart: LineChart, ident: str) -> str:
    width, height = 640, 300
    left, right, top, bottom = 48, 16, 50, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    all_values = [v for s in chart.series for v in s.values]
    y_max = _nice_max(all_values, chart.y_max)
    n = max(len(chart.categories), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: Decimal) -> float:
        return top + plot_h - float(v / y_max) * plot_h

    desc = "; ".join(
        f"{s.label}: "
        + ", ".join(
            f"{c} {fmt(v, chart.decimals)}" for c, v in zip(chart.categories, s.values, strict=True)
        )
        for s in chart.series
    )
    out = [_svg_open(width, height, chart.title, desc, ident)]
    steps = 5 if y_max == 5 else 4
    for k in range(steps + 1):
        v = y_max * k / steps
        yy = y(v)
        out.append(
            _el(
                "line",
                x1=left,
                x2=width - right,
                y1=f"{yy:.1f}",
                y2=f"{yy:.1f}",
                stroke=GRID,
                stroke_width=1,
            )
        )
        out.append(
            _el(
                "text",
                fmt(v, 0 if y_max >= 10 else 1),
                x=left - 6,
                y=f"{yy + 4:.1f}",
                text_anchor="end",
                fill=MUTED,
                font_size=11,
            )
        )
    for i, category in enumerate(chart.categories):
        out.append(
            _el(
                "text",
                category,
                x=f"{x(i):.1f}",
                y=height - bottom + 18,
                text_anchor="middle",
                fill=MUTED,
                font_size=12,
            )
        )
    legend_x = left
    for s in chart.series:
        points = [(x(i), y(v)) for i, v in enumerate(s.values) if v is not None]
        dash = "6 4" if s.dashed else None
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(
                _el(
                    "polyline",
                    points=path,
                    fill="none",
                    stroke=s.colour,
                    stroke_width=2.5,
                    stroke_dasharray=dash,
                    stroke_linejoin="round",
                )
            )
        for (px, py), v in zip(points, [v for v in s.values if v is not None], strict=True):
            out.append(_el("circle", cx=f"{px:.1f}", cy=f"{py:.1f}", r=4, fill=s.colour))
            if not s.dashed:
                out.append(
                    _el(
                        "text",
                        fmt(v, chart.decimals),
                        x=f"{px:.1f}",
                        y=f"{py - 9:.1f}",
                        text_anchor="middle",
                        font_size=11,
                        fill=INK,
                    )
                )
        out.append(
            _el(
                "line",
                x1=legend_x,
                x2=legend_x + 22,
                y1=14,
                y2=14,
                stroke=s.colour,
                stroke_width=2.5,
                stroke_dasharray=dash,
            )
        )
        out.append(_el("text", s.label, x=legend_x + 28, y=18, font_size=12))
        legend_x += 40 + int(len(s.label) * 7)
    out.append("</svg>")
    return "".join(out)


def _bar_svg(chart: BarChart, ident: str) -> str:
    row_h, top, bottom = 28, 12, 28
    label_w, value_w, width = 250, 56, 640
    height = top + bottom + row_h * max(len(chart.bars), 1)
    plot_w = width - label_w - value_w
    x_max = _nice_max([b.value for b in chart.bars] + [chart.reference], chart.x_max)

    def x(v: Decimal) -> float:
        return label_w + float(v / x_max) * plot_w

    desc = "; ".join(f"{b.label}: {fmt(b.value, chart.decimals)} {b.note}" for b in chart.bars)
    out = [_svg_open(width, height, chart.title, desc, ident)]
    for i, bar in enumerate(chart.bars):
        yy = top + i * row_h
        label = bar.label if len(bar.label) <= 32 else bar.label[:31] + "…"
        out.append(_el("text", label, x=label_w - 8, y=yy + 18, text_anchor="end", font_size=12))
        out.append(
            _el(
                "rect",
                x=label_w,
                y=yy + 5,
                width=f"{plot_w:.1f}",
                height=row_h - 10,
                fill="#f1f3f6",
            )
        )
        if bar.value is not None:
            out.append(
                _el(
                    "rect",
                    x=label_w,
                    y=yy + 5,
                    width=f"{x(bar.value) - label_w:.1f}",
                    height=row_h - 10,
                    fill=COLOURS.get(bar.status, COLOURS["none"]),
                )
            )
        # The numerator and denominator stay in the table: the label must fit a phone.
        out.append(
            _el(
                "text",
                fmt(bar.value, chart.decimals),
                x=label_w + plot_w + 6,
                y=yy + 18,
                font_size=12,
            )
        )
    if chart.reference is not None:
        rx = x(chart.reference)
        out.append(
            _el(
                "line",
                x1=f"{rx:.1f}",
                x2=f"{rx:.1f}",
                y1=top,
                y2=height - bottom + 4,
                stroke=INK,
                stroke_width=2,
                stroke_dasharray="5 3",
            )
        )
        out.append(
            _el(
                "text",
                chart.reference_label or fmt(chart.reference, chart.decimals),
                x=f"{rx:.1f}",
                y=height - 8,
                text_anchor="middle",
                font_size=11,
            )
        )
    out.append("</svg>")
    return "".join(out)


def render_svg(chart: Chart, *, ident: str = "chart") -> SafeString:
    """The chart as an inline SVG element (every text escaped)."""
    if isinstance(chart, LineChart):
        return mark_safe(_line_svg(chart, ident))
    return mark_safe(_bar_svg(chart, ident))


def chart_png(chart: Chart, *, scale: float = 2.0) -> bytes:
    """The same chart as a PNG (for .docx reports): the SVG above, rasterized by CairoSVG."""
    import cairosvg

    svg = render_svg(chart, ident="png")
    png: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    return png
