"""The crash-safety rule: the poller never confirms an update whose turn is not committed,
however many later updates (other people's) are done; and it does confirm a committed
turn before its replies are sent, so slow sends never hold up fetching."""

from __future__ import annotations

import asyncio

from bot.storage.base import TurnWrite
from bot.storage.memory import MemoryStorage
from tests.channels.conftest import StartBot
from tests.fake_bot_api import FakeBotAPI

SLOW, OTHER = 3100, 3200


class GatedStorage(MemoryStorage):
    """The real in-memory store, whose commits for one chat wait for a gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def commit_turn(self, write: TurnWrite) -> None:
        if write.key.external_id == str(SLOW):
            await self.gate.wait()
        await super().commit_turn(write)


async def test_an_uncommitted_turn_is_never_confirmed(api: FakeBotAPI,
                                                      start_bot: StartBot) -> None:
    storage = GatedStorage()
    await start_bot(storage=storage)
    held = api.send_text(SLOW, "/start")
    for _ in range(3):
        api.send_text(OTHER, "/start")
    await api.wait_for_messages(OTHER, 3, timeout=20)
    await asyncio.sleep(1.5)  # several polls later
    pending = [u["update_id"] for u in api.pending_updates]
    assert held["update_id"] in pending  # its turn is not committed: not confirmed
    storage.gate.set()
    await api.wait_for_messages(SLOW, 1, timeout=20)
    for _ in range(100):
        if not api.pending_updates:
            break
        await asyncio.sleep(0.05)
    assert not api.pending_updates


async def test_a_committed_turn_is_confirmed_while_its_replies_wait(
        api: FakeBotAPI, start_bot: StartBot) -> None:
    bot = await start_bot()
    api.slow("sendMessage", 4.0)  # Telegram slow to take the reply
    api.send_text(SLOW, "/start")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 3.0
    while api.pending_updates and loop.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    assert not api.pending_updates  # confirmed: the turn is committed
    assert not api.messages_to(SLOW)  # while its reply is still on its way
    assert not bot.channel.sends.idle()
    await api.wait_for_messages(SLOW, 1, timeout=20)
    api.heal()
