"""Charts drawn on the server as SVG.

An SVG chart is an image in its own right (the dashboard offers it for download as it is, and
the page turns it into a PNG in the browser), scales to any screen through its ``viewBox``,
needs no script to appear, and says what it shows to a screen reader through its title and
description. Every chart keeps the table it was drawn from, for the CSV and XLSX downloads.
"""

import datetime
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

PALETTE = ("#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a085")
FONT = "'PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif"


@dataclass
class Series:
    name: str
    points: list  # [(datetime.date, number)]
    dashed: bool = False


@dataclass
class Chart:
    key: str
    title: str
    description: str
    headers: list  # [(title, column width)]
    rows: list  # lists of values
    svg: str = ""

    @property
    def markup(self):
        return mark_safe(self.svg)  # noqa: S308  (built from escaped text only)

    @property
    def rows_html(self):
        """The data table's body rows, as the template would write them (each value
        localised and escaped, None as a dash) but in one pass: a page of charts holds
        thousands of cells, and a template loop per cell made up most of its time."""
        point = get_format("DECIMAL_SEPARATOR")

        def cell(value) -> str:
            if value is None:
                return "—"
            if type(value) is int:  # no thousands separator on this site: as localize writes it
                return str(value)
            if type(value) is float and point == "." and "e" not in (text := str(value)):
                return text
            return conditional_escape(localize(value))

        return mark_safe(  # noqa: S308  (text goes through conditional_escape; numbers are digits)
            "".join(
                "<tr>" + "".join(f"<td>{cell(value)}</td>" for value in row) + "</tr>"
                for row in self.rows
            )
        )


def _attr(text) -> str:
    return escape(str(text), {'"': "&quot;"})


def nice_max(value: float, ticks: int = 4) -> float:
    """Where the axis ends: the first multiple of a round step (1, 2, 2.5 or 5 times a power
    of ten, whole numbers only) that reaches ``value`` in ``ticks`` steps."""
    if value <= 0:
        return ticks
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw and (step >= 10 or step == int(step)):
            return max(step, 1) * ticks
    return 10 * magnitude * ticks


def _number(value: float) -> str:
    if value >= 10_000:
        text = f"{value / 10_000:.1f}".rstrip("0").rstrip(".")
        return f"{text}万"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _open(width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-family="{_attr(FONT)}" '
        f'font-size="13" class="chart-svg">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def line_svg(
    *,
    title: str,
    description: str,
    series: list[Series],
    targets: list[tuple[float, str]] = (),
    markers: list[tuple[datetime.date, str]] = (),
    width: int = 720,
    height: int = 340,
) -> str:
    """Lines over time, with horizontal target lines and vertical date markers."""
    left, right, top, bottom = 64, 24, 20, 62
    days = [d for s in series for d, _v in s.points] + [d for d, _label in markers]
    values = [v for s in series for _d, v in s.points] + [v for v, _label in targets]
    parts = _open(width, height, title, description)
    if not days:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#666">–</text>'
        )
        return "".join(parts) + "</svg>"
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    top_value = nice_max(max(values or [1]) * 1.05)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(day):
        return left + plot_w * (day - first).days / span

    def y(value):
        return top + plot_h * (1 - value / top_value)

    for step in range(5):
        value = top_value * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#e3e6ea"/><text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'fill="#555">{_number(value)}</text>'
        )
    years = range(first.year + (first.month > 1 or first.day > 1), last.year + 1)
    every = max(1, math.ceil(len(years) / 8))
    for year in list(years)[::every]:
        day = datetime.date(year, 1, 1)
        parts.append(
            f'<text x="{x(day):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'fill="#555">{year}</text>'
        )
    for value, label in targets:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#c0392b" stroke-dasharray="6 4"/><text x="{width - right - 4}" '
            f'y="{y(value) - 6:.1f}" text-anchor="end" fill="#c0392b">{escape(label)}</text>'
        )
    for day, label in markers:
        parts.append(
            f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{top}" y2="{top + plot_h}" '
            f'stroke="#888" stroke-dasharray="2 3"/><text x="{x(day) - 4:.1f}" y="{top + 12}" '
            f'text-anchor="end" fill="#555">{escape(label)}</text>'
        )
    for index, line in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        if not line.points:
            continue
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in line.points)
        dash = ' stroke-dasharray="5 4"' if line.dashed else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.2"{dash}/>'
        )
    # The legend, under the axis.
    cursor = left
    for index, line in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        dash = ' stroke-dasharray="5 4"' if line.dashed else ""
        parts.append(
            f'<line x1="{cursor}" x2="{cursor + 18}" y1="{height - 16}" y2="{height - 16}" '
            f'stroke="{colour}" stroke-width="3"{dash}/><text x="{cursor + 22}" '
            f'y="{height - 12}" fill="#333">{escape(line.name)}</text>'
        )
        cursor += 40 + 13 * len(line.name)
    return "".join(parts) + "</svg>"


def bars_svg(*, title: str, description: str, bars: list[tuple[str, float]], width: int = 720):
    """Horizontal bars, longest first as given, each labelled with its value."""
    left, right, row, top = 150, 70, 26, 10
    height = top * 2 + row * max(len(bars), 1)
    parts = _open(width, height, title, description)
    if not bars:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" fill="#666">–</text>'
        )
        return "".join(parts) + "</svg>"
    top_value = max(value for _label, value in bars) or 1
    plot_w = width - left - right
    for index, (label, value) in enumerate(bars):
        y = top + index * row
        length = plot_w * value / top_value
        short = label if len(label) <= 11 else label[:10] + "…"
        parts.append(
            f'<text x="{left - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end" fill="#333">'
            f"<title>{escape(label)}</title>{escape(short)}</text>"
            f'<rect x="{left}" y="{y + 4}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{PALETTE[0]}" rx="2"/><text x="{left + length + 6:.1f}" '
            f'y="{y + row / 2 + 4:.1f}" fill="#333">{_number(value)}</text>'
        )
    return "".join(parts) + "</svg>"
