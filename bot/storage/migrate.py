"""Forward-only schema migrations: numbered ``.sql`` files applied in order at open.

Adding a migration is adding a file ``migrations/NNNN_what.sql``. Each file runs in its
own transaction together with its ``schema_version`` row, so a failed migration leaves
the database exactly at the version before it. Files must not contain BEGIN or COMMIT.
Versions are applied if missing rather than "if above the highest applied", so a file
merged late with a lower number than one already applied is still run.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiosqlite

from bot.storage.base import StorageError
from bot.storage.rows import to_text

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Errors that say the SQL itself is wrong; anything else (locked, read-only, disk full)
# is left for the caller to classify.
_SQL_ERRORS = {sqlite3.SQLITE_ERROR, sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_MISMATCH}


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file of bot/storage/migrations/."""

    version: int
    path: Path


def discover(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in ``folder``, by version; refuses misnamed or duplicate ones."""
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise StorageError(
                f"{path}: migration files are named like 0002_journeys.sql "
                "(four digits, underscore, lowercase letters, digits or _)"
            )
        version = int(match.group(1))
        if version == 0:
            raise StorageError(f"{path}: migration numbers start at 0001")
        if version in found:
            raise StorageError(
                f"{path} and {found[version].path.name} share number {version:04d}; "
                "renumber one of them"
            )
        found[version] = Migration(version, path)
    return [found[v] for v in sorted(found)]


async def applied_versions(conn: aiosqlite.Connection) -> set[int]:
    """The migration numbers already applied to this database."""
    rows = await conn.execute_fetchall("SELECT version FROM schema_version")
    return {int(row[0]) for row in rows}


async def migrate(
    conn: aiosqlite.Connection, now: datetime, folder: Path = MIGRATIONS_DIR
) -> list[int]:
    """Apply every migration not yet applied; return the versions applied now.

    ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    migrations = discover(folder)
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = await applied_versions(conn)
    newest = migrations[-1].version if migrations else 0
    if applied and max(applied) > newest:
        raise StorageError(
            f"the database is at schema version {max(applied)} but this goodhelp only knows "
            f"up to {newest}; upgrade goodhelp or restore a matching backup"
        )
    done: list[int] = []
    for migration in migrations:
        if migration.version not in applied:
            await _apply(conn, migration, now)
            done.append(migration.version)
    return done


async def _apply(conn: aiosqlite.Connection, migration: Migration, now: datetime) -> None:
    sql = migration.path.read_text(encoding="utf-8")
    try:
        # IMMEDIATE takes the write lock up front, so the whole file is one unit.
        await conn.executescript("BEGIN IMMEDIATE;\n" + sql)
        await conn.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
            (migration.version, migration.path.name, to_text(now)),
        )
        await conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _SQL_ERRORS:
            raise StorageError(
                f"migration {migration.path.name} failed ({exc}); the database was left "
                "at the version before it"
            ) from exc
        raise
