"""Several workers on one PostgreSQL database: updates recorded once, one person's updates
in order and by one worker at a time, nothing lost when a worker is killed mid-turn, and
no scheduled check-in claimed twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import NextMessage, TurnWrite
from bot.storage.postgres import PostgresStorage
from tests.conftest import ROOT

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ANA, BEN = PersonKey("telegram", "1"), PersonKey("telegram", "2")


async def opened(url: str, count: int) -> list[PostgresStorage]:
    workers = [PostgresStorage(url, pool_size=3) for _ in range(count)]
    for worker in workers:
        await worker.open()
    return workers


async def test_an_update_delivered_twice_is_recorded_once(pg_migrated_url: str) -> None:
    [storage] = await opened(pg_migrated_url, 1)
    try:
        inbox = storage.updates()
        assert await inbox.record(7, ANA, '{"text": "hi"}')
        assert not await inbox.record(7, ANA, '{"text": "hi"}')
        assert await inbox.pending(ANA) == 1
    finally:
        await storage.close()


async def test_a_person_is_served_by_one_worker_at_a_time_in_order(
        pg_migrated_url: str) -> None:
    one, two = await opened(pg_migrated_url, 2)
    try:
        inbox, other = one.updates(), two.updates()
        for update_id, key in ((1, ANA), (2, BEN), (3, ANA), (4, BEN), (5, ANA)):
            await inbox.record(update_id, key, "{}")
        async with inbox.claim() as first, other.claim() as second:
            assert first is not None and first.update.update_id == 1
            # Ana's next update waits for her first; Ben's first is free.
            assert second is not None and second.update.update_id == 2
            async with inbox.claim() as third:
                assert third is None
        async with other.claim() as fourth:
            assert fourth is not None and fourth.update.update_id == 3
        assert await inbox.pending(ANA) == 1 and await inbox.pending(BEN) == 1
    finally:
        await one.close()
        await two.close()


async def test_a_failed_turn_leaves_its_update_pending(pg_migrated_url: str) -> None:
    [storage] = await opened(pg_migrated_url, 1)
    try:
        inbox = storage.updates()
        await inbox.record(1, ANA, "{}")
        with pytest.raises(RuntimeError):
            async with inbox.claim() as claimed:
                assert claimed is not None
                raise RuntimeError("the turn failed")
        async with inbox.claim() as again:
            assert again is not None and again.update.update_id == 1
        assert await inbox.pending(ANA) == 0
    finally:
        await storage.close()


CLAIM_AND_HANG = """
import asyncio, sys
from bot.storage.postgres import PostgresStorage

async def main():
    storage = PostgresStorage(sys.argv[1])
    await storage.open()
    async with storage.updates().claim() as claimed:
        print(claimed.update.update_id, flush=True)
        await asyncio.sleep(120)

asyncio.run(main())
"""


async def test_a_worker_killed_mid_turn_loses_nothing(pg_migrated_url: str) -> None:
    [storage] = await opened(pg_migrated_url, 1)
    worker = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, pg_migrated_url],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        inbox = storage.updates()
        await inbox.record(1, ANA, "{}")
        assert worker.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(worker.stdout.readline), 30)
        assert line.strip() == "1"
        async with inbox.claim() as meanwhile:
            assert meanwhile is None  # the other worker holds Ana
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        for _ in range(100):  # the server notices the closed connection at once
            async with inbox.claim() as taken_over:
                if taken_over is not None:
                    assert taken_over.update.update_id == 1
                    break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the killed worker's update was never taken over")
        assert await inbox.pending(ANA) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        if worker.stdout is not None:
            worker.stdout.close()
        await storage.close()


async def test_four_workers_keep_every_persons_order(pg_migrated_url: str) -> None:
    workers = await opened(pg_migrated_url, 4)
    people = [PersonKey("telegram", str(n)) for n in range(3)]  # fewer people than workers
    try:
        for update_id in range(1, 121):
            await workers[0].updates().record(update_id, people[update_id % 3], "{}")
        seen: dict[PersonKey, list[int]] = {}
        busy: set[PersonKey] = set()
        overlaps: list[PersonKey] = []

        async def work(storage: PostgresStorage) -> None:
            inbox = storage.updates()
            idle = 0
            while idle < 3:
                async with inbox.claim() as claimed:
                    if claimed is None:
                        idle += 1
                        await asyncio.sleep(0.02)
                        continue
                    idle = 0
                    key = claimed.update.key
                    if key in busy:
                        overlaps.append(key)
                    busy.add(key)
                    await asyncio.sleep(0.002)
                    seen.setdefault(key, []).append(claimed.update.update_id)
                    busy.discard(key)

        await asyncio.gather(*(work(w) for w in workers))
        assert not overlaps
        assert sum(len(ids) for ids in seen.values()) == 120
        assert all(ids == sorted(ids) for ids in seen.values())
    finally:
        for worker in workers:
            await worker.close()


async def test_two_dispatchers_never_claim_the_same_check_in(pg_migrated_url: str) -> None:
    one, two = await opened(pg_migrated_url, 2)
    try:
        for n in range(60):
            key = PersonKey("telegram", str(n))
            await one.commit_turn(TurnWrite(key, ConversationState(), (), AT))
            await one.schedule(key, NextMessage("checkin", AT + timedelta(minutes=n)))

        async def drain(storage: PostgresStorage) -> list[int]:
            claimed: list[int] = []
            while batch := await storage.claim_due(AT + timedelta(days=1), 7):
                claimed += [m.id for m in batch]
            return claimed

        a, b = await asyncio.gather(drain(one), drain(two))
        assert len(a) + len(b) == 60 and not set(a) & set(b)
    finally:
        await one.close()
        await two.close()
