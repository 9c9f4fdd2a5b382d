"""PostgreSQL's own numbered migrations (``postgres/migrations/NNNN_what.sql``), at start.

Each file runs in one transaction with its ``schema_version`` row, so a failed migration
leaves the database at the version before it. Several workers may start at once: an
advisory lock makes them take turns, and the ones after the first find nothing to do.
A database newer than this code, or older while migrating at start is switched off,
is refused with the command that fixes it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import asyncpg

from bot.storage.base import StorageError
from bot.storage.migrate import discover
from bot.storage.postgres.connection import Conn, lost, where
from bot.storage.rows import to_text

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
LOCK_KEY = 0x676F6F6468656C70  # "goodhelp": one advisory lock for every migrating worker
_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def newest(folder: Path = MIGRATIONS_DIR) -> int:
    """The schema version this code knows up to."""
    found = discover(folder)
    return found[-1].version if found else 0


async def _check_owner(conn: Conn, url: str) -> set[int]:
    """Applied versions; refuses a database that holds tables of something else."""
    tables = {r[0] for r in await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    if tables and "schema_version" not in tables:
        raise StorageError(f"{where(url)} holds tables but is not a goodhelp database; "
                           "point GOODHELP_DB at an empty database of its own")
    if not tables:
        return set()
    return {int(r[0]) for r in await conn.fetch("SELECT version FROM schema_version")}


async def migrate(conn: Conn, url: str, now: datetime, *, apply: bool = True,
                  folder: Path = MIGRATIONS_DIR) -> list[int]:
    """Bring the schema up to date (or, with ``apply`` False, check that it is)."""
    migrations = discover(folder)
    top = migrations[-1].version if migrations else 0
    await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
    try:
        applied = await _check_owner(conn, url)
        if applied and max(applied) > top:
            raise StorageError(
                f"{where(url)} is at schema version {max(applied)} but this goodhelp knows "
                f"only up to {top}; run the newer goodhelp (pip install --upgrade goodhelp) "
                "or restore a backup taken before the upgrade")
        missing = [m for m in migrations if m.version not in applied]
        if missing and not apply:
            raise StorageError(
                f"{where(url)} is at schema version {max(applied, default=0)} and this "
                f"goodhelp needs {top}; run: goodhelp migrate --db {where(url)}")
        done: list[int] = []
        for migration in missing:
            sql = migration.path.read_text(encoding="utf-8")
            try:
                async with conn.raw.transaction():
                    await conn.execute(_VERSION_TABLE)
                    await conn.raw.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_version (version, name, applied_at) "
                        "VALUES ($1, $2, $3)", migration.version, migration.path.name,
                        to_text(now))
            except asyncpg.PostgresError as exc:
                if lost(exc):
                    raise
                raise StorageError(f"migration {migration.path.name} failed ({exc}); the "
                                   "database was left at the version before it") from exc
            done.append(migration.version)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)
