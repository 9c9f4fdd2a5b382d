"""A worker's claim is one transaction: the turn's writes, its owed replies and the
update's done mark commit together or not at all; a person's check-in and their turn
never run at once (the person's advisory lock); one process holds the sender's lock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import TurnWrite
from bot.storage.postgres import PostgresStorage

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ANA = PersonKey("telegram", "1")


class TurnFailed(Exception):
    pass


async def opened(url: str) -> PostgresStorage:
    storage = PostgresStorage(url, pool_size=4)
    await storage.open()
    return storage


async def test_a_turn_that_fails_after_writing_leaves_nothing(pg_migrated_url: str) -> None:
    storage = await opened(pg_migrated_url)
    inbox = storage.updates()
    try:
        await inbox.record(1, ANA, "{}")
        with pytest.raises(TurnFailed):
            async with inbox.claim() as claimed:
                assert claimed is not None
                write = TurnWrite(ANA, ConversationState(flow="x", step="y"), (), AT)
                await storage.outbox.add_with_turn(write, ['{"kind":"text","text":"hi"}'])
                await storage.outbox.owe(ANA, ['{"kind":"text","text":"more"}'])
                assert await storage.load(ANA) is not None  # the claim sees its own writes
                raise TurnFailed
        assert await storage.load(ANA) is None
        assert await storage.outbox.owed_to(ANA) == []
        assert await inbox.pending(ANA) == 1
        assert not await inbox.failed(1, max_attempts=2)
        assert await inbox.failed(1, max_attempts=2)  # given up: the person's next go on
        assert await inbox.pending(ANA) == 0
    finally:
        await inbox.close()
        await storage.close()


async def test_a_turn_and_its_owed_replies_commit_with_the_done_mark(
        pg_migrated_url: str) -> None:
    storage = await opened(pg_migrated_url)
    inbox = storage.updates()
    try:
        await inbox.record(1, ANA, "{}")
        async with inbox.claim() as claimed:
            assert claimed is not None
            write = TurnWrite(ANA, ConversationState(flow="x", step="y"), (), AT)
            await storage.outbox.add_with_turn(write, ['{"kind":"text","text":"hi"}'])
            exported = await storage.export_person(ANA)  # /mydata inside a claim
            assert exported is not None and exported.state.flow == "x"
        assert (await storage.load(ANA)) is not None
        assert len(await storage.outbox.owed_to(ANA)) == 1
        assert await inbox.pending(ANA) == 0
    finally:
        await inbox.close()
        await storage.close()


async def test_a_check_in_holds_the_persons_turn_back(pg_migrated_url: str) -> None:
    storage = await opened(pg_migrated_url)
    inbox = storage.updates()
    try:
        await inbox.record(1, ANA, "{}")
        order: list[str] = []
        checking_in = asyncio.Event()

        async def check_in() -> None:
            async with storage.person_transaction(ANA):
                checking_in.set()
                await asyncio.sleep(0.3)
                order.append("check-in")

        async def turn() -> None:
            await checking_in.wait()
            async with inbox.claim() as claimed:
                assert claimed is not None
                order.append("turn")

        await asyncio.gather(check_in(), turn())
        assert order == ["check-in", "turn"]
    finally:
        await inbox.close()
        await storage.close()


async def test_one_sender_at_a_time_and_the_next_takes_over(pg_migrated_url: str) -> None:
    one, two = await opened(pg_migrated_url), await opened(pg_migrated_url)
    first, second = one.sender_lock(), two.sender_lock()
    try:
        assert await first.try_acquire()
        assert not await second.try_acquire()
        assert await first.holding()
        await first.release()
        assert await second.try_acquire()
    finally:
        await first.release()
        await second.release()
        await one.close()
        await two.close()


async def test_record_wakes_a_waiting_worker(pg_migrated_url: str) -> None:
    storage = await opened(pg_migrated_url)
    inbox, ingress = storage.updates(), storage.updates()
    try:
        await inbox.wait(0.01)  # starts listening
        loop = asyncio.get_running_loop()
        started = loop.time()
        waiting = asyncio.ensure_future(inbox.wait(10.0))
        await asyncio.sleep(0.1)
        await ingress.record(5, ANA, "{}")
        await waiting
        assert loop.time() - started < 5.0
    finally:
        await inbox.close()
        await storage.close()


async def test_done_updates_are_forgotten_after_a_while(pg_migrated_url: str) -> None:
    from datetime import timedelta

    from bot.core.clock import FakeClock

    clock = FakeClock(AT)
    storage = PostgresStorage(pg_migrated_url, clock=clock, pool_size=2)
    await storage.open()
    inbox = storage.updates()
    try:
        await inbox.record(1, ANA, "{}")
        await inbox.record(2, ANA, "{}")
        async with inbox.claim() as claimed:
            assert claimed is not None
        clock.advance(timedelta(days=1))
        assert await inbox.purge_done(timedelta(days=2)) == 0
        assert not await inbox.record(1, ANA, "{}")  # still known: a retry is refused
        clock.advance(timedelta(days=2))
        assert await inbox.purge_done(timedelta(days=2)) == 1  # the pending one stays
        assert await inbox.pending(ANA) == 1
    finally:
        await inbox.close()
        await storage.close()
