"""A pool of PostgreSQL connections (asyncpg) with typed errors an operator can act on.

Every statement goes through :class:`Conn`, which does two things for the backends above
it. Errors become :class:`StorageError` naming the server (never the password, never a
parameter). And text is made storable: PostgreSQL's text cannot hold U+0000, which SQLite
keeps, so NUL is written as a private-use escape and read back as NUL (text without
either character, which is all real text, is stored unchanged).

While a block holds :meth:`Database.ambient` (a worker's claim of an update, a check-in
under its person's lock), every ``connection()`` in the same asyncio task (and the tasks it
starts) reuses that connection, inside its transaction: the turn's writes, its owed replies
and the update's done mark then commit together or not at all. A ContextVar makes it per
task, so concurrent claim loops never share one.

A lost connection (the server restarted, an administrator ended the session) fails only
the statement that was using it; the pool drops that connection and opens a new one for
the next caller.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.storage.base import StorageError

_ESC = "\U000f0000"  # a private-use character: the escape, written doubled as itself
_ROWCOUNT = re.compile(r"(\d+)$")
Row = tuple[Any, ...]


def where(url: str) -> str:
    """The URL without its password, fit for a message or a log line."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}@" if parts.username else ""
    return f"postgresql://{user}{host}{port}{parts.path}"


def _esc(value: Any) -> Any:
    if isinstance(value, str) and ("\x00" in value or _ESC in value):
        return value.replace(_ESC, _ESC + _ESC).replace("\x00", _ESC + "0")
    return value


def _unesc(value: Any) -> Any:
    if isinstance(value, str) and _ESC in value:
        return re.sub(f"{_ESC}(.)", lambda m: "\x00" if m.group(1) == "0" else m.group(1),
                      value)
    return value


def _row(record: Any) -> Row:
    return tuple(_unesc(v) for v in record)


def lost(exc: BaseException) -> bool:
    """Whether ``exc`` means the connection itself is gone (as opposed to a bad statement)."""
    return isinstance(exc, asyncpg.PostgresConnectionError | asyncpg.InterfaceError
                      | asyncpg.exceptions.AdminShutdownError
                      | asyncpg.exceptions.CannotConnectNowError | OSError
                      | TimeoutError)


def classify(exc: BaseException, url: str) -> StorageError:
    """The operator's view of a driver error: what is wrong and where, in one line."""
    server = where(url)
    if isinstance(exc, asyncpg.InvalidPasswordError
                  | asyncpg.InvalidAuthorizationSpecificationError):
        return StorageError(f"{server}: the server refused the login ({exc}); check the user "
                            "and password in GOODHELP_DB")
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return StorageError(f"{server}: there is no such database; create it (createdb) or "
                            "correct GOODHELP_DB")
    if isinstance(exc, TimeoutError):
        return StorageError(f"{server}: the database did not answer in time")
    if isinstance(exc, OSError | asyncpg.exceptions.CannotConnectNowError):
        why = ("connection refused" if isinstance(exc, ConnectionRefusedError)
               else exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc))
        return StorageError(f"{server}: cannot reach the database ({why}); is PostgreSQL "
                            "running there?")
    if lost(exc):
        return StorageError(f"{server}: the connection to the database was lost")
    name = type(exc).__name__
    code = getattr(exc, "sqlstate", None)
    return StorageError(f"{server}: database error {name}" + (f" ({code})" if code else ""))


class Conn:
    """One connection (in a transaction or not): statements with escaped text in and out."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        """Every row the statement returns."""
        return [_row(r) for r in await self.raw.fetch(sql, *(_esc(a) for a in args))]

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        """The first row, or None."""
        found = await self.raw.fetchrow(sql, *(_esc(a) for a in args))
        return None if found is None else _row(found)

    async def execute(self, sql: str, *args: Any) -> int:
        """Run one statement; how many rows it touched."""
        status = await self.raw.execute(sql, *(_esc(a) for a in args))
        match = _ROWCOUNT.search(str(status))
        return int(match.group(1)) if match else 0

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """One statement for each row, in one round trip; nothing for no rows."""
        batch = [tuple(_esc(v) for v in row) for row in rows]
        if batch:
            await self.raw.executemany(sql, batch)

    async def copy_rows(self, table: str, columns: Sequence[str],
                        rows: Iterable[Sequence[Any]]) -> None:
        """Bulk-load rows into ``table`` with binary COPY (a move's copy), text escaped."""
        batch = [tuple(_esc(v) for v in row) for row in rows]
        if batch:
            await self.raw.copy_records_to_table(table, records=batch, columns=list(columns))


class SharedConn(Conn):
    """The ambient connection: tasks a turn starts may use it too, one statement at a time
    (asyncpg refuses two operations at once on one connection)."""

    def __init__(self, raw: Any) -> None:
        super().__init__(raw)
        self._lock = asyncio.Lock()

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        """Every row the statement returns."""
        async with self._lock:
            return await super().fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        """The first row, or None."""
        async with self._lock:
            return await super().fetchrow(sql, *args)

    async def execute(self, sql: str, *args: Any) -> int:
        """Run one statement; how many rows it touched."""
        async with self._lock:
            return await super().execute(sql, *args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """One statement for each row, in one round trip."""
        async with self._lock:
            await super().executemany(sql, rows)


# (the pool it belongs to, the connection): another Database in the same task (a test's
# second worker) must not join it.
_AMBIENT: ContextVar[tuple[object, SharedConn] | None] = ContextVar("goodhelp_pg_ambient",
                                                                    default=None)


class Database:
    """The pool. ``open`` connects (raising StorageError if it cannot), ``close`` ends it."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10,
                 connect_timeout: float = 5.0) -> None:
        self.url = url
        self._sizes = (min_size, max_size)
        self._timeout = connect_timeout
        self._pool: Any = None

    async def open(self) -> None:
        """Connect the pool; StorageError (one line, no password) if the server says no."""
        if self._pool is not None:
            return
        try:
            self._pool = await asyncpg.create_pool(
                self.url, min_size=min(self._sizes), max_size=self._sizes[1],
                timeout=self._timeout, server_settings={"application_name": "goodhelp"})
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError,
                TimeoutError, ValueError) as exc:
            raise classify(exc, self.url) from None

    async def close(self) -> None:
        """Close every pooled connection."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @asynccontextmanager
    async def ambient(self) -> AsyncIterator[Conn]:
        """One transaction that every ``connection()`` of this task joins until the block
        ends: committed if it ends cleanly, rolled back if it raises."""
        async with self._acquire(transaction=True) as conn:
            shared = SharedConn(conn.raw)
            token = _AMBIENT.set((self, shared))
            try:
                yield shared
            finally:
                _AMBIENT.reset(token)

    @asynccontextmanager
    async def connection(self, transaction: bool = False) -> AsyncIterator[Conn]:
        """A pooled connection for a block, in one transaction if asked; errors typed.

        Inside ``ambient`` it is the ambient connection (a transaction asked for becomes a
        savepoint in it), so the block's writes commit with the ambient transaction."""
        if self._pool is None:
            raise StorageError(f"{where(self.url)}: storage is not open")
        ambient = _AMBIENT.get()
        if ambient is not None and ambient[0] is self:
            shared = ambient[1]
            try:
                if not transaction:
                    yield shared
                    return
                async with shared._lock:
                    savepoint = shared.raw.transaction()
                    await savepoint.start()
                try:
                    yield shared
                except BaseException:
                    async with shared._lock:
                        await savepoint.rollback()
                    raise
                async with shared._lock:
                    await savepoint.commit()
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError,
                    TimeoutError) as exc:
                raise classify(exc, self.url) from exc
            return
        async with self._acquire(transaction) as conn:
            yield conn

    def in_ambient(self) -> bool:
        """Whether this task is inside ``ambient`` (a snapshot of its own cannot be had)."""
        ambient = _AMBIENT.get()
        return ambient is not None and ambient[0] is self

    @asynccontextmanager
    async def _acquire(self, transaction: bool) -> AsyncIterator[Conn]:
        """A connection of the pool's own, never the ambient one."""
        if self._pool is None:
            raise StorageError(f"{where(self.url)}: storage is not open")
        try:
            async with self._pool.acquire() as raw:
                if not transaction:
                    yield Conn(raw)
                    return
                async with raw.transaction():
                    yield Conn(raw)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError,
                TimeoutError) as exc:
            if lost(exc) and self._pool is not None:
                # The server restarted or ended our sessions: every pooled connection is
                # likely dead, not only this one. Replace them all on their next use, so
                # only this call fails, not one call per pooled connection.
                await self._pool.expire_connections()
            raise classify(exc, self.url) from exc

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        """Every row, on a pooled connection outside any transaction."""
        async with self.connection() as conn:
            return await conn.fetch(sql, *args)

    async def execute(self, sql: str, *args: Any) -> int:
        """One statement on a pooled connection (its own transaction); rows touched."""
        async with self.connection() as conn:
            return await conn.execute(sql, *args)
