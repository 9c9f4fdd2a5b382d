"""PostgreSQL only: migrations and the schema version, several workers opening at once,
deletion that really deletes, and connections that are refused or lost."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.core.keys import PersonKey
from bot.core.records import Achievement, Alert, FlowEvent, Purpose, Rating
from bot.core.state import ConversationState
from bot.storage.base import NextMessage, StorageError, TurnWrite
from bot.storage.postgres import PostgresStorage
from bot.storage.postgres.migrate import newest
from bot.storage.roles import role_store_for
from tests.pg_cluster import Cluster

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SAM = PersonKey("telegram", "42")
PERSON_TABLES = ("conversation_state", "purposes", "achievements", "ratings", "events",
                 "scheduled_messages", "outbox", "alerts", "schedules", "roles")


async def test_a_new_database_is_migrated_once_even_by_workers_starting_together(
        pg_cluster: Cluster, pg_url: str) -> None:
    workers = [PostgresStorage(pg_url, pool_size=2) for _ in range(4)]
    await asyncio.gather(*(w.open() for w in workers))
    for worker in workers:
        await worker.close()
    assert pg_cluster.psql("SELECT string_agg(version::text, ',') FROM schema_version",
                           pg_url.rsplit("/", 1)[1]) == ",".join(
        str(v) for v in range(1, newest() + 1))


async def test_a_schema_newer_than_the_code_is_refused_with_the_fix(
        pg_cluster: Cluster, pg_migrated_url: str) -> None:
    pg_cluster.psql("INSERT INTO schema_version VALUES (9999, '9999_future.sql', 'x')",
                    pg_migrated_url.rsplit("/", 1)[1])
    storage = PostgresStorage(pg_migrated_url)
    with pytest.raises(StorageError) as caught:
        await storage.open()
    message = str(caught.value)
    assert "schema version 9999" in message and "pip install --upgrade goodhelp" in message


async def test_a_schema_older_than_the_code_is_refused_when_migrating_is_manual(
        pg_url: str) -> None:
    storage = PostgresStorage(pg_url, migrate=False)
    with pytest.raises(StorageError) as caught:
        await storage.open()
    assert "run: goodhelp migrate --db postgresql://" in str(caught.value)
    storage = PostgresStorage(pg_url)  # what `goodhelp migrate` does
    await storage.open()
    await storage.close()
    storage = PostgresStorage(pg_url, migrate=False)
    await storage.open()
    await storage.close()


async def test_a_database_of_something_else_is_left_alone(
        pg_cluster: Cluster, pg_url: str) -> None:
    pg_cluster.psql("CREATE TABLE invoices (id int)", pg_url.rsplit("/", 1)[1])
    with pytest.raises(StorageError, match="not a goodhelp database"):
        await PostgresStorage(pg_url).open()


async def test_deleting_a_person_leaves_no_row_of_theirs(
        pg_cluster: Cluster, pg_migrated_url: str) -> None:
    storage = PostgresStorage(pg_migrated_url)
    await storage.open()
    try:
        records = (Achievement("walked", AT), Rating(4, AT), Purpose("p1", "help", AT),
                   FlowEvent("step_answered", "checkin", "ask", AT),
                   Alert("asked_for_person", AT, {"first_name": "Sam"}))
        state = ConversationState(vars={"consent": "yes", "timezone": "Europe/London"})
        await storage.add_with_turn(TurnWrite(SAM, state, records, AT), ["hello"])
        await storage.schedule(SAM, NextMessage("checkin", AT))
        await role_store_for(storage).grant(SAM, "mentor", AT)
        inbox = storage.updates()
        await inbox.record(1, SAM, '{"text": "please delete me"}')
        async with inbox.claim():
            pass
        assert await storage.delete_person(SAM)
    finally:
        await storage.close()
    db = pg_migrated_url.rsplit("/", 1)[1]
    counts = pg_cluster.psql(" UNION ALL ".join(
        f"SELECT count(*) FROM {t}" for t in ("people", "updates", *PERSON_TABLES)), db)
    assert counts.split() == ["0"] * (len(PERSON_TABLES) + 2)
    # Only the anonymous weekly count of deletions survives.
    assert pg_cluster.psql("SELECT week, demo, people FROM deletions", db) == "2026-01-05|0|1"


async def test_an_unreachable_server_is_one_line_without_the_password(
        pg_cluster: Cluster) -> None:
    url = f"postgresql://goodhelp:s3cret@127.0.0.1:{pg_cluster.port + 1}/nowhere"
    with pytest.raises(StorageError) as caught:
        await PostgresStorage(url, connect_timeout=2).open()
    message = str(caught.value)
    assert "cannot reach the database" in message and "s3cret" not in message
    assert "\n" not in message


async def test_a_missing_database_is_named(pg_cluster: Cluster) -> None:
    with pytest.raises(StorageError, match="there is no such database"):
        await PostgresStorage(pg_cluster.url("nosuchdb")).open()


async def test_a_lost_connection_fails_one_call_and_the_pool_reconnects(
        pg_cluster: Cluster, pg_migrated_url: str) -> None:
    storage = PostgresStorage(pg_migrated_url, pool_size=1)
    await storage.open()
    try:
        await storage.commit_turn(TurnWrite(SAM, ConversationState(), (), AT))
        assert pg_cluster.terminate_backends(pg_migrated_url) >= 1
        with pytest.raises(StorageError, match="connection to the database was lost"):
            await storage.load(SAM)
        assert await storage.load(SAM) == ConversationState()
    finally:
        await storage.close()
