"""Fixtures: the fake Bot API and the real goodhelp Telegram bot (PTB Application) over
real HTTP on 127.0.0.1, in this test's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from bot.app import open_app
from bot.channels.telegram.app import TelegramBot
from bot.channels.telegram.options import TelegramOptions
from bot.storage.memory import MemoryStorage
from tests.channels.helpers import RUNNING
from tests.conftest import STEADY_FLOWS
from tests.fake_bot_api import FakeBotAPI

# Shaped like a real token, so the log redaction and "never printed" checks mean something.
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

StartBot = Callable[..., Awaitable[TelegramBot]]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def start_bot(api: FakeBotAPI) -> AsyncIterator[StartBot]:
    """``bot = await start_bot(storage=..., **options)``; stopped and closed afterwards.

    By default the limits are raised far above Telegram's so conversation tests run at
    full speed; the limit tests pass per_second/per_chat_burst themselves.
    """
    started: list[TelegramBot] = []

    # The frozen flows (tests/fixtures/steady_flows): these tests are about the channel,
    # so rewording or reordering the real onboarding must not break them.
    async def start(storage: Any = None, flows: Any = STEADY_FLOWS, **options: Any) -> TelegramBot:
        app = await open_app(flows, storage or MemoryStorage())
        settings = {"per_second": 100_000, "per_chat_burst": 1000, "poll_timeout": 5, **options}
        bot = TelegramBot(app, TelegramOptions(token=api.token, server=api.url, **settings))
        started.append(bot)
        RUNNING.append(bot.channel)
        await bot.start()
        return bot

    yield start
    RUNNING.clear()
    for bot in started:
        await bot.stop(drain_timeout=5)
        await bot.app.close()
