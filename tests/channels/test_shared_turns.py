"""A shared-mode worker's turn is exactly once: the turn, its owed replies and the
update's done mark commit together. A turn that fails after writing leaves nothing of
itself and its update pending; after a few failures the update is given up so the
person's next messages go on. Real PostgreSQL, in this process."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import App, open_app
from bot.channels.telegram.options import TelegramOptions
from bot.channels.telegram.ports import SharedStore
from bot.channels.telegram.shared import SharedBot
from bot.core.keys import PersonKey
from bot.storage.postgres import PostgresStorage
from tests.channels.conftest import TOKEN
from tests.conftest import STEADY_FLOWS
from tests.fake_bot_api import FakeBotAPI

CHAT = 6061
KEY = PersonKey("telegram", str(CHAT))


class TurnFailed(Exception):
    pass


@pytest.fixture
async def app(pg_migrated_url: str) -> AsyncIterator[App]:
    opened = await open_app(STEADY_FLOWS, PostgresStorage(pg_migrated_url, pool_size=6),
                            rng=random.Random(1))
    yield opened
    await opened.close()


def shared_bot(app: App, api: FakeBotAPI) -> SharedBot:
    storage: Any = app.storage
    store = SharedStore(inbox=storage.updates(), sender_lock=storage.sender_lock(),
                        owe=storage.outbox.owe, person_scope=storage.person_transaction)
    options = TelegramOptions(token=TOKEN, server=api.url)
    return SharedBot(app, options, store, role="worker", worker_name="t:1", concurrency=1)


async def record(bot: SharedBot, api: FakeBotAPI, text: str) -> None:
    update = api.send_text(CHAT, text)
    api.world.updates.clear()
    await bot.store.inbox.record(update["update_id"], KEY, json.dumps(update))


async def test_a_turn_commits_with_its_replies_and_done_mark(app: App, api: FakeBotAPI) -> None:
    bot = shared_bot(app, api)
    await record(bot, api, "/start")
    assert await bot.worker.take_one()
    assert await app.storage.load(KEY) is not None
    assert await app.storage.outbox.owed_to(KEY)  # owed, for the one sender to send
    assert not api.sent  # the worker itself sent nothing
    assert await app.storage.updates().pending(KEY) == 0  # type: ignore[attr-defined]


async def test_a_turn_failing_after_writing_leaves_nothing(app: App, api: FakeBotAPI) -> None:
    real = app.conversations.handle_owed

    async def fails_after_writing(*args: Any) -> Any:
        await real(*args)  # the turn and its owed replies are written...
        raise TurnFailed  # ...then something fails before the claim commits

    app.conversations.handle_owed = fails_after_writing  # type: ignore[method-assign]
    bot = shared_bot(app, api)
    await record(bot, api, "/start")
    inbox: Any = app.storage.updates()  # type: ignore[attr-defined]
    for attempt in range(1, 3):
        assert await bot.worker.take_one()
        assert await app.storage.load(KEY) is None
        assert await app.storage.outbox.owed_to(KEY) == []
        assert await inbox.pending(KEY) == 1, attempt  # still there, tried again
    assert await bot.worker.take_one()  # the third failure: given up, logged
    assert await inbox.pending(KEY) == 0
    assert await app.storage.load(KEY) is None


async def eventually(check: Any, what: str, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, what
        await asyncio.sleep(0.05)


async def test_a_pressed_button_is_answered_and_its_keyboard_goes_after_the_replies(
        app: App, api: FakeBotAPI) -> None:
    bot = shared_bot(app, api)
    await bot.start()  # a worker: claim loops, and (alone) the sender
    try:
        await record(bot, api, "/start")
        await eventually(lambda: any(m.callback_data for m in api.messages_to(CHAT)),
                         "the question with buttons never came")
        question = next(m for m in api.messages_to(CHAT) if m.callback_data)
        before = len(api.messages_to(CHAT))
        update = api.press_button(CHAT, question.message_id, question.callback_data[0])
        api.world.updates.clear()
        await bot.store.inbox.record(update["update_id"], KEY, json.dumps(update))
        await eventually(lambda: api.callback_answers, "the press was never answered")
        await eventually(lambda: api.calls("editMessageReplyMarkup"),
                         "the pressed question kept its buttons")
        edit = api.calls("editMessageReplyMarkup")[0]
        assert edit.params["message_id"] in (question.message_id, str(question.message_id))
        replies = [c for c in api.calls("sendMessage") if c.time <= edit.time]
        assert len(replies) > before  # the turn's replies went first, then the edit
    finally:
        await bot.stop()
