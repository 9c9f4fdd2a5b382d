"""A win's celebration varies: never the same reply twice in a row, across many wins."""

from __future__ import annotations

import random
from itertools import pairwise

from bot.app import open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.engine.events import Choice, Command, Text
from bot.storage.base import TurnWrite
from bot.storage.memory import MemoryStorage
from tests.conftest import FLOWS

KEY = PersonKey("test", "wins")


async def celebrations(seed: int, wins: int, language: str = "en") -> list[str]:
    app = await open_app(FLOWS, MemoryStorage(), clock=FakeClock(), rng=random.Random(seed))
    try:
        await app.storage.commit_turn(TurnWrite(KEY, ConversationState(
            vars={"consent": "yes", "language": language})))
        said = []
        for _ in range(wins):
            await app.conversations.handle(KEY, Command("win"))
            replies = await app.conversations.handle(KEY, Text("made soup"))
            said.append(replies[0].text)  # the celebration; the rating question follows
            question = replies[-1]
            await app.conversations.handle(KEY, Choice(question.prompt, len(question.options) - 1))
        return said
    finally:
        await app.close()


async def test_never_the_same_celebration_twice_in_a_row() -> None:
    for seed in range(5):
        said = await celebrations(seed, 8)
        assert all("made soup" in s for s in said)
        assert all(a != b for a, b in pairwise(said)), said
        assert len(set(said)) >= 3


async def test_in_welsh_too() -> None:
    said = await celebrations(1, 4, "cy")
    assert all(a != b for a, b in pairwise(said)), said
    assert all("made soup" in s for s in said)
