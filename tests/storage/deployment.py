"""A realistic SQLite deployment made by the real bot (tests of migrate-db): people who
talk to the real flows on a virtual clock, typing Welsh, emoji, right-to-left text, NUL and
SQL; a Welsh speaker; an alert; a mentor match with a relayed message; mentors' stories;
invitations and roles; owed replies; someone who blocked the bot; someone who deleted
themselves. Every table migrate-db copies holds rows."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.demo import DemoDriver, DemoPerson, live, make_people, start_of
from bot.engine.events import Command
from bot.engine.model import Ask
from bot.scheduling.relay import RelayDispatcher
from bot.storage.base import TurnWrite
from bot.storage.move import TABLES
from bot.storage.sqlite import SQLiteStorage
from tests.conftest import FLOWS
from tests.mentoring.conftest import MENTOR, ONBOARDED, PERSON, STAFF, Chats, matched
from tests.mentoring.test_relay import write
from tests.test_alerts import ask_for_a_person

TODAY = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAYS = 21
# What people type that a copy must keep exactly: Welsh, emoji, right-to-left, NUL, SQL.
ODD = ("Dw i'n mynd i'r llyfrgell ŵ ŷ â", "Went for a run 🏃🏽‍♀️🎉", "أريد أن أجد عملاً",
       "nul\x00in the middle", "Robert'); DROP TABLE people;-- \\ % _ $1 ? '' \"")


class OddDriver(DemoDriver):
    """Types the odd texts wherever a person types words."""

    def _type(self, step: Ask, person: DemoPerson, day: int) -> str:
        if step.validation.number:
            return super()._type(step, person, day)
        return self.rng.choice(ODD)


async def build_deployment(db: Path) -> None:
    """Several people through the real bot on a virtual clock, and every kind of row."""
    rng = random.Random(11)
    clock = FakeClock(start_of(DAYS, TODAY))
    app = await open_app(FLOWS, SQLiteStorage(db, clock=clock), clock=clock, rng=rng)
    try:
        driver = OddDriver(app.conversations, app.flows, rng)
        crowd = make_people(10, DAYS, rng)
        for i, person in enumerate(crowd):
            person.key = PersonKey("telegram", f"4400{i:02d}")
            person.leaves_after, person.exit = (3, "delete") if i == 3 else (99, "silent")
        await live(app, driver, crowd, DAYS, clock)
        welsh = DemoPerson(PersonKey("telegram", "440099"), "rising", 0, False, 99, "silent")
        await driver.converse(welsh, Command("start"), DAYS, {"choose_language": ["cy"]})
        spoken = await app.storage.load(welsh.key)
        assert spoken is not None and spoken.vars.get("language") == "cy"
        await ask_for_a_person(app)  # an alert, with what they chose to share
        for key, name in ((PERSON, "Siân 🌱"), (MENTOR, "مريم"), (STAFF, "Sue")):
            state = ConversationState(vars={**ONBOARDED, "name": f", {name}"})
            await app.storage.commit_turn(TurnWrite(key, state, (), clock.now()))
        roles = app.conversations.roles
        await roles.grant(MENTOR, "mentor", clock.now())
        await roles.grant(STAFF, "staff", clock.now())
        chats = Chats(app, clock, RelayDispatcher(app.conversations,
                                                  app.storage.reachability, clock, _ignore))
        ref = await matched(chats)
        await write(chats, ref, "Da iawn! 💪 What helped most?")
        await chats.tick(minutes=61)
        store = app.conversations.mentoring.store
        story = await store.add_story(MENTOR, "work", ODD[4], clock.now())
        await store.decide_story(story, "approved", clock.now())
        await store.add_story(MENTOR, "health", ODD[3], clock.now())
        _, code = await roles.create_invite("person", clock.now(),
                                                 clock.now() + timedelta(days=7), uses=3,
                                                 cohort="Caerdydd 🌊")
        await roles.redeem(crowd[0].key, code, clock.now())
        spent, _ = await roles.create_invite("mentor", clock.now(), clock.now())
        await roles.revoke_invite(spent.id, clock.now())
        owed = crowd[1].key
        state = await app.storage.load(owed)
        assert state is not None
        await app.storage.outbox.add_with_turn(TurnWrite(owed, state, (), clock.now()),
                                               ['{"text": "Diolch \\u0000 ✨"}', "{}"])
        await app.storage.reachability.set_reachable(crowd[2].key, False)
    finally:
        await app.close()


async def _ignore(key: PersonKey, replies: list[Any]) -> None:
    """Replies the relay sends are not what this test is about."""


def copy_of(db: Path, tmp_path: Path) -> Path:
    """A private copy of the deployment (the file alone: it was closed cleanly)."""
    dest = tmp_path / "goodhelp.db"
    with sqlite3.connect(db) as src, sqlite3.connect(dest) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return dest


def row_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        found = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}
    conn.close()
    return found


def keys_in(db: Path) -> list[PersonKey]:
    with sqlite3.connect(db) as conn:
        found = [PersonKey(c, e) for c, e in conn.execute(
            "SELECT channel, external_id FROM people ORDER BY id")]
    conn.close()
    return found


