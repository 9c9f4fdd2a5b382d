"""Fixtures for storage tests: every backend on real files, a clock tests can move.

The storage contract (tests/storage/contract/, one test class per storage role) runs
against every entry of :data:`BACKENDS`. A new backend is one factory below and one
entry in the list: a factory gets the test's file path and clock and returns the
storage unopened (the fixture opens and closes it); one that needs a server it cannot
find calls ``pytest.skip``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.storage.base import Storage
from bot.storage.memory import MemoryStorage
from bot.storage.sqlite import SQLiteStorage
from tests.pg_cluster import postgres_storage

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class StepClock:
    """Moves one second each time it is read, so every write gets its own time."""

    def __init__(self, start: datetime = START) -> None:
        self.at = start

    def now(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "goodhelp.db"


def memory_backend(path: Path, clock: StepClock) -> Storage:
    """The in-memory backend (``path`` unused)."""
    return MemoryStorage(clock=clock)


def sqlite_backend(path: Path, clock: StepClock) -> Storage:
    """The SQLite backend on a real file under tmp_path."""
    return SQLiteStorage(path, clock=clock, lock_timeout=0.2)


Factory = Callable[[Path, StepClock], Storage]
FACTORIES: dict[str, Factory] = {"memory": memory_backend, "sqlite": sqlite_backend}
# PostgreSQL needs a database of the session's cluster, so the fixture makes it.
BACKENDS = [*FACTORIES, "postgres"]  # the one list every contract class runs against


@pytest.fixture(params=BACKENDS)
async def storage(
    request: pytest.FixtureRequest, db_path: Path, clock: StepClock
) -> AsyncIterator[Storage]:
    backend = (postgres_storage(request, clock) if request.param == "postgres"
               else FACTORIES[request.param](db_path, clock))
    await backend.open()
    try:
        yield backend
    finally:
        await backend.close()


@pytest.fixture
async def sqlite_storage(db_path: Path, clock: StepClock) -> AsyncIterator[SQLiteStorage]:
    backend = SQLiteStorage(db_path, clock=clock, lock_timeout=0.2)
    await backend.open()
    try:
        yield backend
    finally:
        await backend.close()


@asynccontextmanager
async def opened(path: Path, **options: Any) -> AsyncIterator[SQLiteStorage]:
    """Open for the block and always close: an unclosed aiosqlite thread would keep the
    test process alive after a failing assertion."""
    storage = SQLiteStorage(path, **options)
    await storage.open()
    try:
        yield storage
    finally:
        await storage.close()


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A realistic SQLite deployment made by the real bot (tests/storage/deployment.py),
    made once; tests copy it before changing it (deployment.copy_of)."""
    import asyncio

    from tests.storage.deployment import build_deployment

    db = tmp_path_factory.mktemp("deployment") / "goodhelp.db"
    asyncio.run(build_deployment(db))
    return db
