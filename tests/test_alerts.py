"""Alerts to staff (flows/talk.yaml, bot/storage/sqlite/alerts.py, `goodhelp alerts`).

An alert is stored only after the person's explicit yes, holds only what they chose to
share, is logged without any personal text, appears in /mydata, goes with /delete, and
is listed (and marked handled) by the CLI. Real SQLite files under tmp_path throughout.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.storage.sqlite.alerts import mark_handled, open_alerts
from tests.conftest import FLOWS
from tests.test_cli import goodhelp
from tests.test_delete import Person, raw_bytes

KEY = PersonKey("telegram", "8080")
NAME, REACH = "Rhiannon", "07700 900456"
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def ask_for_a_person(app: App) -> Person:
    person = Person(app, KEY)
    await person.agree("Rhi")
    await person.say("Can I talk to a real person?")
    await person.press("Yes, please")
    await person.press("My first name and how to reach me")
    await person.say(NAME)
    await person.say(REACH)
    await person.press("Yes, send it")
    return person


@pytest.fixture
async def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    from bot.storage.sqlite import SQLiteStorage

    opened = await open_app(FLOWS, SQLiteStorage(tmp_path / "goodhelp.db"), clock=FakeClock())
    try:
        yield opened
    finally:
        await opened.close()


async def test_the_alert_holds_only_what_was_shared_and_the_log_no_personal_text(
        app: App, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        await ask_for_a_person(app)
    [alert] = await open_alerts(tmp_path / "goodhelp.db")
    assert alert.shared == {"first_name": NAME, "how_to_reach": REACH}
    assert alert.reason == "asked_for_person"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "asked for someone from the programme" in logged
    for personal in (NAME, REACH, "Rhi", KEY.external_id):
        assert personal not in logged
    state = await app.storage.load(KEY)
    assert state is not None and "alert_name" not in state.vars  # kept in the alert only


async def test_no_alert_without_a_yes(app: App, tmp_path: Path) -> None:
    person = Person(app, KEY)
    await person.agree("Rhi")
    await person.say("is this a bot")
    await person.press("No, thanks")
    await person.say("/talk")
    await person.press("Yes, please")
    await person.press("My first name and how to reach me")
    await person.say(NAME)
    await person.say(REACH)
    await person.press("Don't send anything")
    assert await open_alerts(tmp_path / "goodhelp.db") == []
    state = await app.storage.load(KEY)
    assert state is not None and NAME not in state.vars.values()  # not kept after "don't send"


async def test_mydata_shows_the_alert_and_delete_removes_it(app: App, tmp_path: Path) -> None:
    person = await ask_for_a_person(app)
    replies = await person.say("/mydata")
    text = "\n".join(r.text for r in replies)
    assert "asked for someone from the programme to get in touch (1)" in text
    assert f"you shared {NAME}, {REACH} (waiting for the team)" in text
    document = next(r.attachment for r in replies if r.attachment is not None)
    exported = json.loads(document.data.decode("utf-8"))
    assert exported["requests_to_talk_to_a_person"][0]["shared"]["first_name"] == NAME

    await person.say("/delete")
    await person.press("Yes, delete everything")
    db = tmp_path / "goodhelp.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM alerts").fetchone() == (0,)
    assert NAME.encode() not in raw_bytes(db) and REACH.encode() not in raw_bytes(db)


async def test_marking_an_alert_handled(app: App, tmp_path: Path) -> None:
    await ask_for_a_person(app)
    db = tmp_path / "goodhelp.db"
    [alert] = await open_alerts(db)
    assert await mark_handled(db, alert.id, AT)
    assert not await mark_handled(db, alert.id, AT)  # already handled
    assert await open_alerts(db) == []
    export = await app.storage.export_person(KEY)
    assert export is not None and export.alerts[0].handled_at == AT


async def test_the_cli_lists_open_alerts_and_marks_one_done(app: App, tmp_path: Path) -> None:
    await ask_for_a_person(app)
    await app.close()  # the CLI also works beside a running bot; closed here for a clean file
    db = str(tmp_path / "goodhelp.db")
    listed = goodhelp("alerts", "--db", db, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert f"first name: {NAME}; how to reach: {REACH}" in listed.stdout
    assert "1 open alert;" in listed.stdout
    assert KEY.external_id not in listed.stdout  # never who they are on Telegram
    done = goodhelp("alerts", "--db", db, "--done", "1", cwd=tmp_path)
    assert done.returncode == 0 and "alert 1 marked handled" in done.stdout
    again = goodhelp("alerts", "--db", db, "--done", "1", cwd=tmp_path)
    assert again.returncode == 1 and "no open alert 1" in again.stderr
    assert "0 open alerts" in goodhelp("alerts", "--db", db, cwd=tmp_path).stdout


def test_the_cli_names_a_missing_database(tmp_path: Path) -> None:
    result = goodhelp("alerts", "--db", str(tmp_path / "nope.db"), cwd=tmp_path)
    assert result.returncode == 1 and "no database here" in result.stderr
