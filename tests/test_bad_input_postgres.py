"""Bad input on PostgreSQL, end to end: a server that is unreachable or at the wrong schema
version at start (one line, an exit code, the command that fixes it), and a server lost
during a turn (that turn gets the usual kind reply; the next one works)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

from bot.core.keys import PersonKey
from bot.engine.actions import ActionRegistry
from bot.engine.events import Command, Text
from bot.engine.loader import load_flows
from bot.engine.runner import Engine
from bot.service import Conversations
from bot.storage.postgres import PostgresStorage
from tests.pg_cluster import Cluster
from tests.test_bad_input import assert_one_line, flows_folder

KEY = PersonKey("terminal", "ana")


def goodhelp(tmp_path: Path, *args: str, stdin: str = "",
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GOODHELP_", "TELEGRAM_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", str(tmp_path / "no.env"), *args],
        cwd=tmp_path, env={**clean, **(env or {})}, input=stdin, capture_output=True,
        text=True, timeout=60)


def test_chat_on_postgres_keeps_the_conversation(tmp_path: Path, pg_url: str) -> None:
    flows = str(flows_folder(tmp_path))
    first = goodhelp(tmp_path, "chat", "--flows", flows, "--as", "ana",
                     stdin="/note\nSam\n", env={"GOODHELP_DB": pg_url})
    assert first.returncode == 0, first.stderr
    again = goodhelp(tmp_path, "chat", "--flows", flows, "--db", pg_url, "--as", "ana",
                     stdin="a walk\n")
    assert again.returncode == 0, again.stderr
    assert "goodhelp> You said: a walk" in again.stdout  # picked up where they were
    report = goodhelp(tmp_path, "report", "--out", str(tmp_path / "r.html"),
                      env={"GOODHELP_DB": pg_url})
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!")


def test_an_unreachable_database_is_one_line(tmp_path: Path, pg_cluster: Cluster) -> None:
    url = f"postgresql://goodhelp:s3cret@127.0.0.1:{pg_cluster.port + 1}/goodhelp"
    result = goodhelp(tmp_path, "chat", "--flows", str(flows_folder(tmp_path)), "--db", url)
    assert_one_line(result, "cannot reach the database", "is PostgreSQL running there?")
    assert "s3cret" not in result.stderr
    alerts = goodhelp(tmp_path, "alerts", env={"GOODHELP_DB": url})
    assert_one_line(alerts, "cannot reach the database")


def test_a_wrong_schema_version_names_the_command_that_fixes_it(
        tmp_path: Path, pg_cluster: Cluster, pg_url: str) -> None:
    flows = str(flows_folder(tmp_path))
    manual = {"GOODHELP_DB": pg_url, "GOODHELP_DB_MIGRATE": "manual"}
    older = goodhelp(tmp_path, "chat", "--flows", flows, env=manual)
    assert_one_line(older, "schema version 0", "run: goodhelp migrate --db postgresql://")
    migrated = goodhelp(tmp_path, "migrate", env=manual)
    assert migrated.returncode == 0, migrated.stderr
    assert goodhelp(tmp_path, "chat", "--flows", flows, env=manual).returncode == 0
    pg_cluster.psql("INSERT INTO schema_version VALUES (9999, '9999_future.sql', 'x')",
                    pg_url.rsplit("/", 1)[1])
    newer = goodhelp(tmp_path, "chat", "--flows", flows, env=manual)
    assert_one_line(newer, "schema version 9999", "pip install --upgrade goodhelp")


async def test_a_lost_server_fails_that_turn_kindly_and_the_next_turn_works(
        tmp_path: Path, pg_cluster: Cluster, pg_migrated_url: str) -> None:
    registry = ActionRegistry()
    engine = Engine(load_flows(flows_folder(tmp_path), known_actions=registry.known()),
                    registry)
    storage = PostgresStorage(pg_migrated_url, pool_size=2, connect_timeout=2)
    await storage.open()
    conversations = Conversations(engine, storage, rng=random.Random(5))
    sorry = conversations._error_reply(None).text
    try:
        assert (await conversations.handle(KEY, Command("note")))[0].text.startswith("What")
        async with storage.db.connection(), storage.db.connection():
            pass  # two connections in the pool, so a restart leaves two dead ones
        pg_cluster.pg_ctl("stop")
        try:
            replies = await conversations.handle(KEY, Text("Sam"))
        finally:
            pg_cluster.pg_ctl("start")
        assert [r.text for r in replies] == [sorry]
        # Nothing of the failed turn was kept: the person is asked again, and answers.
        assert [r.text for r in await conversations.handle(KEY, Text("Sam"))] == [
            "What went well?"]
        # An administrator ends every session: the turn that meets it fails kindly, and
        # the pool replaces all its connections (not one failed turn per connection).
        async with storage.db.connection(), storage.db.connection():
            pass
        assert pg_cluster.terminate_backends(pg_migrated_url) == 2
        assert [r.text for r in await conversations.handle(KEY, Text("a walk"))] == [sorry]
        replies = await conversations.handle(KEY, Text("a walk"))
        assert "You said: a walk" in [r.text for r in replies]
    finally:
        await storage.close()
