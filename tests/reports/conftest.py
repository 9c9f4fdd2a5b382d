"""A database of real-looking people seeded with canaries: names, words, ids and invite
codes that must never appear in a staff report. People talk to the real engine, the
real flows and the real dispatcher on a virtual clock (the demo driver, typing canaries)."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.demo import DemoDriver, DemoPerson, live, make_people, start_of
from bot.engine.events import Command
from bot.engine.model import Ask
from bot.storage.sqlite import SQLiteStorage

FLOWS = Path(__file__).resolve().parents[2] / "flows"
TODAY = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CANARY_NAME = "Zebulonia"
CANARY_TEXT = "quokkaberry"
CANARY_ID = "777000111"
CANARY_CODE = "INVITEPANGOLIN"
CANARIES = (CANARY_NAME, CANARY_TEXT, CANARY_ID, CANARY_CODE)
PEOPLE, DAYS = 45, 42


class CanaryDriver(DemoDriver):
    """Types canaries wherever a person types words."""

    def _type(self, step: Ask, person: DemoPerson, day: int) -> str:
        if step.validation.number:
            return super()._type(step, person, day)
        if "name" in step.into:
            return f"{CANARY_NAME} {person.key.external_id[-4:]}"
        return f"{CANARY_TEXT} {super()._type(step, person, day)}"


class InvitedDriver(CanaryDriver):
    async def converse(self, person: DemoPerson, first: object, day: int,
                       choices: dict[str, list[str]] | None = None) -> None:
        if first == Command("start"):
            first = Command("start", CANARY_CODE)
        await super().converse(person, first, day, choices)  # type: ignore[arg-type]


async def seed(db: Path) -> None:
    rng = random.Random(3)
    clock = FakeClock(start_of(DAYS, TODAY))
    app = await open_app(FLOWS, SQLiteStorage(db, clock=clock), clock=clock, rng=rng)
    try:
        crowd = make_people(PEOPLE, DAYS, rng)
        for i, person in enumerate(crowd):
            person.key = PersonKey("telegram", f"{CANARY_ID}{i:03d}")
            person.declines = i == 5
        await live(app, InvitedDriver(app.conversations, app.flows, rng), crowd, DAYS, clock)
    finally:
        await app.close()


@pytest.fixture(scope="session")
def canary_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("canary") / "goodhelp.db"
    asyncio.run(seed(db))
    return db
