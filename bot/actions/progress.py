"""/progress: wins and confidence over time, as a chart and a sentence.

The chart is a PNG drawn with matplotlib's Agg backend on a bare ``Figure`` (no pyplot,
so no global state and nothing shared between people), off the event loop. matplotlib
is imported only when a chart is drawn, so starting the bot stays quick.
Every word on the chart and in the summary comes from the flow's args.
"""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.schedule import from_vars
from bot.engine.actions import ActionContext, ActionRegistry, ActionResult
from bot.engine.events import Attachment, Reply
from bot.scheduling.planning import zone as person_zone

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DAILY_UP_TO = 21  # days: up to three weeks, wins are counted per day; after that per week
WIN_COLOUR, CONFIDENCE_COLOUR = "#2a9d8f", "#e76f51"


@dataclass(frozen=True)
class Progress:
    """What the chart and the summary are made from, in the person's local time."""

    wins: list[datetime]
    ratings: list[tuple[datetime, int]]  # oldest first
    now: datetime

    @property
    def empty(self) -> bool:
        """True when there is nothing yet to draw: no wins and no ratings."""
        return not self.wins and not self.ratings

    @property
    def days(self) -> int:
        """Whole days from the first record to now, counting today as one."""
        first = min([*self.wins, *(at for at, _ in self.ratings)])
        return (self.now.date() - first.date()).days + 1


async def gather(ctx: ActionContext) -> Progress:
    """The person's wins and ratings in their own time zone, ready to chart."""
    zone = person_zone(from_vars(ctx.state.vars))
    wins = [w.at.astimezone(zone) for w in await ctx.reader.achievements()]
    ratings = {(r.at, r.value) for r in await ctx.reader.ratings()}
    # A confidence given with a win counts too (the same moment is only counted once).
    ratings |= {(w.at, w.confidence) for w in await ctx.reader.achievements()
                if w.confidence is not None}
    local = sorted((at.astimezone(zone), int(value)) for at, value in ratings)
    return Progress(sorted(wins), local, ctx.now.astimezone(zone))


def summary(ctx: ActionContext, progress: Progress) -> str:
    """The sentence: e.g. "12 wins in 4 weeks; confidence from 4 to 7"."""
    days = progress.days
    if days <= 1:
        period = ctx.text("period_today")
    elif days < 14:
        period = ctx.text("period_days", {"count": days})
    else:
        period = ctx.text("period_weeks", {"count": round(days / 7)})
    count = len(progress.wins)
    wins = ctx.text("wins_one" if count == 1 else "wins_many", {"count": count})
    confidence = ""
    if progress.ratings:
        first, last = progress.ratings[0][1], progress.ratings[-1][1]
        key = ("confidence_one" if len(progress.ratings) == 1
               else "confidence_same" if first == last else "confidence_change")
        confidence = ctx.text(key, {"first": first, "last": last})
    parts = {"wins": wins, "period": period, "confidence": confidence}
    if count and confidence:
        return ctx.text("summary", parts)
    return ctx.text("summary_wins" if count else "summary_confidence", parts)


def draw_chart(progress: Progress, labels: dict[str, str]) -> bytes:
    """A PNG: wins per day or week as bars above, confidence ratings as a line below."""
    figure = chart_figure(progress, labels)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def chart_figure(progress: Progress, labels: dict[str, str]) -> Figure:
    """The chart as a matplotlib Figure, laid out and ready to save."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = [p for p, has in (("wins", progress.wins), ("confidence", progress.ratings)) if has]
    figure = Figure(figsize=(6.4, 2.2 + 1.8 * len(panels)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    start = min([*progress.wins, *(at for at, _ in progress.ratings)]).date()
    end = progress.now.date()
    daily = (end - start).days < DAILY_UP_TO
    for ax, panel in zip(axes, panels, strict=True):
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", alpha=0.3)
        if panel == "wins":
            _bars(ax, _buckets(progress.wins, start, end, daily), daily)
            ax.set_title(labels["wins_daily" if daily else "wins_weekly"], loc="left")
            ax.yaxis.get_major_locator().set_params(integer=True)
        else:
            ax.plot([at.replace(tzinfo=None) for at, _ in progress.ratings],
                    [v for _, v in progress.ratings],
                    marker="o", color=CONFIDENCE_COLOUR, linewidth=2)
            ax.set_ylim(0.5, 10.5)
            ax.set_yticks([1, 4, 7, 10])
            ax.set_title(labels["confidence"], loc="left")
    date_axis(axes[-1], start, end)
    figure.tight_layout()
    return figure


def _bars(ax: Axes, buckets: dict[date, int], daily: bool) -> None:
    """One bar per day (or per week, Monday to Sunday) that has wins, drawn as a single
    collection: ``ax.bar`` makes one patch per bar, and 140 weeks of patches cost more
    than the rest of the chart together."""
    from matplotlib.collections import PolyCollection
    from matplotlib.dates import date2num

    half = 0.4 if daily else 2.8  # days
    middle = timedelta(days=0 if daily else 3)  # a week's bar is centred on its Thursday
    shapes = []
    for day, count in buckets.items():
        if count:
            x = float(date2num(_noon(day) + middle))  # type: ignore[no-untyped-call]
            shapes.append([(x - half, 0), (x - half, count), (x + half, count), (x + half, 0)])
    ax.add_collection(PolyCollection(shapes, facecolors=WIN_COLOUR, edgecolors="none"))
    ax.set_ylim(0, max(buckets.values(), default=1) * 1.05)


def date_axis(ax: Axes, start: date, end: date) -> None:
    """The x axis from ``start`` to ``end`` (local days) with about seven labels: days
    (from the day before to the day after) labelled at midday under each day's bar, or
    whole weeks, Monday to Sunday, labelled at the Monday that starts a week.

    Weeks are counted by a WEEKLY rule. (A DAILY rule every 7n days filtered to Mondays,
    what matplotlib's WeekdayLocator builds, finds no Monday at all when it starts on
    another day, and dateutil then searches up to the year 9999: 10-30 s of CPU for
    histories of 295-343 days, 638-686 days, ...)
    """
    from matplotlib.dates import (
        DAILY,
        MO,
        WEEKLY,
        DateFormatter,
        RRuleLocator,
        date2num,
        rrulewrapper,
    )

    # matplotlib.dates is untyped, hence the ignores.
    span = (end - start).days + 1
    if span <= DAILY_UP_TO:
        low, high = _noon(start) - timedelta(days=1), _noon(end) + timedelta(days=1)
        rule = rrulewrapper(DAILY, byhour=12, interval=math.ceil(span / 7))  # type: ignore[no-untyped-call]
    else:  # whole weeks, so the first and the last week's bars are not cut off
        low = _noon(start - timedelta(days=start.weekday())) - timedelta(hours=12)  # Monday
        high = _noon(end + timedelta(days=6 - end.weekday())) + timedelta(hours=11)  # Sunday
        rule = rrulewrapper(WEEKLY, byweekday=MO, byhour=0, byminute=0, bysecond=0,  # type: ignore[no-untyped-call]
                            interval=math.ceil(span / 49))  # in weeks: about 7 labels
    ax.set_xlim(date2num(low), date2num(high))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(RRuleLocator(rule))  # type: ignore[no-untyped-call]
    # Numbers, no month names; with the year once the chart spans one.
    ax.xaxis.set_major_formatter(DateFormatter("%d/%m/%y" if span > 300 else "%d/%m"))  # type: ignore[no-untyped-call]


def _buckets(moments: Sequence[datetime], start: date, end: date, daily: bool
             ) -> dict[date, int]:
    """Counts per day, or per week starting on the Monday, with empty ones kept."""
    def key(day: date) -> date:
        return day if daily else day - timedelta(days=day.weekday())

    counts: dict[date, int] = {}
    day = key(start)
    while day <= end:
        counts[day] = 0
        day += timedelta(days=1 if daily else 7)
    for moment in moments:
        counts[key(moment.date())] = counts.get(key(moment.date()), 0) + 1
    return counts


def _noon(day: date) -> datetime:
    """Midday of a local day, naive: the chart's x axis is the person's local time."""
    return datetime(day.year, day.month, day.day, 12)


async def show_progress(ctx: ActionContext) -> ActionResult:
    """Send the chart with a summary in words, or ``empty`` when nothing is logged yet.

    Args: ``empty``; ``summary`` / ``summary_wins`` / ``summary_confidence`` (templates
    with {wins} {period} {confidence}); ``wins_one`` / ``wins_many`` ({count});
    ``period_today`` / ``period_days`` / ``period_weeks`` ({count}); ``confidence_one`` /
    ``confidence_change`` ({first} {last}); chart words ``chart_wins_daily``,
    ``chart_wins_weekly``, ``chart_confidence``, ``caption``.
    Outcomes: ``shown``, ``fell`` (shown, after a fall in confidence), ``empty``.
    """
    progress = await gather(ctx)
    if progress.empty:
        return ActionResult(replies=[Reply(ctx.text("empty"))], outcome="empty")
    labels = {"wins_daily": ctx.text("chart_wins_daily"),
              "wins_weekly": ctx.text("chart_wins_weekly"),
              "confidence": ctx.text("chart_confidence")}
    png = await asyncio.to_thread(draw_chart, progress, labels)
    image = Attachment("image", "progress.png", png, caption=ctx.text("caption"))
    return ActionResult(replies=[Reply(summary(ctx, progress), attachment=image)],
                        outcome="fell" if fell(progress) else "shown")


def fell(progress: Progress) -> bool:
    """Confidence ends lower than it started, or the latest rating is well below the one
    before: no "see how far you've come" then (issue 11: said after 7 to 1)."""
    values = [value for _, value in progress.ratings]
    if len(values) < 2:
        return False
    return values[-1] < values[0] or values[-1] <= values[-2] - 2


def register(registry: ActionRegistry) -> None:
    """Add ``show_progress`` (the weekly chart) to ``registry``."""
    registry.register("show_progress", outcomes=("empty", "shown", "fell"))(show_progress)

