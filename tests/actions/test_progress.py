"""/progress: the summary sentence, local days and weeks, and a quick PNG chart."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from bot.actions.progress import (
    Progress,
    date_axis,
    draw_chart,
    gather,
    show_progress,
    summary,
)
from tests.actions.conftest import NOW, FakePerson, MakeCtx

ARGS = {
    "empty": "Nothing yet.",
    "summary": "{wins} {period}; {confidence}",
    "summary_wins": "{wins} {period}",
    "summary_confidence": "{confidence}, {period}",
    "wins_one": "1 win", "wins_many": "{count} wins",
    "period_today": "today", "period_days": "in {count} days",
    "period_weeks": "in {count} weeks",
    "confidence_one": "confidence {last}", "confidence_change": "confidence from {first} to {last}",
    "confidence_same": "confidence steady at {last}",
    "chart_wins_daily": "Wins each day", "chart_wins_weekly": "Wins each week",
    "chart_confidence": "Confidence", "caption": "Your progress",
}
LABELS = {"wins_daily": "a", "wins_weekly": "b", "confidence": "c"}


async def test_nothing_yet_no_chart(make_ctx: MakeCtx) -> None:
    result = await show_progress(make_ctx(ARGS))
    assert result.outcome == "empty"
    assert [(r.text, r.attachment) for r in result.replies] == [("Nothing yet.", None)]


async def test_twelve_wins_in_four_weeks_confidence_four_to_seven(make_ctx: MakeCtx) -> None:
    person = FakePerson()
    for i in range(12):
        person.win(f"win {i}", NOW - timedelta(days=2 * i + 1))
    person.rate(4, NOW - timedelta(days=27))
    person.rate(5, NOW - timedelta(days=10))
    person.rate(7, NOW - timedelta(hours=1))
    result = await show_progress(make_ctx(ARGS, person=person))
    reply = result.replies[0]
    assert reply.text == "12 wins in 4 weeks; confidence from 4 to 7"
    assert reply.attachment is not None
    assert reply.attachment.kind == "image" and reply.attachment.filename == "progress.png"
    assert reply.attachment.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert reply.attachment.caption == "Your progress"


async def test_summary_parts(make_ctx: MakeCtx) -> None:
    only_today = Progress([NOW - timedelta(hours=2)], [], NOW)
    assert summary(make_ctx(ARGS), only_today) == "1 win today"
    ratings = Progress([], [(NOW - timedelta(days=4), 6)], NOW)
    assert summary(make_ctx(ARGS), ratings) == "confidence 6, in 5 days"
    # Not "from 7 to 7": the same first and last rating reads as steady.
    steady = Progress([], [(NOW - timedelta(days=4), 7), (NOW - timedelta(days=1), 7)], NOW)
    assert summary(make_ctx(ARGS), steady) == "confidence steady at 7, in 5 days"


async def test_days_are_counted_in_the_persons_time_zone(make_ctx: MakeCtx) -> None:
    # 23:30 UTC on 1 March is already 2 March in Auckland: "today" there.
    person = FakePerson()
    person.win("late one", datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    now = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
    london = await gather(make_ctx(ARGS, {"timezone": "Europe/London"}, person, now=now))
    assert london.days == 2
    auckland = await gather(make_ctx(ARGS, {"timezone": "Pacific/Auckland"}, person, now=now))
    assert auckland.days == 1
    odd = await gather(make_ctx(ARGS, {"timezone": "Not/AZone"}, person, now=now))
    assert odd.days == 2  # an unknown zone falls back to Europe/London


async def test_confidence_given_with_a_win_counts_once(make_ctx: MakeCtx) -> None:
    person = FakePerson()
    at = NOW - timedelta(days=1)
    person.win("with confidence", at, confidence=6)
    person.rate(6, at)  # the same moment and value, recorded both ways
    person.rate(8, NOW)
    progress = await gather(make_ctx(ARGS, person=person))
    assert [v for _, v in progress.ratings] == [6, 8]


def test_a_long_history_draws_without_the_runaway_axis() -> None:
    # Not a speed test (bench/progress_chart.py measures speed): the old weekly axis spent
    # 9-33 s of CPU on some spans, so a bound far above a normal chart catches only that,
    # and stays green on a busy machine.
    wins = [NOW - timedelta(days=d / 3) for d in range(200)]
    ratings = [(NOW - timedelta(days=d), 1 + d % 10) for d in range(0, 70, 3)]
    progress = Progress(wins, ratings, NOW)
    draw_chart(Progress(wins[:1], [], NOW), LABELS)  # the first chart loads matplotlib
    started = time.process_time()  # CPU, not wall time: the machine is shared
    png = draw_chart(progress, LABELS)
    elapsed = time.process_time() - started
    assert png.startswith(b"\x89PNG")
    assert elapsed < 5, f"drawing the chart took {elapsed:.2f}s of CPU"


def test_chart_with_only_ratings_or_only_wins() -> None:
    assert draw_chart(Progress([], [(NOW, 5)], NOW), LABELS).startswith(b"\x89PNG")
    assert draw_chart(Progress([NOW], [], NOW), LABELS).startswith(b"\x89PNG")


def history(span: int) -> Progress:
    """Wins on the first and the last of ``span`` days, confidence rising between."""
    first = NOW - timedelta(days=span - 1)
    return Progress([first, NOW], [(first, 3), (NOW, 8)], NOW)


def test_the_date_axis_has_a_few_labels_for_every_span_up_to_1000_days() -> None:
    """matplotlib's WeekdayLocator (a DAILY rule every 7n days kept to Mondays) found no
    Monday for spans of 295-343, 638-686, ... days and searched up to the year 9999,
    10-30 s of CPU per chart; at 295 days it put 43 labels on the axis. Every span now
    gets a handful of labels, Mondays once weeks are counted, all quickly."""
    from matplotlib.dates import num2date
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    started = time.process_time()
    for span in range(1, 1001):
        start = (NOW - timedelta(days=span - 1)).date()
        date_axis(ax, start, NOW.date())
        ticks = [num2date(t).replace(tzinfo=None) for t in ax.xaxis.get_majorticklocs()]
        low, high = (num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
        assert 3 <= len(ticks) <= 10, (span, len(ticks))
        assert all(low <= t <= high for t in ticks), span
        if span > 21:
            assert {t.weekday() for t in ticks} == {0}, span
    assert time.process_time() - started < 10  # about 1 s; the old rule took minutes


def test_real_charts_across_spans_are_small_and_quick() -> None:
    """Real PNGs for spans either side of every change of rule, the old slow bands and
    1,000 days; total CPU well under 0.5 s a chart (about 0.15 s each here). Every span
    from 1 to 1,000 is drawn by bench/progress_chart.py."""
    spans = [1, 7, 21, 22, 49, 50, 294, 295, 343, 344, 637, 686, 687, 981, 1000]
    draw_chart(history(1), LABELS)  # loads matplotlib
    started = time.process_time()
    for span in spans:
        png = draw_chart(history(span), LABELS)
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) < 60_000, span
    assert time.process_time() - started < 0.5 * len(spans)
