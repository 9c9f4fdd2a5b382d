"""What several workers share besides the inbox: a lock per person, the sender's lock and
the wake-up when an update arrives.

* ``lock_person`` takes a transaction-level advisory lock keyed on the person. A worker's
  claim of an update takes it, and so does a scheduled check-in (``person_transaction``),
  so a person's turn and their check-in never run at once on two workers. Row locks
  could not do this: a check-in has no update row to lock. It ends with the transaction,
  so a crash leaves nothing locked.
* ``SenderLock`` is a session-level advisory lock on a connection of its own: whoever
  holds it is the one process that sends to Telegram. If that process dies its session
  ends and the lock is free for the next one to take.
* ``UpdateWaker`` listens for the inbox's notifications (``record`` sends one as it
  commits), so idle workers wake at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from bot.core.keys import PersonKey
from bot.storage.postgres.connection import Conn, Database

log = logging.getLogger(__name__)

# Advisory lock keys are (class, object) pairs; goodhelp's classes, apart from anyone
# else's. The migration lock (migrate.py) uses a single bigint key, a separate space.
PERSON_CLASS = 0x6768  # "gh"
SENDER_CLASS = 0x6769
_PERSON_LOCK = "SELECT pg_advisory_xact_lock($1, hashtext($2 || ':' || $3))"


async def lock_person(conn: Conn, key: PersonKey) -> None:
    """Wait for the person's lock; held until ``conn``'s transaction ends."""
    await conn.execute(_PERSON_LOCK, PERSON_CLASS, key.channel, key.external_id)


class SenderLock:
    """The one-sender election: a session advisory lock on a dedicated connection."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: Any = None

    async def try_acquire(self) -> bool:
        """Take the lock if it is free; False if another process holds it (or no server)."""
        try:
            if self._conn is None or self._conn.is_closed():
                self._conn = await asyncpg.connect(
                    self._db.url, timeout=5.0,
                    server_settings={"application_name": "goodhelp-sender"})
            return bool(await self._conn.fetchval(
                "SELECT pg_try_advisory_lock($1, 1)", SENDER_CLASS))
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
            await self._drop()
            return False

    async def holding(self) -> bool:
        """Whether the lock's connection is still alive (so the lock is still ours)."""
        if self._conn is None or self._conn.is_closed():
            return False
        try:
            await asyncio.wait_for(self._conn.fetchval("SELECT 1"), 5.0)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        """Give the lock up (closing its connection would too)."""
        if self._conn is not None and not self._conn.is_closed():
            with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                await self._conn.fetchval("SELECT pg_advisory_unlock($1, 1)", SENDER_CLASS)
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2.0)


class UpdateWaker:
    """Sets an event whenever the inbox says an update was recorded (LISTEN/NOTIFY)."""

    def __init__(self, db: Database, channel: str) -> None:
        self._db = db
        self._channel = channel
        self._conn: Any = None
        self._connecting = asyncio.Lock()  # many loops wait at once; one connection
        self.arrived = asyncio.Event()

    def _notified(self, *args: object) -> None:
        self.arrived.set()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        """Until an update is recorded, or ``timeout`` seconds (the safety net)."""
        async with self._connecting:
            if self._conn is None or self._conn.is_closed():
                await self._listen()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.arrived.wait(), timeout)
        self.arrived.clear()

    async def _listen(self) -> None:
        try:
            self._conn = await asyncpg.connect(
                self._db.url, timeout=5.0,
                server_settings={"application_name": "goodhelp-listen"})
            await self._conn.add_listener(self._channel, self._notified)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            log.warning("cannot listen for new updates (%s); looking every second instead",
                        type(exc).__name__)
            self._conn = None

    async def close(self) -> None:
        """Stop listening."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2.0)
