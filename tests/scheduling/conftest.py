"""A dispatcher on the shipped flows, a FakeClock and a send callback that records."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import App, open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.records import Achievement, Rating
from bot.core.state import ConversationState
from bot.engine.events import Reply
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.runner import build_dispatcher
from bot.storage.base import TurnWrite
from bot.storage.memory import MemoryStorage
from tests.conftest import FLOWS

MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)
SAM = PersonKey("terminal", "sam")


@dataclass
class Rig:
    app: App
    clock: FakeClock
    dispatcher: Dispatcher
    sent: list[tuple[PersonKey, list[Reply]]] = field(default_factory=list)

    async def person(self, key: PersonKey = SAM, **vars: Any) -> None:
        """A person who has said yes, with these settings, planned as after a turn."""
        state = ConversationState(vars={"consent": "yes", **vars})
        await self.app.storage.commit_turn(TurnWrite(key, state, (), self.clock.now()))
        await self.dispatcher.replan(key)

    async def set_vars(self, key: PersonKey = SAM, **vars: Any) -> None:
        """Change stored variables behind the planner's back (as a crash might)."""
        state = await self.app.storage.load(key)
        assert state is not None
        await self.app.storage.commit_turn(TurnWrite(key, state.with_vars(**vars), ()))

    async def dip_after_old_win(self, win: str, key: PersonKey = SAM) -> None:
        """A win three weeks ago, steady 8s, then a 4 an hour ago: a confidence dip."""
        records = [Achievement(win, MONDAY - timedelta(days=21)),
                   Rating(8, MONDAY - timedelta(days=6), "checkin"),
                   Rating(8, MONDAY - timedelta(days=4), "checkin"),
                   Rating(8, MONDAY - timedelta(days=2), "checkin"),
                   Rating(4, MONDAY - timedelta(hours=1), "checkin")]
        state = await self.app.storage.load(key)
        assert state is not None
        await self.app.storage.commit_turn(TurnWrite(key, state, tuple(records)))

    async def due(self, key: PersonKey = SAM) -> list[datetime]:
        return [m.due_at for m in await self.app.storage.schedules.scheduled(key)]

    async def run_until(self, end: datetime, step_minutes: int = 30) -> None:
        """Move the clock in steps, ticking at each, as the scheduler would."""
        while self.clock.now() < end:
            self.clock.advance(timedelta(minutes=step_minutes))
            await self.dispatcher.tick()

    def texts(self, key: PersonKey = SAM) -> list[str]:
        return ["\n".join(r.text for r in replies) for k, replies in self.sent if k == key]


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    clock = FakeClock(MONDAY)
    app = await open_app(FLOWS, MemoryStorage(), clock=clock, rng=random.Random(5))
    sent: list[tuple[PersonKey, list[Reply]]] = []

    async def send(key: PersonKey, replies: list[Reply]) -> None:
        sent.append((key, replies))

    dispatcher = build_dispatcher(app, send)
    await dispatcher.start()
    try:
        yield Rig(app, clock, dispatcher, sent)
    finally:
        await app.close()
