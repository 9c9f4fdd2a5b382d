"""Button presses and short replies are quick (issue 8, item 7): a press is answered at
once, outside the chat's queue; a chat may take a burst of 3 sends, then one a second;
a slow turn (a chart being drawn) shows "typing..."."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bot.channels.telegram.limiter import Limiter
from bot.channels.telegram.options import TelegramOptions
from bot.config import Settings
from tests.channels.conftest import TOKEN
from tests.channels.helpers import Person, settled
from tests.fake_bot_api import FakeBotAPI


async def test_a_chat_gets_a_burst_of_three_then_one_a_second() -> None:
    """Before: a burst of 3 was a window of 3 in 3 seconds, so the 4th waited 3 s."""
    limiter = Limiter(per_second=30, per_chat_burst=3)
    starts: list[float] = []

    async def send() -> None:
        async with limiter.slot(7):
            starts.append(time.monotonic())

    await asyncio.gather(*(send() for _ in range(5)))
    gaps = [at - starts[0] for at in starts]
    assert gaps[2] < 0.5  # three at once
    assert 0.95 <= gaps[3] < 2.5  # then one a second (the window made it 3 s)
    assert gaps[4] - gaps[3] >= 0.95


def test_the_burst_is_the_default() -> None:
    settings = Settings.load({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert TelegramOptions.from_settings(settings).per_chat_burst == 3
    assert TelegramOptions(token=TOKEN).per_chat_burst == 3
    assert Limiter().per_chat_burst == 3


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    # Telegram's limits, bursts included: 429 past them.
    async with FakeBotAPI(token=TOKEN, enforce_limits=True, per_chat_burst=3) as fake:
        yield fake


async def test_a_two_message_reply_lands_within_a_second(api: FakeBotAPI, start_bot) -> None:
    await start_bot(per_second=30, per_chat_burst=3)
    messages = await Person(api, 90).say("/start")
    assert len(messages) == 2
    first, second = api.calls("sendMessage")[:2]
    assert second.time - first.time < 0.5 and api.count_429 == 0  # not a second apart


async def test_a_press_is_answered_at_once_behind_a_long_reply(api: FakeBotAPI,
                                                               start_bot) -> None:
    """Before: the answer queued behind the chat's earlier work (8.9 s behind a long
    reply), and Telegram refuses answers after about 15 s."""
    await start_bot(per_second=30, per_chat_burst=3)
    person = Person(api, 91)
    await person.say("/start")
    button = person.keyboard_message()
    api.slow("sendMessage", 2.0)  # the earlier turn's replies take a while
    api.send_text(91, "/help")
    await asyncio.sleep(0.1)
    pressed_at = time.monotonic()
    api.press_button(91, button.message_id, button.callback_data[0])
    await api.wait_for_calls("answerCallbackQuery", 1, timeout=10)
    answered = api.calls("answerCallbackQuery")[0]
    assert answered.ok and answered.time - pressed_at < 1.5  # not behind 2 x 2 s of sends
    api.slow("sendMessage", 0)
    await settled(api)


async def test_a_slow_turn_shows_typing(api: FakeBotAPI, start_bot) -> None:
    """Before: a turn drawing a chart was silent until the chart came (2.7 s)."""
    bot = await start_bot(per_second=30, per_chat_burst=3)
    handle = bot.channel.handle_owed

    async def slow_handle(*args):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.6)
        return await handle(*args)

    bot.channel.handle_owed = slow_handle
    await Person(api, 92).say("/start")
    actions = api.calls("sendChatAction")
    assert actions and actions[0].params.get("action") == "typing"
    assert actions[0].time < api.calls("sendMessage")[0].time
