"""Scheduled messages in PostgreSQL. Due messages are claimed with FOR UPDATE SKIP LOCKED,
so two dispatchers (two workers) never claim the same check-in: each skips the rows the
other is claiming instead of waiting for them."""

from __future__ import annotations

from datetime import datetime

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.storage.base import NextMessage, ScheduledMessage
from bot.storage.postgres.connection import Conn, Database
from bot.storage.rows import KEEP_SENT, encode_payload, from_text, message_row, to_text

_COLUMNS = (
    "m.id, p.channel, p.external_id, m.kind, m.due_at, m.status, m.attempt, m.payload_json, "
    "m.claimed_at, s.updated_at"
)
_FROM = (
    "FROM scheduled_messages m JOIN people p ON p.id = m.person_id "
    "LEFT JOIN conversation_state s ON s.person_id = m.person_id"
)
_PERSON_ID = "SELECT id FROM people WHERE channel = $1 AND external_id = $2"
_CLAIM = (
    "UPDATE scheduled_messages SET status = 'claimed', claimed_at = $1, claimed_by = $3, "
    "attempt = attempt + 1 "
    "WHERE id IN (SELECT id FROM scheduled_messages WHERE status = 'pending' AND due_at <= $1 "
    "ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id"
)
_TRIM_SENT = (
    "DELETE FROM scheduled_messages WHERE person_id = $1 AND status = 'sent' AND id "
    "NOT IN (SELECT id FROM scheduled_messages WHERE person_id = $1 AND "
    "status = 'sent' ORDER BY sent_at DESC, id DESC LIMIT $2)"
)


class PostgresSchedule:
    """The schedule role (bot.storage.base.ScheduleStore); holds the pool and the clock."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def _replace_pending(self, conn: Conn, person_id: int, message: NextMessage) -> None:
        await conn.execute("DELETE FROM scheduled_messages WHERE person_id = $1 AND kind = $2 "
                           "AND status = 'pending'", person_id, message.kind)
        await conn.execute(
            "INSERT INTO scheduled_messages (person_id, kind, due_at, status, payload_json, "
            "created_at) VALUES ($1, $2, $3, 'pending', $4, $5)", person_id, message.kind,
            to_text(message.due_at), encode_payload(message.payload), to_text(self._clock.now()))

    async def schedule(self, key: PersonKey, message: NextMessage) -> bool:
        """Replace the person's pending message of this kind. False if the person is unknown."""
        async with self._db.connection(transaction=True) as conn:
            found = await conn.fetchrow(_PERSON_ID, key.channel, key.external_id)
            if found is None:
                return False
            await self._replace_pending(conn, found[0], message)
            return True

    async def unschedule(self, key: PersonKey, kind: str) -> int:
        """Drop the person's pending messages of this kind; return how many."""
        return await self._db.execute(
            "DELETE FROM scheduled_messages WHERE status = 'pending' AND kind = $3 AND "
            f"person_id = ({_PERSON_ID})", key.channel, key.external_id, kind)

    async def scheduled(self, key: PersonKey) -> list[ScheduledMessage]:
        """The person's pending and claimed messages, soonest first."""
        found = await self._db.fetch(
            f"SELECT {_COLUMNS} {_FROM} WHERE p.channel = $1 AND p.external_id = $2 "
            "AND m.status IN ('pending', 'claimed') ORDER BY m.due_at, m.id",
            key.channel, key.external_id)
        return [message_row(r) for r in found]

    async def claim_due(self, now: datetime, limit: int,
                        worker: str = "") -> list[ScheduledMessage]:
        """Claim up to ``limit`` due messages for ``worker`` in one transaction, earliest
        first."""
        async with self._db.connection(transaction=True) as conn:
            ids = [r[0] for r in await conn.fetch(_CLAIM, to_text(now), limit, worker)]
            if not ids:
                return []
            found = await conn.fetch(
                f"SELECT {_COLUMNS} {_FROM} WHERE m.id = ANY($1::bigint[]) "
                "ORDER BY m.due_at, m.id", ids)
        return [message_row(r) for r in found]

    async def finish_scheduled(self, message_id: int, sent_at: datetime,
                               next_message: NextMessage | None = None) -> None:
        """Mark sent and plan the next one, in one transaction."""
        async with self._db.connection(transaction=True) as conn:
            found = await conn.fetchrow(
                "SELECT person_id FROM scheduled_messages WHERE id = $1", message_id)
            if found is None:
                return  # the person was deleted meanwhile
            await conn.execute("UPDATE scheduled_messages SET status = 'sent', sent_at = $1 "
                               "WHERE id = $2", to_text(sent_at), message_id)
            await conn.execute(_TRIM_SENT, found[0], KEEP_SENT)
            if next_message is not None:
                await self._replace_pending(conn, found[0], next_message)

    async def reschedule(self, message_id: int, due_at: datetime) -> None:
        """Back to pending at ``due_at``, unless a newer plan of the same kind exists."""
        async with self._db.connection(transaction=True) as conn:
            newer = await conn.fetchrow(
                "SELECT 1 FROM scheduled_messages o JOIN scheduled_messages m "
                "ON o.person_id = m.person_id AND o.kind = m.kind "
                "WHERE m.id = $1 AND o.status = 'pending'", message_id)
            if newer is not None:
                await conn.execute("DELETE FROM scheduled_messages WHERE id = $1", message_id)
            else:
                await conn.execute("UPDATE scheduled_messages SET status = 'pending', "
                                   "due_at = $1 WHERE id = $2", to_text(due_at), message_id)

    async def drop_scheduled(self, message_id: int) -> None:
        """Forget a message that must not be sent."""
        await self._db.execute("DELETE FROM scheduled_messages WHERE id = $1", message_id)

    async def next_due_at(self) -> datetime | None:
        """The earliest pending due time (the partial index's first entry)."""
        found = await self._db.fetch(
            "SELECT min(due_at) FROM scheduled_messages WHERE status = 'pending'")
        return from_text(found[0][0]) if found and found[0][0] else None

    async def release_claims(self, worker: str | None = "",
                             stale_before: datetime | None = None) -> int:
        """Claims made by ``worker`` (None: nobody in particular) become pending again, and
        anyone's claims made before ``stale_before`` (a worker that died); how many."""
        stale = to_text(stale_before) if stale_before is not None else None
        return await self._db.execute(
            "UPDATE scheduled_messages SET status = 'pending' WHERE status = 'claimed' AND "
            "(claimed_by = $1 OR claimed_at < $2)", worker, stale)
