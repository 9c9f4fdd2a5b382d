"""Fixtures for storage tests: both backends on real files, a clock tests can move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.storage.base import Storage
from bot.storage.memory import MemoryStorage
from bot.storage.sqlite import SQLiteStorage

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


@pytest.fixture(params=["memory", "sqlite"])
async def storage(
    request: pytest.FixtureRequest, db_path: Path, clock: StepClock
) -> AsyncIterator[Storage]:
    backend: Storage
    if request.param == "memory":
        backend = MemoryStorage(clock=clock)
    else:
        backend = SQLiteStorage(db_path, clock=clock, lock_timeout=0.2)
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
