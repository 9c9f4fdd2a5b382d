"""Benchmark: `goodhelp backup` on a large database, and what it costs a bot that writes.

Builds a SQLite file with the real migrations, then fills it in SQL: N people, each with
WINS wins and as many anonymous events. Then, in the same run:

1. a plain file copy (``shutil.copyfile``, which is not safe while the bot writes) as the
   baseline, and ``goodhelp backup``'s function (online backup, integrity check, fsync,
   rename), the ratio between them, and the integrity check on its own;
2. a writer thread committing one small transaction at a time (a win, like a turn) for
   SECONDS without a backup, then for SECONDS with backups taken one after another: its
   commits per second and its p99 and worst commit time, and the ratios;
3. the real SQLiteStorage deleting a person (which empties the WAL afterwards, and that
   waits for readers) with another person's turn queued behind it, without and then
   during a backup: how long the other person's turn waits.

    .venv/bin/python -m bench.backup --people 20000 --wins 10 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import TurnWrite
from bot.storage.rows import to_text
from bot.storage.sqlite import SQLiteStorage
from bot.storage.sqlite.backup import backup

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def migrate(path: Path) -> None:
    storage = SQLiteStorage(path)
    await storage.open()
    await storage.close()


def build(path: Path, people: int, wins: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    created = to_text(NOW - timedelta(days=60))
    conn.executemany("INSERT INTO people (id, channel, external_id, created_at) "
                     "VALUES (?, 'telegram', ?, ?)",
                     ((i, str(10_000_000 + i), created) for i in range(1, people + 1)))
    for i in range(1, people + 1):
        at = [to_text(NOW - timedelta(hours=7 * w)) for w in range(wins)]
        conn.executemany("INSERT INTO achievements (person_id, text, purpose_ref, confidence,"
                         " prompted, at) VALUES (?, ?, 'p1', ?, 0, ?)",
                         ((i, f"Walked to the job centre and asked about course {w}, person {i}",
                           1 + w % 10, at[w]) for w in range(wins)))
        conn.executemany("INSERT INTO events (person_id, name, flow, step, at) "
                         "VALUES (?, 'win_logged', 'win', 'celebrate', ?)",
                         ((i, at[w]) for w in range(wins)))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def timed(action: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


class Writer(threading.Thread):
    """Commits one win per transaction until stopped, timing each commit."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.latencies: list[float] = []

    def run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        conn.execute("PRAGMA synchronous = NORMAL")
        n = 0
        while not self.stop.is_set():
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO achievements (person_id, text, prompted, at) "
                         "VALUES (?, 'a win while the backup runs', 0, ?)",
                         (1 + n % 1000, to_text(NOW)))
            conn.execute("COMMIT")
            self.latencies.append(time.perf_counter() - started)
            n += 1
        conn.close()


def write_for(path: Path, seconds: float, backups_to: Path | None) -> tuple[float, float, float,
                                                                           int]:
    """(commits/s, p99 ms, worst ms, backups taken) for a writer running ``seconds``."""
    writer = Writer(path)
    writer.start()
    started = time.perf_counter()
    taken = 0
    while time.perf_counter() - started < seconds:
        if backups_to is None:
            time.sleep(0.05)
            continue
        dest = backups_to / f"b{taken}.db"
        backup(path, dest)
        dest.unlink()
        taken += 1
    writer.stop.set()
    writer.join()
    elapsed = time.perf_counter() - started
    lat = sorted(writer.latencies)
    return (len(lat) / elapsed, lat[int(len(lat) * 0.99)] * 1000, lat[-1] * 1000, taken)


async def delete_with_turn_behind(path: Path, copy: Path | None) -> float:
    """Seconds until another person's turn, queued just after a deletion, is committed."""
    storage = SQLiteStorage(path)
    await storage.open()
    try:
        gone, other = PersonKey("bench", "gone"), PersonKey("bench", "other")
        for key in (gone, other):
            await storage.commit_turn(TurnWrite(key, ConversationState()))
        running = None
        if copy is not None:
            running = asyncio.create_task(asyncio.to_thread(backup, path, copy))
            await asyncio.sleep(0.05)  # the backup has begun copying
        started = time.perf_counter()
        deleting = asyncio.create_task(storage.delete_person(gone))
        await asyncio.sleep(0)
        await storage.commit_turn(TurnWrite(other, ConversationState(turn=1)))
        waited = time.perf_counter() - started
        await deleting
        if running is not None:
            await running
            copy.unlink()
        return waited
    finally:
        await storage.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--wins", type=int, default=10, help="wins per person (default 10)")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="how long the writer runs in each phase (default 5)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "goodhelp.db"
        asyncio.run(migrate(path))
        started = time.perf_counter()
        build(path, args.people, args.wins)
        built = time.perf_counter() - started
        size = path.stat().st_size
        copies = root / "copies"
        copies.mkdir()

        def plain_copy() -> None:
            shutil.copyfile(path, copies / "plain.db")
            (copies / "plain.db").unlink()

        def checked_backup() -> None:
            backup(path, copies / "backup.db")
            (copies / "backup.db").unlink()

        backup(path, copies / "kept.db")
        check = sqlite3.connect(copies / "kept.db")
        copy_s = timed(plain_copy, args.repeat)
        backup_s = timed(checked_backup, args.repeat)
        integrity_s = timed(lambda: check.execute("PRAGMA integrity_check").fetchall(),
                            args.repeat)
        check.close()
        alone = write_for(path, args.seconds, None)
        during = write_for(path, args.seconds, copies)
        behind_alone = asyncio.run(delete_with_turn_behind(path, None))
        behind_during = asyncio.run(delete_with_turn_behind(path, copies / "d.db"))

    print(f"database: {size / 1e6:,.1f} MB, {args.people:,} people, "
          f"{args.people * args.wins:,} wins (built in {built:.1f} s)")
    print()
    print(f"{'copy':<34}{'median s':>9}{'MB/s':>8}")
    for name, seconds in (("plain file copy (baseline)", copy_s),
                          ("goodhelp backup (checked)", backup_s),
                          ("  of which integrity_check", integrity_s)):
        print(f"{name:<34}{seconds:>9.2f}{size / 1e6 / seconds:>8.0f}")
    print(f"ratio backup / plain copy: {backup_s / copy_s:.1f}x")
    print()
    print(f"{'writer, one win per commit':<34}{'commits/s':>10}{'p99 ms':>8}{'max ms':>8}"
          f"{'backups':>8}")
    for name, (rate, p99, worst, taken) in (("alone", alone), ("while backups run", during)):
        print(f"{name:<34}{rate:>10,.0f}{p99:>8.2f}{worst:>8.1f}{taken:>8}")
    print(f"ratio during / alone: commits/s {during[0] / alone[0]:.2f}, "
          f"p99 {during[1] / alone[1]:.2f}")
    print()
    print("a turn queued behind a /delete (SQLiteStorage), seconds until committed:")
    print(f"  no backup running {behind_alone:.2f}   during a backup {behind_during:.2f}")


if __name__ == "__main__":
    main()
