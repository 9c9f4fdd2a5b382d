"""The schedule in SQLite only: the due lookup reads the partial index (the contract is in
tests/storage/contract/test_schedules.py)."""

from __future__ import annotations

from bot.storage.sqlite import SQLiteStorage


async def test_due_lookup_uses_the_partial_index(sqlite_storage: SQLiteStorage) -> None:
    import sqlite3

    from bot.storage.sqlite.schedule import DUE_IDS

    conn = sqlite3.connect(sqlite_storage.path)
    try:
        plan = conn.execute("EXPLAIN QUERY PLAN " + DUE_IDS, ("x", 10)).fetchall()
    finally:
        conn.close()
    assert any("scheduled_due" in str(row[-1]) for row in plan), plan
