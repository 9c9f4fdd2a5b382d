"""Benchmark: the staff report over 100,000 people and a year of history.

Builds a SQLite file with the real migrations, then fills it in SQL (recursive CTEs and
INSERT ... SELECT, so generating millions of rows takes seconds, not minutes): each person
joins on a random day of the year, takes part for a random number of weeks (1 to 20, cut
at the year's end), and in each such week gets a scheduled check-in (asked, answered 70%
of the time, a wording shown), answers a confidence question, rates their confidence half
the time, logs a win 40% of the time and is shown a story 30% of the time. 5% decline the
privacy note.

Then times the whole report (every aggregate, the page and the CSV) through the same
code `goodhelp report` runs, and, as a baseline in the same run, one plain pass over the
events table (``SELECT count(*), max(at) FROM events``): the ratio says how many such
passes the report costs.

    .venv/bin/python -m bench.report --people 100000 --weeks 52 [--before]

``--before`` also times the whole report through one connection only, and with the SQL
as it was before (tests/reports/reference_sql.py, one connection), in the same run: the
three take turns three times and each keeps its least CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.reports.build import gather, scope_for
from bot.reports.page import write_csv, write_html
from bot.storage.reports import ReportScope, ReportSource
from bot.storage.sqlite import SQLiteStorage
from bot.storage.sqlite.reports import SQLiteReportSource

START = datetime(2025, 1, 6, tzinfo=UTC)  # a Monday
TEXT = "strftime('%Y-%m-%dT%H:%M:%S', {}) || '.000000+00:00'"


async def migrate(path: Path) -> None:
    storage = SQLiteStorage(path)
    await storage.open()
    await storage.close()


def build(path: Path, people: int, weeks: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    start = START.strftime("%Y-%m-%dT%H:%M:%S")
    days = weeks * 7
    conn.execute("BEGIN")
    conn.execute(f"""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
        INSERT INTO people (id, channel, external_id, created_at)
        SELECT i, 'telegram', 'bench' || i,
               {TEXT.format("?, '+' || (abs(random()) % (? * 86400)) || ' seconds'")}
        FROM n""", (people, start, days))
    conn.execute("""
        INSERT INTO conversation_state (person_id, state_json, updated_at)
        SELECT id, CASE WHEN abs(random()) % 100 < 5
                        THEN '{"vars": {"consent": "declined"}}'
                        ELSE '{"vars": {"consent": "yes"}}' END, created_at FROM people""")
    # One row per person and week of taking part, with the moment of that week's check-in.
    conn.execute(f"""
        CREATE TEMP TABLE tw AS
        WITH RECURSIVE w(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM w WHERE k < 19)
        SELECT p.id AS person_id, w.k AS k,
               {TEXT.format("p.created_at, '+' || (w.k * 7 + 1) || ' days'")} AS at,
               abs(random()) % 100 AS r
        FROM people p JOIN w ON w.k < 1 + abs(random()) % 20
        WHERE julianday(p.created_at) + w.k * 7 + 1 < julianday(?) + ?""", (start, days))
    later = TEXT.format("at, '+1 hours'")
    inserts = [
        "SELECT person_id, 'flow_started', 'nudge', 'open', at FROM tw",
        "SELECT person_id, 'step_reached', 'nudge', 'offer', at FROM tw",
        "SELECT person_id, 'variant_shown', 'nudge', 'offer#' || (r % 2), at FROM tw",
        f"SELECT person_id, 'step_answered', 'nudge', 'offer', {later} FROM tw WHERE r < 70",
        f"SELECT person_id, 'variant_answered', 'nudge', 'offer#' || (r % 2), {later} "
        "FROM tw WHERE r < 70",
        f"SELECT person_id, 'step_reached', 'checkin', 'rate', {later} FROM tw WHERE r < 70",
        f"SELECT person_id, 'step_answered', 'checkin', 'rate', {later} FROM tw WHERE r < 65",
        f"SELECT person_id, 'story_shown', 'story', 'work', {later} FROM tw WHERE r < 30",
    ]
    for select in inserts:
        conn.execute(f"INSERT INTO events (person_id, name, flow, step, at) {select}")
    conn.execute(f"""INSERT INTO ratings (person_id, value, context, at)
        SELECT person_id, 1 + (r + k) % 10, 'checkin', {later} FROM tw WHERE r % 2 = 0""")
    conn.execute(f"""INSERT INTO achievements (person_id, text, prompted, at)
        SELECT person_id, 'a win', 1, {later} FROM tw WHERE r < 40""")
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("people", "events", "ratings", "achievements")}
    finally:
        conn.close()


async def whole(source: ReportSource, scope: ReportScope, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the whole report (page and CSV), as `goodhelp report`."""
    began, cpu = time.perf_counter(), time.process_time()
    await source.open()
    try:
        found, _ = await gather(source, scope)
    finally:
        await source.close()
    write_html(found, out / "report.html")
    write_csv(found, out / "csv")
    return time.perf_counter() - began, time.process_time() - cpu


async def report(path: Path, out: Path, weeks: int, before: bool = False
                 ) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds (CPU of every thread: on a shared, loaded machine the wall
    time includes waiting for a core, the CPU time does not)."""
    timings: dict[str, tuple[float, float]] = {}
    source = SQLiteReportSource(path)
    await source.open()
    try:
        end = START + timedelta(weeks=weeks)
        scope = scope_for(START, end, None, await source.people_counts())
        started, cpu_started = time.perf_counter(), time.process_time()
        for name in ("weekly", "cohorts", "steps", "tenure", "content", "confidence",
                     "variants"):
            began, cpu = time.perf_counter(), time.process_time()
            await getattr(source, name)(scope)
            timings[name] = (time.perf_counter() - began, time.process_time() - cpu)
        timings["all aggregates"] = (time.perf_counter() - started,
                                     time.process_time() - cpu_started)
    finally:
        await source.close()
    # The whole report as `goodhelp report` makes it, in fresh connections. With
    # --before, the three ways take turns three times and each keeps its best run, so
    # none is favoured by going first (a cold page cache) or by a busy moment.
    ways: dict[str, Callable[[], ReportSource]] = {
        "whole report (page and CSV)": lambda: SQLiteReportSource(path)}
    if before:
        from tests.reports.reference_sql import ReferenceReportSource

        ways["whole report, one connection"] = lambda: SQLiteReportSource(path, readers=1)
        ways["whole report, SQL before"] = lambda: ReferenceReportSource(path)
    for _ in range(3 if before else 1):
        for name, make in ways.items():
            took = await whole(make(), scope, out)
            timings[name] = min(timings.get(name, took), took, key=lambda t: t[1])
    return timings


def baseline(path: Path) -> tuple[float, float]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    began, cpu = time.perf_counter(), time.process_time()
    conn.execute("SELECT count(*), max(at) FROM events").fetchone()
    elapsed = time.perf_counter() - began, time.process_time() - cpu
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--before", action="store_true", help="also time the report with "
                        "the SQL from before it was made faster, in the same run")
    parser.add_argument("--db", type=Path, help="keep the generated file here and reuse it "
                        "on the next run (default: a temporary file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "bench.db"
        began = time.perf_counter()
        if not path.exists():
            asyncio.run(migrate(path))
            build(path, args.people, args.weeks)
        counts = _counts(path)
        built = time.perf_counter() - began
        scan = baseline(path)
        timings = asyncio.run(report(path, Path(folder), args.weeks, args.before))
    print(f"data: {counts['people']:,} people, {counts['events']:,} events, "
          f"{counts['ratings']:,} ratings, {counts['achievements']:,} wins over "
          f"{args.weeks} weeks (built or counted in {built:.1f} s)")
    print(f"{'step':<30}{'wall s':>8}{'CPU s':>8}{'x one events pass (CPU)':>26}")
    for name, (wall, cpu) in [("baseline: one events pass", scan), *timings.items()]:
        print(f"{name:<30}{wall:>8.2f}{cpu:>8.2f}{cpu / max(scan[1], 1e-9):>26.1f}")


if __name__ == "__main__":
    main()
