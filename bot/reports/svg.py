"""Charts as inline SVG: no scripts, fonts or images to fetch, crisp on screen and paper.

Values are the protected ones (rounded counts, shares); a hidden value is drawn as a gap
with a small dash on the axis, never as a bar of its true height.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

from bot.reports.model import Chart

WIDTH, HEIGHT = 680, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 46
COLOURS = ("#2f6f73", "#c9a227", "#8a5a83", "#5b6b7a")
GRID = "#e3e7ea"
INK = "#3b4650"


def nice_top(value: float) -> float:
    """A round number at or above ``value`` for the top of the axis."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * power:
            return step * power
    return 10.0 * power


def render(chart: Chart) -> str:
    """The chart as an ``<svg>`` element with a title and a text alternative."""
    values = [v for s in chart.series for v in s.values if v is not None]
    top = nice_top(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(1, len(chart.labels))
    slot = plot_w / n

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * v / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-labelledby="t-{chart.slug}" class="chart" '
             f'data-chart="{escape(chart.slug)}">',
             f'<title id="t-{chart.slug}">{escape(chart.title)}</title>']
    for i in range(6):
        v = top * i / 5
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" '
                     f'class="tick">{_number(v)}{escape(chart.unit)}</text>')
    every = max(1, math.ceil(n / 14))  # at most about 14 labels along the bottom
    for i, text in enumerate(chart.labels):
        if i % every == 0:
            x = LEFT + slot * (i + 0.5)
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                         f'class="tick">{escape(text)}</text>')
    if chart.kind == "bars":
        parts += _bars(chart, slot, y, plot_h)
    else:
        parts += _lines(chart, slot, y)
    parts += _legend(chart)
    parts.append("</svg>")
    return "".join(parts)


def _bars(chart: Chart, slot: float, y: Callable[[float], float], plot_h: float) -> list[str]:
    k = len(chart.series)
    width = min(36.0, slot * 0.8 / k)
    out = []
    for j, series in enumerate(chart.series):
        for i, v in enumerate(series.values):
            x = LEFT + slot * (i + 0.5) - width * k / 2 + width * j
            if v is None:
                base = TOP + plot_h
                out.append(f'<line x1="{x + 2:.1f}" x2="{x + width - 2:.1f}" y1="{base:.1f}"'
                           f' y2="{base:.1f}" stroke="{COLOURS[j % 4]}" '
                           'stroke-width="3" stroke-dasharray="2 2"/>')
                continue
            top = y(v)
            out.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{width - 1:.1f}" '
                       f'height="{TOP + plot_h - top:.1f}" fill="{COLOURS[j % 4]}" rx="1.5">'
                       f'<title>{escape(series.label)}: {_number(v)}{escape(chart.unit)}'
                       '</title></rect>')
    return out


def _lines(chart: Chart, slot: float, y: Callable[[float], float]) -> list[str]:
    out = []
    for j, series in enumerate(chart.series):
        colour = COLOURS[j % 4]
        run: list[str] = []
        for i, v in enumerate([*series.values, None]):
            if v is None:
                if len(run) > 1:
                    out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.2" '
                               f'points="{" ".join(run)}"/>')
                run = []
                continue
            x = LEFT + slot * (i + 0.5)
            run.append(f"{x:.1f},{y(v):.1f}")
            out.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="2.6" fill="{colour}"/>')
    return out


def _legend(chart: Chart) -> list[str]:
    out = []
    x = LEFT
    for j, series in enumerate(chart.series):
        out.append(f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" '
                   f'fill="{COLOURS[j % 4]}"/>')
        out.append(f'<text x="{x + 14}" y="{HEIGHT - 7}" class="legend">'
                   f'{escape(series.label)}</text>')
        x += 24 + 7 * len(series.label)
    if any(v is None for s in chart.series for v in s.values):
        out.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 7}" text-anchor="end" '
                   'class="legend">dashes: fewer than 8, or not enough yet</text>')
    return out


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
