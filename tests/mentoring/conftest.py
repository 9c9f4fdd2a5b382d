"""Three people on one real SQLite file: a person, a mentor and a staff member."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.engine.events import Choice, Command, Event, Reply, Text
from bot.scheduling.relay import RelayDispatcher
from bot.storage.base import TurnWrite
from bot.storage.sqlite import SQLiteStorage
from tests.conftest import FLOWS

PERSON = PersonKey("telegram", "5550001")
MENTOR = PersonKey("telegram", "5550002")
STAFF = PersonKey("telegram", "5550003")
ONBOARDED = {"consent": "yes", "language": "en", "timezone": "Europe/London",
             "checkin_time": "09:00", "rhythm": "ask"}


@dataclass
class Chats:
    """The app, a relay dispatcher and what each chat received."""

    app: App
    clock: FakeClock
    relay: RelayDispatcher
    inbox: dict[PersonKey, list[Reply]] = field(default_factory=dict)
    last: dict[PersonKey, list[Reply]] = field(default_factory=dict)

    async def say(self, key: PersonKey, text: str) -> str:
        event: Event = Command(*text[1:].split(" ", 1)) if text.startswith("/") else Text(text)
        return await self.send(key, event)

    async def send(self, key: PersonKey, event: Event) -> str:
        replies = await self.app.conversations.handle(key, event)
        self.last[key] = replies
        self.inbox.setdefault(key, []).extend(replies)
        return "\n".join(r.text for r in replies)

    async def press(self, key: PersonKey, label: str) -> str:
        asked = next(r for r in reversed(self.last[key]) if r.options)
        option = next(o for o in asked.options if o.label == label)
        return await self.send(key, Choice(asked.prompt, option.index))

    async def tick(self, minutes: float = 0) -> str:
        self.clock.advance(timedelta(minutes=minutes))
        report = await self.relay.tick()
        return ",".join(f"{k}={v}" for k, v in sorted(report.counts.items()))

    def everything_sent_to(self, key: PersonKey) -> str:
        return "\n".join(r.text + " " + " ".join(o.label for o in r.options)
                         for r in self.inbox.get(key, []))


@pytest.fixture
async def chats(tmp_path: Path) -> AsyncIterator[Chats]:
    clock = FakeClock()
    app = await open_app(FLOWS, SQLiteStorage(tmp_path / "g.db", clock=clock), clock=clock,
                         rng=random.Random(3))
    for key, name in ((PERSON, "Samantha Jones"), (MENTOR, "Max"), (STAFF, "Sue")):
        state = ConversationState(vars={**ONBOARDED, "name": f", {name}"})
        await app.storage.commit_turn(TurnWrite(key, state, (), clock.now()))
    await app.conversations.roles.grant(MENTOR, "mentor", clock.now())
    await app.conversations.roles.grant(STAFF, "staff", clock.now())
    holder: Chats | None = None

    async def send(key: PersonKey, replies: list[Reply]) -> None:
        assert holder is not None
        holder.last[key] = replies
        holder.inbox.setdefault(key, []).extend(replies)

    relay = RelayDispatcher(app.conversations, app.storage.reachability, clock, send)
    holder = Chats(app, clock, relay)
    try:
        yield holder
    finally:
        await app.close()


async def matched(chats: Chats, share_name: str = "Sam") -> str:
    """The person asks for a mentor, shares a nickname, staff match them; the mentor's
    code for the person."""
    await chats.say(PERSON, "/mentor")
    await chats.press(PERSON, "Yes, please")
    await chats.say(PERSON, share_name)
    await chats.press(PERSON, "Yes")
    await chats.say(STAFF, "/staff")
    assert "Done" in await chats.press(STAFF, "Match the next person waiting")
    await chats.tick()
    listing = await chats.say(MENTOR, "/mentoring")
    link = await chats.app.conversations.mentoring.store.current_link(PERSON)
    assert link is not None and link.ref in listing
    await chats.press(MENTOR, "That's all for now")
    return link.ref
