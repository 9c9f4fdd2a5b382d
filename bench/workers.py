"""Benchmark: several workers behind one webhook, against the single-process bot.

The load of tests/e2e (newcomers onboarding, returning people with a due check-in, some
sending bursts) runs through the fake Bot API's webhook delivery against, in turn:

- single: today's ``goodhelp run`` in webhook mode on SQLite (the baseline),
- 1 worker / 2 workers: ``--role ingress`` plus N ``--role worker`` on PostgreSQL (a
  throwaway cluster from tests/pg_cluster.py, fsync on like a real server).

    .venv/bin/python -m bench.workers --people 500
    .venv/bin/python -m bench.workers --people 500 --unlimited

With Telegram's limits (the default: the fake allows 30 messages a second overall and
one a second per chat after a burst of 3, and answers more with 429) the sends are the
bottleneck, for every mode alike: the figure to read is how close the busiest second
comes to 30 and that no 429 came back. ``--unlimited`` lifts the limits on both sides, so
the turns themselves are timed: that is where one worker and two differ, if they do.
``--open-loop`` (newcomers only, each sending all four messages at once, not waiting for
replies) adds, for the shared modes, the turns per second the workers did as PostgreSQL
saw them: updates done, from the first received to the last done (the ``updates`` table).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.storage.target import db_target, storage_for  # noqa: E402
from tests.e2e.fleet import TOKEN, Fleet  # noqa: E402
from tests.e2e.load import (  # noqa: E402
    busiest_second,
    check,
    people,
    play,
    quiet,
    seed_returning,
    sent_count,
)
from tests.fake_bot_api import FakeBotAPI  # noqa: E402
from tests.pg_cluster import Cluster, start_cluster, stop_cluster  # noqa: E402

UNLIMITED = {"TELEGRAM_MAX_PER_SECOND": "1000000", "TELEGRAM_PER_CHAT_BURST": "1000000"}


@dataclass
class Row:
    mode: str
    people: int
    turns: int
    sent: int
    seconds: float
    busiest: int
    count_429: int
    problems: int
    duplicates: int
    db_turns_per_second: float | None = None  # shared modes: done updates over their span

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.seconds

    @property
    def sent_per_second(self) -> float:
        return self.sent / self.seconds


def inbox_rate(cluster: Cluster, url: str) -> float | None:
    """Updates done per second, first received to last done, from the shared inbox."""
    out = cluster.psql("SELECT count(*), min(received_at), max(done_at) FROM updates "
                       "WHERE done_at IS NOT NULL", url.rsplit("/", 1)[1])
    count, first, last = out.split("|")
    seconds = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()
    return int(count) / seconds if seconds > 0 else None


async def measure(mode: str, count: int, unlimited: bool, cluster: Cluster,
                  folder: Path, env: dict[str, str], open_loop: bool) -> Row:
    scripts = people(count, returning_share=0, at_once=True) if open_loop else people(count)
    db = str(folder / f"{mode}.db") if mode == "single" else cluster.new_database()
    storage = storage_for(db_target(db))
    await storage.open()
    try:
        await seed_returning(storage, scripts)
    finally:
        await storage.close()
    async with FakeBotAPI(TOKEN, enforce_limits=not unlimited, per_chat_burst=3,
                          deliver_webhooks=True) as api:
        async with Fleet(api, db, folder, {**env, **(UNLIMITED if unlimited else {})}) as fleet:
            if mode == "single":
                await fleet.single()
            else:
                await fleet.shared(workers=int(mode.split()[0]))
            run = await play(api, scripts, timeout=300)
            await quiet(api)
            await fleet.stop()
        verdict = check(api, run)
        for line in verdict.problems[:5]:
            print(f"  {mode}: {line}", file=sys.stderr)
        db_rate = None if mode == "single" else await asyncio.to_thread(inbox_rate, cluster, db)
        return Row(mode, count, run.turns, sent_count(api), run.seconds, busiest_second(api),
                   api.count_429, len(verdict.problems), verdict.duplicate_count, db_rate)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--unlimited", action="store_true",
                        help="no flood limits on either side: time the turns, not the sends")
    parser.add_argument("--modes", default="single,1 worker,2 workers")
    parser.add_argument("--open-loop", action="store_true",
                        help="everyone sends all their messages at once (newcomers only)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="GOODHELP_WORKER_CONCURRENCY for the workers (theirs: 8)")
    args = parser.parse_args()
    env = {} if args.concurrency is None else {
        "GOODHELP_WORKER_CONCURRENCY": str(args.concurrency)}
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    modes = [m.strip() for m in args.modes.split(",")]
    rows: list[Row] = []
    cluster = await asyncio.to_thread(start_cluster, True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            for mode in modes:
                rows.append(await measure(mode, args.people, args.unlimited, cluster,
                                          Path(folder), env, args.open_loop))
    finally:
        await asyncio.to_thread(stop_cluster, cluster)
    base = rows[0]
    print(f"limits: {'none (--unlimited)' if args.unlimited else '30/s overall, 1/s per chat'}"
          f"{'; open loop' if args.open_loop else ''}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'mode':<11}{'people':>7}{'turns':>7}{'sent':>7}{'seconds':>9}{'turns/s':>9}"
          f"{'sent/s':>8}{'busiest 1s':>11}{'429s':>6}{'problems':>9}{'dups':>6}"
          f"{'vs ' + base.mode:>13}{'db turns/s':>11}")
    for r in rows:
        print(f"{r.mode:<11}{r.people:>7}{r.turns:>7}{r.sent:>7}{r.seconds:>9.1f}"
              f"{r.turns_per_second:>9.1f}{r.sent_per_second:>8.1f}{r.busiest:>11}"
              f"{r.count_429:>6}{r.problems:>9}{r.duplicates:>6}"
              f"{r.turns_per_second / base.turns_per_second:>12.2f}x"
              f"{'' if r.db_turns_per_second is None else f'{r.db_turns_per_second:.1f}':>11}")
    if not args.unlimited:
        print(f"Telegram's limit: 30 messages a second; busiest second seen: "
              f"{max(r.busiest for r in rows)}")


if __name__ == "__main__":
    asyncio.run(main())
