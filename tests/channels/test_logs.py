"""At DEBUG, nothing a person typed, no name, username or Telegram id, and no token (of
any shape) reaches any log record, from our loggers or the libraries' (PTB, httpx...)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import open_app
from bot.channels.telegram.app import TelegramBot
from bot.channels.telegram.options import TelegramOptions
from bot.storage.memory import MemoryStorage
from tests.channels.helpers import Person
from tests.channels.test_webhook import free_port
from tests.conftest import STEADY_FLOWS
from tests.fake_bot_api import FakeBotAPI

# Not the usual digits:letters shape, so only literal redaction can catch it.
ODD_TOKEN = "tok.CanaryTokenShape~42"
CHAT = 918273645546
CANARIES = ["zqxcanarytext", "Zqxcanaryname", "zqxcanaryuser", "zqxcrisis"]
LIBRARIES = ("telegram", "httpx", "httpcore", "apscheduler", "aiohttp", "tornado", "asyncio")


def leaks(record: logging.LogRecord) -> list[str]:
    text = record.getMessage()
    if record.exc_info:
        text += "".join(traceback.format_exception(*record.exc_info))
    if record.exc_text:
        text += record.exc_text
    found = [c for c in CANARIES if c.lower() in text.lower()]
    if ODD_TOKEN in text or "CanaryTokenShape" in text:
        found.append("token")
    if str(CHAT) in text:
        found.append("chat id")
    return found


@pytest.fixture
async def odd_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=ODD_TOKEN) as fake:
        yield fake


async def test_debug_logs_hold_no_personal_text_ids_or_token(
        odd_api: FakeBotAPI, caplog: pytest.LogCaptureFixture) -> None:
    for name in LIBRARIES:  # as in a fresh process: nothing configured them yet
        logging.getLogger(name).setLevel(logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    app = await open_app(STEADY_FLOWS, MemoryStorage())
    bot = TelegramBot(app, TelegramOptions(token=ODD_TOKEN, server=odd_api.url,
                                           per_second=1000, per_chat_burst=1000,
                                           poll_timeout=1))
    try:
        await bot.start()
        person = Person(odd_api, CHAT)
        who = {"first_name": "Zqxcanaryname", "username": "zqxcanaryuser"}
        odd_api.send_text(CHAT, "/start", **who)
        await person.replies()
        message = person.keyboard_message()
        odd_api.press_button(CHAT, message.message_id, message.callback_data[0], **who)
        await person.replies()
        odd_api.send_text(CHAT, "zqxcanarytext I feel zqxcrisis", **who)
        await person.replies()
    finally:
        await bot.stop(drain_timeout=5)
        await app.close()
    assert logging.getLogger("bot.channels").isEnabledFor(logging.DEBUG)
    assert caplog.records
    leaked = [(r.name, r.levelname, found) for r in caplog.records if (found := leaks(r))]
    assert leaked == [], sorted({(name, level, tuple(f)) for name, level, f in leaked})


async def test_the_token_is_blanked_literally_even_where_a_library_logs_at_debug(
        odd_api: FakeBotAPI, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    app = await open_app(STEADY_FLOWS, MemoryStorage())
    TelegramBot(app, TelegramOptions(token=ODD_TOKEN, server=odd_api.url))
    noisy = logging.getLogger("telegram.someone_turned_this_on")
    noisy.setLevel(logging.DEBUG)  # a deployer forcing a library logger back on
    try:
        noisy.debug("calling %s/bot%s/getMe", odd_api.url, ODD_TOKEN)
    finally:
        noisy.setLevel(logging.NOTSET)
        await app.close()
    assert [r.getMessage() for r in caplog.records if r.name == noisy.name] == [
        f"calling {odd_api.url}/bot[token]/getMe"]


async def test_webhook_debug_logs_hold_no_personal_text_ids_or_token(
        odd_api: FakeBotAPI, caplog: pytest.LogCaptureFixture) -> None:
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    app = await open_app(STEADY_FLOWS, MemoryStorage())
    bot = TelegramBot(app, TelegramOptions(
        token=ODD_TOKEN, server=odd_api.url, per_second=1000, per_chat_burst=1000,
        webhook_url=url, webhook_secret="zqxcanarysecret", webhook_port=port))
    try:
        await bot.start()
        who = {"first_name": "Zqxcanaryname", "username": "zqxcanaryuser"}
        async with aiohttp.ClientSession() as session:
            for text in ("/start", "zqxcanarytext I feel zqxcrisis"):
                update = odd_api.send_text(CHAT, text, **who)
                odd_api.world.updates.clear()
                async with session.post(url, json=update) as forged:
                    assert forged.status == 403
                headers = {"X-Telegram-Bot-Api-Secret-Token": "zqxcanarysecret"}
                async with session.post(url, json=update, headers=headers) as real:
                    assert real.status == 200
        await odd_api.wait_for_messages(CHAT, 3, timeout=20)
    finally:
        await bot.stop(drain_timeout=5)
        await app.close()
    leaked = [(r.name, r.levelname, found) for r in caplog.records if (found := leaks(r))]
    assert leaked == [], sorted({(name, level, tuple(f)) for name, level, f in leaked})
