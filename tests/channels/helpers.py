"""Acting as one person in the fake Telegram and reading what the bot sent back."""

from __future__ import annotations

import asyncio
from typing import Protocol

from tests.fake_bot_api import BotMessage, FakeBotAPI


class Idle(Protocol):
    def idle(self) -> bool: ...


# Channels running in this test's process (conftest's start_bot adds them), so `settled`
# can see their replies sent, not only their updates confirmed.
RUNNING: list[Idle] = []
QUIET = 0.3  # seconds without a new Bot API call that count as "done" for a process


async def settled(api: FakeBotAPI, timeout: float = 20) -> None:  # noqa: ASYNC109
    """Wait until the bot has answered: every update confirmed (goodhelp confirms an
    update once its turn is committed) and every reply sent. In this process that is
    asked of the channel; for a bot in another process, no new call for QUIET seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    calls, since = len(api.world.calls), loop.time()
    while True:
        if len(api.world.calls) != calls:
            calls, since = len(api.world.calls), loop.time()
        done = all(channel.idle() for channel in RUNNING) if RUNNING \
            else loop.time() - since >= QUIET
        if not api.pending_updates and done:
            return
        if loop.time() > deadline:
            raise TimeoutError(f"{len(api.pending_updates)} updates still unconfirmed")
        await asyncio.sleep(0.005)


class Person:
    def __init__(self, api: FakeBotAPI, chat_id: int) -> None:
        self.api = api
        self.chat_id = chat_id
        self.seen = 0

    def new_messages(self) -> list[BotMessage]:
        messages = self.api.messages_to(self.chat_id)
        fresh, self.seen = messages[self.seen:], len(messages)
        return fresh

    async def replies(self, timeout: float = 20) -> list[BotMessage]:  # noqa: ASYNC109
        """Everything the bot sent since the last look, once it has answered."""
        await self.api.wait_for_messages(self.chat_id, self.seen + 1, timeout=timeout)
        await settled(self.api, timeout)
        return self.new_messages()

    async def say(self, text: str) -> list[BotMessage]:
        self.api.send_text(self.chat_id, text)
        return await self.replies()

    def keyboard_message(self) -> BotMessage:
        """The one message that still carries buttons."""
        with_buttons = [m for m in self.api.messages_to(self.chat_id) if m.callback_data]
        assert len(with_buttons) == 1, [m.text for m in with_buttons]
        return with_buttons[0]

    async def press(self, index: int = 0) -> list[BotMessage]:
        message = self.keyboard_message()
        self.api.press_button(self.chat_id, message.message_id, message.callback_data[index])
        return await self.replies()


def text_of(messages: list[BotMessage]) -> str:
    return "\n".join(m.text or m.caption or "" for m in messages)
