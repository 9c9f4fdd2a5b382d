"""Per-chat memory in the Telegram channel stays bounded: the least recently used chats
are forgotten first."""

from __future__ import annotations

from bot.channels.telegram.bounded import MAX_CHATS, LruDict, LruSet
from tests.channels.helpers import Person
from tests.fake_bot_api import FakeBotAPI


def test_lru_dict_forgets_the_least_recently_used() -> None:
    seen: LruDict[int, int] = LruDict(limit=3)
    for key in (1, 2, 3):
        seen[key] = key * 10
    assert seen.get(1) == 10  # 1 is now the most recent
    seen[4] = 40
    assert 2 not in seen and 1 in seen and len(seen) == 3
    members: LruSet[int] = LruSet(limit=2)
    for key in (1, 2, 3):
        members.add(key)
    assert 1 not in members and len(members) == 2


async def test_channel_maps_are_bounded(api: FakeBotAPI, start_bot) -> None:
    bot = await start_bot()
    for n in range(5):
        await Person(api, 5000 + n).say("/start")
    channel = bot.channel
    assert len(channel.keyboards) == 5
    for chat_id in range(MAX_CHATS + 500):  # a bot that has met very many people
        channel.keyboards[10_000 + chat_id] = 1
        channel._reachable.add(10_000 + chat_id)
        channel._blocked.add(10_000 + chat_id)
    assert len(channel.keyboards) == len(channel._reachable) == len(channel._blocked) == MAX_CHATS
