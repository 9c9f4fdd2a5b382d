"""SQLite only: what must hold across restarts, under load and when a batch fails."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.keys import PersonKey
from bot.core.records import Achievement, Rating
from bot.core.state import ConversationState
from bot.storage.base import StorageError, TurnWrite
from bot.storage.migrate import discover
from bot.storage.sqlite import SQLiteStorage
from tests.storage.conftest import START, StepClock, opened

SAM = PersonKey("terminal", "sam")


def turn(key: PersonKey, n: int, *records: Achievement | Rating) -> TurnWrite:
    return TurnWrite(key, ConversationState(flow="f", step="s", vars={"n": n}, turn=n), records)


def query(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Read through a plain connection of our own, bypassing every cache."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def test_migrations_run_once_and_reopen_is_idempotent(db_path: Path) -> None:
    async with opened(db_path):
        pass
    first = query(db_path, "SELECT version, name, applied_at FROM schema_version ORDER BY version")
    # Other migrations join the folder over time; every shipped one is applied, once.
    assert [row[:2] for row in first] == [(m.version, m.path.name) for m in discover()]
    assert first[0][:2] == (1, "0001_base.sql")
    async with opened(db_path):
        pass
    assert (
        query(db_path, "SELECT version, name, applied_at FROM schema_version ORDER BY version")
        == first
    )


async def test_pragmas_and_foreign_keys(sqlite_storage: SQLiteStorage, db_path: Path) -> None:
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]
    tables = {row[0] for row in query(db_path, "SELECT name FROM sqlite_schema WHERE type='table'")}
    assert {
        "people",
        "conversation_state",
        "purposes",
        "achievements",
        "ratings",
        "events",
    } <= tables
    for table in ("conversation_state", "purposes", "achievements", "ratings", "events"):
        [fk] = query(db_path, f"PRAGMA foreign_key_list({table})")
        assert fk[2] == "people" and fk[6] == "CASCADE", table


async def test_state_and_records_survive_reopen(db_path: Path) -> None:
    async with opened(db_path) as storage:
        await storage.commit_turn(turn(SAM, 3, Achievement("win", START)))
    async with opened(db_path) as storage:
        loaded = await storage.load(SAM)
        assert loaded is not None and loaded.vars == {"n": 3} and loaded.turn == 3
        assert [a.text for a in await storage.achievements(SAM)] == ["win"]


async def test_200_concurrent_tasks_all_land(sqlite_storage: SQLiteStorage, db_path: Path) -> None:
    people = [PersonKey("telegram", str(i)) for i in range(200)]

    async def talk(key: PersonKey) -> None:
        for n in range(10):
            await sqlite_storage.commit_turn(turn(key, n, Achievement(f"w{n}", START)))

    await asyncio.gather(*(talk(key) for key in people))
    assert query(db_path, "SELECT count(*) FROM people") == [(200,)]
    assert query(db_path, "SELECT count(*) FROM achievements") == [(2000,)]
    assert query(
        db_path, "SELECT count(*) FROM conversation_state WHERE state_json LIKE '%\"n\":9%'"
    ) == [(200,)]


async def test_cache_stays_true_to_the_file(db_path: Path) -> None:
    # A tiny cache forces evictions, so loads mix cache hits and reads.
    async with opened(db_path, cache_size=7) as storage:
        people = [PersonKey("telegram", str(i)) for i in range(40)]

        async def talk(key: PersonKey) -> None:
            for n in range(6):
                before = await storage.load(key)
                assert before is None or before.vars["n"] == n - 1
                await storage.commit_turn(turn(key, n))

        await asyncio.gather(*(talk(key) for key in people))
        stored = {
            str(external_id): str(state_json)
            for external_id, state_json in query(
                db_path,
                "SELECT p.external_id, s.state_json FROM people p "
                "JOIN conversation_state s ON s.person_id = p.id",
            )
        }
        for key in people:
            loaded = await storage.load(key)
            assert loaded is not None
            assert loaded == ConversationState.from_json(stored[key.external_id])


# Real database refusals, added from outside: one while inserting, one only at COMMIT
# (a deferred foreign key), which is where a cache updated too early would show.
REFUSALS = {
    "insert": [
        "CREATE TRIGGER refuse BEFORE INSERT ON achievements WHEN NEW.text = 'boom' "
        "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
    ],
    "commit": [
        "CREATE TABLE audit (person_id INTEGER REFERENCES people (id) "
        "DEFERRABLE INITIALLY DEFERRED)",
        "CREATE TRIGGER refuse AFTER INSERT ON achievements WHEN NEW.text = 'boom' "
        "BEGIN INSERT INTO audit VALUES (-1); END",
    ],
}


@pytest.mark.parametrize("where", REFUSALS)
async def test_a_refused_turn_fails_only_itself_and_the_writer_goes_on(
    sqlite_storage: SQLiteStorage, db_path: Path, where: str
) -> None:
    await sqlite_storage.commit_turn(turn(SAM, 1))
    conn = sqlite3.connect(db_path)
    for sql in REFUSALS[where]:
        conn.execute(sql)
    conn.commit()
    conn.close()
    others = [PersonKey("telegram", str(i)) for i in range(20)]
    results = await asyncio.gather(
        sqlite_storage.commit_turn(turn(SAM, 2, Achievement("boom", START))),
        *(sqlite_storage.commit_turn(turn(key, 1)) for key in others),
        return_exceptions=True,
    )
    # Queued together, so tried together; the batch is then written turn by turn, so
    # only the refused turn fails (typed) and everyone batched with it is saved.
    assert isinstance(results[0], StorageError)
    assert "could not save" in str(results[0])
    assert results[1:] == [None] * len(others)
    loaded = await sqlite_storage.load(SAM)
    assert loaded is not None and loaded.vars == {"n": 1}  # the cache kept the committed state
    for key in others:
        saved = await sqlite_storage.load(key)
        assert saved is not None and saved.vars == {"n": 1}
    assert query(db_path, "SELECT COUNT(*) FROM people")[0][0] == 1 + len(others)
    await sqlite_storage.commit_turn(turn(SAM, 3, Achievement("fine", START)))
    loaded = await sqlite_storage.load(SAM)
    assert loaded is not None and loaded.vars == {"n": 3}
    assert [a.text for a in await sqlite_storage.achievements(SAM)] == ["fine"]


async def test_close_writes_everything_queued(db_path: Path) -> None:
    async with opened(db_path) as storage:
        tasks = [
            asyncio.create_task(storage.commit_turn(turn(PersonKey("t", str(i)), i)))
            for i in range(100)
        ]
        await asyncio.sleep(0)  # let every task queue its turn
    await asyncio.gather(*tasks)
    assert query(db_path, "SELECT count(*) FROM conversation_state") == [(100,)]


async def test_commit_after_close_is_refused(db_path: Path) -> None:
    async with opened(db_path) as storage:
        pass
    await storage.close()  # twice is harmless
    with pytest.raises(StorageError, match="not open"):
        await storage.commit_turn(turn(SAM, 1))


async def test_delete_between_writes_keeps_order(sqlite_storage: SQLiteStorage) -> None:
    first = asyncio.create_task(sqlite_storage.commit_turn(turn(SAM, 1, Achievement("old", START))))
    deleted = asyncio.create_task(sqlite_storage.delete_person(SAM))
    second = asyncio.create_task(sqlite_storage.commit_turn(turn(SAM, 2)))
    await asyncio.gather(first, second)
    assert await deleted is True
    loaded = await sqlite_storage.load(SAM)
    assert loaded is not None and loaded.vars == {"n": 2}
    assert await sqlite_storage.achievements(SAM) == []


async def test_throughput_with_1000_people(db_path: Path) -> None:
    """DESIGN.md: group commit must carry well over 3,000 turns/s; we measure ~20,000."""
    people = [PersonKey("telegram", str(i)) for i in range(1000)]
    turns = 10

    async def talk(key: PersonKey) -> None:
        for n in range(turns):
            await storage.load(key)
            await storage.commit_turn(turn(key, n, Rating(5, START + timedelta(seconds=n))))

    async with opened(db_path, clock=StepClock()) as storage:
        started = time.perf_counter()
        await asyncio.gather(*(talk(key) for key in people))
        rate = len(people) * turns / (time.perf_counter() - started)
    print(f"\n{rate:,.0f} turns/s")
    assert rate > 3000
    assert query(db_path, "SELECT count(*) FROM ratings") == [(10_000,)]
