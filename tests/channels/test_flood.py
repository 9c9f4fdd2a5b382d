"""One person's flood never silences anyone else, and a crisis inside it is answered.

Telegram's default limits (30 sends a second, 1 a second per chat), long polling. Before
the per-person inbound limit, the poller could confirm only up to the flooder's oldest
unfinished update and stopped fetching at 50 unfinished, so everyone else waited behind
hundreds of turns sent at one a second.
"""

from __future__ import annotations

import asyncio

import aiohttp

from bot.config import DEFAULT_FLOWS
from tests.channels.conftest import StartBot
from tests.channels.helpers import text_of
from tests.channels.test_webhook import free_port
from tests.fake_bot_api import FakeBotAPI

FLOODER, OTHER = 1001, 2002
SIGNPOST = "116 123"


async def test_another_person_is_answered_during_a_flood_and_crisis_gets_through(
        api: FakeBotAPI, start_bot: StartBot) -> None:
    bot = await start_bot(flows=DEFAULT_FLOWS, per_second=30, per_chat_burst=1)
    for n in range(300):
        api.send_text(FLOODER, f"hello {n}")
    api.send_text(FLOODER, "I want to kill myself")
    for n in range(300):
        api.send_text(FLOODER, f"more {n}")
    loop = asyncio.get_running_loop()
    began = loop.time()
    api.send_text(OTHER, "/start")
    await api.wait_for_messages(OTHER, 1, timeout=30)
    assert loop.time() - began < 3.0

    for _ in range(300):  # the signposting arrives, behind only a few earlier replies
        if SIGNPOST in text_of(api.messages_to(FLOODER)):
            break
        await asyncio.sleep(0.1)
    assert SIGNPOST in text_of(api.messages_to(FLOODER))
    sent_to_flooder = api.messages_to(FLOODER)
    assert len(sent_to_flooder) < 40  # the excess was dropped, not queued
    notice = [m for m in sent_to_flooder if "a lot of messages" in (m.text or "")]
    assert len(notice) == 1
    # Per-chat work stays bounded while the flood lasts.
    assert all(len(q) <= 8 for q in bot.sequencer._queues.values())


async def test_webhook_flood_keeps_per_chat_queues_bounded(api: FakeBotAPI,
                                                           start_bot: StartBot) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    bot = await start_bot(flows=DEFAULT_FLOWS, per_second=30, per_chat_burst=1,
                          webhook_url=url, webhook_secret="s3cret", webhook_port=port)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    longest = 0
    async with aiohttp.ClientSession() as session:
        for n in range(120):
            update = api.send_text(FLOODER, f"hello {n}")
            async with session.post(url, json=update, headers=headers) as answer:
                assert answer.status == 200
            longest = max([longest, *(len(q) for q in bot.sequencer._queues.values()),
                           *(len(q) for q in bot.channel.sends._queues.values())])
        api.world.updates.clear()  # delivered by POST; getUpdates is not used
        loop = asyncio.get_running_loop()
        began = loop.time()
        other = api.send_text(OTHER, "/start")
        api.world.updates.clear()
        async with session.post(url, json=other, headers=headers) as answer:
            assert answer.status == 200
    await api.wait_for_messages(OTHER, 1, timeout=30)
    assert loop.time() - began < 3.0
    assert longest <= bot.channel.limit.max_pending + 1  # + the one notice
    assert bot.channel.limit.dropped >= 100
    assert len(api.messages_to(FLOODER)) < 20
