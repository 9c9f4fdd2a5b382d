"""Acting as one person in the fake Telegram and reading what the bot sent back."""

from __future__ import annotations

import asyncio

from tests.fake_bot_api import BotMessage, FakeBotAPI


async def settled(api: FakeBotAPI, timeout: float = 20) -> None:  # noqa: ASYNC109
    """Wait until the bot has confirmed every update. goodhelp confirms an update only once
    its turn is committed and its replies sent, so this means "the bot has answered"."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while api.pending_updates:
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
