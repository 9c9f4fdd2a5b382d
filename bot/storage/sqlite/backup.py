"""``goodhelp backup``: a consistent copy of a live SQLite database, checked before it counts.

SQLite's online backup API copies pages through an ordinary connection, so it is safe while
the bot runs and writes: in WAL mode a reader never blocks the writer. The copy is taken
inside one read transaction that is opened first (with a timeout), so every page comes from
the same committed snapshot, and the copy cannot loop: Python's ``Connection.backup`` retries
a busy source for ever, whereas our own ``BEGIN`` gives up after ``wait_seconds``.

The source is opened read-only and never written. The copy goes to a private temporary
file beside the destination, is checked (``PRAGMA integrity_check``, foreign keys, a
goodhelp schema version) and only then takes the destination's name, so a failed or
interrupted backup never leaves a half-written file under the name an operator trusts.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from bot.files import FILE_MODE
from bot.storage.base import StorageCorrupt, StorageError, StorageLocked
from bot.storage.sqlite.opening import SQLITE_HEADER, classify

_WRITE_ERRORS = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY,
                 sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM}


class BackupError(StorageError):
    """The backup could not be made; nothing was written under the destination's name."""


@dataclass(frozen=True)
class BackupResult:
    """What was written: counts only, never what anyone typed."""

    path: Path
    size: int
    people: int
    schema_version: int
    seconds: float

    def describe(self) -> str:
        """The one line ``goodhelp backup`` prints."""
        return (f"backup written to {self.path}: {self.size:,} bytes, {self.people} "
                f"{'person' if self.people == 1 else 'people'}, schema version "
                f"{self.schema_version}, integrity ok, in {self.seconds:.1f} s")


def backup(source: Path, dest: Path, *, force: bool = False,
           wait_seconds: float = 10.0) -> BackupResult:
    """Copy ``source`` to ``dest`` and check the copy; BackupError or StorageError if not."""
    started = time.monotonic()
    source, dest = source.absolute(), dest.absolute()
    _check_source(source)
    _check_dest(source, dest, force)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    _create_private(tmp, dest)
    try:
        _copy(source, tmp, dest, wait_seconds)
        people, version = _verify(tmp, source)
        _durable(tmp)
        _publish(tmp, dest, force)
    finally:
        for end in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                tmp.with_name(tmp.name + end).unlink()
    return BackupResult(dest, dest.stat().st_size, people, version,
                        time.monotonic() - started)


def _check_source(source: Path) -> None:
    if any(part.startswith(("postgresql:", "postgres:")) for part in source.parts):
        # GOODHELP_DB=postgresql://... arrives here as a (relative, then absolute) path.
        raise BackupError("goodhelp backup copies an SQLite database; for PostgreSQL use "
                          "pg_dump (see docs/deploy.md)")
    if not source.exists():
        raise BackupError(f"{source} does not exist; nothing was written")
    if not source.is_file():
        raise BackupError(f"{source} is not a file; nothing was written")
    try:
        with source.open("rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise BackupError(f"{source} cannot be read ({exc.strerror}); nothing was written"
                          ) from exc
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        raise _damaged(source)


def _check_dest(source: Path, dest: Path, force: bool) -> None:
    if dest.is_dir():
        raise BackupError(f"{dest} is a folder; give a file name for the backup")
    if dest.exists():
        if dest.samefile(source):
            raise BackupError(f"{dest} is the database itself; give another file name")
        if not force:
            raise BackupError(f"{dest} already exists; nothing was written "
                              "(add --force to replace it)")
    if not dest.parent.is_dir():
        raise BackupError(f"cannot write {dest}: the folder {dest.parent} does not exist")


def _create_private(tmp: Path, dest: Path) -> None:
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    except OSError as exc:
        raise _unwritable(dest, exc) from exc
    try:
        os.fchmod(fd, FILE_MODE)  # whatever the umask: it holds what people told the bot
    finally:
        os.close(fd)


def _copy(source: Path, tmp: Path, dest: Path, wait_seconds: float) -> None:
    try:
        src = sqlite3.connect(source.as_uri() + "?mode=ro", uri=True, timeout=wait_seconds,
                              isolation_level=None)
    except sqlite3.Error as exc:
        raise _source_error(exc, source) from exc
    try:
        try:
            # The snapshot the whole copy is taken from; waits at most wait_seconds.
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        except sqlite3.Error as exc:
            raise _source_error(exc, source) from exc
        dst = sqlite3.connect(tmp, isolation_level=None)
        try:
            try:
                src.backup(dst)
            except sqlite3.Error as exc:
                # The source is only read, inside a snapshot already taken: failing to
                # write is the copy's side.
                if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _WRITE_ERRORS:
                    raise _dest_error(exc, dest) from exc
                raise _source_error(exc, source) from exc
            try:
                # One self-contained file (the source is in WAL mode, and so would the copy
                # be); the bot switches it back to WAL when it opens it.
                dst.execute("PRAGMA journal_mode = DELETE")
            except sqlite3.Error as exc:
                raise _dest_error(exc, dest) from exc
        finally:
            dst.close()
    finally:
        src.close()


def _verify(tmp: Path, source: Path) -> tuple[int, int]:
    """Integrity, foreign keys and the schema version of the copy; (people, version)."""
    conn = sqlite3.connect(tmp.as_uri() + "?mode=ro", uri=True)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"] or conn.execute("PRAGMA foreign_key_check").fetchone():
            raise _damaged(source)
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table'")}
        if not {"schema_version", "people"} <= tables:
            raise BackupError(f"{source} is not a goodhelp database (no schema version); "
                              "nothing was written")
        version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        if version is None:
            raise BackupError(f"{source} has no schema version; nothing was written")
        people = conn.execute("SELECT count(*) FROM people").fetchone()[0]
    except sqlite3.Error as exc:
        raise _damaged(source) from exc
    finally:
        conn.close()
    return int(people), int(version)


def _durable(tmp: Path) -> None:
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(tmp: Path, dest: Path, force: bool) -> None:
    """Give the checked copy its name: replacing only with --force, else never clobbering
    a file that appeared meanwhile (a hard link fails if the name is taken)."""
    try:
        if force:
            os.replace(tmp, dest)
        else:
            os.link(tmp, dest)
    except FileExistsError as exc:
        raise BackupError(f"{dest} already exists; nothing was written "
                          "(add --force to replace it)") from exc
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
            raise _unwritable(dest, exc) from exc
        _publish_without_links(tmp, dest)
    folder = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the new name survives a power cut too
    finally:
        os.close(folder)


def _publish_without_links(tmp: Path, dest: Path) -> None:
    # Filesystems without hard links: claim the name exclusively, then move over it.
    try:
        os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError as exc:
        raise BackupError(f"{dest} already exists; nothing was written "
                          "(add --force to replace it)") from exc
    os.replace(tmp, dest)


def _source_error(exc: sqlite3.Error, source: Path) -> StorageError:
    """What went wrong with the source, as the typed error an operator can act on."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StorageLocked(f"{source} is locked by another process; nothing was written; "
                             "try again when it is free")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return _damaged(source)
    return BackupError(f"{classify(exc, source)}; nothing was written")


def _damaged(source: Path) -> StorageCorrupt:
    return StorageCorrupt(f"{source} is not a goodhelp database or is damaged; "
                          "nothing was written")


def _unwritable(dest: Path, exc: OSError) -> BackupError:
    return BackupError(f"cannot write {dest} ({exc.strerror or exc}); nothing was written")


def _dest_error(exc: sqlite3.Error, dest: Path) -> BackupError:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code == sqlite3.SQLITE_FULL:
        return BackupError(f"cannot write {dest}: the disk is full; nothing was written")
    name = getattr(exc, "sqlite_errorname", type(exc).__name__)
    return BackupError(f"cannot write {dest} ({name}); nothing was written")
