"""Staff alerts for ``goodhelp alerts`` on PostgreSQL: list the open ones, mark one handled.

The command runs beside live workers; PostgreSQL lets it, so it simply opens the storage
(which checks the schema version) for the one query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from bot.core.stored import AlertRow
from bot.storage.postgres.connection import Database
from bot.storage.postgres.storage import PostgresStorage
from bot.storage.rows import alert_row, to_text

_OPEN = ("SELECT id, reason, shared_json, created_at, handled_at FROM alerts "
         "WHERE handled_at IS NULL ORDER BY created_at, id")
_DONE = "UPDATE alerts SET handled_at = $1 WHERE id = $2 AND handled_at IS NULL"


@asynccontextmanager
async def _opened(url: str) -> AsyncIterator[Database]:
    storage = PostgresStorage(url, pool_size=1)
    await storage.open()
    try:
        yield storage.db
    finally:
        await storage.close()


async def open_alerts(url: str) -> list[AlertRow]:
    """Alerts nobody has marked handled yet, oldest first."""
    async with _opened(url) as db:
        return [alert_row(r) for r in await db.fetch(_OPEN)]


async def mark_handled(url: str, alert_id: int, at: datetime) -> bool:
    """Mark one open alert handled; False when there is no open alert with that id."""
    async with _opened(url) as db:
        return await db.execute(_DONE, to_text(at), alert_id) > 0
