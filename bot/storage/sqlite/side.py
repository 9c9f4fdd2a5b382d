"""The second write connection: short transactions beside the group writer.

The schedule, the outbox's bookkeeping and reachability marks never write a person's
state, so they need not queue behind the group writer (which owns the state cache):
they take this connection instead. SQLite serialises the two writers; every transaction
here is a few rows long. Opened on first use, closed with the storage.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aiosqlite

from bot.storage.base import StorageError
from bot.storage.sqlite import opening

T = TypeVar("T")

Work = Callable[[aiosqlite.Connection], Awaitable[T]]


class SideConnection:
    """Runs ``work(conn)`` in one ``BEGIN IMMEDIATE`` transaction, one at a time.

    ``is_open()`` says whether the storage is open: calls on a closed storage raise
    StorageError, as every other call does.
    """

    def __init__(self, path: Path, busy_timeout: float, is_open: Callable[[], bool]) -> None:
        self.path = path
        self._busy_timeout = busy_timeout
        self._is_open = is_open
        self._conn: aiosqlite.Connection | None = None
        self._lock: asyncio.Lock | None = None

    async def run(self, work: Work[T]) -> T:
        """Run ``work`` in a transaction of its own: committed, or rolled back if it raises."""
        if not self._is_open():
            raise StorageError(f"{self.path}: storage is not open")
        if self._lock is None:  # created inside the running loop, not at construction
            self._lock = asyncio.Lock()
        async with self._lock:
            try:
                conn = await self._connection()
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    result = await work(conn)
                except BaseException:
                    if conn.in_transaction:
                        await conn.execute("ROLLBACK")
                    raise
                await conn.execute("COMMIT")
                return result
            except sqlite3.Error as exc:
                raise opening.classify(exc, self.path) from exc

    async def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            conn = await aiosqlite.connect(self.path, isolation_level=None,
                                           timeout=self._busy_timeout)
            for pragma in ("foreign_keys = ON", "synchronous = NORMAL",
                           f"busy_timeout = {int(self._busy_timeout * 1000)}"):
                await conn.execute(f"PRAGMA {pragma}")
            self._conn = conn
        return self._conn

    async def close(self) -> None:
        """Close the connection if it was opened (the storage is closing)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()
