"""What wakes the dispatcher: APScheduler in the terminal, PTB's JobQueue on Telegram."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.engine.events import Reply
from bot.scheduling.runner import start_telegram_scheduling, start_terminal_scheduling
from tests.scheduling.conftest import SAM, Rig


class FakeChat:
    person = "sam"
    prompt = "you> "

    def __init__(self) -> None:
        self.out: list[str] = []
        self.shown = asyncio.Event()

    def write(self, text: str) -> None:
        self.out.append(text)

    def show(self, replies: list[Reply]) -> None:
        self.out.extend(r.text for r in replies)
        self.shown.set()


async def test_terminal_chat_prints_scheduled_messages(rig: Rig) -> None:
    await rig.person()
    [due] = await rig.due()
    rig.clock.set(due + timedelta(minutes=1))
    chat = FakeChat()
    loop = await start_terminal_scheduling(rig.app, chat, interval=3600)
    try:
        # The job's first run is immediate; nothing here waits for a schedule.
        await asyncio.wait_for(chat.shown.wait(), timeout=10)
    finally:
        await loop.stop()
    assert any("check-in" in line for line in chat.out)
    planned = await rig.app.storage.schedules.scheduled(SAM)
    assert [m.due_at for m in planned] == [due + timedelta(days=1)]


async def test_telegram_hook_puts_the_dispatcher_on_the_job_queue(rig: Rig) -> None:
    from telegram.ext import ApplicationBuilder

    application = ApplicationBuilder().token("123:offline").build()

    async def send(key: Any, replies: list[Reply]) -> None: ...

    dispatcher = await start_telegram_scheduling(application, rig.app, send, interval=30)
    assert dispatcher in [f.__self__ for f in rig.app.conversations.listeners
                          if hasattr(f, "__self__")]
    # The relay dispatcher (mentor messages, issue 12) wakes beside it.
    assert [job.name for job in application.job_queue.jobs()] == ["goodhelp-dispatcher",
                                                                   "goodhelp-relay"]


async def test_stop_lets_a_running_tick_finish() -> None:
    """Before: stop() returned at once and the loop's end cut the tick off (the relay's
    purge then left a half-opened store connection behind, failing a test under load)."""
    from bot.scheduling.dispatcher import TickReport
    from bot.scheduling.runner import SchedulerLoop

    class Gated:
        def __init__(self) -> None:
            self.started, self.gate, self.finished = asyncio.Event(), asyncio.Event(), False

        async def start(self) -> None:
            pass

        async def tick(self, now: Any = None) -> TickReport:
            self.started.set()
            await self.gate.wait()
            self.finished = True
            return TickReport()

    dispatcher = Gated()
    loop = SchedulerLoop(dispatcher, interval=3600)  # type: ignore[arg-type]
    await loop.start()
    await asyncio.wait_for(dispatcher.started.wait(), timeout=10)
    stopping = asyncio.create_task(loop.stop())
    await asyncio.sleep(0)
    assert not stopping.done()  # waiting for the tick
    dispatcher.gate.set()
    await asyncio.wait_for(stopping, timeout=10)
    assert dispatcher.finished
