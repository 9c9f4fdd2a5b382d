"""`goodhelp run` as a real process against the fake Bot API: token errors, a walk through
onboarding, purpose and a win on the shipped flows, and a SIGKILL mid-conversation."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.channels.conftest import TOKEN
from tests.channels.helpers import Person, settled, text_of
from tests.fake_bot_api import FakeBotAPI

CHAT = 4242
PURPOSE = "get back to <b>work</b> & _stay_ [there] &amp;"
WIN = "I phoned the *job* centre <i>today</i>"


class Process:
    def __init__(self, api: FakeBotAPI, tmp_path: Path, token: str | None = TOKEN) -> None:
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "TELEGRAM_API_BASE_URL": api.url,
            "GOODHELP_DB": str(tmp_path / "goodhelp.db"),
            "TELEGRAM_PER_CHAT_BURST": "100",
            "TELEGRAM_POLL_TIMEOUT": "2",
            "PTB_TIMEDELTA": "1",
        }
        if token is not None:
            self.env["TELEGRAM_BOT_TOKEN"] = token
        self.tmp_path = tmp_path
        self.stderr_path = tmp_path / "stderr.txt"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.stderr_path.open("ab") as stderr:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--env-file", str(self.tmp_path / "none.env"),
                "run", cwd=self.tmp_path, env=self.env, stdin=asyncio.subprocess.DEVNULL,
                stdout=stderr, stderr=stderr)

    async def wait(self, timeout: float = 20) -> int:  # noqa: ASYNC109
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout)

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()


def stored_state(db: Path, chat_id: int) -> dict:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT s.state_json FROM people p JOIN conversation_state s ON s.person_id = p.id "
            "WHERE p.channel = 'telegram' AND p.external_id = ?", (str(chat_id),)).fetchone()
    return json.loads(row[0]) if row else {}


async def until_polling(api: FakeBotAPI, calls_before: int) -> None:
    await api.wait_for_calls("getUpdates", calls_before + 1, timeout=20)


async def answer_anything(person: Person, n: int) -> list:
    """Go along with whatever the flows ask: the first button, or a typed answer."""
    buttons = [m for m in person.api.messages_to(person.chat_id) if m.callback_data]
    if buttons:
        return await person.press(0)
    return await person.say(f"answer {n}")


async def test_missing_token_is_one_clear_line(api: FakeBotAPI, tmp_path: Path) -> None:
    process = Process(api, tmp_path, token=None)
    await process.start()
    assert await process.wait() == 2
    assert process.stderr.strip().splitlines() == [
        line for line in process.stderr.strip().splitlines() if "TELEGRAM_BOT_TOKEN" in line]
    assert "TELEGRAM_BOT_TOKEN is not set" in process.stderr and ".env" in process.stderr


async def test_rejected_token_is_one_line_without_the_token(api: FakeBotAPI,
                                                            tmp_path: Path) -> None:
    wrong = "987654321:ZZZdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    process = Process(api, tmp_path, token=wrong)
    await process.start()
    assert await process.wait() == 2
    last = process.stderr.strip().splitlines()[-1]
    assert last.startswith("goodhelp: Telegram rejected TELEGRAM_BOT_TOKEN")
    assert "Traceback" not in process.stderr
    assert wrong not in process.stderr and wrong.split(":")[1] not in process.stderr


async def test_walk_kill_and_resume(api: FakeBotAPI, tmp_path: Path) -> None:
    process = Process(api, tmp_path)
    db = tmp_path / "goodhelp.db"
    await process.start()
    await until_polling(api, 0)
    assert api.commands  # the menu was set at start
    person = Person(api, CHAT)
    await person.say("/start")
    for n in range(20):  # onboarding, whatever its steps are today, until purpose asks
        state = stored_state(db, CHAT)
        waiting_for_words = not [m for m in api.messages_to(CHAT) if m.callback_data]
        if state.get("flow") == "purpose" and waiting_for_words:
            break
        if state.get("step") == "quick_purpose":  # onboarding's own "what matters?"
            await person.say("not now")  # so the purpose conversation is walked below
            continue
        await answer_anything(person, n)
    else:
        pytest.fail(f"never reached the purpose question: {stored_state(db, CHAT)}")

    echoed = await person.say(PURPOSE)
    assert PURPOSE in text_of(echoed)  # their own words, exactly as typed
    before = stored_state(db, CHAT)

    assert process.proc is not None
    process.proc.kill()  # SIGKILL: no shutdown code runs
    assert await process.wait() == -signal.SIGKILL
    calls = len(api.calls("getUpdates"))
    await process.start()
    await until_polling(api, calls)
    assert stored_state(db, CHAT) == before  # resumes at the same step, nothing lost

    for n in range(10):  # finish the purpose conversation
        await answer_anything(person, 100 + n)
        if stored_state(db, CHAT).get("flow") is None:
            break
    assert PURPOSE in json.dumps(stored_state(db, CHAT)["vars"], ensure_ascii=False)

    await person.say("/win")
    for n in range(10):
        if stored_state(db, CHAT).get("flow") is None:
            break
        replies = await (person.say(WIN) if n == 0 else answer_anything(person, 200 + n))
        if n == 0:
            assert WIN in text_of(replies) or WIN in text_of(await answer_anything(person, 300))
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT count(*) FROM achievements WHERE text = ?",
                            (WIN,)).fetchone() == (1,)

    assert process.proc is not None
    process.proc.send_signal(signal.SIGTERM)
    assert await process.wait() == 0
    await settled(api)
    assert "Traceback" not in process.stderr
    assert TOKEN not in process.stderr and TOKEN.split(":")[1] not in process.stderr
    assert PURPOSE not in process.stderr and WIN not in process.stderr
