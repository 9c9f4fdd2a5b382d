"""Per-chat memory in the Telegram channel stays bounded: LRU maps, queues dropped when
idle, and a per-person limit that forgets people with nothing pending."""

from __future__ import annotations

from bot.channels.telegram.channel import MAX_CHATS
from bot.channels.telegram.inbound import Admission, InboundLimit
from bot.core.lru import LRU, LRUSet
from tests.channels.conftest import StartBot
from tests.channels.helpers import Person
from tests.fake_bot_api import FakeBotAPI


def test_lru_dict_forgets_the_least_recently_used() -> None:
    seen: LRU[int, int] = LRU(3)
    for key in (1, 2, 3):
        seen[key] = key * 10
    assert seen.get(1) == 10  # 1 is now the most recent
    seen[4] = 40
    assert 2 not in seen and 1 in seen and len(seen) == 3
    members: LRUSet[int] = LRUSet(2)
    for key in (1, 2, 3):
        members.add(key)
    assert 1 not in members and len(members) == 2


def test_inbound_limit_drops_with_one_notice_lets_a_crisis_through_and_forgets() -> None:
    limit = InboundLimit(max_pending=2)
    assert [limit.admit(7) for _ in range(2)] == [Admission.ADMIT] * 2
    assert limit.admit(7) is Admission.DROP_AND_NOTICE
    assert limit.admit(7) is Admission.DROP
    assert limit.admit(7, crisis=True) is Admission.ADMIT_URGENT
    assert limit.admit(8) is Admission.ADMIT  # someone else is not affected
    for _ in range(3):
        limit.done(7)
    limit.done(8)
    assert len(limit) == 0  # nothing pending: nobody remembered
    assert limit.admit(7) is Admission.ADMIT
    assert limit.dropped == 2


async def test_channel_maps_are_bounded_and_queues_go_when_idle(api: FakeBotAPI,
                                                                start_bot: StartBot) -> None:
    bot = await start_bot()
    people = [Person(api, 5000 + n) for n in range(30)]
    for person in people:
        await person.say("/start")
    channel = bot.channel
    assert channel.idle()
    assert not bot.sequencer._queues and not channel.sends._queues  # dropped when idle
    assert not bot.sequencer._workers and not channel.sends._workers
    assert len(channel.limit) == 0
    assert len(channel.keyboards) == 30
    for chat_id in range(MAX_CHATS + 500):  # a bot that has met very many people
        channel.keyboards[10_000 + chat_id] = 1
        channel._reachable.add(10_000 + chat_id)
        channel._blocked.add(10_000 + chat_id)
    assert len(channel.keyboards) == len(channel._reachable) == len(channel._blocked) == MAX_CHATS
