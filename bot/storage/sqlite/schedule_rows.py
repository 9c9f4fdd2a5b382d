"""The ``schedules`` table's statements in SQLite; the values are bot/storage/schedule_values.py."""

from __future__ import annotations

from bot.storage.schedule_values import COLUMNS, SELECT, decode, encode

UPSERT = (
    f"INSERT INTO schedules (person_id, {', '.join(COLUMNS)}) "
    f"VALUES (?, {', '.join('?' * len(COLUMNS))}) "
    "ON CONFLICT (person_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS)
)
DELETE = "DELETE FROM schedules WHERE person_id = ?"

__all__ = ["COLUMNS", "DELETE", "SELECT", "UPSERT", "decode", "encode"]
