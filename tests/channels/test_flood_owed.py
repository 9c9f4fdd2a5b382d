"""The flood's two queues with the durable outbox: replies a crisis supersedes leave the
outbox too (else a restart or a redelivery would send them after all), and a redelivery
never sends the replies a queued turn is about to send."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from bot.channels.telegram.channel import person_key
from bot.channels.telegram.inbound import InboundLimit
from bot.channels.telegram.owed import utc_now
from bot.config import DEFAULT_FLOWS
from bot.storage.base import TurnWrite
from bot.storage.memory import MemoryStorage
from bot.storage.memory.outbox import MemoryOutbox
from tests.channels.conftest import StartBot
from tests.channels.helpers import settled, text_of
from tests.fake_bot_api import FakeBotAPI

FLOODER, TALKER = 4001, 4002
SIGNPOST = "116 123"


class CountingOutbox(MemoryOutbox):
    """The real in-memory outbox, counting the replies it is asked to keep owed."""

    owed_added = 0

    async def add_with_turn(self, write: TurnWrite, payloads: Sequence[str]) -> list[str]:
        self.owed_added += len(payloads)
        return await super().add_with_turn(write, payloads)


class CountingStorage(MemoryStorage):
    """The real in-memory store, with the counting outbox."""

    def __init__(self) -> None:
        super().__init__()
        self.outbox = CountingOutbox(self._people, self._new_id, self.commit_turn,
                                     self._check_open, self._clock)


async def test_replies_a_crisis_supersedes_leave_the_outbox(api: FakeBotAPI,
                                                            start_bot: StartBot) -> None:
    """Before: the superseded replies were dropped from memory only, so they stayed owed."""
    bot = await start_bot(flows=DEFAULT_FLOWS)
    bot.channel.limit = InboundLimit(max_pending=3)
    api.slow("sendMessage", 0.3)
    for n in range(8):
        api.send_text(FLOODER, f"hello {n}")
    api.send_text(FLOODER, "I want to kill myself")
    await settled(api, timeout=60)
    assert SIGNPOST in text_of(api.messages_to(FLOODER))
    assert bot.outbox.failures["superseded"] >= 1
    assert await bot.app.storage.outbox.owed_to(person_key(FLOODER)) == []
    assert await bot.redelivery.tick(utc_now() + timedelta(days=1)) == 0
    api.heal()


async def test_a_redelivery_leaves_a_queued_turns_replies_to_it(api: FakeBotAPI,
                                                                start_bot: StartBot) -> None:
    """With turns and sends in two queues, a redelivery queued between two turns must not
    send the later turn's replies, which that turn's own delivery sends."""
    storage = CountingStorage()
    bot = await start_bot(storage=storage)
    api.slow("sendMessage", 0.5)
    api.send_text(TALKER, "/start")
    while not await storage.outbox.owed_to(person_key(TALKER)):  # noqa: ASYNC110  (committed)
        await asyncio.sleep(0.01)
    assert await bot.redelivery.tick() == 1  # its rows are due: a redelivery is queued
    api.send_text(TALKER, "hello")  # a second turn, queued behind the redelivery
    await settled(api, timeout=30)
    assert len(api.messages_to(TALKER)) == storage.outbox.owed_added  # each reply once
    assert await storage.outbox.owed_to(person_key(TALKER)) == []
    api.heal()
