"""An invitation code is a credential: only its digest is stored, even in the state a
newcomer keeps before answering the privacy note, and the role still arrives on "yes"."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from bot.app import open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.engine.events import Choice, Command, Reply
from bot.storage.sqlite import SQLiteStorage
from tests.conftest import FLOWS

ALEX = PersonKey("telegram", "4242")


def press(replies: list[Reply], label: str) -> Choice:
    asked = next(r for r in reversed(replies) if r.options)
    option = next(o for o in asked.options if o.label == label)
    return Choice(asked.prompt, option.index)


async def test_the_code_never_reaches_the_file_and_the_role_is_given_after_yes(
        tmp_path: Path) -> None:
    clock = FakeClock()
    db = tmp_path / "g.db"
    app = await open_app(FLOWS, SQLiteStorage(db, clock=clock), clock=clock,
                         rng=random.Random(1))
    try:
        roles = app.conversations.roles
        _, code = await roles.create_invite("mentor", clock.now(), clock.now() + timedelta(days=7))
        replies = await app.conversations.handle(ALEX, Command("start", code))
        replies = await app.conversations.handle(ALEX, press(replies, "English"))
        # Stopped at the privacy question: the state is kept, the code is not.
        assert code.encode() not in db.read_bytes() + Path(f"{db}-wal").read_bytes()
        replies = await app.conversations.handle(ALEX, press(replies, "Yes, that's OK"))
        assert await roles.holds(ALEX, "mentor")
        assert "mentor" in " ".join(r.text for r in replies).lower()
    finally:
        await app.close()
    assert code.encode() not in db.read_bytes()
