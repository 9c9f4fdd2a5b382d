"""A read-only snapshot of a stopped SQLite deployment, for ``goodhelp migrate-db``.

The bot must be stopped first: a move copies what the file holds at one moment, and a
turn written after it would stay behind in SQLite. The running bot holds ``<db>.lock``
(bot/storage/sqlite/opening.py) for as long as it runs, so taking that lock here proves
it is stopped, and keeps it from starting until the copy is done. The file is opened
read-only (``mode=ro``) and read inside one transaction, so every table comes from the
same committed state. Nothing is ever written to it, not even the lock file.

Reads are plain (blocking) sqlite3 calls: the command that uses this does nothing else
meanwhile, and a chunk at a time keeps memory flat on a large file.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.storage.base import StorageCorrupt, StorageError, StorageLocked
from bot.storage.migrate import discover
from bot.storage.sqlite.opening import SQLITE_HEADER

CHUNK = 5000
NOTHING = "nothing was copied"


class Snapshot:
    """One read transaction on the SQLite file, with the bot's process lock held."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock_fd: int | None) -> None:
        self.path = path
        self._conn = conn
        self._lock_fd = lock_fd
        self.tables: dict[str, list[str]] = {}
        self.version = 0

    def columns(self, table: str) -> list[str]:
        """The table's columns, in their order in the file."""
        return list(self.tables[table])

    def count(self, table: str) -> int:
        """How many rows the table holds in this snapshot."""
        return int(self._conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])

    def chunks(self, table: str, size: int = CHUNK) -> Iterator[list[tuple[Any, ...]]]:
        """The table's rows in rowid order (the order they were written), ``size`` at a time."""
        columns = ", ".join(f'"{c}"' for c in self.tables[table])
        cursor = self._conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY rowid')
        try:
            while batch := cursor.fetchmany(size):
                yield [tuple(row) for row in batch]
        finally:
            cursor.close()

    def close(self) -> None:
        """End the read transaction and let go of the process lock."""
        try:
            self._conn.close()
        finally:
            if self._lock_fd is not None:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
                self._lock_fd = None


def open_snapshot(path: Path, wait_seconds: float = 5.0) -> Snapshot:
    """Check the file and open its snapshot; a StorageError naming what to do if not."""
    path = path.absolute()
    _check_file(path)
    lock_fd = _take_lock(path)
    try:
        conn = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True, timeout=wait_seconds,
                               isolation_level=None)
    except sqlite3.Error as exc:
        _release(lock_fd)
        raise _error(exc, path) from exc
    snapshot = Snapshot(path, conn, lock_fd)
    try:
        conn.execute("BEGIN")
        _check_contents(snapshot, conn)
    except sqlite3.Error as exc:
        snapshot.close()
        raise _error(exc, path) from exc
    except BaseException:
        snapshot.close()
        raise
    return snapshot


def _check_file(path: Path) -> None:
    if not path.exists():
        raise StorageError(f"{path} does not exist (is --db or GOODHELP_DB right?); {NOTHING}")
    if not path.is_file():
        raise StorageError(f"{path} is not a file; {NOTHING}")
    try:
        with path.open("rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise StorageError(f"{path} cannot be read ({exc.strerror}); {NOTHING}") from exc
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        raise _not_ours(path)


def _take_lock(path: Path) -> int | None:
    """Hold the bot's ``<db>.lock`` (read-only: nothing is created); None if there is none,
    which means no goodhelp has the file open."""
    try:
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"{path}.lock cannot be read ({exc.strerror}); run migrate-db as "
                           f"the bot's user; {NOTHING}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        raise StorageLocked(f"{path} is in use: goodhelp is running on it; stop the bot "
                            f"first (systemctl stop goodhelp), then run migrate-db again; "
                            f"{NOTHING}") from exc
    return fd


def _release(fd: int | None) -> None:
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _check_contents(snapshot: Snapshot, conn: sqlite3.Connection) -> None:
    """Undamaged, goodhelp's, and at exactly the schema version this code writes."""
    path = snapshot.path
    if [row[0] for row in conn.execute("PRAGMA quick_check")] != ["ok"]:
        raise _not_ours(path)
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    if "schema_version" not in names or "people" not in names:
        raise _not_ours(path)
    if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise StorageCorrupt(f"{path} has rows that refer to rows it no longer holds "
                             f"(PRAGMA foreign_key_check); restore a backup; {NOTHING}")
    for name in names:
        snapshot.tables[name] = [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')]
    applied = {int(row[0]) for row in conn.execute("SELECT version FROM schema_version")}
    known = {m.version for m in discover()}
    newest, at = max(known, default=0), max(applied, default=0)
    if at > newest:
        raise StorageError(f"{path} is at schema version {at} but this goodhelp knows only "
                           f"up to {newest}; run migrate-db with the goodhelp that last ran "
                           f"the bot; {NOTHING}")
    if known - applied:
        raise StorageError(f"{path} is at schema version {at} and this goodhelp needs "
                           f"{newest}; with the bot stopped, bring the file up to date "
                           f"first: goodhelp migrate --db {path}; {NOTHING}")
    snapshot.version = at


def _not_ours(path: Path) -> StorageCorrupt:
    return StorageCorrupt(f"{path} is not a goodhelp database or is damaged; {NOTHING}")


def _error(exc: sqlite3.Error, path: Path) -> StorageError:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StorageLocked(f"{path} is locked by another process; stop it and try again; "
                             f"{NOTHING}")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return _not_ours(path)
    name = getattr(exc, "sqlite_errorname", type(exc).__name__)
    return StorageError(f"{path}: database error {name}; {NOTHING}")
