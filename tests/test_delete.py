"""/delete erases everything: afterwards none of the person's words are anywhere in the
SQLite file or its write-ahead log, read as raw bytes.

Runs the real flows through Conversations.handle on a real SQLite file under tmp_path.
"""

from __future__ import annotations

from pathlib import Path

from bot.app import App, open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.engine.events import Choice, Command, Reply, Text
from bot.storage.sqlite import SQLiteStorage
from tests.conftest import FLOWS

KEY = PersonKey("telegram", "424242")
NAME = "Zebediah Quillfeather"
PURPOSE = "Restore the Porthcawl lighthouse garden"
WHY = "Because grandad Ithel planted it"
WIN = "Painted the kestrel railings teal"
OTHER = PersonKey("telegram", "777")
OTHER_WIN = "Fixed the wobbly allotment gate"


class Person:
    def __init__(self, app: App, key: PersonKey) -> None:
        self.app, self.key = app, key
        self.last: list[Reply] = []

    async def say(self, text: str) -> list[Reply]:
        event = Command(text[1:]) if text.startswith("/") else Text(text)
        self.last = await self.app.conversations.handle(self.key, event)
        return self.last

    async def press(self, label: str) -> list[Reply]:
        question = next(r for r in reversed(self.last) if r.options)
        option = next(o for o in question.options if o.label == label)
        self.last = await self.app.conversations.handle(self.key,
                                                        Choice(question.prompt, option.index))
        return self.last


    async def agree(self, name: str) -> None:
        """Onboarding as far as the name: English, yes to the privacy note."""
        await self.say("/start")
        await self.press("English")
        await self.press("Yes, that's OK")
        await self.say(name)


def raw_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())


async def test_after_delete_no_text_of_the_person_is_in_the_file_or_wal(tmp_path: Path) -> None:
    db = tmp_path / "goodhelp.db"
    app = await open_app(FLOWS, SQLiteStorage(db), clock=FakeClock())
    try:
        sam = Person(app, KEY)
        await sam.agree(NAME)
        await sam.say("not now")  # what matters is asked in /purpose below
        await sam.press("UK (London)")
        await sam.press("Morning (9am)")
        await sam.press("Yes, let's talk")
        await sam.say(PURPOSE)
        await sam.say(WHY)
        await sam.say("Ring the council")
        await sam.say("skip")
        await sam.say("skip")
        await sam.press("Community")
        await sam.press("Yes, that's it")
        await sam.say("/win")
        await sam.say(WIN)
        await sam.press("Yes")
        await sam.press("8")
        other = Person(app, OTHER)
        await other.agree("skip")
        await other.say("/win")
        await other.say(OTHER_WIN)
        assert len(await app.storage.purposes(KEY)) == 1
        assert len(await app.storage.achievements(KEY)) == 1
        assert len(await app.storage.ratings(KEY)) == 1
        before = raw_bytes(db)
        for text in (NAME, PURPOSE, WHY, WIN):
            assert text.encode() in before, f"{text!r} should be stored before /delete"

        await sam.say("/delete")
        goodbye = await sam.press("Yes, delete everything")
        assert "deleted" in "\n".join(r.text for r in goodbye)

        after = raw_bytes(db)
        for text in (NAME, PURPOSE, WHY, WIN, "Ring the council"):
            assert text.encode() not in after, f"{text!r} is still in the database files"
        assert await app.storage.load(KEY) is None
        assert await app.storage.export_person(KEY) is None
        assert OTHER_WIN.encode() in after  # only that person was erased
        assert [a.text for a in await app.storage.achievements(OTHER)] == [OTHER_WIN]
    finally:
        await app.close()
    closed = raw_bytes(db)
    for text in (NAME, PURPOSE, WHY, WIN):
        assert text.encode() not in closed


async def test_saying_no_deletes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "goodhelp.db"
    app = await open_app(FLOWS, SQLiteStorage(db), clock=FakeClock())
    try:
        sam = Person(app, KEY)
        await sam.agree(NAME)
        await sam.say("/delete")
        await sam.press("No, keep it")
        state = await app.storage.load(KEY)
        assert state is not None and state.vars["name"] == f", {NAME}"
    finally:
        await app.close()
