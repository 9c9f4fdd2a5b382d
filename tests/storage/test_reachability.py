"""Reachability (migration 0004) on both backends: the Telegram channel marks a person who
blocked the bot, and clears the mark when they write again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import Storage, TurnWrite
from bot.storage.sqlite import SQLiteStorage

SAM = PersonKey("telegram", "42")


async def test_unknown_people_are_reachable_and_cannot_be_marked(storage: Storage) -> None:
    assert await storage.is_reachable(SAM)
    assert not await storage.set_reachable(SAM, False)
    assert await storage.is_reachable(SAM)


async def test_mark_and_clear(storage: Storage) -> None:
    await storage.commit_turn(TurnWrite(SAM, ConversationState(flow="win", step="ask")))
    assert await storage.set_reachable(SAM, False)
    assert not await storage.set_reachable(SAM, False)  # already marked: nothing changes
    assert not await storage.is_reachable(SAM)
    assert await storage.load(SAM) == ConversationState(flow="win", step="ask")
    assert await storage.set_reachable(SAM, True)
    assert await storage.is_reachable(SAM)
    assert not await storage.set_reachable(SAM, True)


async def test_deleting_a_person_forgets_the_mark(storage: Storage) -> None:
    await storage.commit_turn(TurnWrite(SAM, ConversationState()))
    await storage.set_reachable(SAM, False)
    await storage.delete_person(SAM)
    await storage.commit_turn(TurnWrite(SAM, ConversationState()))
    assert await storage.is_reachable(SAM)


async def test_the_mark_survives_a_restart(db_path: Path) -> None:
    first = SQLiteStorage(db_path)
    await first.open()
    await first.commit_turn(TurnWrite(SAM, ConversationState()))
    await first.set_reachable(SAM, False)
    await first.close()
    again = SQLiteStorage(db_path)
    await again.open()
    try:
        assert not await again.is_reachable(SAM)
    finally:
        await again.close()


async def test_asking_waits_for_no_writer(db_path: Path) -> None:
    """is_reachable is a read: it answers while another connection holds the write lock
    (it used to open a write transaction of its own, and waited out busy_timeout)."""

    storage = SQLiteStorage(db_path, lock_timeout=0.2, busy_timeout=0.3)
    await storage.open()
    try:
        await storage.commit_turn(TurnWrite(SAM, ConversationState()))
        await storage.set_reachable(SAM, False)
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            assert not await storage.is_reachable(SAM)
        finally:
            other.execute("ROLLBACK")
            other.close()
    finally:
        await storage.close()
