"""Benchmark: the "what is due now?" lookup with 1,000,000 people.

Builds a SQLite file with the real migrations, then inserts N people, each with one
pending check-in spread over the next week and SENT_PER_PERSON sent ones (bulk insert:
plain executemany in one transaction). Times the dispatcher's due query (DUE_IDS in
bot/storage/sqlite/schedule.py) with the partial index, and the same query with
``NOT INDEXED`` in the same run, so the ratio shows what the index buys on this machine.

    .venv/bin/python -m bench.due_query --people 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage.rows import to_text
from bot.storage.sqlite import SQLiteStorage
from bot.storage.sqlite.schedule import DUE_IDS

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SENT_PER_PERSON = 2
WEEK = 7 * 24 * 3600


async def migrate(path: Path) -> None:
    storage = SQLiteStorage(path)
    await storage.open()
    await storage.close()


def build(path: Path, people: int) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    created = to_text(NOW - timedelta(days=30))
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO people (id, channel, external_id, created_at) "
                     "VALUES (?, ?, ?, ?)",
                     ((i, "telegram", str(10_000_000 + i), created) for i in range(1, people + 1)))
    rows = []
    for i in range(1, people + 1):
        # Spread evenly over the coming week, so "due in the next minute" is about N/10080.
        due = NOW + timedelta(seconds=(i * 7919) % WEEK)
        rows.append((i, "checkin", to_text(due), "pending", "{}", created))
        for s in range(SENT_PER_PERSON):
            rows.append((i, "checkin", to_text(NOW - timedelta(days=s + 1)), "sent", "{}",
                         created))
    conn.executemany("INSERT INTO scheduled_messages (person_id, kind, due_at, status, "
                     "payload_json, created_at) VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - started


def time_query(conn: sqlite3.Connection, sql: str, params: tuple[object, ...],
               repeat: int) -> tuple[float, int, str]:
    plan = " / ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    timings, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = len(conn.execute(sql, params).fetchall())
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), found, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--due-minutes", type=float, default=1.0,
                        help="look for messages due within this many minutes (default 1)")
    parser.add_argument("--limit", type=int, default=200, help="rows per claim (default 200)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        asyncio.run(migrate(path))
        build_seconds = build(path, args.people)
        conn = sqlite3.connect(path)
        cutoff = to_text(NOW + timedelta(minutes=args.due_minutes))
        params = (cutoff, args.limit)
        unindexed = DUE_IDS.replace("FROM scheduled_messages",
                                    "FROM scheduled_messages NOT INDEXED")
        with_index = time_query(conn, DUE_IDS, params, args.repeat)
        without = time_query(conn, unindexed, params, max(3, args.repeat // 5))
        total = conn.execute("SELECT count(*) FROM scheduled_messages").fetchone()[0]
        conn.close()
    print(f"people: {args.people:,}   scheduled rows: {total:,}   built in {build_seconds:.1f} s")
    print(f"due query: messages due within {args.due_minutes:g} min, LIMIT {args.limit}")
    print()
    print(f"{'':<16}{'median ms':>10}{'rows':>7}  plan")
    for name, (ms, found, plan) in (("partial index", with_index), ("NOT INDEXED", without)):
        print(f"{name:<16}{ms:>10.3f}{found:>7}  {plan}")
    print()
    print(f"ratio (without / with index): {without[0] / with_index[0]:,.0f}x   "
          f"target with index: <= 50 ms -> {'met' if with_index[0] <= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
