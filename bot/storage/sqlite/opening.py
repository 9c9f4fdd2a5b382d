"""Opening a database file safely, with typed errors an operator can act on.

Order matters: plain file checks first, then a read-only integrity check, and only then a
read-write connection. A damaged file is therefore never written, not even by SQLite's
own recovery. Messages name the path and never any personal data.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path

import aiosqlite

from bot.files import create_private, private_folder
from bot.storage.base import StorageCorrupt, StorageError, StorageLocked, StorageReadOnly

SQLITE_HEADER = b"SQLite format 3\x00"


def corrupt(path: Path) -> StorageCorrupt:
    """The error for a damaged file or one that is not ours (the file is left alone)."""
    return StorageCorrupt(
        f"{path} is not a goodhelp database or is damaged; it was left untouched; "
        "move it aside or restore a backup"
    )


def locked(path: Path) -> StorageLocked:
    """The error for a database another process is using."""
    return StorageLocked(
        f"{path} is in use by another process (is goodhelp already running?); stop it and try again"
    )


def read_only(path: Path, why: str) -> StorageReadOnly:
    """The error for a file or folder we cannot write."""
    return StorageReadOnly(
        f"{path} cannot be written ({why}); check the permissions of the file and its folder"
    )


def classify(exc: sqlite3.Error, path: Path) -> StorageError:
    """Turn an SQLite error into the typed error an operator can act on."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    name = getattr(exc, "sqlite_errorname", type(exc).__name__)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return locked(path)
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM):
        return read_only(path, "the database refused a write")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return corrupt(path)
    if code == sqlite3.SQLITE_FULL:
        return StorageError(f"{path}: the disk is full; free some space and try again")
    if code == sqlite3.SQLITE_CANTOPEN:
        return StorageError(f"{path} cannot be opened; check that the folder exists")
    return StorageError(f"{path}: database error {name}")


def check_file(path: Path) -> bool:
    """Checks that need no SQLite: the folder is writable, the file looks like SQLite.

    Returns whether there is an existing database to check. ``os.access`` also reports
    read-only mounts and immutable files, even to root.
    """
    folder = path.parent
    try:
        private_folder(folder)
    except OSError as exc:
        raise read_only(folder, f"cannot create the folder: {exc.strerror}") from exc
    # WAL needs to create -wal and -shm files beside the database.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise read_only(path, "its folder is not writable")
    if not path.exists():
        try:
            # Created 0600 here, not by SQLite (0644 under the usual umask): SQLite gives
            # the -wal and -shm files the permissions of the database file. (A link to a
            # file not made yet: the file it points to.)
            create_private(path.resolve() if path.is_symlink() else path)
        except OSError as exc:
            raise read_only(path, exc.strerror or "cannot create") from exc
        return False
    if not path.is_file():
        raise StorageError(f"{path} is not a file")
    if not os.access(path, os.R_OK):
        raise StorageError(f"{path} cannot be read; check its permissions")
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and not os.access(file, os.W_OK):
            raise read_only(file, "the file is not writable")
    with path.open("rb") as f:
        head = f.read(100)
    if head and (len(head) < 100 or not head.startswith(SQLITE_HEADER)):
        raise corrupt(path)
    return bool(head)


def hold_process_lock(path: Path) -> int:
    """Lock ``<db>.lock`` for as long as the storage is open; return its descriptor.

    The state cache is only true if this process is the database's only writer, so a
    second goodhelp on the same file must be refused even while the first is idle
    (SQLite's own locks are only held during a transaction). A separate file, because
    flock on the database itself could clash with SQLite's locks on network filesystems.
    """
    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise read_only(lock_path, exc.strerror or "cannot create") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        raise locked(path) from exc
    return fd


def release_process_lock(fd: int) -> None:
    """Let go of the process lock taken by hold_process_lock."""
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


async def check_integrity(path: Path, wait_seconds: float) -> None:
    """``PRAGMA quick_check`` on a read-only connection; a non-goodhelp file is refused.

    quick_check reads every page, so it takes time in proportion to the file (about a
    second per few hundred MB); a damaged file found at start is worth that.
    """
    uri = path.as_uri() + "?mode=ro"
    try:
        conn = await aiosqlite.connect(uri, uri=True, timeout=wait_seconds)
    except sqlite3.Error as exc:
        raise classify(exc, path) from exc
    try:
        rows = await conn.execute_fetchall("PRAGMA quick_check")
        if [tuple(row) for row in rows] != [("ok",)]:
            raise corrupt(path)
        tables = await conn.execute_fetchall("SELECT name FROM sqlite_schema WHERE type = 'table'")
        names = {row[0] for row in tables}
        # An SQLite file with tables but no schema_version belongs to something else.
        if names and "schema_version" not in names:
            raise corrupt(path)
    except sqlite3.Error as exc:
        raise classify(exc, path) from exc
    finally:
        await conn.close()
