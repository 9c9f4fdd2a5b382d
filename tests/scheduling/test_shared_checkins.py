"""Check-ins with several workers on one PostgreSQL database (shared mode): each is sent
once whoever ticks, its replies are owed in the shared outbox (one transaction with the
check-in, under the person's lock), a restarting worker frees only its own claims, and a
dead worker's claims come back after the lease. The clock is injected: nothing sleeps."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

import asyncpg
import pytest

from bot.app import App, open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.engine.events import Reply
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.runner import build_dispatcher
from bot.storage.base import TurnWrite
from bot.storage.postgres import PostgresStorage
from tests.conftest import FLOWS
from tests.scheduling.conftest import MONDAY

LEASE = timedelta(minutes=5)
PEOPLE = [PersonKey("telegram", str(n)) for n in range(500, 520)]


async def worker(url: str, clock: FakeClock, name: str) -> tuple[App, Dispatcher]:
    storage = PostgresStorage(url, clock=clock, pool_size=6)
    app = await open_app(FLOWS, storage, clock=clock, rng=random.Random(3))

    async def owe(key: PersonKey, replies: list[Reply]) -> None:
        await storage.outbox.owe(key, [reply.text for reply in replies])

    dispatcher = build_dispatcher(app, owe, worker=name, lease=LEASE, concurrency=4,
                                  scope=storage.person_transaction, cache_plans=False)
    await dispatcher.start()
    return app, dispatcher


@pytest.fixture
async def clock() -> FakeClock:
    return FakeClock(MONDAY)


@pytest.fixture
async def pair(pg_migrated_url: str, clock: FakeClock
               ) -> AsyncIterator[tuple[tuple[App, Dispatcher], ...]]:
    one = await worker(pg_migrated_url, clock, "w:1")
    two = await worker(pg_migrated_url, clock, "w:2")
    for key in PEOPLE:
        state = ConversationState(vars={"consent": "yes"})
        await one[0].storage.commit_turn(TurnWrite(key, state, (), clock.now()))
        await one[1].replan(key)
    try:
        yield one, two
    finally:
        await one[0].close()
        await two[0].close()


async def sent_checkins(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT p.external_id, count(*) FROM scheduled_messages m JOIN people p "
            "ON p.id = m.person_id WHERE m.status = 'sent' GROUP BY p.external_id")
        return {row[0]: int(row[1]) for row in rows}
    finally:
        await conn.close()


async def owed_counts(app: App) -> list[int]:
    return [len(await app.storage.outbox.owed_to(key)) for key in PEOPLE]


async def first_due(app: App, clock: FakeClock) -> None:
    due = [m.due_at for key in PEOPLE for m in await app.storage.schedules.scheduled(key)]
    assert due, "nobody was planned a check-in"
    clock.set(max(due) + timedelta(minutes=1))


async def test_two_workers_send_each_check_in_once(pair: Sequence[tuple[App, Dispatcher]],
                                                   clock: FakeClock,
                                                   pg_migrated_url: str) -> None:
    (one, first), (_two, second) = pair
    await first_due(one, clock)
    for _ in range(3):  # both tick at once, again and again
        await asyncio.gather(first.tick(), second.tick())
    assert await sent_checkins(pg_migrated_url) == {key.external_id: 1 for key in PEOPLE}
    counts = await owed_counts(one)
    assert min(counts) > 0 and len(set(counts)) == 1  # one check-in's replies each


async def test_a_restarting_worker_frees_only_its_own_claims(
        pair: Sequence[tuple[App, Dispatcher]], clock: FakeClock,
        pg_migrated_url: str) -> None:
    (one, _first), (two, second) = pair
    await first_due(one, clock)
    # w:1 claimed them all and is still working on them (it is alive).
    claimed = await one.storage.schedules.claim_due(clock.now(), 100, "w:1")
    assert len(claimed) == len(PEOPLE)
    await second.start()  # w:2 restarts: before, this freed every claim in the database
    await second.tick()
    assert await sent_checkins(pg_migrated_url) == {}
    assert await owed_counts(two) == [0] * len(PEOPLE)


async def test_a_dead_workers_claims_come_back_after_the_lease(
        pair: Sequence[tuple[App, Dispatcher]], clock: FakeClock,
        pg_migrated_url: str) -> None:
    (one, _first), (_two, second) = pair
    await first_due(one, clock)
    await one.storage.schedules.claim_due(clock.now(), 100, "dead:9")  # then kill -9
    clock.advance(LEASE - timedelta(seconds=30))
    await second.tick()
    assert await sent_checkins(pg_migrated_url) == {}  # within the lease: still its
    clock.advance(timedelta(minutes=1))
    await second.tick()
    assert await sent_checkins(pg_migrated_url) == {key.external_id: 1 for key in PEOPLE}
