"""Benchmark: the /progress chart for every history length from 1 to N days.

Draws a real PNG (bot/actions/progress.draw_chart) for each span, with a win on the
first and the last day and a confidence rating on each, and measures the CPU time of
each chart (``time.process_time``: the machine is shared, wall time is noisy). Prints
the median and the worst per band of spans.

The baseline, in the same run, is the date axis this replaced: matplotlib's
WeekdayLocator(byweekday=MO, interval=ceil(span / 49)), drawn for a few spans in the
bands where it was slow (it finds no Monday and dateutil searches up to the year 9999).

    .venv/bin/python -m bench.progress_chart --days 1000
"""

from __future__ import annotations

import argparse
import functools
import math
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.actions import progress
from bot.actions.progress import Progress, draw_chart

print = functools.partial(print, flush=True)  # the table shows while the run goes on

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LABELS = {"wins_daily": "Wins each day", "wins_weekly": "Wins each week",
          "confidence": "Confidence"}
BANDS = [(1, 21), (22, 294), (295, 343), (344, 637), (638, 686), (687, 980), (981, 1000)]
OLD_SPANS = [343, 650, 1000]


def history(span: int) -> Progress:
    first = NOW - timedelta(days=span - 1)
    return Progress([first, NOW], [(first, 3), (NOW, 8)], NOW)


def cpu_of(span: int) -> float:
    started = time.process_time()
    png = draw_chart(history(span), LABELS)
    assert png.startswith(b"\x89PNG")
    return time.process_time() - started


def old_date_axis(ax: Any, start: Any, end: Any) -> None:
    """The date axis before the fix, for the baseline."""
    from matplotlib.dates import MO, DateFormatter, WeekdayLocator

    span = (end - start).days + 1
    ax.set_xlim(progress._noon(start) - timedelta(days=1), progress._noon(end) + timedelta(days=1))
    ax.xaxis.set_major_locator(WeekdayLocator(byweekday=MO, interval=math.ceil(span / 49)))
    ax.xaxis.set_major_formatter(DateFormatter("%d/%m"))


@contextmanager
def old_axis() -> Iterator[None]:
    new = progress.date_axis
    progress.date_axis = old_date_axis  # type: ignore[assignment]
    try:
        yield
    finally:
        progress.date_axis = new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    draw_chart(history(1), LABELS)  # loads matplotlib and its fonts once
    times = {span: cpu_of(span) for span in range(1, args.days + 1)}
    print(f"{'spans (days)':>14} {'charts':>7} {'median s':>9} {'worst s':>8} {'worst at':>9}")
    for low, high in BANDS:
        band = {s: t for s, t in times.items() if low <= s <= high}
        if not band:
            continue
        worst = max(band, key=band.__getitem__)
        print(f"{f'{low}-{high}':>14} {len(band):>7} {statistics.median(band.values()):>9.3f} "
              f"{band[worst]:>8.3f} {worst:>9}")
    overall = max(times.values())
    print(f"\nall {len(times)} charts: total {sum(times.values()):.1f} s CPU, worst "
          f"{overall:.3f} s")
    if args.no_baseline:
        return
    print("\nbaseline: the old WeekdayLocator axis, same charts")
    print(f"{'span':>6} {'old s':>8} {'new s':>8} {'old/new':>8}")
    with old_axis():
        old = {span: cpu_of(span) for span in OLD_SPANS}
    for span, seconds in old.items():
        print(f"{span:>6} {seconds:>8.2f} {times.get(span, cpu_of(span)):>8.3f} "
              f"{seconds / times.get(span, cpu_of(span)):>7.0f}x")


if __name__ == "__main__":
    main()
