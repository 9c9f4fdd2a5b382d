"""After delete_person, the person's words are in neither the database nor its WAL."""

from __future__ import annotations

from pathlib import Path

from bot.core.keys import PersonKey
from bot.core.records import Achievement, Purpose
from bot.core.state import ConversationState
from bot.storage.base import TurnWrite
from tests.storage.conftest import START, opened

SAM = PersonKey("telegram", "424242")
OTHER = PersonKey("telegram", "1")
SECRET = "Zyxwv-quokka-secret-7731"


def files(db_path: Path) -> list[Path]:
    return [p for p in (db_path, db_path.with_name(db_path.name + "-wal")) if p.exists()]


def found(db_path: Path, needle: str) -> bool:
    data = needle.encode()
    return any(data in path.read_bytes() for path in files(db_path))


async def test_deleted_text_is_gone_from_db_and_wal(db_path: Path) -> None:
    long_secret = SECRET + "L" * 9000  # spills onto overflow pages
    async with opened(db_path) as storage:
        for n in range(20):  # many versions of the state, each a page image in the WAL
            state = ConversationState(vars={"said": f"{SECRET} {n}", "essay": long_secret})
            records = (
                Achievement(f"{SECRET} win {n}", START),
                Purpose("p", f"{SECRET} purpose", START),
            )
            await storage.commit_turn(TurnWrite(SAM, state, records))
            await storage.commit_turn(TurnWrite(OTHER, ConversationState(vars={"n": n})))
        assert found(db_path, SECRET)  # the test can see it before the delete

        assert await storage.delete_person(SAM) is True
        assert not found(db_path, SECRET)  # already gone while still open
    assert not found(db_path, SECRET)

    async with opened(db_path) as storage:
        assert await storage.load(SAM) is None
        assert await storage.load(OTHER) is not None  # the others are untouched
