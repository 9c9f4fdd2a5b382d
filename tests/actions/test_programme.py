"""/programme tells a person the same anonymous headline staff see, small numbers hidden."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.records import FlowEvent, Rating
from bot.core.state import ConversationState
from bot.engine.events import Command
from bot.storage.base import TurnWrite
from bot.storage.memory import MemoryStorage
from bot.storage.sqlite import SQLiteStorage

FLOWS = Path(__file__).resolve().parents[2] / "flows"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def seed(storage: MemoryStorage | SQLiteStorage, people: int) -> None:
    for i in range(people):
        key = PersonKey("telegram", str(1000 + i))
        state = ConversationState(vars={"consent": "yes", "language": "en"})
        for week in range(6 if i < 32 else 3):  # some stop after a fortnight
            at = T0 + timedelta(weeks=week, hours=i)
            records = [FlowEvent("step_answered", "checkin", "rate", at),
                       Rating(4 + (week > 3) * 3, at, "checkin")]
            await storage.commit_turn(TurnWrite(key, state, tuple(records), at))


async def ask(storage: MemoryStorage | SQLiteStorage, people: int, language: str = "en"
              ) -> str:
    clock = FakeClock(T0 + timedelta(weeks=8))
    app = await open_app(FLOWS, storage, clock=clock, rng=random.Random(1))
    try:
        await seed(storage, people)
        key = PersonKey("telegram", "asker")
        await app.storage.commit_turn(TurnWrite(key, ConversationState(
            vars={"consent": "yes", "language": language}), (), T0))
        replies = await app.conversations.handle(key, Command("programme"))
    finally:
        await app.close()
    return "\n".join(r.text for r in replies)


async def test_enough_people_hear_the_rounded_figures_and_the_confidence_change() -> None:
    text = await ask(MemoryStorage(), 40)
    assert "40 people joined" in text  # 41 with the asker, rounded to 40
    assert "rose by 2.4 points" in text  # 32 people +3, 8 people +0
    assert "78% were still taking part four weeks later" in text  # 32 of 41


async def test_a_small_programme_hears_fewer_than_8_and_too_early(tmp_path: Path) -> None:
    text = await ask(SQLiteStorage(tmp_path / "p.db"), 3)
    assert "fewer than 8 people joined" in text
    assert "too early to say" in text
    assert not any(str(n) + " people" in text for n in range(1, 8))


async def test_in_welsh(tmp_path: Path) -> None:
    text = await ask(SQLiteStorage(tmp_path / "p.db"), 40, "cy")
    assert "ymunodd 40 o bobl" in text and "fe gododd 2.4 pwynt" in text
