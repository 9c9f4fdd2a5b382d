"""``goodhelp migrate-db``: a real SQLite deployment, made by the real bot, moved into a
real PostgreSQL database and read back through both backends' storage roles: every
person, record, scheduled message, owed reply, role, invitation, mentoring row, alert and
the staff report are equal after the move. Bad input refuses in one line and copies
nothing; a failure half way leaves the target empty."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.keys import PersonKey
from bot.core.roles import ROLES
from bot.core.state import ConversationState
from bot.reports.build import gather
from bot.storage.base import StorageError, StorageLocked, TurnWrite
from bot.storage.mentoring import mentor_store_for
from bot.storage.move import POSTGRES_ONLY, SKIPPED, TABLES, move, unknown_tables
from bot.storage.postgres import PostgresStorage
from bot.storage.postgres import alerts as pg_alerts
from bot.storage.reports import ReportScope
from bot.storage.roles import role_store_for
from bot.storage.sqlite import SQLiteStorage
from bot.storage.sqlite import alerts as sqlite_alerts
from tests.mentoring.conftest import MENTOR, PERSON
from tests.pg_cluster import Cluster
from tests.storage.deployment import DAYS, ODD, TODAY, copy_of, keys_in, row_counts, start_of


async def test_every_person_record_message_role_and_the_report_are_equal_after_the_move(
        deployment: Path, tmp_path: Path, pg_url: str) -> None:
    db = copy_of(deployment, tmp_path)
    counts = row_counts(db)
    assert all(counts.values()), f"the deployment should fill every table: {counts}"
    result = await move(db, pg_url, TODAY)
    assert result.counts == counts
    sqlite, postgres = SQLiteStorage(db), PostgresStorage(pg_url)
    await sqlite.open()
    await postgres.open()
    try:
        await _same_people(sqlite, postgres, keys_in(db))
        await _same_roles_and_mentoring(sqlite, postgres)
        assert await sqlite_alerts.open_alerts(db) == await pg_alerts.open_alerts(pg_url)
        await _same_reports(sqlite, postgres)
        # Ids are the same, and the queue hands out the same check-ins in the same order.
        assert await sqlite.schedules.next_due_at() == await postgres.schedules.next_due_at()
        later = TODAY + timedelta(days=400)
        claimed = await sqlite.schedules.claim_due(later, 1000)
        assert claimed and claimed == await postgres.schedules.claim_due(later, 1000)
        # New rows get new ids: the sequences were moved past the copied ones.
        await _new_rows_do_not_collide(postgres)
    finally:
        await postgres.close()
        await sqlite.close()


async def _same_people(a: Any, b: Any, keys: list[PersonKey]) -> None:
    assert len(keys) > 10
    everything = []
    for key in keys:
        exported = await a.export_person(key)
        assert exported is not None and exported == await b.export_person(key), key
        everything.append(repr(exported))
        assert await a.load(key) == await b.load(key)
        for reader in ("achievements", "ratings", "purposes"):
            assert await getattr(a, reader)(key) == await getattr(b, reader)(key)
        assert await a.schedules.scheduled(key) == await b.schedules.scheduled(key)
        assert await a.outbox.owed_to(key) == await b.outbox.owed_to(key)
        assert await a.reachability.is_reachable(key) == \
            await b.reachability.is_reachable(key)
    for odd in ODD:  # every odd text reached the database, and came back the same
        assert any(repr(odd)[1:-1] in text for text in everything), odd


async def _same_roles_and_mentoring(a: Any, b: Any) -> None:
    roles_a, roles_b = role_store_for(a), role_store_for(b)
    for role in ROLES:
        assert await roles_a.people_with(role) == await roles_b.people_with(role)
    assert await roles_a.invites() == await roles_b.invites()
    invited = await roles_a.people_with("person")
    assert invited
    for key in invited:
        assert await roles_a.cohort_of(key) == await roles_b.cohort_of(key) == "Caerdydd 🌊"
    store_a, store_b = mentor_store_for(a), mentor_store_for(b)
    try:
        link = await store_a.current_link(PERSON)
        assert link is not None and link == await store_b.current_link(PERSON)
        assert await store_a.links_of_mentor(MENTOR) == await store_b.links_of_mentor(MENTOR)
        for message_id in range(1, 6):
            assert await store_a.message(message_id) == await store_b.message(message_id)
        assert await store_a.message(1) is not None
        for status in ("submitted", "approved", "rejected"):
            assert await store_a.stories(status) == await store_b.stories(status)
        assert await store_a.stories_of(MENTOR) == await store_b.stories_of(MENTOR)
    finally:
        await store_a.close()
        await store_b.close()


async def _same_reports(a: Any, b: Any) -> None:
    start, end = start_of(DAYS + 14, TODAY), TODAY + timedelta(days=7)
    source_a, source_b = a.report_source(), b.report_source()
    await source_a.open()
    await source_b.open()
    try:
        assert await source_a.people_counts() == await source_b.people_counts()
        for scope in (ReportScope(start, end), ReportScope(start, end, cohort="Caerdydd 🌊")):
            assert await gather(source_a, scope) == await gather(source_b, scope)
    finally:
        await source_a.close()
        await source_b.close()


async def _new_rows_do_not_collide(postgres: PostgresStorage) -> None:
    key = PersonKey("telegram", "newcomer")
    await postgres.commit_turn(TurnWrite(key, ConversationState(vars={"consent": "yes"}),
                                         (), TODAY))
    roles = role_store_for(postgres)
    invite, _ = await roles.create_invite("staff", TODAY, TODAY + timedelta(days=1))
    assert invite.id > max(i.id for i in await roles.invites() if i.id != invite.id)


def test_every_sqlite_table_is_copied_or_named_as_skipped(tmp_path: Path) -> None:
    """A migration that adds a table fails here until migrate-db copies it or says why
    not (bot/storage/move.py)."""
    import asyncio

    async def made() -> None:
        storage = SQLiteStorage(tmp_path / "fresh.db")
        await storage.open()
        await storage.close()

    asyncio.run(made())
    with sqlite3.connect(tmp_path / "fresh.db") as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    conn.close()
    assert unknown_tables(tables) == [], "copy these in bot/storage/move.py TABLES or name " \
        "them in SKIPPED with the reason"
    assert set(TABLES) <= tables, "TABLES names a table SQLite does not have"
    assert not set(SKIPPED) & set(TABLES)


async def test_every_copied_column_exists_in_postgresql_and_its_own_tables_are_named(
        tmp_path: Path, pg_migrated_url: str) -> None:
    storage = SQLiteStorage(tmp_path / "fresh.db")
    await storage.open()
    await storage.close()
    with sqlite3.connect(tmp_path / "fresh.db") as conn:
        sqlite_columns = {t: {r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')}
                          for t in TABLES}
    conn.close()
    pg = PostgresStorage(pg_migrated_url)
    await pg.open()
    try:
        found = await pg.db.fetch("SELECT table_name, column_name FROM information_schema."
                                  "columns WHERE table_schema = current_schema()")
    finally:
        await pg.close()
    pg_columns: dict[str, set[str]] = {}
    for table, column in found:
        pg_columns.setdefault(table, set()).add(column)
    for table, columns in sqlite_columns.items():
        assert columns <= pg_columns.get(table, set()), table
    # PostgreSQL's own tables are named too: a new one is checked for emptiness, so say so.
    assert set(pg_columns) - set(TABLES) - set(SKIPPED) == set(POSTGRES_ONLY)


async def test_a_second_run_is_refused_and_names_what_is_there(
        deployment: Path, tmp_path: Path, pg_url: str) -> None:
    db = copy_of(deployment, tmp_path)
    await move(db, pg_url, TODAY)
    with pytest.raises(StorageError) as refused:
        await move(db, pg_url, TODAY)
    message = str(refused.value)
    assert "already holds goodhelp data (people: " in message
    assert "never merges" in message and message.endswith("nothing was copied")
    assert "\n" not in message


async def test_a_failure_half_way_leaves_the_target_empty(
        deployment: Path, tmp_path: Path, pg_url: str, pg_cluster: Cluster) -> None:
    db = copy_of(deployment, tmp_path)
    # A row PostgreSQL cannot take (SQLite keeps any value in any column), in a table
    # copied after people, states and purposes: the copy fails there.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE achievements SET confidence = 'lots' WHERE id = "
                     "(SELECT max(id) FROM achievements)")
    conn.close()
    with pytest.raises(StorageError) as failed:
        await move(db, pg_url, TODAY)
    message = str(failed.value)
    assert "table achievements could not be copied" in message
    assert "lots" not in message and message.endswith("nothing was copied")
    for table in TABLES:
        assert pg_cluster.psql(f'SELECT count(*) FROM "{table}"',
                               pg_url.rsplit("/", 1)[1]) == "0", table


async def test_the_bot_must_be_stopped(deployment: Path, tmp_path: Path, pg_url: str) -> None:
    db = copy_of(deployment, tmp_path)
    running = SQLiteStorage(db)
    await running.open()
    try:
        with pytest.raises(StorageLocked, match="stop the bot first"):
            await move(db, pg_url, TODAY)
    finally:
        await running.close()


async def test_an_older_sqlite_schema_names_the_command_that_fixes_it(
        deployment: Path, tmp_path: Path, pg_url: str) -> None:
    db = copy_of(deployment, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM schema_version WHERE version = "
                     "(SELECT max(version) FROM schema_version)")
    conn.close()
    with pytest.raises(StorageError, match=f"goodhelp migrate --db {db}; nothing"):
        await move(db, pg_url, TODAY)


KILLED = """
import asyncio, os, sys
from pathlib import Path
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import TurnWrite
from bot.storage.sqlite import SQLiteStorage

async def main() -> None:
    storage = SQLiteStorage(Path(sys.argv[1]))
    await storage.open()
    for i in range(40):
        state = ConversationState(vars={"consent": "yes", "n": str(i)})
        await storage.commit_turn(TurnWrite(PersonKey("telegram", str(i)), state))
    os._exit(0)  # killed: no checkpoint, no close; the turns are in the -wal file only

asyncio.run(main())
"""


async def test_a_bot_that_was_killed_is_copied_whole_from_its_wal(
        tmp_path: Path, pg_url: str) -> None:
    import subprocess
    import sys

    db = tmp_path / "goodhelp.db"
    subprocess.run([sys.executable, "-c", KILLED, str(db)], check=True, timeout=60)
    assert db.with_name("goodhelp.db-wal").stat().st_size > 0
    result = await move(db, pg_url, TODAY)
    assert result.counts["people"] == result.counts["conversation_state"] == 40
    postgres = PostgresStorage(pg_url)
    await postgres.open()
    try:
        state = await postgres.load(PersonKey("telegram", "39"))
        assert state is not None and state.vars["n"] == "39"
    finally:
        await postgres.close()


async def test_a_worker_writing_to_the_target_is_waited_for_then_named(
        deployment: Path, tmp_path: Path, pg_migrated_url: str) -> None:
    import asyncpg

    from bot.storage.postgres.copy import copy_into
    from bot.storage.sqlite.snapshot import open_snapshot

    db = copy_of(deployment, tmp_path)
    worker = await asyncpg.connect(pg_migrated_url)
    snapshot = open_snapshot(db)
    try:
        async with worker.transaction():  # a worker in the middle of a turn
            await worker.execute("LOCK TABLE outbox IN ROW EXCLUSIVE MODE")
            with pytest.raises(StorageError, match=r"is in use \(is goodhelp running on it\?\)"):
                await copy_into(pg_migrated_url, snapshot, TABLES, TODAY, lock_seconds=0.3)
    finally:
        snapshot.close()
        await worker.close()


async def test_a_table_migrate_db_does_not_know_is_refused_not_left_behind(
        deployment: Path, tmp_path: Path, pg_url: str, pg_cluster: Cluster) -> None:
    db = copy_of(deployment, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE journeys (id INTEGER PRIMARY KEY, text TEXT)")
    conn.close()
    with pytest.raises(StorageError, match="holds table journeys, which this goodhelp does "
                       "not know how to move; nothing was copied"):
        await move(db, pg_url, TODAY)
    # Refused before PostgreSQL was touched at all.
    assert pg_cluster.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                           pg_url.rsplit("/", 1)[1]) == "0"
