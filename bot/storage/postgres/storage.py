"""PostgreSQL storage: a connection pool, its own migrations at start, a turn per transaction.

Unlike SQLite there is no state cache: several processes may share the database, so a
cached state could be another worker's past. Every load is one indexed read.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from bot.core.clock import Clock, SystemClock
from bot.core.keys import PersonKey
from bot.core.schedule import join
from bot.core.state import ConversationState
from bot.core.stored import AchievementRow, PersonExport, PurposeRow, RatingRow
from bot.storage import rows
from bot.storage.base import Outbox, ReachabilityStore, ScheduleStore, TurnWrite
from bot.storage.postgres.connection import Database
from bot.storage.postgres.migrate import migrate
from bot.storage.postgres.outbox import PostgresOutbox
from bot.storage.postgres.turns import write_turn
from bot.storage.schedule_values import SELECT, decode

_PERSON = "(SELECT id FROM people WHERE channel = $1 AND external_id = $2)"
_ACHIEVEMENTS = (
    "SELECT id, text, at, purpose_ref, confidence, prompted FROM achievements "
    f"WHERE person_id = {_PERSON} ORDER BY at DESC, id DESC LIMIT $3"
)
_RATINGS = (
    "SELECT id, value, at, context FROM ratings "
    f"WHERE person_id = {_PERSON} ORDER BY at DESC, id DESC LIMIT $3"
)
_PURPOSES = (
    "SELECT ref, text, theme, details_json, active, created_at, updated_at FROM purposes "
    f"WHERE person_id = {_PERSON} ORDER BY active DESC, updated_at DESC, id DESC"
)
_EVENTS = f"SELECT name, flow, step, at FROM events WHERE person_id = {_PERSON} ORDER BY at, id"
_ALERTS = (
    "SELECT id, reason, shared_json, created_at, handled_at FROM alerts "
    f"WHERE person_id = {_PERSON} ORDER BY created_at, id"
)
_STATE = (
    f"SELECT p.created_at, s.state_json, {SELECT} FROM people p "
    "LEFT JOIN conversation_state s ON s.person_id = p.id "
    "LEFT JOIN schedules sc ON sc.person_id = p.id "
    "WHERE p.channel = $1 AND p.external_id = $2"
)
_DELETE = "DELETE FROM people WHERE channel = $1 AND external_id = $2"
# The deletion count's trigger (migration 0001) reads consent from the state as jsonb,
# which refuses the \u0000 a typed NUL becomes in JSON: the person could not be deleted.
# Their state is deleted in the same transaction, so it is defused first (as U+FFFD).
_DEFUSE_NUL = (
    "UPDATE conversation_state SET state_json = replace(state_json, '\\u0000', '\\ufffd') "
    f"WHERE person_id = {_PERSON} AND strpos(state_json, '\\u0000') > 0"
)
# The updates being handled are not deleted: the update that asked for /delete is one of
# them, held by its worker, who marks it done (and so empties it).
_FORGET_UPDATES = (
    "DELETE FROM updates WHERE channel = $1 AND external_id = $2 AND done_at IS NOT NULL"
)
_REACHABLE_SET = (
    "UPDATE people SET unreachable_since = $3 WHERE channel = $1 AND external_id = $2 "
    "AND unreachable_since IS NULL"
)
_REACHABLE_CLEAR = (
    "UPDATE people SET unreachable_since = NULL WHERE channel = $1 AND external_id = $2 "
    "AND unreachable_since IS NOT NULL"
)
_REACHABLE_GET = "SELECT unreachable_since FROM people WHERE channel = $1 AND external_id = $2"


def _limit(limit: int | None) -> int | None:
    """PostgreSQL's LIMIT: NULL means none."""
    checked = rows.check_limit(limit)
    return None if checked < 0 else checked


def _state(found: tuple[Any, ...]) -> ConversationState:
    """The state as the engine sees it: the scheduling columns joined back in."""
    return join(ConversationState.from_json(found[1]), decode(found[2:]))


class PostgresStorage(PostgresOutbox):
    """The server store, for several workers or a standby. ``open()`` before use.

    ``migrate`` False: a schema older than the code is refused (run ``goodhelp migrate``)
    instead of being brought up to date at start.
    """

    def __init__(self, url: str, *, clock: Clock | None = None, migrate: bool = True,
                 pool_size: int = 10, connect_timeout: float = 5.0) -> None:
        super().__init__(Database(url, max_size=pool_size, connect_timeout=connect_timeout),
                         clock or SystemClock())
        self.url = url
        self._migrate = migrate

    async def open(self) -> None:
        """Connect, then apply (or check) the migrations; StorageError if either fails."""
        await self._db.open()
        try:
            async with self._db.connection() as conn:
                await migrate(conn, self.url, self._clock.now(), apply=self._migrate)
        except BaseException:
            await self._db.close()
            raise

    async def close(self) -> None:
        """Close every pooled connection."""
        await self._db.close()

    @property
    def schedules(self) -> ScheduleStore:
        """The schedule queue: this object (its methods share the pool)."""
        return self

    @property
    def outbox(self) -> Outbox:
        """Replies owed to people: this object."""
        return self

    @property
    def reachability(self) -> ReachabilityStore:
        """Who blocked the bot: this object."""
        return self

    @property
    def db(self) -> Database:
        """The connection pool, for the commands and stores that share it."""
        return self._db

    def role_store(self) -> Any:
        """Roles and invitations in this database (bot.storage.roles.RoleStore)."""
        from bot.storage.postgres.roles import PostgresRoleStore

        return PostgresRoleStore(self._db)

    def report_source(self) -> Any:
        """Anonymous aggregates for staff reports and /programme, over this pool."""
        from bot.storage.postgres.reports import PostgresReportSource

        return PostgresReportSource(self._db)

    def updates(self) -> Any:
        """The inbox of updates shared by several workers (PostgresUpdates)."""
        from bot.storage.postgres.updates import PostgresUpdates

        return PostgresUpdates(self._db, self._clock)

    def sender_lock(self) -> Any:
        """The election of the one process that sends to Telegram (workers.SenderLock)."""
        from bot.storage.postgres.workers import SenderLock

        return SenderLock(self._db)

    @contextlib.asynccontextmanager
    async def person_transaction(self, key: PersonKey) -> AsyncIterator[None]:
        """One transaction under the person's lock (the one a worker's claim takes), which
        every storage call of the block joins: a scheduled check-in, its owed replies and
        its mark commit together, never beside a turn of theirs on another worker."""
        from bot.storage.postgres.workers import lock_person

        async with self._db.ambient() as conn:
            await lock_person(conn, key)
            yield

    def mentor_store(self) -> Any:
        """Mentor links and relayed messages in this database."""
        from bot.storage.postgres.mentoring import PostgresMentorStore

        return PostgresMentorStore(self._db)

    async def load(self, key: PersonKey) -> ConversationState | None:
        """The person's state, or None if they have never written."""
        found = await self._db.fetch(_STATE, key.channel, key.external_id)
        if not found or found[0][1] is None:
            return None
        return _state(found[0])

    async def commit_turn(self, write: TurnWrite) -> None:
        """Write one turn in one transaction; returns once it is committed."""
        prepared = rows.prepare(write, self._clock.now())
        async with self._db.connection(transaction=True) as conn:
            await write_turn(conn, prepared)

    async def delete_person(self, key: PersonKey) -> bool:
        """Erase the person: one DELETE, cascading to every table they own, and the
        updates they sent (kept by channel and id, not by person row)."""
        async with self._db.connection(transaction=True) as conn:
            await conn.execute(_FORGET_UPDATES, key.channel, key.external_id)
            await conn.execute(_DEFUSE_NUL, key.channel, key.external_id)
            return await conn.execute(_DELETE, key.channel, key.external_id) > 0

    async def export_person(self, key: PersonKey) -> PersonExport | None:
        """Everything stored about the person, read in one snapshot."""
        params = (key.channel, key.external_id)
        async with self._db.connection() as conn, self._snapshot(conn):
            found = await conn.fetch(_STATE, *params)
            purposes = await conn.fetch(_PURPOSES, *params)
            achievements = await conn.fetch(_ACHIEVEMENTS, *params, None)
            ratings = await conn.fetch(_RATINGS, *params, None)
            events = await conn.fetch(_EVENTS, *params)
            alerts = await conn.fetch(_ALERTS, *params)
        if not found:
            return None
        return PersonExport(
            key=key,
            created_at=rows.from_text(found[0][0]),
            state=_state(found[0]) if found[0][1] is not None else ConversationState(),
            purposes=[rows.purpose_row(r) for r in purposes],
            achievements=[rows.achievement_row(r) for r in achievements],
            ratings=[rows.rating_row(r) for r in ratings],
            events=[rows.event_dict(r) for r in events],
            alerts=[rows.alert_row(r) for r in alerts],
        )

    def _snapshot(self, conn: Any) -> Any:
        """One snapshot for a read of several tables. Inside a worker's claim the claim's
        transaction is used as it is (asyncpg refuses a nested isolation level); the
        person's lock is held there, so nothing of theirs changes meanwhile."""
        if self._db.in_ambient():
            return contextlib.nullcontext()
        return conn.raw.transaction(isolation="repeatable_read", readonly=True)

    async def set_reachable(self, key: PersonKey, reachable: bool) -> bool:
        """Mark (False) or clear (True) a person who blocked the bot."""
        if reachable:
            changed = await self._db.execute(_REACHABLE_CLEAR, key.channel, key.external_id)
        else:
            changed = await self._db.execute(_REACHABLE_SET, key.channel, key.external_id,
                                             rows.to_text(self._clock.now()))
        return changed > 0

    async def is_reachable(self, key: PersonKey) -> bool:
        """False only for a known person marked unreachable."""
        found = await self._db.fetch(_REACHABLE_GET, key.channel, key.external_id)
        return not found or found[0][0] is None

    async def achievements(self, key: PersonKey, limit: int | None = None) -> list[AchievementRow]:
        """Newest first (ties: last written first)."""
        found = await self._db.fetch(_ACHIEVEMENTS, key.channel, key.external_id, _limit(limit))
        return [rows.achievement_row(r) for r in found]

    async def ratings(self, key: PersonKey, limit: int | None = None) -> list[RatingRow]:
        """Newest first (ties: last written first)."""
        found = await self._db.fetch(_RATINGS, key.channel, key.external_id, _limit(limit))
        return [rows.rating_row(r) for r in found]

    async def purposes(self, key: PersonKey) -> list[PurposeRow]:
        """Active first, then most recently set or edited first."""
        found = await self._db.fetch(_PURPOSES, key.channel, key.external_id)
        return [rows.purpose_row(r) for r in found]
