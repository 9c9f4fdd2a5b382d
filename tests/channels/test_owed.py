"""Replies a person is owed are kept until Telegram confirms them (issue 8, item 6):
long 429 waits, runs of 429s, timeouts, blocks and refused files, through the real PTB
Application (or the real Outbox) and the fake Bot API."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.channels.telegram.delivery import Outbox
from bot.channels.telegram.limiter import Limiter
from bot.channels.telegram.owed import utc_now
from bot.channels.telegram.render import Outgoing, decode
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.engine.events import Attachment, Reply
from bot.storage.base import TurnWrite
from bot.storage.sqlite import SQLiteStorage
from tests.channels.conftest import TOKEN
from tests.channels.helpers import settled
from tests.fake_bot_api import FakeBotAPI

WELCOME = "Hello, and welcome to goodhelp"


def copies(api: FakeBotAPI, chat_id: int, start: str = WELCOME) -> int:
    return sum(1 for m in api.messages_to(chat_id) if (m.text or "").startswith(start))


async def test_a_long_retry_after_keeps_the_reply_until_it_can_go(api: FakeBotAPI, start_bot,
                                                                  tmp_path: Path) -> None:
    """Before: a 429 asking for more than 60 s dropped the reply for good."""
    bot = await start_bot(storage=SQLiteStorage(tmp_path / "goodhelp.db"))
    api.fail_next("sendMessage", 429, retry_after=600)
    api.send_text(80, "/start")
    await settled(api)
    assert api.messages_to(80) == []  # nothing yet: Telegram said wait ten minutes
    owed = await bot.app.storage.outbox.due(utc_now() + timedelta(minutes=11), 10)
    assert len(owed) == 2 and owed[0].attempt == 1  # the welcome and the question, kept
    assert await bot.redelivery.tick(utc_now() + timedelta(minutes=1)) == 0  # not yet
    assert await bot.redelivery.tick(utc_now() + timedelta(minutes=11)) == 1
    await api.wait_for_messages(80, 2)
    await bot.sequencer.drain(5)
    assert copies(api, 80) == 1 and len(api.messages_to(80)) == 2
    assert api.messages_to(80)[0].text.startswith(WELCOME)  # still in order
    assert await bot.app.storage.outbox.due(utc_now() + timedelta(days=1), 10) == []


async def test_a_run_of_429s_still_delivers_once(api: FakeBotAPI, start_bot) -> None:
    """Before: five 429s in a row dropped the reply."""
    bot = await start_bot()
    api.fail_next("sendMessage", 429, retry_after=1, times=6)
    api.send_text(81, "/start")
    await api.wait_for_messages(81, 2, timeout=20)
    await bot.sequencer.drain(5)
    assert copies(api, 81) == 1 and len(api.messages_to(81)) == 2
    assert not bot.outbox.failures.get("gave_up")


async def test_a_block_drops_what_is_owed(api: FakeBotAPI, start_bot, tmp_path: Path) -> None:
    bot = await start_bot(storage=SQLiteStorage(tmp_path / "goodhelp.db"))
    api.block(82)
    api.send_text(82, "/start")
    await settled(api)
    assert await bot.app.storage.outbox.due(utc_now() + timedelta(days=1), 10) == []
    assert api.messages_to(82) == []


async def test_a_timeout_then_a_retry_sends_at_most_two_copies(api: FakeBotAPI) -> None:
    """The first send's answer comes late (the message went through); the retry must wait
    for its own answer instead of timing out too. Before: three copies arrived."""
    bot = Bot(TOKEN, base_url=api.base_url, request=HTTPXRequest(read_timeout=0.5))
    await bot.initialize()
    try:
        outbox = Outbox(bot, Limiter(per_second=1000, per_chat_burst=1000))
        api.slow("sendMessage", 0.8)
        asyncio.get_running_loop().call_later(1.2, api.slow, "sendMessage", 0)
        assert await outbox.send(83, Outgoing("text", "hello")) is not None
        await asyncio.sleep(1.0)  # any copy still on its way lands
        assert 1 <= len(api.messages_to(83)) <= 2
    finally:
        await bot.shutdown()


async def test_a_refused_file_is_told_in_words_in_their_language(api: FakeBotAPI,
                                                                 start_bot) -> None:
    """Before: a chart Telegram refused (400) was silence."""
    flows = Path(__file__).resolve().parents[2] / "flows"  # the shipped words, en and cy
    bot = await start_bot(flows=flows)
    storage = bot.app.storage
    chart = Reply("", attachment=Attachment("image", "c.png", b"png", "Your week"))
    assert bot.channel.encode_owed is not None
    payloads = bot.channel.encode_owed([chart], "cy")
    key = PersonKey("telegram", "84")
    refs = await storage.outbox.add_with_turn(TurnWrite(key, ConversationState()), payloads)
    api.fail_method("sendPhoto", 400, "Bad Request: IMAGE_PROCESS_FAILED")
    await bot.channel.owed_sender.send(84, [(decode(p), r) for p, r in zip(payloads, refs,
                                                                       strict=True)])
    words = bot.app.flows.messages["file_failed"]
    assert [m.text for m in api.messages_to(84)] == [words.for_language("cy", "en")[0]]
    assert await storage.outbox.owed_to(key) == []  # it can never go: not kept
