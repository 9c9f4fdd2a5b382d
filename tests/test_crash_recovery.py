"""Invariant: kill the process at any moment, restart, and every person resumes where
they were with nothing they were told was saved lost.

Runs the real `goodhelp chat` process on a real SQLite file and kills it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.core.keys import PersonKey
from bot.storage.sqlite import SQLiteStorage
from tests.conftest import ROOT, STEADY_FLOWS

PROMPT = b"you> "


class ChatProcess:
    """Drives `goodhelp chat` through pipes, waiting for each reply."""

    def __init__(self, db: Path, person: str) -> None:
        env = {**os.environ, "GOODHELP_LOG_LEVEL": "WARNING",
               "GOODHELP_FLOWS": str(STEADY_FLOWS)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "--env-file", "/dev/null", "chat", "--db", str(db),
             "--as", person],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
            env=env,
        )
        self.greeting = self.read_until_prompt()

    def read_until_prompt(self, timeout: float = 20) -> str:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        buffer = b""
        deadline = time.monotonic() + timeout
        while not buffer.endswith(PROMPT):
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no prompt; got {buffer!r}"
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 65536)
                assert chunk, f"process ended; got {buffer!r}"
                buffer += chunk
        return buffer.decode()

    def say(self, line: str) -> str:
        self.send(line)
        return self.read_until_prompt()

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def stored_state(db: Path, person: str):  # type: ignore[no-untyped-def]
    async def read():  # type: ignore[no-untyped-def]
        storage = SQLiteStorage(db)
        await storage.open()
        try:
            key = PersonKey("terminal", person)
            return await storage.load(key), await storage.purposes(key), \
                await storage.achievements(key)
        finally:
            await storage.close()

    return asyncio.run(read())


def test_sigkill_mid_conversation_resumes_at_the_same_step(tmp_path: Path) -> None:
    db = tmp_path / "goodhelp.db"
    chat = ChatProcess(db, "sam")
    chat.say("/start")
    chat.say("1")  # consent
    chat.say("Sam")
    chat.say("1")  # talk about purpose
    reply = chat.say("Get back into work ✨ عمل")
    assert "Why does it matter" in reply
    chat.kill()

    state, purposes, _ = stored_state(db, "sam")
    assert state.flow == "purpose" and state.step == "why"
    assert state.vars["purpose_answer"] == "Get back into work ✨ عمل"
    assert state.vars["consent"] == "yes"

    chat = ChatProcess(db, "sam")
    assert "Why does it matter" in chat.greeting  # the question they were on, shown again
    reply = chat.say("To support my kids")
    assert "one small step" in reply
    chat.say("Update my CV")
    reply = chat.say("1")
    assert "Get back into work ✨ عمل" in reply
    chat.kill()
    _, purposes, _ = stored_state(db, "sam")
    assert [p.text for p in purposes] == ["Get back into work ✨ عمل"]


def test_repeated_kills_never_lose_an_acknowledged_win(tmp_path: Path) -> None:
    """Log wins, killing the process right after sending some of them without waiting.

    Every win whose celebration was printed must be stored; a win sent just before a
    kill may or may not be, but nothing earlier is ever lost.
    """
    db = tmp_path / "goodhelp.db"
    chat = ChatProcess(db, "ana")
    chat.say("/start")
    chat.say("1")
    chat.say("skip")
    chat.say("2")  # maybe later
    acknowledged: list[str] = []
    maybe: list[str] = []
    for round_number in range(4):
        for i in range(3):
            text = f"win {round_number}-{i}"
            chat.say("/win")
            reply = chat.say(text)
            assert text in reply
            acknowledged.append(text)
        chat.say("/win")
        unacknowledged = f"win {round_number}-kill"
        chat.send(unacknowledged)  # no wait: the kill races the commit
        maybe.append(unacknowledged)
        chat.kill()
        chat = ChatProcess(db, "ana")
    chat.kill()
    state, _, achievements = stored_state(db, "ana")
    stored = [a.text for a in achievements]
    assert set(acknowledged) <= set(stored)
    assert set(stored) <= set(acknowledged) | set(maybe)
    assert state.counts["achievements"] == len(stored)
