"""The outbox in SQLite only: owed replies survive a restart, and a turn and its replies
share one transaction (the contract is in tests/storage/contract/test_outbox.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import StorageError, TurnWrite
from bot.storage.sqlite import SQLiteStorage
from tests.storage.conftest import START, StepClock, opened

SAM = PersonKey("telegram", "1")
LATER = START + timedelta(days=1)


def turn(key: PersonKey, step: str = "ask") -> TurnWrite:
    return TurnWrite(key, ConversationState(flow="checkin", step=step, turn=1), (), START)


async def test_owed_replies_survive_a_restart(db_path: Path, clock: StepClock) -> None:
    async with opened(db_path, clock=clock) as storage:
        await storage.outbox.add_with_turn(turn(SAM), ["still owed"])
    async with opened(db_path, clock=clock) as storage:
        assert [o.payload for o in await storage.outbox.due(LATER, 10)] == ["still owed"]


async def test_turn_and_replies_commit_or_fail_together(sqlite_storage: SQLiteStorage) -> None:
    """One transaction: a reply that cannot be stored takes its turn down with it."""
    with pytest.raises(StorageError):
        await sqlite_storage.outbox.add_with_turn(turn(SAM), ["fine", "broken \ud800"])
    assert await sqlite_storage.load(SAM) is None
    assert await sqlite_storage.outbox.due(LATER, 10) == []
