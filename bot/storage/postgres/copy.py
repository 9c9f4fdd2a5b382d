"""Copying a whole deployment into an empty PostgreSQL database (``goodhelp migrate-db``).

Both backends store the same encoded values (bot/storage/rows.py), so a move is a copy,
row for row and id for id: rows that refer to others (a person's records, a role's
invitation, a relayed message's link) keep pointing at the same ids. The schema is
brought up to date first, in its own transactions; the copy itself is ONE transaction
that locks every table, checks the database holds no goodhelp data at all (it never
merges two deployments), copies with binary COPY, checks each table's count and sets the
id sequences past the copied ids. Any failure rolls all of it back: nothing half-copied.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

import asyncpg

from bot.storage.base import StorageError
from bot.storage.postgres.connection import Conn, Database, lost, where
from bot.storage.postgres.migrate import migrate

LOCK_SECONDS = 10.0  # how long to wait for a worker's open transaction on the target
_NOTHING = "nothing was copied"


class RowSource(Protocol):
    """Where the rows come from: a snapshot of the old database (bot/storage/sqlite)."""

    def columns(self, table: str) -> list[str]:
        """The table's columns."""
        ...

    def count(self, table: str) -> int:
        """How many rows the table holds."""
        ...

    def chunks(self, table: str) -> Iterator[list[tuple[Any, ...]]]:
        """The table's rows, a batch at a time."""
        ...


class TargetNotEmpty(StorageError):
    """The target already holds goodhelp data; a move never merges two deployments."""


async def copy_into(url: str, source: RowSource, tables: Sequence[str], now: datetime,
                    *, connect_timeout: float = 5.0,
                    lock_seconds: float = LOCK_SECONDS) -> tuple[int, dict[str, int]]:
    """Migrate the target's schema, then copy ``tables`` in that order (parents before the
    rows that refer to them) in one transaction; (schema version, rows per table)."""
    db = Database(url, min_size=1, max_size=1, connect_timeout=connect_timeout)
    await db.open()
    try:
        async with db.connection() as conn:
            await migrate(conn, url, now)
            found = await conn.fetchrow("SELECT max(version) FROM schema_version")
            version = int(found[0]) if found and found[0] is not None else 0
        async with db.connection(transaction=True) as conn:
            await conn.execute(f"SET LOCAL lock_timeout = {int(lock_seconds * 1000)}")
            counts = await _copy_all(conn, url, source, tables)
        return version, counts
    finally:
        await db.close()


async def _copy_all(conn: Conn, url: str, source: RowSource,
                    tables: Sequence[str]) -> dict[str, int]:
    present = await _target_columns(conn)
    absent = [t for t in tables if t not in present]
    if absent:
        raise StorageError(f"{where(url)} has no table {', '.join(absent)} after its "
                           f"migrations; this goodhelp cannot move that data; {_NOTHING}")
    try:
        # EXCLUSIVE: a worker started on the target meanwhile can read but not write
        # until the copy is committed, so the emptiness checked here still holds then.
        await conn.execute("LOCK TABLE " + ", ".join(f'"{t}"' for t in sorted(present))
                           + " IN EXCLUSIVE MODE")
    except asyncpg.LockNotAvailableError as exc:
        raise StorageError(f"{where(url)} is in use (is goodhelp running on it?); stop it "
                           f"and run migrate-db again; {_NOTHING}") from exc
    order = [*tables, *sorted(t for t in present if t not in tables)]
    held = [(t, n) for t in order if (n := await _count(conn, t))]
    if held:
        what = ", ".join(f"{t}: {n:,} row{'s' if n != 1 else ''}" for t, n in held)
        raise TargetNotEmpty(
            f"{where(url)} already holds goodhelp data ({what}); migrate-db copies into an "
            f"empty database only and never merges two deployments; give it a new database "
            f"(createdb), see docs/deploy.md; {_NOTHING}")
    counts: dict[str, int] = {}
    for table in tables:
        counts[table] = await _copy_table(conn, url, source, table, present[table])
    await _reset_sequences(conn)
    return counts


async def _copy_table(conn: Conn, url: str, source: RowSource, table: str,
                      target: set[str]) -> int:
    """One table: every column the source has (the target fills its own extra ones with
    their defaults), then the count checked against the source's."""
    columns = source.columns(table)
    extra = [c for c in columns if c not in target]
    if extra:
        raise StorageError(f"{where(url)}: table {table} has no column {', '.join(extra)}; "
                           f"this goodhelp cannot move that data; {_NOTHING}")
    try:
        for chunk in source.chunks(table):
            await conn.copy_rows(table, columns, chunk)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, TypeError, ValueError) as exc:
        if lost(exc) and not isinstance(exc, ValueError | TypeError):
            raise  # the connection itself failed: Database.connection says so
        # Never the exception's text: it may quote a value someone typed.
        code = getattr(exc, "sqlstate", None)
        raise StorageError(f"{where(url)}: table {table} could not be copied "
                           f"({type(exc).__name__}{f', {code}' if code else ''}); "
                           f"{_NOTHING}") from exc
    copied = await _count(conn, table)
    if copied != source.count(table):
        raise StorageError(f"{where(url)}: table {table} has {copied} rows after the copy "
                           f"but the source {source.count(table)}; {_NOTHING}")
    return copied


async def _target_columns(conn: Conn) -> dict[str, set[str]]:
    """The target's tables (all but schema_version) and their columns."""
    found: dict[str, set[str]] = {}
    for table, column in await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name <> 'schema_version'"):
        found.setdefault(str(table), set()).add(str(column))
    return found


async def _count(conn: Conn, table: str) -> int:
    found = await conn.fetchrow(f'SELECT count(*) FROM "{table}"')
    return int(found[0]) if found else 0


async def _reset_sequences(conn: Conn) -> None:
    """Every identity column's next value past the highest id copied, so the next row the
    bot writes does not collide with a copied one."""
    for table, column in await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND is_identity = 'YES'"):
        await conn.fetch(
            f"SELECT setval(pg_get_serial_sequence($1, $2), "
            f'GREATEST(COALESCE(max("{column}"), 0), 1), max("{column}") IS NOT NULL) '
            f'FROM "{table}"', f'"{table}"', str(column))
