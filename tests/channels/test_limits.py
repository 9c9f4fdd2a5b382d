"""The outbound limiter keeps within Telegram's limits, checked by a fake that enforces
them (30 a second overall, 1 a second per chat) and answers 429 past them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.channels.conftest import TOKEN
from tests.channels.helpers import settled
from tests.fake_bot_api import FakeBotAPI


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN, enforce_limits=True) as fake:
        yield fake


async def test_no_429_with_many_people_at_once(api: FakeBotAPI, start_bot) -> None:
    bot = await start_bot(per_second=30, per_chat_burst=1)
    people = range(1, 41)
    for chat_id in people:
        api.send_text(chat_id, "/start")  # two messages each: 80 sends
    await settled(api, timeout=20)
    assert api.count_429 == 0
    assert all(len(api.messages_to(chat_id)) == 2 for chat_id in people)
    sends = sorted(call.time for call in api.sent if call.method == "sendMessage")
    assert sends[-1] - sends[0] >= (80 - 30) / 30  # it really was held back
    assert not bot.outbox.failures


async def test_one_chat_is_held_to_one_a_second(api: FakeBotAPI, start_bot) -> None:
    await start_bot(per_second=30, per_chat_burst=1)
    api.send_text(9, "/start")
    await settled(api)
    first, second = api.calls("sendMessage")
    assert second.time - first.time >= 1.0 and api.count_429 == 0
    await asyncio.sleep(0)


async def test_at_most_max_requests_calls_on_the_wire() -> None:
    """The Outbox gate: however many chats send at once, only ``max_requests`` Bot API
    calls are in flight (httpx's pool costs grow with its connections), counted or not,
    and every call still goes out."""
    from typing import Any, cast

    from telegram import Bot

    from bot.channels.telegram.delivery import Outbox
    from bot.channels.telegram.limiter import Limiter

    outbox = Outbox(cast(Bot, object()), Limiter(per_second=1000, per_chat_burst=1000),
                    max_requests=3)
    on_wire = peak = done = 0

    async def call() -> Any:
        nonlocal on_wire, peak, done
        on_wire += 1
        peak = max(peak, on_wire)
        await asyncio.sleep(0.01)
        on_wire -= 1
        done += 1
        return True

    await asyncio.gather(*(outbox.deliver("sendMessage", chat_id, call,
                                          counted=chat_id % 2 == 0)
                           for chat_id in range(20)))
    assert peak == 3 and done == 20 and outbox.sent == 20 and not outbox.failures
