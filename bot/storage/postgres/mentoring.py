"""Mentor links and relayed messages in PostgreSQL: the shared :class:`MentorStore` with
its two database calls answered by the pool instead of an SQLite connection.

The store's statements are plain SQL with ``?`` marks; they are numbered ``$1, $2...``
here, and an INSERT returns its new id the PostgreSQL way.
"""

from __future__ import annotations

import re

from bot.storage.mentoring import MentorStore
from bot.storage.postgres.connection import Database, Row

_MARK = re.compile(r"\?")


def numbered(sql: str) -> str:
    """``?`` marks as PostgreSQL's ``$1, $2, ...`` (the store's SQL has no ``?`` in text)."""
    count = iter(range(1, 1000))
    return _MARK.sub(lambda _: f"${next(count)}", sql)


class PostgresMentorStore(MentorStore):
    """The mentoring store over a PostgreSQL pool (the storage opens and closes it)."""

    def __init__(self, db: Database) -> None:
        super().__init__(None)
        self._db = db

    async def close(self) -> None:
        """Nothing of its own to close: the pool belongs to the storage."""

    async def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[Row]:  # type: ignore[override]
        return await self._db.fetch(numbered(sql), *params)

    async def _write(self, *statements: tuple[str, tuple[object, ...]]) -> int:
        """Run statements in one transaction; the last one's rowcount (or new row id)."""
        result = 0
        async with self._db.connection(transaction=True) as conn:
            for sql, params in statements:
                if sql.lstrip().startswith("INSERT"):
                    found = await conn.fetchrow(numbered(sql) + " RETURNING id", *params)
                    result = int(found[0]) if found else 0
                else:
                    result = await conn.execute(numbered(sql), *params)
        return result
