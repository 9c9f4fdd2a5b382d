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
