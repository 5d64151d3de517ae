"""Charts as SVG drawn on the server: no script, no external font, readable without colour.

Each chart carries a <title> and <desc> (its text alternative) and is always shown
beside a table of the same data. Values are written on the bars so that nothing is
told by length or colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

_INK = "#1a1a1a"
_BAR = "#0b5cad"  # contrast 6.9:1 against white
_GRID = "#c8c8c8"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None  # a percentage 0–100; None when nothing could be graded


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def bar_chart(bars: list[Bar], *, title: str, description: str, chart_id: str) -> str:
    """Horizontal bars of percentages, one per label."""
    row, label_width, plot_width = 34, 220, 420
    height = 30 + row * len(bars) + 20
    width = label_width + plot_width + 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for tick in (0, 50, 70, 100):
        x = label_width + plot_width * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{height - 20}" stroke="{_GRID}" stroke-dasharray="3 3"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="14" font-size="11" text-anchor="middle" fill="{_INK}">{tick}%</text>'
        )
    for index, bar in enumerate(bars):
        y = 30 + row * index
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 18}" font-size="13" text-anchor="end" fill="{_INK}">{escape(bar.label)}</text>'
        )
        if bar.value is not None:
            length = plot_width * float(min(max(bar.value, Decimal(0)), Decimal(100))) / 100
            parts.append(
                f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="20" fill="{_BAR}"/>'
            )
        parts.append(
            f'<text x="{label_width + plot_width + 8}" y="{y + 18}" font-size="13" fill="{_INK}">{_pct(bar.value)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def line_chart(points: list[Bar], *, title: str, description: str, chart_id: str) -> str:
    """A trend of percentages across years (labels are the years), with each value printed."""
    left, top, plot_width, plot_height = 50, 24, 520, 200
    width, height = left + plot_width + 40, top + plot_height + 50
    step = plot_width / max(len(points) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for tick in (0, 50, 100):
        y = top + plot_height * (1 - tick / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_width}" y2="{y:.1f}" stroke="{_GRID}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{_INK}">{tick}%</text>'
        )
    coords = []
    for index, point in enumerate(points):
        x = left + step * index if len(points) > 1 else left + plot_width / 2
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_height + 20}" font-size="12" text-anchor="middle" fill="{_INK}">{escape(point.label)}</text>'
        )
        if point.value is None:
            continue
        y = top + plot_height * (1 - float(point.value) / 100)
        coords.append(f"{x:.1f},{y:.1f}")
        # A square marker and the printed value: the trend reads without colour or shape.
        parts.append(f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{_BAR}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{y - 10:.1f}" font-size="12" text-anchor="middle" fill="{_INK}">{_pct(point.value)}</text>'
        )
    if len(coords) > 1:
        parts.insert(
            3, f'<polyline points="{" ".join(coords)}" fill="none" stroke="{_BAR}" stroke-width="2"/>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
