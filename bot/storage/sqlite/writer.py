"""The single writer task: group commit of every pending turn in one transaction.

aiosqlite runs each call on its own thread, so a turn of five awaited calls costs five
thread hops. Here a batch of any size costs a handful: the writer takes everything queued,
writes it with one ``executemany`` per statement kind, commits, and only then tells each
caller it is saved and updates the caches. Nobody hears "saved" before the commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.core.keys import PersonKey
from bot.core.lru import LRU
from bot.core.schedule import EMPTY
from bot.storage.base import StorageError
from bot.storage.rows import PreparedTurn, plan_purposes
from bot.storage.sqlite import schedule_rows
from bot.storage.sqlite.writer_sql import (
    DEACTIVATE_PURPOSES,
    DELETE_PERSON,
    ID_CHUNK,
    INSERT_ACHIEVEMENT,
    INSERT_ALERT,
    INSERT_EVENT,
    INSERT_OWED,
    INSERT_PEOPLE,
    INSERT_RATING,
    UPSERT_PURPOSE,
    UPSERT_STATE,
    select_people,
)

log = logging.getLogger(__name__)

MAX_BATCH = 5000  # bounds one transaction's size and the time callers wait behind it


@dataclass
class _Turn:
    prepared: PreparedTurn
    done: asyncio.Future[None]


@dataclass
class _Delete:
    key: PersonKey
    done: asyncio.Future[bool]


_STOP = object()


class GroupWriter:
    """Owns the write connection and the caches; the only code that writes."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: Path,
        states: LRU[PersonKey, str],
        ids: LRU[PersonKey, int],
    ) -> None:
        self._conn = conn
        self._path = path
        self._states = states
        self._ids = ids
        self._queue: asyncio.Queue[_Turn | _Delete | object] = asyncio.Queue()
        self._pending: Counter[PersonKey] = Counter()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.epoch = 0
        """Bumped after every commit; readers use it to tell whether a read raced a write."""

    def start(self) -> None:
        """Start the writer task that commits queued turns in batches."""
        self._task = asyncio.create_task(self._run(), name="goodhelp-storage-writer")

    def is_pending(self, key: PersonKey) -> bool:
        """Whether a write for the person is queued or in flight (their cache may lag)."""
        return self._pending[key] > 0

    async def write(self, prepared: PreparedTurn) -> None:
        """Queue a turn; return once the batch holding it is committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._submit(_Turn(prepared, done), prepared.key)
        await done

    async def delete(self, key: PersonKey) -> bool:
        """Queue erasing a person, in order with their turns; whether there was anything."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._submit(_Delete(key, done), key)
        return await done

    def _submit(self, op: _Turn | _Delete, key: PersonKey) -> None:
        if self._closing or self._task is None:
            raise StorageError(f"{self._path}: storage is closed")
        self._pending[key] += 1
        self._queue.put_nowait(op)

    async def stop(self) -> None:
        """Write everything already queued, then end the task."""
        if self._task is None or self._closing:
            return
        self._closing = True
        self._queue.put_nowait(_STOP)
        await self._task

    async def _run(self) -> None:
        stopping = False
        batch: list[_Turn | _Delete | object] = []
        try:
            while not stopping:
                batch = [await self._queue.get()]
                while len(batch) < MAX_BATCH and not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                turns: list[_Turn] = []
                for op in batch:
                    if isinstance(op, _Turn):
                        turns.append(op)
                    elif isinstance(op, _Delete):
                        # Writes queued before the delete land first, then the delete.
                        await self._write_turns(turns)
                        turns = []
                        await self._delete(op)
                    else:
                        stopping = True
                await self._write_turns(turns)
        except asyncio.CancelledError:
            # Cancelled without close() (the loop is going away): nobody may wait forever.
            self._closing = True
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            for op in batch:
                if isinstance(op, _Turn | _Delete) and not op.done.done():
                    op.done.set_exception(StorageError(f"{self._path}: storage was stopped"))
            raise

    async def _write_turns(self, turns: list[_Turn]) -> None:
        if not turns:
            return
        try:
            await self._conn.execute("BEGIN IMMEDIATE")
            ids = await self._resolve_ids([t.prepared for t in turns])
            await self._insert_rows([(ids[t.prepared.key], t.prepared) for t in turns])
            await self._conn.execute("COMMIT")
        except Exception as exc:
            await self._rollback()
            if len(turns) > 1:
                # Find the turn that spoiled the batch: write each alone, in order, so
                # one bad turn fails only its own caller, not everyone batched with it.
                log.warning("a batch of %d turns failed (%s); writing them one by one",
                            len(turns), type(exc).__name__)
                for turn in turns:
                    await self._write_turns([turn])
                return
            self._fail(turns, exc)
            return
        self.epoch += 1
        for turn in turns:
            key = turn.prepared.key
            self._ids.put(key, ids[key])
            self._states.put(key, turn.prepared.joined_json)  # in order: the last one wins
            self._settle(key)
            if not turn.done.done():
                turn.done.set_result(None)

    async def _resolve_ids(self, turns: list[PreparedTurn]) -> dict[PersonKey, int]:
        """Person ids for a batch; unknown people are created, in batch order."""
        ids: dict[PersonKey, int] = {}
        missing: dict[PersonKey, str] = {}
        for turn in turns:
            if turn.key in ids or turn.key in missing:
                continue
            known = self._ids.get(turn.key)
            if known is None:
                missing[turn.key] = turn.at
            else:
                ids[turn.key] = known
        if missing:
            await self._conn.executemany(
                INSERT_PEOPLE, [(k.channel, k.external_id, at) for k, at in missing.items()]
            )
            keys = list(missing)
            for start in range(0, len(keys), ID_CHUNK):
                chunk = keys[start : start + ID_CHUNK]
                params = [part for k in chunk for part in (k.channel, k.external_id)]
                for row in await self._conn.execute_fetchall(select_people(len(chunk)), params):
                    ids[PersonKey(row[1], row[2])] = row[0]
        return ids

    async def _insert_rows(self, turns: list[tuple[int, PreparedTurn]]) -> None:
        states = {pid: (pid, t.state_json, t.at) for pid, t in turns}
        await self._conn.executemany(UPSERT_STATE, list(states.values()))
        # A schedules row only once there is something to keep: nothing before consent.
        last = {pid: t.schedule for pid, t in turns}
        kept = [(pid, *schedule_rows.encode(s)) for pid, s in last.items() if s != EMPTY]
        gone = [(pid,) for pid, s in last.items() if s == EMPTY]
        if kept:
            await self._conn.executemany(schedule_rows.UPSERT, kept)
        if gone:
            await self._conn.executemany(schedule_rows.DELETE, gone)
        plan = plan_purposes((pid, change) for pid, t in turns for change in t.purposes)
        if plan.keep_active:
            await self._conn.executemany(DEACTIVATE_PURPOSES, plan.keep_active)
        for sql, rows in (
            (UPSERT_PURPOSE, plan.upserts),
            (INSERT_ACHIEVEMENT, [(pid, *a) for pid, t in turns for a in t.achievements]),
            (INSERT_RATING, [(pid, *r) for pid, t in turns for r in t.ratings]),
            (INSERT_EVENT, [(pid, *e) for pid, t in turns for e in t.events]),
            (INSERT_OWED, [(ref, pid, payload, t.at, t.at)
                           for pid, t in turns for ref, payload in t.owed]),
            (INSERT_ALERT, [(pid, *a) for pid, t in turns for a in t.alerts]),
        ):
            if rows:
                await self._conn.executemany(sql, rows)

    async def _delete(self, op: _Delete) -> None:
        try:
            await self._conn.execute("BEGIN IMMEDIATE")
            cursor = await self._conn.execute(DELETE_PERSON, (op.key.channel, op.key.external_id))
            existed = cursor.rowcount > 0
            await self._conn.execute("COMMIT")
        except Exception as exc:
            await self._rollback()
            self._fail([op], exc)
            return
        self.epoch += 1
        self._ids.pop(op.key)
        self._states.pop(op.key)
        self._settle(op.key)
        await self._truncate_wal()
        if not op.done.done():
            op.done.set_result(existed)

    async def _truncate_wal(self) -> None:
        """Copy the WAL into the file and empty it, so deleted text survives in neither.

        secure_delete has already zeroed the freed bytes in the pages being copied.
        A reader mid-query makes the checkpoint busy; the busy timeout waits for it.
        """
        for _ in range(20):
            try:
                rows = list(await self._conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
            except Exception as exc:
                log.warning("WAL checkpoint after a deletion failed: %s", type(exc).__name__)
                return
            if not rows or rows[0][0] == 0:
                return
            await asyncio.sleep(0.05)
        log.warning("WAL checkpoint after a deletion stayed busy; it will run at close")

    async def _rollback(self) -> None:
        try:
            if self._conn.in_transaction:
                await self._conn.execute("ROLLBACK")
        except Exception as exc:  # the batch has already failed; keep the first error
            log.warning("rollback failed: %s", type(exc).__name__)

    def _settle(self, key: PersonKey) -> None:
        self._pending[key] -= 1
        if self._pending[key] <= 0:
            del self._pending[key]

    def _fail(self, ops: list[_Turn] | list[_Delete], exc: Exception) -> None:
        log.error("storage write failed (%d operations): %s", len(ops), type(exc).__name__)
        for op in ops:
            key = op.prepared.key if isinstance(op, _Turn) else op.key
            self._settle(key)
            if not op.done.done():
                error = StorageError(f"{self._path}: could not save ({type(exc).__name__}: {exc})")
                error.__cause__ = exc
                op.done.set_exception(error)
