"""The staff report as Telegram sends it: a summary chart (PNG) and the page (HTML).

/report and the weekly digest both come here. The page is the same self-contained page
``goodhelp report`` writes, over the same default window (the 26 weeks up to today), for
the member of staff's cohort if they have one. The chart is drawn with matplotlib (Agg,
a bare Figure, off the event loop) from the page's "people" chart: protected values only,
a hidden week left as a gap. Its words come from the flow, in the person's language.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime

from bot.reports.build import gather
from bot.reports.model import Chart
from bot.reports.page import html_page
from bot.reports.weeks import window
from bot.storage.reports import ReportScope, ReportSource

NEW_COLOUR, ACTIVE_COLOUR = "#e76f51", "#2a9d8f"


@dataclass(frozen=True)
class ChartWords:
    """The chart's title and the two series' names, in the person's language."""

    title: str
    new: str
    active: str
    empty: str = ""  # said across the chart when it has no bar to draw


@dataclass(frozen=True)
class StaffPack:
    """What a member of staff is sent: the chart, the page and its file name."""

    chart: bytes
    page: bytes
    filename: str
    weeks: int


async def staff_pack(source: ReportSource, now: datetime, cohort: str | None,
                     words: ChartWords) -> StaffPack:
    """The report over the default window for real people (of ``cohort``, if any)."""
    start, end = window(None, None, now.date())
    await source.open()
    try:
        report, _ = await gather(source, ReportScope(start, end, cohort=cohort))
    finally:
        await source.close()
    people = next(c for c in report.charts() if c.slug == "people")
    png = await asyncio.to_thread(draw_summary, people, words)
    name = f"goodhelp-report-{report.end:%Y-%m-%d}" + (f"-{cohort}" if cohort else "")
    return StaffPack(png, html_page(report).encode("utf-8"), _safe(name) + ".html",
                     report.weeks)


def draw_summary(chart: Chart, words: ChartWords) -> bytes:
    """New and active people each week, as bars (a hidden week is a gap)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    places = list(range(len(chart.labels)))
    for offset, series, colour, name in ((-0.2, chart.series[0], NEW_COLOUR, words.new),
                                         (0.2, chart.series[1], ACTIVE_COLOUR, words.active)):
        ax.bar([p + offset for p in places], [v or 0 for v in series.values], width=0.4,
               color=colour, label=name)
    # Counts of people: whole numbers from zero, even when every bar is zero or hidden.
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1))
    if not any(v for s in chart.series[:2] for v in s.values) and words.empty:
        ax.text(0.5, 0.5, words.empty, transform=ax.transAxes, ha="center", va="center",
                fontsize=12, color="#555555", wrap=True)
    step = max(1, len(places) // 8)
    ax.set_xticks(places[::step], [chart.labels[i] for i in places[::step]])
    ax.set_title(words.title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _safe(name: str) -> str:
    """A file name from a cohort's name: letters, digits, - and _ only."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


