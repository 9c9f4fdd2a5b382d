"""End to end: real ``goodhelp run`` processes, updates delivered by webhook from the fake
Bot API (30 messages a second overall, 1 a second per chat after a burst of 3, as
Telegram), hundreds of scripted people at once (tests/e2e/load.py).

- Single process on SQLite (today's webhook mode): every reply complete and in order,
  check-ins once, no 429.
- Shared mode on PostgreSQL: one ingress and two workers, 500 people; one worker (the one
  sending, if it can be told) is killed with SIGKILL half-way. Afterwards the same checks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.target import db_target, storage_for
from tests.e2e.fleet import TOKEN, Fleet, Member
from tests.e2e.load import Run, Script, check, people, play, quiet, seed_returning
from tests.fake_bot_api import FakeBotAPI
from tests.pg_cluster import Cluster


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    # A bot stopped by SIGTERM or SIGKILL drops its connections; aiohttp logs that.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    async with FakeBotAPI(TOKEN, enforce_limits=True, per_chat_burst=3,
                          deliver_webhooks=True) as fake:
        yield fake


async def seed(db: str, scripts: list[Script]) -> None:
    storage = storage_for(db_target(db))
    await storage.open()
    try:
        await seed_returning(storage, scripts)
    finally:
        await storage.close()


async def kill_half_way(api: FakeBotAPI, fleet: Fleet, workers: list[Member],
                        total: int, cluster: Cluster) -> tuple[Member, bool, float]:
    """SIGKILL the worker that is sending once half the replies are out (polled, not
    slept for); the first worker if the sender cannot be told. Which, whether it was the
    sender, and when (on the fake's clock)."""
    while len(api.world.bot_messages) < total // 2:  # noqa: ASYNC110 - the fake's state
        await asyncio.sleep(0.05)
    sender = await asyncio.to_thread(fleet.sender, cluster.psql)
    victim = sender if sender in workers else workers[0]
    await fleet.kill(victim)
    return victim, victim is sender, time.monotonic()


def assert_clean(api: FakeBotAPI, run: Run, *, killed_at: float | None = None) -> None:
    """Every check passes. Across a crash of the sender a reply it sent but had not yet
    marked sent goes again (DESIGN: at most one duplicate): one per person at most."""
    verdict = check(api, run)
    if killed_at is not None and api.count_429:  # when, against the kill: a hand-over?
        times = [round(c.time - killed_at, 2) for c in api.world.calls if c.status == 429]
        verdict.problems.append(f"429s at {times} s after the kill")
    assert verdict.problems == [], "\n".join(verdict.problems[:20])
    if killed_at is not None:
        assert all(n == 1 for n in verdict.duplicates.values()), verdict.duplicates
    else:
        assert verdict.duplicates == {}
    assert api.count_429 == 0


async def test_single_process_webhook(api: FakeBotAPI, tmp_path: Path) -> None:
    scripts = people(150)
    db = str(tmp_path / "goodhelp.db")
    await seed(db, scripts)
    async with Fleet(api, db, tmp_path) as fleet:
        [single] = [await fleet.single()]
        run = await play(api, scripts, timeout=90)
        await quiet(api)
        codes = await fleet.stop()
    assert_clean(api, run)
    assert codes == {"single": 0}
    assert "Traceback" not in single.output


async def test_ingress_and_two_workers_survive_a_kill(api: FakeBotAPI, tmp_path: Path,
                                                      pg_cluster: Cluster, pg_url: str) -> None:
    scripts = people(500)
    await seed(pg_url, scripts)
    async with Fleet(api, pg_url, tmp_path) as fleet:
        ingress, *workers = await fleet.shared(workers=2)
        total = sum(len(s.expected) for s in scripts)
        killer = asyncio.create_task(kill_half_way(api, fleet, workers, total, pg_cluster))
        run = await play(api, scripts, timeout=120)
        victim, was_sender, killed_at = await killer
        await quiet(api)
        codes = await fleet.stop()
    assert_clean(api, run, killed_at=killed_at)
    assert was_sender, "the sender's lock holder was not found; the first worker was killed"
    survivor = next(w for w in workers if w is not victim)
    assert codes[ingress.name] == 0 and codes[survivor.name] == 0
    assert "Traceback" not in ingress.output + survivor.output
