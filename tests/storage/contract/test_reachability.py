"""The reachability role (ReachabilityStore, migration 0004), run against every backend: the
Telegram channel marks a person who blocked the bot, and clears the mark when they write
again."""

from __future__ import annotations

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import Storage, TurnWrite

SAM = PersonKey("telegram", "42")


class TestReachability:
    """Who blocked the bot: marked, cleared, forgotten with the person."""

    async def test_unknown_people_are_reachable_and_cannot_be_marked(
            self, storage: Storage) -> None:
        assert await storage.reachability.is_reachable(SAM)
        assert not await storage.reachability.set_reachable(SAM, False)
        assert await storage.reachability.is_reachable(SAM)

    async def test_mark_and_clear(self, storage: Storage) -> None:
        await storage.commit_turn(TurnWrite(SAM, ConversationState(flow="win", step="ask")))
        assert await storage.reachability.set_reachable(SAM, False)
        # already marked: nothing changes
        assert not await storage.reachability.set_reachable(SAM, False)
        assert not await storage.reachability.is_reachable(SAM)
        assert await storage.load(SAM) == ConversationState(flow="win", step="ask")
        assert await storage.reachability.set_reachable(SAM, True)
        assert await storage.reachability.is_reachable(SAM)
        assert not await storage.reachability.set_reachable(SAM, True)

    async def test_deleting_a_person_forgets_the_mark(self, storage: Storage) -> None:
        await storage.commit_turn(TurnWrite(SAM, ConversationState()))
        await storage.reachability.set_reachable(SAM, False)
        await storage.delete_person(SAM)
        await storage.commit_turn(TurnWrite(SAM, ConversationState()))
        assert await storage.reachability.is_reachable(SAM)
