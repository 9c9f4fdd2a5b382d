"""Opening a file that is damaged, foreign, locked or read-only: typed errors, file untouched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import StorageCorrupt, StorageLocked, StorageReadOnly, TurnWrite
from bot.storage.sqlite import SQLiteStorage
from bot.storage.sqlite.opening import classify
from tests.storage.conftest import opened

SAM = PersonKey("terminal", "sam")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def make_db(path: Path, people: int = 300) -> None:
    async with opened(path) as storage:
        for i in range(people):
            state = ConversationState(vars={"note": f"something longer to fill pages {i}" * 5})
            await storage.commit_turn(TurnWrite(PersonKey("t", str(i)), state))


async def assert_refused(path: Path, error: type[Exception], text: str) -> None:
    before = digest(path)
    storage = SQLiteStorage(path, lock_timeout=0.2)
    with pytest.raises(error) as caught:
        await storage.open()
    message = str(caught.value)
    assert str(path) in message and text in message
    assert digest(path) == before
    await storage.close()  # harmless after a failed open


async def test_random_bytes_are_corrupt(db_path: Path) -> None:
    db_path.write_bytes(os.urandom(8192))
    await assert_refused(db_path, StorageCorrupt, "is not a goodhelp database or is damaged")


async def test_text_file_is_corrupt(db_path: Path) -> None:
    db_path.write_text("name,purpose\nsam,find work\n")
    await assert_refused(db_path, StorageCorrupt, "it was left untouched")


async def test_truncated_database_is_corrupt(db_path: Path) -> None:
    await make_db(db_path)
    data = db_path.read_bytes()
    assert len(data) > 8 * 4096
    db_path.write_bytes(data[: len(data) // 2])
    await assert_refused(db_path, StorageCorrupt, "move it aside or restore a backup")


async def test_foreign_sqlite_database_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    await assert_refused(db_path, StorageCorrupt, "is not a goodhelp database")


async def test_empty_file_becomes_a_database(db_path: Path) -> None:
    db_path.touch()
    async with opened(db_path) as storage:
        await storage.commit_turn(TurnWrite(SAM, ConversationState()))


async def test_write_lock_held_by_another_connection(db_path: Path) -> None:
    await make_db(db_path, people=1)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        await assert_refused(db_path, StorageLocked, "in use by another process")
        assert time.monotonic() - started < 5
    finally:
        other.execute("ROLLBACK")
        other.close()
    async with opened(db_path):  # free again once the other lets go
        pass


async def test_write_lock_held_by_another_process(db_path: Path) -> None:
    await make_db(db_path, people=1)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n",
            str(db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        await assert_refused(db_path, StorageLocked, "is goodhelp already running?")
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()


async def test_second_goodhelp_on_the_same_file_is_refused(db_path: Path) -> None:
    async with opened(db_path):
        # The first is idle (no transaction), yet the second must not share its file.
        with pytest.raises(StorageLocked):
            await SQLiteStorage(db_path, lock_timeout=0.2).open()
    async with opened(db_path):
        pass


@contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """Make ``path`` unwritable in a way that holds even for root.

    Tests run as root, which ignores chmod; the immutable attribute (chattr +i) binds root
    too. As another user, plain chmod is enough.
    """
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("chattr +i is not available here, and root ignores chmod")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


async def test_read_only_file(db_path: Path) -> None:
    await make_db(db_path, people=1)
    with unwritable(db_path):
        await assert_refused(db_path, StorageReadOnly, "cannot be written")


async def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    with unwritable(folder):
        storage = SQLiteStorage(folder / "goodhelp.db")
        with pytest.raises(StorageReadOnly, match="folder is not writable"):
            await storage.open()
    assert not (folder / "goodhelp.db").exists()


def test_sqlite_readonly_error_is_classified(db_path: Path) -> None:
    """The path for read-only media os.access cannot see: SQLite itself refuses the write."""
    sqlite3.connect(db_path).close()
    conn = sqlite3.connect(db_path.as_uri() + "?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            conn.execute("CREATE TABLE t (x)")
    finally:
        conn.close()
    error = classify(caught.value, db_path)
    assert isinstance(error, StorageReadOnly) and str(db_path) in str(error)
