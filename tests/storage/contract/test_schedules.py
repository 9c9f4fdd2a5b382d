"""The schedule role (ScheduleStore, migration 0003), run against every backend."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import NextMessage, Storage, StorageError, TurnWrite
from tests.storage.conftest import START

SAM = PersonKey("terminal", "sam")
ALEX = PersonKey("telegram", "12345")


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


async def person(storage: Storage, key: PersonKey) -> None:
    await storage.commit_turn(TurnWrite(key, ConversationState(), (), at(0)))


def checkin(minutes: float, **payload: object) -> NextMessage:
    return NextMessage("checkin", at(minutes), dict(payload))


class TestSchedules:
    """The schedule queue: one pending message per person and kind, claimed once."""

    async def test_unknown_person_cannot_be_scheduled(self, storage: Storage) -> None:
        assert await storage.schedules.schedule(SAM, checkin(5)) is False
        assert await storage.schedules.scheduled(SAM) == []
        assert await storage.schedules.claim_due(at(100), 10) == []

    async def test_one_pending_message_per_kind(self, storage: Storage) -> None:
        await person(storage, SAM)
        assert await storage.schedules.schedule(SAM, checkin(5, flow="nudge"))
        assert await storage.schedules.schedule(SAM, checkin(9, flow="nudge"))
        [row] = await storage.schedules.scheduled(SAM)
        assert (row.kind, row.due_at, row.status, row.payload) == (
            "checkin",
            at(9),
            "pending",
            {"flow": "nudge"},
        )
        assert row.last_turn_at == at(0)
        assert await storage.schedules.unschedule(SAM, "checkin") == 1
        assert await storage.schedules.scheduled(SAM) == []

    async def test_claim_takes_only_due_rows_earliest_first_once(self, storage: Storage) -> None:
        await person(storage, SAM)
        await person(storage, ALEX)
        await storage.schedules.schedule(SAM, checkin(10))
        await storage.schedules.schedule(ALEX, checkin(5))
        assert await storage.schedules.claim_due(at(4), 10) == []
        claimed = await storage.schedules.claim_due(at(10), 10)
        assert [(r.key, r.status, r.attempt) for r in claimed] == [
            (ALEX, "claimed", 1),
            (SAM, "claimed", 1),
        ]
        assert claimed[0].claimed_at == at(10)
        assert await storage.schedules.claim_due(at(20), 10) == []  # claimed rows are not due again

    async def test_claim_respects_the_limit(self, storage: Storage) -> None:
        await person(storage, SAM)
        await person(storage, ALEX)
        await storage.schedules.schedule(SAM, checkin(1))
        await storage.schedules.schedule(ALEX, checkin(2))
        assert [r.key for r in await storage.schedules.claim_due(at(5), 1)] == [SAM]
        assert [r.key for r in await storage.schedules.claim_due(at(5), 1)] == [ALEX]

    async def test_finish_marks_sent_and_plans_the_next(self, storage: Storage) -> None:
        await person(storage, SAM)
        await storage.schedules.schedule(SAM, checkin(1))
        [row] = await storage.schedules.claim_due(at(1), 10)
        await storage.schedules.finish_scheduled(row.id, at(2), checkin(60 * 24))
        [pending] = await storage.schedules.scheduled(SAM)
        assert pending.due_at == at(60 * 24) and pending.status == "pending"
        assert pending.id != row.id

    async def test_reschedule_returns_a_claim_to_pending(self, storage: Storage) -> None:
        await person(storage, SAM)
        await storage.schedules.schedule(SAM, checkin(1))
        [row] = await storage.schedules.claim_due(at(1), 10)
        await storage.schedules.reschedule(row.id, at(30))
        [again] = await storage.schedules.scheduled(SAM)
        assert (again.id, again.status, again.due_at) == (row.id, "pending", at(30))
        [claimed] = await storage.schedules.claim_due(at(30), 10)
        assert claimed.attempt == 2

    async def test_reschedule_yields_to_a_newer_plan(self, storage: Storage) -> None:
        await person(storage, SAM)
        await storage.schedules.schedule(SAM, checkin(1))
        [row] = await storage.schedules.claim_due(at(1), 10)
        await storage.schedules.schedule(SAM, checkin(99))  # the person changed their settings
        await storage.schedules.reschedule(row.id, at(30))
        assert [r.due_at for r in await storage.schedules.scheduled(SAM)] == [at(99)]

    async def test_release_claims_after_a_restart(self, storage: Storage) -> None:
        await person(storage, SAM)
        await storage.schedules.schedule(SAM, checkin(1))
        await storage.schedules.claim_due(at(1), 10)
        assert await storage.schedules.release_claims() == 1
        [row] = await storage.schedules.claim_due(at(2), 10)
        assert row.attempt == 2

    async def test_release_claims_releases_only_the_workers_own(self, storage: Storage) -> None:
        await person(storage, SAM)
        await person(storage, ALEX)
        await storage.schedules.schedule(SAM, checkin(1))
        await storage.schedules.schedule(ALEX, checkin(1))
        [mine] = await storage.schedules.claim_due(at(1), 1, worker="a:1")
        [theirs] = await storage.schedules.claim_due(at(1), 1, worker="b:2")
        assert await storage.schedules.release_claims("a:1") == 1
        [again] = await storage.schedules.claim_due(at(2), 10, worker="a:1")
        assert again.id == mine.id  # b:2's claim was left alone, still claimed
        assert {r.status for r in await storage.schedules.scheduled(theirs.key)} == {"claimed"}

    async def test_a_dead_workers_claims_come_back_after_the_lease(
            self, storage: Storage) -> None:
        await person(storage, SAM)
        await storage.schedules.schedule(SAM, checkin(1))
        await storage.schedules.claim_due(at(1), 10, worker="dead:9")
        # Within the lease (claimed at minute 1, stale only before it): kept.
        assert await storage.schedules.release_claims(None, stale_before=at(1)) == 0
        assert await storage.schedules.claim_due(at(3), 10, worker="alive:1") == []
        # Past it: anyone may release it, and the next claim takes it.
        assert await storage.schedules.release_claims("alive:1", stale_before=at(6)) == 1
        [row] = await storage.schedules.claim_due(at(7), 10, worker="alive:1")
        assert row.attempt == 2

    async def test_drop_and_next_due(self, storage: Storage) -> None:
        assert await storage.schedules.next_due_at() is None
        await person(storage, SAM)
        await person(storage, ALEX)
        await storage.schedules.schedule(SAM, checkin(7))
        await storage.schedules.schedule(ALEX, checkin(3))
        assert await storage.schedules.next_due_at() == at(3)
        [row] = await storage.schedules.claim_due(at(3), 10)
        assert await storage.schedules.next_due_at() == at(7)  # claimed rows are not waited for
        await storage.schedules.drop_scheduled(row.id)
        assert await storage.schedules.scheduled(ALEX) == []

    async def test_deleting_a_person_deletes_their_schedule(self, storage: Storage) -> None:
        await person(storage, SAM)
        await storage.schedules.schedule(SAM, checkin(1))
        await storage.delete_person(SAM)
        assert await storage.schedules.claim_due(at(5), 10) == []
        assert await storage.schedules.scheduled(SAM) == []

    async def test_sent_rows_are_kept_only_a_while(self, storage: Storage) -> None:
        await person(storage, SAM)
        for i in range(25):
            await storage.schedules.schedule(SAM, checkin(i))
            [row] = await storage.schedules.claim_due(at(i), 10)
            await storage.schedules.finish_scheduled(row.id, at(i))
        assert await storage.schedules.scheduled(SAM) == []

    async def test_closed_storage_refuses_calls(self, storage: Storage) -> None:
        await person(storage, SAM)
        await storage.close()
        with pytest.raises(StorageError):
            await storage.schedules.schedule(SAM, checkin(1))
        with pytest.raises(StorageError):
            await storage.schedules.claim_due(at(5), 10)
