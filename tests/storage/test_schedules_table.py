"""Scheduling state in its own SQLite table (migration 0008): typed columns, not JSON; and
the migration moves existing people's variables. (That the flows see the same variables
on every backend is in tests/storage/contract/test_people.py.)"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.core.keys import PersonKey
from bot.core.schedule import ScheduleState, from_vars, split
from bot.core.state import ConversationState
from bot.storage.base import TurnWrite
from bot.storage.migrate import MIGRATIONS_DIR
from tests.storage.conftest import opened

SAM = PersonKey("terminal", "sam")
VARS = {"consent": "yes", "name": "Sam", "paused": "yes", "checkin_rhythm": "weekly",
        "rhythm_chosen": "", "unanswered": 2, "prompt_turn": 7,
        "prompt_at": "2026-01-04T09:00:00+00:00", "timezone": "Asia/Tokyo",
        "encouragement_recent": ["a", "b"], "still_want_asked": "yes"}


async def test_sqlite_keeps_real_types_out_of_the_json(db_path: Path) -> None:
    async with opened(db_path) as storage:
        await storage.commit_turn(TurnWrite(SAM, ConversationState(vars=VARS)))
    conn = sqlite3.connect(db_path)
    try:
        state_json, = conn.execute("SELECT state_json FROM conversation_state").fetchone()
        paused, rhythm, unanswered, chosen = conn.execute(
            "SELECT paused, rhythm, unanswered, rhythm_chosen FROM schedules").fetchone()
    finally:
        conn.close()
    assert '"paused"' not in state_json and '"name":"Sam"' in state_json
    assert (paused, rhythm, unanswered, chosen) == (1, "weekly", 2, 0)


async def test_0008_moves_existing_variables(db_path: Path, tmp_path: Path) -> None:
    before = tmp_path / "before"
    before.mkdir()
    for sql in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if sql.name < "0008":
            shutil.copy(sql, before)
    async with opened(db_path, migrations=before):
        pass
    conn = sqlite3.connect(db_path)
    old = ConversationState(vars={**VARS, "unanswered": "3", "paused": True}).to_json()
    with conn:
        conn.execute("INSERT INTO people (channel, external_id, created_at) "
                     "VALUES ('terminal', 'sam', '2026-01-01T00:00:00+00:00')")
        conn.execute("INSERT INTO people (channel, external_id, created_at) "
                     "VALUES ('terminal', 'new', '2026-01-01T00:00:00+00:00')")
        conn.execute("INSERT INTO conversation_state VALUES (1, ?, '2026-01-01T00:00:00+00:00')",
                     (old,))
        conn.execute("INSERT INTO conversation_state VALUES (2, ?, '2026-01-01T00:00:00+00:00')",
                     (ConversationState(vars={"language": "cy"}).to_json(),))
    conn.close()
    async with opened(db_path) as storage:
        loaded = await storage.load(SAM)
        fresh = await storage.load(PersonKey("terminal", "new"))
    assert loaded is not None and fresh is not None
    assert from_vars(loaded.vars) == ScheduleState(
        paused=True, rhythm="weekly", rhythm_chosen=False, unanswered=3, prompt_turn=7,
        prompt_at=datetime(2026, 1, 4, 9, tzinfo=UTC), timezone="Asia/Tokyo",
        encouragement_recent=("a", "b"), still_want_asked=True)
    assert loaded.vars["name"] == "Sam" and dict(fresh.vars) == {"language": "cy"}
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM schedules").fetchone() == (1,)
        text, = conn.execute("SELECT state_json FROM conversation_state "
                             "WHERE person_id = 1").fetchone()
    finally:
        conn.close()
    assert split(ConversationState.from_json(text))[1] == ScheduleState()
