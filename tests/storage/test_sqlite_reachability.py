"""Reachability in SQLite only: the mark survives a restart, and asking never waits for a
writer (the contract is in tests/storage/contract/test_reachability.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import TurnWrite
from bot.storage.sqlite import SQLiteStorage

SAM = PersonKey("telegram", "42")


async def test_the_mark_survives_a_restart(db_path: Path) -> None:
    first = SQLiteStorage(db_path)
    await first.open()
    await first.commit_turn(TurnWrite(SAM, ConversationState()))
    await first.reachability.set_reachable(SAM, False)
    await first.close()
    again = SQLiteStorage(db_path)
    await again.open()
    try:
        assert not await again.reachability.is_reachable(SAM)
    finally:
        await again.close()


async def test_asking_waits_for_no_writer(db_path: Path) -> None:
    """is_reachable is a read: it answers while another connection holds the write lock
    (it used to open a write transaction of its own, and waited out busy_timeout)."""

    storage = SQLiteStorage(db_path, lock_timeout=0.2, busy_timeout=0.3)
    await storage.open()
    try:
        await storage.commit_turn(TurnWrite(SAM, ConversationState()))
        await storage.reachability.set_reachable(SAM, False)
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            assert not await storage.reachability.is_reachable(SAM)
        finally:
            other.execute("ROLLBACK")
            other.close()
    finally:
        await storage.close()
