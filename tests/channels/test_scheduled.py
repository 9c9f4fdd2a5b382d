"""Scheduled check-ins reach Telegram: the dispatcher on the real channel and fake API.

The clock is a FakeClock and the tests call ``tick()`` themselves; nothing waits for the
JobQueue's timer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import open_app
from bot.channels.telegram.app import TelegramBot
from bot.channels.telegram.options import TelegramOptions
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import TurnWrite
from bot.storage.memory import MemoryStorage
from tests.conftest import FLOWS
from tests.fake_bot_api import FakeBotAPI

MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
CHAT = 4242
KEY = PersonKey("telegram", str(CHAT))


@pytest.fixture
async def rig(api: FakeBotAPI) -> AsyncIterator[tuple[TelegramBot, FakeClock]]:
    clock = FakeClock(MONDAY)
    app = await open_app(FLOWS, MemoryStorage(), clock=clock)
    bot = TelegramBot(app, TelegramOptions(token=api.token, server=api.url, per_second=1000,
                                           per_chat_burst=1000, poll_timeout=5))
    await bot.start()
    state = ConversationState(vars={"consent": "yes", "checkin_rhythm": "daily",
                                    "timezone": "Europe/London", "checkin_time": "10:00"})
    await app.storage.commit_turn(TurnWrite(KEY, state, (), clock.now()))
    assert bot.dispatcher is not None
    await bot.dispatcher.replan(KEY)
    yield bot, clock
    await bot.stop(drain_timeout=5)
    await app.close()


async def test_a_due_check_in_is_sent_with_a_why_button(
        rig: tuple[TelegramBot, FakeClock], api: FakeBotAPI) -> None:
    bot, clock = rig
    assert bot.dispatcher is not None
    assert await bot.app.storage.schedules.scheduled(KEY), "a check-in should be planned"
    clock.advance(timedelta(days=1, hours=2))
    report = await bot.dispatcher.tick()
    assert report.counts.get("sent") == 1
    messages = await api.wait_for_messages(CHAT, 1)
    buttons = [label for m in messages for row in m.buttons for label, _ in row]
    assert "Why am I getting this?" in buttons


async def test_someone_who_blocked_the_bot_gets_no_more_check_ins(
        rig: tuple[TelegramBot, FakeClock], api: FakeBotAPI) -> None:
    bot, clock = rig
    assert bot.dispatcher is not None
    api.block(CHAT)
    clock.advance(timedelta(days=1, hours=2))
    first = await bot.dispatcher.tick()
    assert first.counts.get("failed") == 1
    assert not await bot.app.storage.reachability.is_reachable(KEY)
    clock.advance(timedelta(days=1))
    second = await bot.dispatcher.tick()
    assert second.counts.get("unreachable") == 1
    assert await bot.app.storage.schedules.scheduled(KEY) == []
    assert [m for m in api.messages_to(CHAT)] == []
