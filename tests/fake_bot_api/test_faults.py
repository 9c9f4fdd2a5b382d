# PTB types nearly every update field as Optional; these tests assert they are present.
# mypy: disable-error-code="union-attr,index"
"""Faults and flood limits surface in python-telegram-bot as the real server's would."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

import pytest
import telegram
from telegram.error import Forbidden, InvalidToken, NetworkError, RetryAfter

from tests.fake_bot_api import FakeBotAPI


class FakeClock:
    """A clock the test moves by hand, so limit windows need no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_injected_429_is_retry_after(api: FakeBotAPI, bot: telegram.Bot) -> None:
    api.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(42, "hi")
    assert raised.value.retry_after == dtm.timedelta(seconds=3)
    assert api.count_429 == 1 and api.calls("sendMessage")[0].status == 429
    await bot.send_message(42, "hi again")
    assert [m.text for m in api.messages_to(42)] == ["hi again"]


async def test_fail_next_counts_down(api: FakeBotAPI, bot: telegram.Bot) -> None:
    api.fail_next("sendMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(42, "hi")
    await bot.send_message(42, "hi")
    assert [call.status for call in api.calls("sendMessage")] == [500, 500, 200]


async def test_fail_method_lasts_until_healed(api: FakeBotAPI, bot: telegram.Bot) -> None:
    api.fail_method("setMyCommands", 500, "Internal Server Error: try later")
    commands = [telegram.BotCommand("start", "Begin")]
    for _ in range(3):
        with pytest.raises(NetworkError, match="try later"):
            await bot.set_my_commands(commands)
    api.heal("setMyCommands")
    assert await bot.set_my_commands(commands)


async def test_blocked_person_is_forbidden(api: FakeBotAPI, bot: telegram.Bot) -> None:
    api.block(42, announce=True)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(42, "hi")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(42, "typing")
    await bot.send_message(43, "others still hear from us")
    [update] = await bot.get_updates()
    assert update.my_chat_member.new_chat_member.status == "kicked"
    api.unblock(42)
    await bot.send_message(42, "welcome back")


async def test_wrong_token_is_invalid_token(api: FakeBotAPI) -> None:
    with pytest.raises(InvalidToken):
        async with telegram.Bot("999:WRONG", base_url=api.base_url):
            pass
    assert api.calls("getMe") == []  # rejected before any method ran


async def test_slow_method_delays_only_that_method(api: FakeBotAPI, bot: telegram.Bot) -> None:
    api.slow("sendMessage", 0.2)
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started < 0.2
    await bot.send_message(42, "hi")
    assert time.monotonic() - started >= 0.2


async def test_dropped_connection(api: FakeBotAPI, bot: telegram.Bot) -> None:
    api.drop_connection_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(42, "lost")
    assert api.messages_to(42) == [] and api.calls("sendMessage")[0].status == 0
    # The worse case: Telegram delivered it but the answer was lost, so a retry duplicates.
    api.drop_connection_next("sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await bot.send_message(42, "delivered")
    await bot.send_message(42, "delivered")
    assert [m.text for m in api.messages_to(42)] == ["delivered", "delivered"]


async def test_limits_per_chat_and_overall() -> None:
    clock = FakeClock()
    fake = FakeBotAPI(enforce_limits=True, global_per_second=3, per_chat_per_second=1, clock=clock)
    async with fake as api, telegram.Bot(api.token, base_url=api.base_url) as bot:
        first = await bot.send_message(42, "one")
        clock.now += 0.5
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(42, "too soon for this chat")
        assert raised.value.retry_after == dtm.timedelta(seconds=1)
        with pytest.raises(RetryAfter):  # edits count against the chat too
            await bot.edit_message_text("edited", 42, first.message_id)
        await bot.send_message(43, "two")
        await bot.send_message(44, "three")
        with pytest.raises(RetryAfter):  # a fourth message within the second, overall
            await bot.send_message(45, "four")
        assert await bot.send_chat_action(42, "typing")  # not a message: not limited
        clock.now += 0.6
        await bot.send_message(42, "a second later")
        assert api.count_429 == 3


async def test_default_limit_is_thirty_a_second() -> None:
    clock = FakeClock()
    async with FakeBotAPI(enforce_limits=True, clock=clock) as api:
        async with telegram.Bot(api.token, base_url=api.base_url) as bot:
            results = await asyncio.gather(
                *(bot.send_message(chat, "hi") for chat in range(1, 32)), return_exceptions=True
            )
    assert sum(isinstance(r, RetryAfter) for r in results) == 1
    assert api.count_429 == 1 and len(api.calls("sendMessage")) == 31


async def test_stopping_ends_a_long_poll_at_once() -> None:
    async with FakeBotAPI() as api, telegram.Bot(api.token, base_url=api.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await api.wait_for_calls("getMe", 1)
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await api.stop()
        assert await poll == ()
        assert time.monotonic() - started < 1
