"""A SIGKILL of a real `goodhelp run` between committing a turn and sending its replies:
after the restart the replies are delivered, at most one duplicate each."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

from tests.channels.test_run import Process, until_polling
from tests.fake_bot_api import FakeBotAPI

CHAT = 4343
WELCOME = "Hello, and welcome to goodhelp"


def owed_rows(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
    except sqlite3.Error:  # not created yet (or no outbox at all)
        return 0


async def test_replies_owed_at_a_kill_arrive_after_the_restart(api: FakeBotAPI,
                                                               tmp_path: Path) -> None:
    process = Process(api, tmp_path)
    db = tmp_path / "goodhelp.db"
    await process.start()
    await until_polling(api, 0)
    api.fail_method("sendMessage", 500)  # Telegram is down: the turn commits, nothing sends
    api.send_text(CHAT, "/start")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    # Until the turn is committed with its replies owed (or, without an outbox, until the
    # update was given up on and confirmed).
    while owed_rows(db) == 0 and (api.pending_updates or not api.calls("sendMessage")):
        assert loop.time() < deadline, "the turn never committed"
        await asyncio.sleep(0.02)
    while owed_rows(db) == 0 and api.pending_updates:
        assert loop.time() < deadline
        await asyncio.sleep(0.02)
    assert process.proc is not None
    owed_at_kill = owed_rows(db)
    process.proc.kill()  # SIGKILL: no shutdown code runs
    assert await process.wait() == -signal.SIGKILL
    assert api.messages_to(CHAT) == []

    api.heal()
    calls = len(api.calls("getUpdates"))
    await process.start()
    await until_polling(api, calls)
    # The update may have been confirmed once its turn committed (it then does not run
    # again): what was owed at the kill is what must arrive.
    await api.wait_for_messages(CHAT, max(owed_at_kill, 1), timeout=20)
    await asyncio.sleep(1.5)  # anything more on its way lands
    welcomes = [m for m in api.messages_to(CHAT) if (m.text or "").startswith(WELCOME)]
    assert 1 <= len(welcomes) <= 2  # at most one duplicate for the one crash
    deadline = loop.time() + 10
    while owed_rows(db):
        assert loop.time() < deadline, "sent replies were not forgotten"
        await asyncio.sleep(0.05)
    process.proc.send_signal(signal.SIGTERM)
    assert await process.wait() == 0
    assert "Traceback" not in process.stderr
