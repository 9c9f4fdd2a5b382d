"""Replies owed to people in PostgreSQL: written in the turn's own transaction, deleted
once the channel confirms each one (see bot/core/owed.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.keys import PersonKey
from bot.core.owed import OwedReply
from bot.storage import rows
from bot.storage.base import TurnWrite
from bot.storage.postgres.schedule import PostgresSchedule
from bot.storage.postgres.turns import write_turn
from bot.storage.rows import from_text, new_refs, to_text

_PERSON_ID = "(SELECT id FROM people WHERE channel = $1 AND external_id = $2)"
_COLUMNS = "o.ref, p.channel, p.external_id, o.payload_json, o.due_at, o.attempt"
# Every row of each person whose oldest row is due: one person's replies go out in order,
# and a postponed reply holds back the ones written after it.
_DUE = (
    f"SELECT {_COLUMNS} FROM outbox o JOIN people p ON p.id = o.person_id "
    "WHERE o.person_id IN (SELECT d.person_id FROM outbox d WHERE d.due_at <= $1 AND NOT "
    "EXISTS (SELECT 1 FROM outbox e WHERE e.person_id = d.person_id AND e.id < d.id) "
    "ORDER BY d.due_at LIMIT $2) ORDER BY o.person_id, o.id LIMIT $2"
)
_OWED_TO = (
    f"SELECT {_COLUMNS} FROM outbox o JOIN people p ON p.id = o.person_id "
    "WHERE p.channel = $1 AND p.external_id = $2 ORDER BY o.id"
)
_POSTPONE = (
    "UPDATE outbox SET due_at = GREATEST(due_at, $3), attempt = attempt + 1 "
    f"WHERE person_id = {_PERSON_ID}"
)


def _owed(row: Any) -> OwedReply:
    """From (ref, channel, external_id, payload_json, due_at, attempt)."""
    return OwedReply(row[0], PersonKey(row[1], row[2]), row[3], from_text(row[4]), row[5])


class PostgresOutbox(PostgresSchedule):
    """The outbox role (bot.storage.base.Outbox) over the pool."""

    async def add_with_turn(self, write: TurnWrite, payloads: Sequence[str]) -> list[str]:
        """Commit the turn and its owed replies in one transaction; their refs, in order."""
        refs = new_refs(len(payloads))
        prepared = rows.prepare(write, self._clock.now(), tuple(zip(refs, payloads, strict=True)))
        async with self._db.connection(transaction=True) as conn:
            await write_turn(conn, prepared)
        return refs

    async def owe(self, key: PersonKey, payloads: Sequence[str]) -> int:
        """Owe the person these messages, in order, outside a turn (a check-in's replies
        in shared mode); how many rows were written (none for an unknown person)."""
        if not payloads:
            return 0
        now = to_text(self._clock.now())
        refs = new_refs(len(payloads))
        async with self._db.connection(transaction=True) as conn:
            found = await conn.fetchrow(_PERSON_ID[1:-1], key.channel,
                                        key.external_id)
            if found is None:
                return 0
            await conn.executemany(
                "INSERT INTO outbox (ref, person_id, payload_json, due_at, created_at) "
                "VALUES ($1, $2, $3, $4, $4)",
                [(ref, found[0], payload, now) for ref, payload in zip(refs, payloads,
                                                                       strict=True)])
        return len(payloads)

    async def due(self, now: datetime, limit: int) -> list[OwedReply]:
        """All rows of the people whose oldest owed reply is due, in written order."""
        return [_owed(r) for r in await self._db.fetch(_DUE, to_text(now), limit)]

    async def owed_to(self, key: PersonKey) -> list[OwedReply]:
        """Everything owed to the person, due or not, in written order."""
        return [_owed(r) for r in await self._db.fetch(_OWED_TO, key.channel, key.external_id)]

    async def mark_sent(self, ref: str) -> None:
        """Forget a confirmed reply."""
        await self._db.execute("DELETE FROM outbox WHERE ref = $1", ref)

    async def postpone(self, key: PersonKey, due_at: datetime) -> None:
        """Nothing owed to the person is due before ``due_at``; attempts go up by one."""
        await self._db.execute(_POSTPONE, key.channel, key.external_id, to_text(due_at))

    async def drop_owed(self, key: PersonKey) -> int:
        """Forget everything owed to the person; how many."""
        return await self._db.execute(f"DELETE FROM outbox WHERE person_id = {_PERSON_ID}",
                                      key.channel, key.external_id)
