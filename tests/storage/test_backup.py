"""`goodhelp backup FILE`: a checked copy, and one clear line for every bad input (missing,
locked, damaged or foreign source; a destination that exists or cannot be written).

The copy taken while the real bot writes, and restored, is tested in
tests/channels/test_backup_live.py.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.keys import PersonKey
from bot.storage.sqlite import SQLiteStorage
from tests.test_bad_input import digest, existing_db, unwritable


def backup(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str
           ) -> tuple[int, str, str]:
    code = main(["--env-file", str(tmp_path / "none.env"), "backup", *args], environ={})
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str, *parts: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("goodhelp: ") and "Traceback" not in err
    for part in parts:
        assert part in lines[0], lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


async def test_backup_is_a_checked_private_copy_that_opens_as_the_bot_db(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = await existing_db(tmp_path)
    dest = tmp_path / "copies" / "goodhelp-backup.db"
    dest.parent.mkdir()
    code, out, err = backup(tmp_path, capsys, str(dest), "--db", str(db))
    assert (code, err) == (0, "")
    size = dest.stat().st_size
    assert out == (f"backup written to {dest}: {size:,} bytes, 1 person, schema version "
                   f"{max_version(db)}, integrity ok, in {out.split(' in ')[-1]}")
    assert "Sam" not in out and "ana" not in out  # counts only, no personal text
    assert oct(dest.stat().st_mode & 0o777) == "0o600"
    assert leftovers(dest.parent) == []
    with sqlite3.connect(dest) as conn:  # one self-contained file, not WAL
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    storage = SQLiteStorage(dest)  # restored: the bot opens it and the person is there
    await storage.open()
    try:
        state = await storage.load(PersonKey("terminal", "ana"))
        assert state is not None and state.vars["nickname"] == "Sam"
    finally:
        await storage.close()


def max_version(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT max(version) FROM schema_version").fetchone()[0])


async def test_an_existing_file_is_kept_unless_force(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = await existing_db(tmp_path)
    dest = tmp_path / "backup.db"
    dest.write_bytes(b"last week's backup")
    code, out, err = backup(tmp_path, capsys, str(dest), "--db", str(db))
    assert (code, out) == (1, "")
    one_line(err, str(dest), "already exists", "--force")
    assert dest.read_bytes() == b"last week's backup"
    code, out, err = backup(tmp_path, capsys, str(dest), "--db", str(db), "--force")
    assert (code, err) == (0, "") and out.startswith("backup written to")
    assert dest.read_bytes().startswith(b"SQLite format 3\x00")
    assert leftovers(tmp_path) == []


async def test_the_database_itself_is_refused_as_destination(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = await existing_db(tmp_path)
    before = digest(db)
    code, _, err = backup(tmp_path, capsys, str(db), "--db", str(db), "--force")
    assert code == 1
    one_line(err, "is the database itself")
    assert digest(db) == before


def test_a_missing_source_writes_nothing(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = backup(tmp_path, capsys, str(tmp_path / "b.db"), "--db",
                            str(tmp_path / "nowhere.db"))
    assert (code, out) == (1, "")
    one_line(err, "nowhere.db does not exist", "nothing was written")
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # not even an empty database


async def test_a_destination_that_cannot_be_written(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    db = await existing_db(tmp_path)
    code, _, err = backup(tmp_path, capsys, str(tmp_path / "no" / "such" / "b.db"), "--db",
                          str(db))
    assert code == 1
    one_line(err, "the folder", "does not exist")
    code, _, err = backup(tmp_path, capsys, str(tmp_path), "--db", str(db))
    assert code == 1
    one_line(err, "is a folder")
    locked_folder = tmp_path / "readonly"
    locked_folder.mkdir()
    with unwritable(locked_folder):
        code, _, err = backup(tmp_path, capsys, str(locked_folder / "b.db"), "--db", str(db))
    assert code == 1
    one_line(err, "cannot write", "nothing was written")
    assert list(locked_folder.iterdir()) == []


@pytest.mark.parametrize("damage", ["not_sqlite", "lost_its_middle", "empty"])
async def test_a_damaged_source(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                damage: str) -> None:
    db = await existing_db(tmp_path)
    data = bytearray(db.read_bytes())
    if damage == "not_sqlite":
        data[:16] = b"definitely not!!"
    elif damage == "lost_its_middle":
        data[1024:] = random.Random(3).randbytes(len(data) - 1024)
    else:
        data = bytearray()
    db.write_bytes(bytes(data))
    before = digest(db)
    dest = tmp_path / "backups" / "b.db"
    dest.parent.mkdir()
    code, out, err = backup(tmp_path, capsys, str(dest), "--db", str(db))
    assert (code, out) == (1, "")
    one_line(err, str(db), "not a goodhelp database or is damaged", "nothing was written")
    assert digest(db) == before  # the source is only ever read
    assert list(dest.parent.iterdir()) == []  # no copy, no temporary file


def test_an_sqlite_file_of_something_else(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    code, _, err = backup(tmp_path, capsys, str(tmp_path / "b.db"), "--db", str(other))
    assert code == 1
    one_line(err, "is not a goodhelp database")
    assert not (tmp_path / "b.db").exists()


async def test_a_source_locked_by_another_process_is_one_line_after_the_wait(
        tmp_path: Path) -> None:
    """A real `goodhelp backup` process against a database another process holds
    exclusively (the bot never does; a hand-run sqlite3 session might)."""
    db = await existing_db(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('PRAGMA locking_mode = EXCLUSIVE')\n"
         "c.execute('BEGIN EXCLUSIVE')\n"
         "c.execute('DELETE FROM events')\n"
         "print('locked', flush=True)\n"
         "sys.stdin.read()\n",
         str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    dest = tmp_path / "b.db"
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = subprocess.run(
            [sys.executable, "-m", "bot", "--env-file", str(tmp_path / "none.env"), "backup",
             str(dest), "--db", str(db), "--wait", "0.5"],
            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
    assert (result.returncode, result.stdout) == (1, "")
    one_line(result.stderr, str(db), "locked by another process", "try again")
    assert not dest.exists() and leftovers(tmp_path) == []


def test_a_postgresql_url_points_to_pg_dump(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--env-file", str(tmp_path / "none.env"), "backup", str(tmp_path / "b.db")],
                environ={"GOODHELP_DB": "postgresql://goodhelp@127.0.0.1/goodhelp"})
    _, err = capsys.readouterr()
    assert code == 1
    one_line(err, "copies an SQLite database", "pg_dump")
    assert list(tmp_path.iterdir()) == []
