"""SQLite storage: WAL, foreign keys, migrations, group commit and a state cache.

One write connection, owned by :class:`GroupWriter`, and one read connection. With WAL
readers never block the writer, and a reader never sees a batch before it is committed.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite

from bot.core.clock import Clock, SystemClock
from bot.core.keys import PersonKey
from bot.core.lru import LRU
from bot.core.schedule import join
from bot.core.state import ConversationState
from bot.core.stored import AchievementRow, PersonExport, PurposeRow, RatingRow
from bot.storage import rows
from bot.storage.base import StorageError, TurnWrite
from bot.storage.migrate import MIGRATIONS_DIR, migrate
from bot.storage.sqlite import opening, schedule_rows
from bot.storage.sqlite.outbox import SQLiteOutbox
from bot.storage.sqlite.reachability import SQLiteReachability
from bot.storage.sqlite.schedule import SQLiteSchedules
from bot.storage.sqlite.side import SideConnection
from bot.storage.sqlite.writer import GroupWriter

if TYPE_CHECKING:
    from bot.storage.sqlite.reports import SQLiteReportSource

_PERSON = "(SELECT id FROM people WHERE channel = ? AND external_id = ?)"
_ACHIEVEMENTS = (
    "SELECT id, text, at, purpose_ref, confidence, prompted FROM achievements "
    f"WHERE person_id = {_PERSON} ORDER BY at DESC, id DESC LIMIT ?"
)
_RATINGS = (
    "SELECT id, value, at, context FROM ratings "
    f"WHERE person_id = {_PERSON} ORDER BY at DESC, id DESC LIMIT ?"
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
    f"SELECT p.created_at, s.state_json, {schedule_rows.SELECT} FROM people p "
    "LEFT JOIN conversation_state s ON s.person_id = p.id "
    "LEFT JOIN schedules sc ON sc.person_id = p.id "
    "WHERE p.channel = ? AND p.external_id = ?"
)


def _joined(found: sqlite3.Row) -> str:
    """The state JSON as the engine sees it: the scheduling columns joined back in."""
    state = ConversationState.from_json(found[1])
    return join(state, schedule_rows.decode(found[2:])).to_json()


class SQLiteStorage:
    """The embedded default store. ``open()`` before use, ``close()`` when done.

    Conversation state and records are its own; the other roles are objects of their
    own, composed here: ``schedules``, ``outbox`` and ``reachability``.

    ``lock_timeout`` is how long ``open`` waits for another process's write lock before
    raising StorageLocked; ``busy_timeout`` is how long any later statement waits.
    ``cache_size`` bounds the state cache and the person-id cache (entries each).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Clock | None = None,
        lock_timeout: float = 2.0,
        busy_timeout: float = 5.0,
        cache_size: int = 50_000,
        migrations: Path = MIGRATIONS_DIR,
    ) -> None:
        # Absolute, so the integrity check's file: URI and messages name the real file.
        self.path = Path(path).absolute()
        self._clock = clock or SystemClock()
        self._lock_timeout = lock_timeout
        self._busy_timeout = busy_timeout
        self._migrations = migrations
        self._states: LRU[PersonKey, str] = LRU(cache_size)
        self._ids: LRU[PersonKey, int] = LRU(cache_size)
        self._writer: GroupWriter | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_conn: aiosqlite.Connection | None = None
        self._lock_fd: int | None = None
        # Export reads several tables in one snapshot; other reads must not run inside it.
        self._read_lock = asyncio.Lock()
        self._side = SideConnection(self.path, busy_timeout, lambda: self._writer is not None)
        self.schedules = SQLiteSchedules(self._side, self._clock)
        self.outbox = SQLiteOutbox(self._open_writer, self._side, self._clock)
        self.reachability = SQLiteReachability(self._side.run, self._read, self._clock)

    async def open(self) -> None:
        """Check the file, take the process lock, verify integrity, migrate, start writing.

        Raises StorageCorrupt, StorageLocked, StorageReadOnly or StorageError.
        """
        if self._writer is not None:
            return
        existing = opening.check_file(self.path)
        self._lock_fd = opening.hold_process_lock(self.path)
        try:
            if existing:
                await opening.check_integrity(self.path, self._lock_timeout)
            self._write_conn = await self._connect(self._lock_timeout)
            await self._prepare_writer(self._write_conn)
            self._reader = await self._connect(self._busy_timeout)
            await self._reader.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            await self._close_connections()
            raise opening.classify(exc, self.path) from exc
        except BaseException:
            await self._close_connections()
            raise
        self._writer = GroupWriter(self._write_conn, self.path, self._states, self._ids)
        self._writer.start()

    async def _connect(self, wait_seconds: float) -> aiosqlite.Connection:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, sqlite3 adds none.
        return await aiosqlite.connect(self.path, isolation_level=None, timeout=wait_seconds)

    async def _prepare_writer(self, conn: aiosqlite.Connection) -> None:
        mode = await conn.execute_fetchall("PRAGMA journal_mode = WAL")
        if [tuple(r) for r in mode] != [("wal",)]:
            raise StorageError(f"{self.path}: this filesystem does not support WAL mode")
        # NORMAL with WAL: a commit survives a crash or SIGKILL of the process (the WAL is
        # in the OS page cache); on power loss the last few commits may be lost, never the
        # file's consistency. FULL would fsync on every batch for that last margin.
        for pragma in ("foreign_keys = ON", "secure_delete = ON", "synchronous = NORMAL"):
            await conn.execute(f"PRAGMA {pragma}")
        # Another process in a write transaction shows up here, after lock_timeout.
        await conn.execute("BEGIN IMMEDIATE")
        await conn.execute("ROLLBACK")
        await conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        await migrate(conn, self._clock.now(), self._migrations)

    async def close(self) -> None:
        """Write everything already queued, stop the writer and close the file."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            await writer.stop()
        await self._side.close()
        await self._close_connections()
        self._states.clear()
        self._ids.clear()

    async def _close_connections(self) -> None:
        for conn in (self._reader, self._write_conn):
            if conn is not None:
                await conn.close()
        self._reader = self._write_conn = None
        if self._lock_fd is not None:
            opening.release_process_lock(self._lock_fd)
            self._lock_fd = None

    def report_source(self) -> SQLiteReportSource:
        """Anonymous aggregates over this file (its own read-only connection), for staff
        reports and /programme. Open it before use and close it after."""
        from bot.storage.sqlite.reports import SQLiteReportSource

        return SQLiteReportSource(self.path)

    def _open_writer(self) -> GroupWriter:
        if self._writer is None:
            raise StorageError(f"{self.path}: storage is not open")
        return self._writer

    async def _read(self, sql: str, params: tuple[object, ...]) -> list[sqlite3.Row]:
        if self._reader is None or self._writer is None:
            raise StorageError(f"{self.path}: storage is not open")
        async with self._read_lock:
            try:
                return list(await self._reader.execute_fetchall(sql, params))
            except sqlite3.Error as exc:
                raise opening.classify(exc, self.path) from exc

    async def load(self, key: PersonKey) -> ConversationState | None:
        """The person's state: from the cache if known, else one read."""
        writer = self._open_writer()
        cached = self._states.get(key)
        if cached is None:
            epoch = writer.epoch
            found = await self._read(_STATE, (key.channel, key.external_id))
            cached = self._states.get(key)  # a commit may have landed meanwhile
            if cached is None:
                if not found or found[0][1] is None:
                    return None
                cached = _joined(found[0])
                # Only cache what no commit could have overtaken during the read.
                if writer.epoch == epoch and not writer.is_pending(key):
                    self._states.put(key, cached)
        return ConversationState.from_json(cached)

    async def commit_turn(self, write: TurnWrite) -> None:
        """Queue the turn for the writer; return once its batch is committed."""
        writer = self._open_writer()
        await writer.write(rows.prepare(write, self._clock.now()))

    async def delete_person(self, key: PersonKey) -> bool:
        """Erase the person (cascading), evict them from the caches, empty the WAL."""
        return await self._open_writer().delete(key)

    async def export_person(self, key: PersonKey) -> PersonExport | None:
        """Everything stored about the person, read in one snapshot."""
        params = (key.channel, key.external_id)
        async with self._read_lock:
            reader = self._reader
            if reader is None or self._writer is None:
                raise StorageError(f"{self.path}: storage is not open")
            try:
                await reader.execute("BEGIN")
                try:
                    found = list(await reader.execute_fetchall(_STATE, params))
                    purposes = await reader.execute_fetchall(_PURPOSES, params)
                    achievements = await reader.execute_fetchall(_ACHIEVEMENTS, (*params, -1))
                    ratings = await reader.execute_fetchall(_RATINGS, (*params, -1))
                    events = await reader.execute_fetchall(_EVENTS, params)
                    alerts = await reader.execute_fetchall(_ALERTS, params)
                finally:
                    await reader.execute("COMMIT")
            except sqlite3.Error as exc:
                raise opening.classify(exc, self.path) from exc
        if not found:
            return None
        created_at, state_json = found[0][:2]
        return PersonExport(
            key=key,
            created_at=rows.from_text(created_at),
            state=(ConversationState.from_json(_joined(found[0])) if state_json
                   else ConversationState()),
            purposes=[rows.purpose_row(r) for r in purposes],
            achievements=[rows.achievement_row(r) for r in achievements],
            ratings=[rows.rating_row(r) for r in ratings],
            events=[rows.event_dict(r) for r in events],
            alerts=[rows.alert_row(r) for r in alerts],
        )

    async def achievements(self, key: PersonKey, limit: int | None = None) -> list[AchievementRow]:
        """Newest first (ties: last written first)."""
        params = (key.channel, key.external_id, rows.check_limit(limit))
        return [rows.achievement_row(r) for r in await self._read(_ACHIEVEMENTS, params)]

    async def ratings(self, key: PersonKey, limit: int | None = None) -> list[RatingRow]:
        """Newest first (ties: last written first)."""
        params = (key.channel, key.external_id, rows.check_limit(limit))
        return [rows.rating_row(r) for r in await self._read(_RATINGS, params)]

    async def purposes(self, key: PersonKey) -> list[PurposeRow]:
        """Active first, then most recently set or edited first."""
        return [
            rows.purpose_row(r) for r in await self._read(_PURPOSES, (key.channel, key.external_id))
        ]
