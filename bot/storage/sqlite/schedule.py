"""Scheduled messages in SQLite (migration 0003), one role of :class:`SQLiteStorage`.

These writes use the side connection (:mod:`bot.storage.sqlite.side`), so the group
writer (which owns conversation state and its cache) is untouched: they never write a
person's state, so the cache stays true.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.storage.base import NextMessage, ScheduledMessage
from bot.storage.rows import KEEP_SENT, encode_payload, from_text, message_row, to_text
from bot.storage.sqlite.side import SideConnection

_COLUMNS = (
    "m.id, p.channel, p.external_id, m.kind, m.due_at, m.status, m.attempt, m.payload_json, "
    "m.claimed_at, s.updated_at"
)
_FROM = (
    "FROM scheduled_messages m JOIN people p ON p.id = m.person_id "
    "LEFT JOIN conversation_state s ON s.person_id = m.person_id"
)
# The due lookup: served by the partial index scheduled_due, so it reads only due rows.
DUE_IDS = (
    "SELECT id FROM scheduled_messages WHERE status = 'pending' AND due_at <= ? "
    "ORDER BY due_at LIMIT ?"
)
_PERSON_ID = "SELECT id FROM people WHERE channel = ? AND external_id = ?"
_DROP_PENDING = (
    "DELETE FROM scheduled_messages WHERE person_id = ? AND kind = ? AND status = 'pending'"
)
_INSERT = (
    "INSERT INTO scheduled_messages (person_id, kind, due_at, status, payload_json, created_at) "
    "VALUES (?, ?, ?, 'pending', ?, ?)"
)


class SQLiteSchedules:
    """The schedule queue (:class:`~bot.storage.base.ScheduleStore`) in SQLite: every call
    one short transaction on the side connection (``side``)."""

    def __init__(self, side: SideConnection, clock: Clock) -> None:
        self._side = side
        self._clock = clock

    async def _replace_pending(self, conn: aiosqlite.Connection, person_id: int,
                               message: NextMessage) -> None:
        await conn.execute(_DROP_PENDING, (person_id, message.kind))
        await conn.execute(_INSERT, (person_id, message.kind, to_text(message.due_at),
                                     encode_payload(message.payload),
                                     to_text(self._clock.now())))

    async def schedule(self, key: PersonKey, message: NextMessage) -> bool:
        """Replace the person's pending message of this kind. False if the person is unknown."""

        async def work(conn: aiosqlite.Connection) -> bool:
            found = list(await conn.execute_fetchall(_PERSON_ID, (key.channel, key.external_id)))
            if not found:
                return False
            await self._replace_pending(conn, found[0][0], message)
            return True

        return await self._side.run(work)

    async def unschedule(self, key: PersonKey, kind: str) -> int:
        """Drop the person's pending messages of this kind; return how many."""

        async def work(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(
                "DELETE FROM scheduled_messages WHERE status = 'pending' AND kind = ? AND "
                f"person_id = ({_PERSON_ID})", (kind, key.channel, key.external_id))
            return cursor.rowcount

        return await self._side.run(work)

    async def scheduled(self, key: PersonKey) -> list[ScheduledMessage]:
        """The person's pending and claimed messages, soonest first."""

        async def work(conn: aiosqlite.Connection) -> list[ScheduledMessage]:
            rows = await conn.execute_fetchall(
                f"SELECT {_COLUMNS} {_FROM} WHERE p.channel = ? AND p.external_id = ? "
                "AND m.status IN ('pending', 'claimed') ORDER BY m.due_at, m.id",
                (key.channel, key.external_id))
            return [message_row(r) for r in rows]

        return await self._side.run(work)

    async def claim_due(self, now: datetime, limit: int,
                        worker: str = "") -> list[ScheduledMessage]:
        """Claim up to ``limit`` due messages for ``worker`` in one transaction, earliest
        first."""

        async def work(conn: aiosqlite.Connection) -> list[ScheduledMessage]:
            ids = [r[0] for r in await conn.execute_fetchall(DUE_IDS, (to_text(now), limit))]
            if not ids:
                return []
            await conn.executemany(
                "UPDATE scheduled_messages SET status = 'claimed', claimed_at = ?, "
                "claimed_by = ?, attempt = attempt + 1 WHERE id = ?",
                [(to_text(now), worker, i) for i in ids])
            marks = ", ".join("?" * len(ids))
            rows = await conn.execute_fetchall(
                f"SELECT {_COLUMNS} {_FROM} WHERE m.id IN ({marks}) ORDER BY m.due_at, m.id", ids)
            return [message_row(r) for r in rows]

        return await self._side.run(work)

    async def finish_scheduled(self, message_id: int, sent_at: datetime,
                               next_message: NextMessage | None = None) -> None:
        """Mark sent and plan the next one, in one transaction."""

        async def work(conn: aiosqlite.Connection) -> None:
            found = list(await conn.execute_fetchall(
                "SELECT person_id FROM scheduled_messages WHERE id = ?", (message_id,)))
            if not found:
                return  # the person was deleted meanwhile
            person_id = found[0][0]
            await conn.execute(
                "UPDATE scheduled_messages SET status = 'sent', sent_at = ? WHERE id = ?",
                (to_text(sent_at), message_id))
            await conn.execute(
                "DELETE FROM scheduled_messages WHERE person_id = ? AND status = 'sent' AND id "
                "NOT IN (SELECT id FROM scheduled_messages WHERE person_id = ? AND "
                "status = 'sent' ORDER BY sent_at DESC, id DESC LIMIT ?)",
                (person_id, person_id, KEEP_SENT))
            if next_message is not None:
                await self._replace_pending(conn, person_id, next_message)

        await self._side.run(work)

    async def reschedule(self, message_id: int, due_at: datetime) -> None:
        """Back to pending at ``due_at``, unless a newer plan of the same kind exists."""

        async def work(conn: aiosqlite.Connection) -> None:
            newer = list(await conn.execute_fetchall(
                "SELECT 1 FROM scheduled_messages o JOIN scheduled_messages m "
                "ON o.person_id = m.person_id AND o.kind = m.kind "
                "WHERE m.id = ? AND o.status = 'pending'", (message_id,)))
            if newer:
                await conn.execute("DELETE FROM scheduled_messages WHERE id = ?", (message_id,))
            else:
                await conn.execute(
                    "UPDATE scheduled_messages SET status = 'pending', due_at = ? WHERE id = ?",
                    (to_text(due_at), message_id))

        await self._side.run(work)

    async def drop_scheduled(self, message_id: int) -> None:
        """Forget a message that must not be sent."""

        async def work(conn: aiosqlite.Connection) -> None:
            await conn.execute("DELETE FROM scheduled_messages WHERE id = ?", (message_id,))

        await self._side.run(work)

    async def next_due_at(self) -> datetime | None:
        """The earliest pending due time (the partial index's first entry)."""

        async def work(conn: aiosqlite.Connection) -> datetime | None:
            rows = list(await conn.execute_fetchall(
                "SELECT min(due_at) FROM scheduled_messages WHERE status = 'pending'"))
            return from_text(rows[0][0]) if rows and rows[0][0] else None

        return await self._side.run(work)

    async def release_claims(self, worker: str | None = "",
                             stale_before: datetime | None = None) -> int:
        """The worker's claims (one process: the dispatcher's), and anyone's made before
        ``stale_before``, become pending again; how many."""
        stale = to_text(stale_before) if stale_before is not None else None

        async def work(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(
                "UPDATE scheduled_messages SET status = 'pending' WHERE status = 'claimed' "
                "AND (claimed_by = ? OR claimed_at < ?)", (worker, stale))
            return cursor.rowcount

        return await self._side.run(work)
