"""A dispatcher in its own process, for the SIGKILL tests: ``python -m
tests.scheduling.crash_harness DB OUT PEOPLE [MODE N]``.

It runs the real dispatcher on the shipped flows against a SQLite file, on a virtual
clock that jumps to the next due message (so 60 days pass in seconds), and "sends" by
appending ``person row attempt`` lines to OUT with one write(2) each (O_APPEND), so a
line either reaches the file before a SIGKILL or not at all. The people never answer,
so each gets the disengagement sequence and then nothing: the run ends by itself and
prints ``done``. MODE kills the process itself at the Nth send: ``before_send`` (the
check-in's turn is committed, nothing sent) or ``after_send`` (sent, not marked).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.app import open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.engine.events import Reply
from bot.scheduling.runner import build_dispatcher
from bot.storage.base import TurnWrite
from bot.storage.sqlite import SQLiteStorage

FLOWS = Path(__file__).resolve().parents[2] / "flows"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def main(db: str, out: str, people: int, mode: str, nth: int) -> None:
    clock = FakeClock(START)
    storage = SQLiteStorage(db, clock=clock)
    app = await open_app(FLOWS, storage, clock=clock)
    fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    sends = 0

    async def send(key: PersonKey, replies: list[Reply]) -> None:
        nonlocal sends
        sends += 1
        if mode == "before_send" and sends == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        os.write(fd, f"{key.external_id} {current[key]}\n".encode())
        if mode == "after_send" and sends == nth:
            os.kill(os.getpid(), signal.SIGKILL)

    current: dict[PersonKey, str] = {}
    dispatcher = build_dispatcher(app, send, concurrency=1, batch=50)
    deliver = dispatcher.deliver

    async def tracking(row, now):  # type: ignore[no-untyped-def]
        current[row.key] = f"{row.id} {row.attempt}"
        return await deliver(row, now)

    dispatcher.deliver = tracking  # type: ignore[method-assign]
    try:
        await dispatcher.start()
        for i in range(people):
            key = PersonKey("test", f"p{i}")
            if await storage.load(key) is None:
                when = f"{8 + i % 12}:30"
                state = ConversationState(vars={"consent": "yes", "checkin_time": when})
                await storage.commit_turn(TurnWrite(key, state, (), START))
                await dispatcher.replan(key)
        while (due := await storage.schedules.next_due_at()) is not None:
            if due > clock.now():
                clock.set(due)
            await dispatcher.tick()
        print("done", flush=True)
    finally:
        os.close(fd)
        await app.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(args[0], args[1], int(args[2]), args[3] if len(args) > 3 else "",
                     int(args[4]) if len(args) > 4 else 0))
