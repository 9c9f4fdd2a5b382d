"""A person can type U+0000 (SQLite keeps it; PostgreSQL's text stores it escaped), and
JSON writes it into their state as \\u0000, which PostgreSQL's jsonb refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import TurnWrite
from bot.storage.postgres import PostgresStorage
from bot.storage.reports import ReportScope

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = PersonKey("telegram", "1")
TYPED = {"consent": "yes", "name": "a\x00b", "odd": "back\\u0000slash\\"}


async def test_the_staff_report_counts_a_person_whose_state_holds_a_nul(
        pg_migrated_url: str) -> None:
    """Before the fix the report failed for everyone (UntranslatableCharacterError)."""
    storage = PostgresStorage(pg_migrated_url)
    await storage.open()
    try:
        await storage.commit_turn(TurnWrite(KEY, ConversationState(vars=TYPED), (), AT))
        source = storage.report_source()
        weekly = await source.weekly(ReportScope(AT - timedelta(days=7), AT + timedelta(days=7)))
        assert sum(weekly["new"].values()) == 1
    finally:
        await storage.close()


async def test_a_person_whose_state_holds_a_nul_can_delete_themselves_and_is_counted(
        pg_migrated_url: str) -> None:
    """Before the fix the deletion count's trigger failed, and so did /delete."""
    storage = PostgresStorage(pg_migrated_url)
    await storage.open()
    try:
        await storage.commit_turn(TurnWrite(KEY, ConversationState(vars=TYPED), (), AT))
        assert await storage.delete_person(KEY)
        assert await storage.load(KEY) is None
        found = await storage.db.fetch("SELECT week, people FROM deletions")
        assert found == [("2026-03-02", 1)]
    finally:
        await storage.close()
