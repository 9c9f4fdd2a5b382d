"""Alerts (migration 0006) in both backends: stored with the turn, exported, deleted."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.keys import PersonKey
from bot.core.records import Alert
from bot.core.state import ConversationState
from bot.storage.base import Storage, TurnWrite

KEY = PersonKey("telegram", "8080")
NAME = "Rhiannon"
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def test_both_backends_store_and_export_an_alert(storage: Storage) -> None:
    alert = Alert("asked_for_person", AT, {"first_name": NAME})
    await storage.commit_turn(TurnWrite(KEY, ConversationState(), (alert,), AT))
    export = await storage.export_person(KEY)
    assert export is not None
    [row] = export.alerts
    assert (row.reason, row.shared, row.created_at, row.handled_at) == (
        "asked_for_person", {"first_name": NAME}, AT, None)
    assert await storage.delete_person(KEY)
    assert await storage.export_person(KEY) is None
