"""An upgrade as docs/deploy.md describes it: SIGTERM the real `goodhelp run` while
people are talking, let them keep writing while it is down, start it again. Every
message is answered, in order, and every win is stored once (polling mode: updates wait
at Telegram until the bot confirms them)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

from tests.channels.test_backup_live import answered
from tests.channels.test_run import Process, until_polling
from tests.fake_bot_api import FakeBotAPI

PEOPLE = (7100, 7101, 7102)


async def welcome(api: FakeBotAPI, chat: int) -> int:
    """Through language, privacy and name; the number of messages seen so far."""
    api.send_text(chat, "/start")
    seen = await answered(api, chat, 0)
    for _ in range(2):  # English, then yes to the privacy note
        last = [m for m in api.messages_to(chat) if m.callback_data][-1]
        api.press_button(chat, last.message_id, last.callback_data[0])
        seen = await answered(api, chat, seen)
    api.send_text(chat, "skip")  # no name
    return await answered(api, chat, seen)


def stored_wins(db: Path, chat: int) -> list[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return [row[0] for row in conn.execute(
            "SELECT a.text FROM achievements a JOIN people p ON p.id = a.person_id "
            "WHERE p.external_id = ? ORDER BY a.id", (str(chat),))]


async def test_messages_sent_during_a_restart_are_all_answered_in_order(
        api: FakeBotAPI, tmp_path: Path) -> None:
    db = tmp_path / "goodhelp.db"
    process = Process(api, tmp_path)
    await process.start()
    await until_polling(api, 0)
    seen = dict(zip(PEOPLE, await asyncio.gather(*(welcome(api, c) for c in PEOPLE)),
                    strict=True))

    for chat in PEOPLE:  # a win begun just before the stop
        api.send_text(chat, "/win")
    assert process.proc is not None
    process.proc.send_signal(signal.SIGTERM)
    assert await process.wait() == 0
    for chat in PEOPLE:  # written while the bot is down
        api.send_text(chat, f"first win while it was down, {chat}")
        api.send_text(chat, "/win")
        api.send_text(chat, f"second win while it was down, {chat}")

    calls = len(api.calls("getUpdates"))
    await process.start()
    await until_polling(api, calls)
    for chat in PEOPLE:
        await answered(api, chat, seen[chat])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while len(stored_wins(db, chat)) < 2:
            assert loop.time() < deadline, stored_wins(db, chat)
            await asyncio.sleep(0.1)
        assert stored_wins(db, chat) == [f"first win while it was down, {chat}",
                                         f"second win while it was down, {chat}"]
        texts = "\n".join(m.text or "" for m in api.messages_to(chat)[seen[chat]:])
        first = texts.index(f"first win while it was down, {chat}")
        assert texts.index(f"second win while it was down, {chat}") > first
    assert not api.pending_updates
    process.proc.send_signal(signal.SIGTERM)
    assert await process.wait() == 0
    assert "Traceback" not in process.stderr
