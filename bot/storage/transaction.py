"""One short SQLite transaction on a side connection: the mentoring and roles stores' way.

Both stores keep their tables beside the storage's group-commit writer and write rarely
(an invitation redeemed, a message queued), so each write is its own small transaction
on its own connection: ``BEGIN IMMEDIATE`` takes the write lock up front (waiting up to
the busy timeout rather than failing half way), and any error rolls back. Kept in one
place so the two stores cannot drift apart in how they open, lock or report failures.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aiosqlite

from bot.storage.base import StorageError

T = TypeVar("T")
BUSY_SECONDS = 5.0


async def connect(path: str | Path) -> aiosqlite.Connection:
    """A connection in autocommit mode (transactions are explicit), foreign keys on and
    deleted text overwritten (``secure_delete``), waiting up to ``BUSY_SECONDS`` for a lock.
    A file that cannot be opened is a :class:`StorageError`, like a failed transaction."""
    try:
        conn = await aiosqlite.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise StorageError(f"{path}: could not be opened ({type(exc).__name__})") from exc
    try:
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA secure_delete = ON")
    except BaseException as exc:
        await conn.close()
        if isinstance(exc, sqlite3.Error):
            raise StorageError(f"{path}: could not be opened ({type(exc).__name__})") from exc
        raise
    return conn


async def transaction(conn: aiosqlite.Connection,
                      work: Callable[[aiosqlite.Connection], Awaitable[T]], *,
                      write: bool, failed: str) -> T:
    """Run ``work`` in one transaction on ``conn``: committed if it returns, rolled back if
    it raises. A SQLite error becomes a :class:`StorageError` saying ``failed`` and the
    error's kind (never the SQL's values, which may be personal text)."""
    try:
        await conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            result = await work(conn)
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
        return result
    except sqlite3.Error as exc:
        raise StorageError(f"{failed} ({type(exc).__name__})") from exc
