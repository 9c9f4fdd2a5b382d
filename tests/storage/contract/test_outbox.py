"""The outbox role (Outbox, migration 0005), run against every backend: replies owed to a
person are committed with their turn and kept until the channel confirms them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import Storage, StorageError, TurnWrite
from tests.storage.conftest import START

SAM = PersonKey("telegram", "1")
ALEX = PersonKey("telegram", "2")
LATER = START + timedelta(days=1)


def turn(key: PersonKey, step: str = "ask") -> TurnWrite:
    return TurnWrite(key, ConversationState(flow="checkin", step=step, turn=1), (), START)


class TestOutbox:
    """Owed replies: written with their turn, due in order, forgotten once sent."""

    async def test_owed_replies_come_with_their_turn_in_order(self, storage: Storage) -> None:
        box = storage.outbox
        refs = await box.add_with_turn(turn(SAM), ["one", "two", "three"])
        assert len(set(refs)) == 3
        state = await storage.load(SAM)
        assert state is not None and state.step == "ask"  # the turn itself is committed
        owed = await box.due(LATER, 100)
        assert [o.payload for o in owed] == ["one", "two", "three"]
        assert [o.ref for o in owed] == refs and {o.key for o in owed} == {SAM}
        assert all(o.attempt == 0 for o in owed)

    async def test_mark_sent_forgets_only_that_row(self, storage: Storage) -> None:
        box = storage.outbox
        first, second = await box.add_with_turn(turn(SAM), ["one", "two"])
        await box.mark_sent(first)
        await box.mark_sent("no-such-ref")
        assert [o.ref for o in await box.due(LATER, 100)] == [second]
        await box.mark_sent(second)
        assert await box.due(LATER, 100) == []

    async def test_postponed_replies_are_not_due_until_then(self, storage: Storage) -> None:
        box = storage.outbox
        await box.add_with_turn(turn(SAM), ["sam"])
        await box.add_with_turn(turn(ALEX), ["alex"])
        await box.postpone(SAM, LATER)
        assert [o.payload for o in await box.due(START + timedelta(hours=1), 100)] == ["alex"]
        owed = await box.due(LATER, 100)
        assert sorted(o.payload for o in owed) == ["alex", "sam"]
        assert {o.payload: o.attempt for o in owed} == {"alex": 0, "sam": 1}

    async def test_a_postponed_reply_holds_back_later_ones(self, storage: Storage) -> None:
        box = storage.outbox
        await box.add_with_turn(turn(SAM), ["first"])
        await box.postpone(SAM, LATER)
        await box.add_with_turn(turn(SAM, "next"), ["second"])  # due now, but behind "first"
        assert await box.due(START + timedelta(hours=1), 100) == []
        owed = await box.due(LATER, 100)
        assert [o.payload for o in owed] == ["first", "second"]
        assert [o.payload for o in await box.owed_to(SAM)] == ["first", "second"]
        assert await box.owed_to(ALEX) == []

    async def test_drop_owed_and_delete_forget_everything(self, storage: Storage) -> None:
        box = storage.outbox
        await box.add_with_turn(turn(SAM), ["a", "b"])
        await box.add_with_turn(turn(ALEX), ["c"])
        assert await box.drop_owed(SAM) == 2
        assert await box.drop_owed(PersonKey("telegram", "unknown")) == 0
        await storage.delete_person(ALEX)
        assert await box.due(LATER, 100) == []

    async def test_no_replies_is_a_plain_commit(self, storage: Storage) -> None:
        box = storage.outbox
        assert await box.add_with_turn(turn(SAM), []) == []
        assert await storage.load(SAM) is not None
        assert await box.due(LATER, 100) == []

    async def test_many_confirmations_at_once_all_land(self, storage: Storage) -> None:
        import asyncio

        box = storage.outbox
        refs = [ref for n in range(20) for ref in
                await box.add_with_turn(turn(PersonKey("telegram", str(100 + n))), ["a", "b"])]
        await asyncio.gather(*(box.mark_sent(ref) for ref in refs[:-1]))
        assert [o.ref for o in await box.due(LATER, 100)] == refs[-1:]

    async def test_closed_storage_refuses_calls(self, storage: Storage) -> None:
        await storage.close()
        with pytest.raises(StorageError):
            await storage.outbox.add_with_turn(turn(SAM), ["one"])
        with pytest.raises(StorageError):
            await storage.outbox.due(LATER, 10)
