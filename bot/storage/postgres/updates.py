"""Incoming updates shared by several workers (PostgreSQL migration 0002).

``record`` keeps each update once (by the channel's update id). ``claim`` hands a worker
the oldest pending update of a person nobody else is serving, and holds that row locked
(FOR UPDATE SKIP LOCKED) for as long as the worker's block runs; the update is marked done
in the same transaction when the block ends cleanly. So one person's updates are handled
strictly in order, by one worker at a time, and a worker killed mid-turn loses nothing:
its connection ends, the lock goes, and another worker claims the same update.

The claim's transaction is the storage's ambient one (connection.py): the turn's writes,
its owed replies and the done mark commit together, or none does. The claim also takes
the person's advisory lock (workers.py), which a scheduled check-in for the same person
takes too, so the two never run at once. ``record`` notifies the workers (LISTEN/NOTIFY)
when it commits, so an idle worker wakes at once instead of polling.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.storage.postgres.connection import Conn, Database
from bot.storage.postgres.workers import UpdateWaker, lock_person
from bot.storage.rows import from_text, to_text

NOTIFY_CHANNEL = "goodhelp_updates"
# One statement: the insert, and a notification delivered when it commits.
_RECORD = (
    "WITH kept AS (INSERT INTO updates (update_id, channel, external_id, payload_json, "
    "received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (update_id) DO NOTHING "
    f"RETURNING 1) SELECT (SELECT count(*) FROM kept), pg_notify('{NOTIFY_CHANNEL}', '')"
)
# The oldest pending update of each person; of those, the first whose row nobody holds.
_CLAIM = (
    "SELECT u.update_id, u.channel, u.external_id, u.payload_json, u.received_at, u.attempt "
    "FROM updates u WHERE u.done_at IS NULL AND NOT EXISTS (SELECT 1 FROM updates o "
    "WHERE o.channel = u.channel AND o.external_id = u.external_id AND o.done_at IS NULL "
    "AND o.update_id < u.update_id) ORDER BY u.update_id LIMIT 1 FOR UPDATE SKIP LOCKED"
)
_DONE = "UPDATE updates SET done_at = $2, payload_json = '' WHERE update_id = $1"
_FAILED = "UPDATE updates SET attempt = attempt + 1 WHERE update_id = $1 RETURNING attempt"


@dataclass(frozen=True)
class Update:
    """One update as recorded: whose it is and the channel's own encoding of it."""

    update_id: int
    key: PersonKey
    payload: str
    received_at: datetime
    attempt: int


@dataclass(frozen=True)
class Claimed:
    """A claimed update and the connection whose transaction holds the claim."""

    update: Update
    conn: Conn


class PostgresUpdates:
    """The shared inbox over the storage's pool."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._waker = UpdateWaker(db, NOTIFY_CHANNEL)

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        """Until an update may be pending (one was recorded), at most ``timeout`` seconds."""
        await self._waker.wait(timeout)

    async def close(self) -> None:
        """Stop listening for new updates."""
        await self._waker.close()

    async def record(self, update_id: int, key: PersonKey, payload: str) -> bool:
        """Keep an update; False if this update id was recorded before (a retry)."""
        found = await self._db.fetch(_RECORD, update_id, key.channel, key.external_id,
                                     payload, to_text(self._clock.now()))
        return int(found[0][0]) > 0

    @asynccontextmanager
    async def claim(self) -> AsyncIterator[Claimed | None]:
        """The next update no other worker is serving (None: nothing to do), locked for
        the block and marked done when it ends without an exception. Every storage call
        the block makes (in this task) joins the claim's transaction."""
        async with self._db.ambient() as conn:
            found = await conn.fetchrow(_CLAIM)
            if found is None:
                yield None
                return
            update = Update(int(found[0]), PersonKey(found[1], found[2]), found[3],
                            from_text(found[4]), int(found[5]))
            await lock_person(conn, update.key)  # a check-in of theirs finishes first
            yield Claimed(update, conn)
            await conn.execute(_DONE, update.update_id, to_text(self._clock.now()))

    async def failed(self, update_id: int, max_attempts: int) -> bool:
        """A claim's block raised (its transaction rolled back): count the attempt, and
        after ``max_attempts`` mark the update done so the person's next ones go on.
        True if it was given up."""
        async with self._db.connection(transaction=True) as conn:
            found = await conn.fetchrow(_FAILED, update_id)
            if found is None or int(found[0]) < max_attempts:
                return False
            await conn.execute(_DONE, update_id, to_text(self._clock.now()))
            return True

    async def pending(self, key: PersonKey) -> int:
        """How many of the person's updates are not done yet."""
        found = await self._db.fetch(
            "SELECT count(*) FROM updates WHERE channel = $1 AND external_id = $2 "
            "AND done_at IS NULL", key.channel, key.external_id)
        return int(found[0][0])

    async def forget(self, key: PersonKey) -> int:
        """Every update of the person (their /delete); how many."""
        return await self._db.execute(
            "DELETE FROM updates WHERE channel = $1 AND external_id = $2",
            key.channel, key.external_id)

    async def purge_done(self, older_than: timedelta) -> int:
        """Done updates older than ``older_than`` (past any retry); how many went."""
        return await self._db.execute(
            "DELETE FROM updates WHERE done_at IS NOT NULL AND done_at < $1",
            to_text(self._clock.now() - older_than))
