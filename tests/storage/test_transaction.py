"""The one side-connection transaction the mentoring and roles stores share."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from bot.storage.base import StorageError
from bot.storage.transaction import connect, transaction


async def test_work_that_raises_is_rolled_back_and_a_sqlite_error_is_typed(
        tmp_path: Path) -> None:
    conn = await connect(tmp_path / "t.db")
    try:
        await conn.execute("CREATE TABLE t (x INTEGER NOT NULL)")

        async def half_then_fail(c: aiosqlite.Connection) -> None:
            await c.execute("INSERT INTO t VALUES (1)")
            await c.execute("INSERT INTO t VALUES (NULL)")  # NOT NULL: an IntegrityError

        with pytest.raises(StorageError, match=r"^test: no \(IntegrityError\)$"):
            await transaction(conn, half_then_fail, write=True, failed="test: no")

        async def count(c: aiosqlite.Connection) -> int:
            return int(next(iter(await c.execute_fetchall("SELECT COUNT(*) FROM t")))[0])

        assert await transaction(conn, count, write=False, failed="test") == 0  # rolled back

        async def add(c: aiosqlite.Connection) -> None:
            await c.execute("INSERT INTO t VALUES (2)")

        await transaction(conn, add, write=True, failed="test")
        assert await transaction(conn, count, write=False, failed="test") == 1
        assert next(iter(await conn.execute_fetchall("PRAGMA foreign_keys")))[0] == 1
    finally:
        await conn.close()

