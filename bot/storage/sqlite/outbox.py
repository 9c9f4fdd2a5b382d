"""Replies owed to people (migration 0005) in SQLite, one role of SQLiteStorage.

``add_with_turn`` hands the rows to the same write as the turn (the group writer's
transaction in SQLite), so a reply is owed exactly when its turn is committed. The rest
are short transactions on the side connection, like the schedule's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.core.owed import OwedReply
from bot.storage import rows
from bot.storage.base import TurnWrite
from bot.storage.rows import from_text, new_refs, to_text
from bot.storage.sqlite.side import SideConnection
from bot.storage.sqlite.writer import GroupWriter

_PERSON_ID = "(SELECT id FROM people WHERE channel = ? AND external_id = ?)"
_COLUMNS = "o.ref, p.channel, p.external_id, o.payload_json, o.due_at, o.attempt"
# Every row of each person whose oldest row is due: one person's replies go out in order,
# and a postponed reply holds back the ones written after it.
_DUE = (
    f"SELECT {_COLUMNS} FROM outbox o JOIN people p ON p.id = o.person_id "
    "WHERE o.person_id IN (SELECT d.person_id FROM outbox d WHERE d.due_at <= ? AND NOT "
    "EXISTS (SELECT 1 FROM outbox e WHERE e.person_id = d.person_id AND e.id < d.id) "
    "ORDER BY d.due_at LIMIT ?) ORDER BY o.person_id, o.id LIMIT ?"
)
_OWED_TO = (
    f"SELECT {_COLUMNS} FROM outbox o JOIN people p ON p.id = o.person_id "
    "WHERE p.channel = ? AND p.external_id = ? ORDER BY o.id"
)
_POSTPONE = (
    f"UPDATE outbox SET due_at = max(due_at, ?), attempt = attempt + 1 "
    f"WHERE person_id = {_PERSON_ID}"
)


def _owed(row: Any) -> OwedReply:
    """From (ref, channel, external_id, payload_json, due_at, attempt)."""
    return OwedReply(row[0], PersonKey(row[1], row[2]), row[3], from_text(row[4]), row[5])


class SQLiteOutbox:
    """The outbox (:class:`~bot.storage.base.Outbox`) in SQLite. ``writer()`` is the open
    group writer (it raises if the storage is closed); ``side`` runs the bookkeeping."""

    def __init__(self, writer: Callable[[], GroupWriter], side: SideConnection,
                 clock: Clock) -> None:
        self._open_writer = writer
        self._side = side
        self._clock = clock
        self._sent_batch: _SentBatch | None = None

    async def add_with_turn(self, write: TurnWrite, payloads: Sequence[str]) -> list[str]:
        """Commit the turn and its owed replies in one group-commit transaction."""
        refs = new_refs(len(payloads))
        prepared = rows.prepare(write, self._clock.now(), tuple(zip(refs, payloads, strict=True)))
        await self._open_writer().write(prepared)
        return refs

    async def due(self, now: datetime, limit: int) -> list[OwedReply]:
        """Every owed row of the people whose oldest row is due by ``now``, in order."""
        async def work(conn: aiosqlite.Connection) -> list[OwedReply]:
            found = await conn.execute_fetchall(_DUE, (to_text(now), limit, limit))
            return [_owed(r) for r in found]

        owed: list[OwedReply] = await self._side.run(work)
        return owed

    async def owed_to(self, key: PersonKey) -> list[OwedReply]:
        """Everything owed to the person, due or not, in the order it was written."""
        async def work(conn: aiosqlite.Connection) -> list[OwedReply]:
            found = await conn.execute_fetchall(_OWED_TO, (key.channel, key.external_id))
            return [_owed(r) for r in found]

        owed: list[OwedReply] = await self._side.run(work)
        return owed

    async def mark_sent(self, ref: str) -> None:
        """Group commit, as for turns: every confirmation that arrives while one is waiting
        for the connection goes in the same transaction (one per sent message otherwise)."""
        batch = self._sent_batch
        if batch is None or batch.started:
            batch = self._sent_batch = _SentBatch()
            batch.refs.append(ref)

            async def work(conn: aiosqlite.Connection) -> None:
                batch.started = True
                await conn.executemany("DELETE FROM outbox WHERE ref = ?",
                                       [(r,) for r in batch.refs])

            try:
                await self._side.run(work)
            except BaseException as exc:
                batch.started = True
                batch.done.set_exception(exc)
                batch.done.exception()  # retrieved: the waiters each get it too
                raise
            batch.done.set_result(None)
            return
        batch.refs.append(ref)
        await asyncio.shield(batch.done)

    async def postpone(self, key: PersonKey, due_at: datetime) -> None:
        """Hold the person's owed rows back until ``due_at``; attempts go up by one."""
        async def work(conn: aiosqlite.Connection) -> None:
            await conn.execute(_POSTPONE, (to_text(due_at), key.channel, key.external_id))

        await self._side.run(work)

    async def drop_owed(self, key: PersonKey) -> int:
        """Forget everything owed to the person; how many rows."""
        async def work(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(f"DELETE FROM outbox WHERE person_id = {_PERSON_ID}",
                                        (key.channel, key.external_id))
            return cursor.rowcount

        dropped: int = await self._side.run(work)
        return dropped


class _SentBatch:
    """Refs confirmed while the first of them waits for the connection."""

    def __init__(self) -> None:
        self.refs: list[str] = []
        self.started = False
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
