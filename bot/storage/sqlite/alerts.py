"""Staff alerts for the ``goodhelp alerts`` command: list the open ones, mark one handled.

The command runs beside a live bot, which holds the database's process lock, so it uses
a plain connection with a busy timeout rather than opening the storage. A database that
predates the alerts table is migrated first (possible only while the bot is stopped).
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path

import aiosqlite

from bot.core.stored import AlertRow
from bot.storage.base import StorageError
from bot.storage.rows import alert_row, to_text

BUSY_SECONDS = 5.0
_OPEN = ("SELECT id, reason, shared_json, created_at, handled_at FROM alerts "
         "WHERE handled_at IS NULL ORDER BY created_at, id")
_DONE = "UPDATE alerts SET handled_at = ? WHERE id = ? AND handled_at IS NULL"


async def _ensure_table(path: Path) -> None:
    if not await asyncio.to_thread(path.is_file):
        raise StorageError(f"{path}: no database here (is --db right?)")
    async with aiosqlite.connect(path) as conn:
        found = await conn.execute_fetchall(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alerts'")
    if not list(found):
        from bot.storage.sqlite import SQLiteStorage  # migrates on open

        storage = SQLiteStorage(path)
        await storage.open()
        await storage.close()


async def open_alerts(path: Path) -> list[AlertRow]:
    """Alerts nobody has marked handled yet, oldest first."""
    await _ensure_table(path)
    try:
        async with aiosqlite.connect(path, timeout=BUSY_SECONDS) as conn:
            return [alert_row(r) for r in await conn.execute_fetchall(_OPEN)]
    except sqlite3.Error as exc:
        raise StorageError(f"{path}: could not read alerts ({type(exc).__name__})") from exc


async def mark_handled(path: Path, alert_id: int, at: datetime) -> bool:
    """Mark one open alert handled; False when there is no open alert with that id."""
    await _ensure_table(path)
    try:
        async with aiosqlite.connect(path, timeout=BUSY_SECONDS) as conn:
            cursor = await conn.execute(_DONE, (to_text(at), alert_id))
            await conn.commit()
            return cursor.rowcount > 0
    except sqlite3.Error as exc:
        raise StorageError(f"{path}: could not update the alert ({type(exc).__name__})") from exc
