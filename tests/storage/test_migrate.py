"""The migration runner: adding a numbered file is all a new migration needs."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.storage.base import StorageError
from bot.storage.migrate import MIGRATIONS_DIR, discover
from tests.storage.conftest import opened


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Only 0001: the shipped folder grows as others add migrations, these tests must not."""
    copy = tmp_path / "migrations"
    copy.mkdir()
    shutil.copy(MIGRATIONS_DIR / "0001_base.sql", copy)
    return copy


def versions(db_path: Path) -> list[int]:
    conn = sqlite3.connect(db_path)
    try:
        return [
            row[0] for row in conn.execute("SELECT version FROM schema_version ORDER BY version")
        ]
    finally:
        conn.close()


async def open_close(db_path: Path, folder: Path) -> None:
    async with opened(db_path, migrations=folder):
        pass


def test_shipped_migrations_start_at_one() -> None:
    assert [m.version for m in discover()][:1] == [1]


async def test_a_new_file_is_applied_once(db_path: Path, folder: Path) -> None:
    await open_close(db_path, folder)
    (folder / "0002_journeys.sql").write_text(
        "CREATE TABLE journeys (person_id INTEGER REFERENCES people (id) ON DELETE CASCADE);"
    )
    await open_close(db_path, folder)
    await open_close(db_path, folder)
    assert versions(db_path) == [1, 2]


async def test_a_late_lower_number_is_still_applied(db_path: Path, folder: Path) -> None:
    (folder / "0003_scheduling.sql").write_text("CREATE TABLE later (x);")
    await open_close(db_path, folder)
    (folder / "0002_journeys.sql").write_text("CREATE TABLE earlier (x);")
    await open_close(db_path, folder)
    assert versions(db_path) == [1, 2, 3]


async def test_failed_migration_leaves_the_previous_version(db_path: Path, folder: Path) -> None:
    await open_close(db_path, folder)
    (folder / "0002_broken.sql").write_text("CREATE TABLE half (x);\nCREATE TABLE oops (;\n")
    with pytest.raises(StorageError, match=r"migration 0002_broken\.sql failed"):
        await open_close(db_path, folder)
    assert versions(db_path) == [1]
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT name FROM sqlite_schema WHERE name = 'half'").fetchall() == []
    finally:
        conn.close()


async def test_newer_database_is_refused(db_path: Path, folder: Path) -> None:
    (folder / "0002_future.sql").write_text("CREATE TABLE future (x);")
    await open_close(db_path, folder)
    (folder / "0002_future.sql").unlink()
    with pytest.raises(StorageError, match="schema version 2 but this goodhelp only knows up to 1"):
        await open_close(db_path, folder)


@pytest.mark.parametrize("name", ["2_short.sql", "0002-dash.sql", "0002_Upper.sql"])
def test_misnamed_file_is_refused(folder: Path, name: str) -> None:
    (folder / name).write_text("SELECT 1;")
    with pytest.raises(StorageError, match=r"named like 0002_journeys\.sql"):
        discover(folder)


def test_duplicate_number_is_refused(folder: Path) -> None:
    (folder / "0002_a.sql").write_text("SELECT 1;")
    (folder / "0002_b.sql").write_text("SELECT 1;")
    with pytest.raises(StorageError, match="share number 0002"):
        discover(folder)
