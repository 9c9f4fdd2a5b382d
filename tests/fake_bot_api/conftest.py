"""Fixtures: a running fake server and a real python-telegram-bot `Bot` pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram

from tests.fake_bot_api import FakeBotAPI

TOKEN = "123:ABC"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(api.token, base_url=api.base_url) as real_bot:
        yield real_bot
