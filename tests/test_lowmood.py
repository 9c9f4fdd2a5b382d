"""Low mood is never stored or celebrated as a win or a purpose (DESIGN.md invariant).

Real flows through Conversations.handle on a real SQLite file: after low-mood answers
at every question that takes a win or a purpose, the achievements and purposes tables
hold none of them, and the words are nowhere in the database file or its WAL.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.app import open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.storage.sqlite import SQLiteStorage
from tests.conftest import FLOWS
from tests.test_delete import Person, raw_bytes

KEY = PersonKey("telegram", "5150")
LOW = {
    "win": "nothing, I feel worthless",
    "win_confidence": "I feel like a failure tbh",
    "checkin": "had a really rough day",
    "purpose": "I feel like a waste of space",
    "purpose_why": "nothing ever goes right for me",
    "purpose_step": "shit week, can't think of one",
}
REAL_WIN = "Signed up for the cooking course"


def table(db: Path, sql: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [str(row[0]) for row in conn.execute(sql)]


async def test_low_mood_answers_are_in_no_table_and_nowhere_in_the_file(tmp_path: Path) -> None:
    db = tmp_path / "goodhelp.db"
    app = await open_app(FLOWS, SQLiteStorage(db), clock=FakeClock())
    try:
        sam = Person(app, KEY)
        await sam.agree("Sam")
        await sam.say("/win")
        care = await sam.say(LOW["win"])
        assert "sounds really hard" in "\n".join(r.text for r in care)
        await sam.say("/win")
        await sam.say(REAL_WIN)  # a real win is still kept
        await sam.say(LOW["win_confidence"])
        await sam.say("/checkin")
        await sam.press("Yes, let's do it")
        # The real win is recalled; a new one is asked for when there is none recent.
        await sam.say("/purpose")
        await sam.say(LOW["purpose"])
        await sam.say("/purpose")
        await sam.say("Find a flat")
        await sam.say(LOW["purpose_why"])
        await sam.say("/purpose")
        await sam.say("Find a flat")
        await sam.say("For my dog")
        await sam.say(LOW["purpose_step"])
        other = Person(app, PersonKey("telegram", "5151"))
        await other.agree("Jo")
        await other.say("/checkin")
        await other.press("Yes, let's do it")
        await other.say(LOW["checkin"])
    finally:
        await app.close()

    assert table(db, "SELECT text FROM achievements") == [REAL_WIN]
    assert table(db, "SELECT text FROM purposes") == []
    stored = raw_bytes(db)
    for where, text in LOW.items():
        assert text.encode() not in stored, f"the low-mood answer at {where} was stored"
