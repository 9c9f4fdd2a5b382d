"""The people-and-records role (PersonStore, RecordReader): conversation state, records,
export and deletion, run against every backend in ``tests/storage/conftest.py``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.keys import PersonKey
from bot.core.records import Achievement, Alert, FlowEvent, Purpose, Rating, Record
from bot.core.state import ConversationState, Position
from bot.storage.base import Storage, StorageError, TurnWrite
from tests.storage.conftest import START

SAM = PersonKey("terminal", "sam")
ALEX = PersonKey("telegram", "12345")

ODD_TEXTS = [
    "Robert'); DROP TABLE people;-- \" % _ \\ ?",
    "I walked to the shop 🎉🚶‍♀️💪🏽",
    "مرحبا، أنا بخير اليوم",  # right-to-left
    "שלום\u200f עולם",
    "x" * 10_000,
    "line one\nline two\ttab\r\n",
    "null\x00byte",
]


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def state(**vars: object) -> ConversationState:
    return ConversationState(flow="checkin", step="ask", vars=vars, turn=1)


async def write(storage: Storage, key: PersonKey, *records: Record, **vars: object) -> None:
    await storage.commit_turn(TurnWrite(key, state(**vars), records, at(0)))


# Scheduling variables live in their own table (migration 0008); the flows see them as
# plain variables, whatever the backend.
VARS = {"consent": "yes", "name": "Sam", "paused": "yes", "checkin_rhythm": "weekly",
        "rhythm_chosen": "", "unanswered": 2, "prompt_turn": 7,
        "prompt_at": "2026-01-04T09:00:00+00:00", "timezone": "Asia/Tokyo",
        "encouragement_recent": ["a", "b"], "still_want_asked": "yes"}


class TestPeopleAndRecords:
    """What the service may rely on for a person's state and records."""

    async def test_unknown_person_has_no_state(self, storage: Storage) -> None:
        assert await storage.load(SAM) is None
        assert await storage.export_person(SAM) is None
        assert await storage.achievements(SAM) == []
        assert await storage.ratings(SAM) == []
        assert await storage.purposes(SAM) == []
        assert await storage.delete_person(SAM) is False

    async def test_state_round_trips_every_field(self, storage: Storage) -> None:
        full = ConversationState(
            flow="purpose",
            step="confirm",
            vars={"name": "Sam", "nested": {"a": [1, 2.5, None, True]}},
            stack=(Position("checkin", "ask"), Position("menu", "start")),
            prompt=7,
            retries=2,
            counts={"achievements": 3},
            memory={"variant:ask": 1},
            turn=42,
        )
        await storage.commit_turn(TurnWrite(SAM, full))
        assert await storage.load(SAM) == full
        assert await storage.load(ALEX) is None

    async def test_later_turn_replaces_state(self, storage: Storage) -> None:
        await write(storage, SAM, step=1)
        await write(storage, SAM, step=2)
        loaded = await storage.load(SAM)
        assert loaded is not None and loaded.vars == {"step": 2}

    async def test_achievements_newest_first_with_limit(self, storage: Storage) -> None:
        # Written out of time order: the listing follows the time, not the writing.
        for minute, text in [(5, "b"), (1, "a"), (9, "c")]:
            await write(storage, SAM, Achievement(text, at(minute), "p1", 6, prompted=True))
        rows = await storage.achievements(SAM)
        assert [r.text for r in rows] == ["c", "b", "a"]
        assert rows[0].at == at(9) and rows[0].purpose_ref == "p1"
        assert rows[0].confidence == 6 and rows[0].prompted is True
        assert [r.text for r in await storage.achievements(SAM, limit=2)] == ["c", "b"]
        assert await storage.achievements(SAM, limit=0) == []
        with pytest.raises(ValueError):
            await storage.achievements(SAM, limit=-1)

    async def test_same_time_lists_last_written_first(self, storage: Storage) -> None:
        await write(storage, SAM, Achievement("first", at(1)), Achievement("second", at(1)))
        await write(storage, SAM, Rating(3, at(1)), Rating(4, at(1)))
        assert [r.text for r in await storage.achievements(SAM)] == ["second", "first"]
        assert [r.value for r in await storage.ratings(SAM)] == [4, 3]

    async def test_ratings_keep_value_time_and_context(self, storage: Storage) -> None:
        await write(storage, SAM, Rating(4, at(1), "checkin"), Rating(7, at(2), "weekly"))
        rows = await storage.ratings(SAM)
        assert [(r.value, r.at, r.context) for r in rows] == [
            (7, at(2), "weekly"),
            (4, at(1), "checkin"),
        ]
        assert [r.value for r in await storage.ratings(SAM, limit=1)] == [7]
        assert rows[0].id != rows[1].id

    async def test_records_belong_to_their_person(self, storage: Storage) -> None:
        await write(storage, SAM, Achievement("sam's win", at(1)))
        await write(storage, ALEX, Achievement("alex's win", at(2)))
        assert [r.text for r in await storage.achievements(SAM)] == ["sam's win"]
        assert [r.text for r in await storage.achievements(ALEX)] == ["alex's win"]

    async def test_purpose_upsert_by_ref_keeps_created_at(self, storage: Storage) -> None:
        await write(storage, SAM, Purpose("work", "find a job", at(1), "employment", {"k": 1}))
        await write(storage, SAM, Purpose("work", "find a job I enjoy", at(5), "employment"))
        [row] = await storage.purposes(SAM)
        assert row.text == "find a job I enjoy" and row.details == {}
        assert (row.created_at, row.updated_at) == (at(1), at(5))
        assert row.active is True and row.theme == "employment"

    async def test_only_one_purpose_is_active(self, storage: Storage) -> None:
        await write(storage, SAM, Purpose("work", "find a job", at(1)))
        await write(storage, SAM, Purpose("health", "walk daily", at(2)))
        rows = await storage.purposes(SAM)
        assert [(r.ref, r.active) for r in rows] == [("health", True), ("work", False)]
        # Re-activating the older one switches the newer one off.
        await write(storage, SAM, Purpose("work", "find a job", at(3)))
        rows = await storage.purposes(SAM)
        assert [(r.ref, r.active) for r in rows] == [("work", True), ("health", False)]

    async def test_purposes_in_one_turn_apply_in_order(self, storage: Storage) -> None:
        await write(
            storage,
            SAM,
            Purpose("a", "first", at(1)),
            Purpose("b", "second", at(2)),
            Purpose("c", "idea for later", at(3), active=False),
            Purpose("a", "first, again", at(4)),
        )
        rows = await storage.purposes(SAM)
        assert [(r.ref, r.active) for r in rows] == [("a", True), ("c", False), ("b", False)]
        assert rows[0].created_at == at(1) and rows[0].text == "first, again"

    async def test_inactive_purpose_leaves_the_active_one_alone(self, storage: Storage) -> None:
        await write(storage, SAM, Purpose("a", "first", at(1)))
        await write(storage, SAM, Purpose("b", "someday", at(2), active=False))
        rows = await storage.purposes(SAM)
        assert [(r.ref, r.active) for r in rows] == [("a", True), ("b", False)]

    async def test_export_holds_everything(self, storage: Storage) -> None:
        await storage.commit_turn(
            TurnWrite(
                SAM,
                state(name="Sam"),
                (
                    Purpose("work", "find a job", at(1)),
                    Achievement("sent a CV", at(2), "work"),
                    Rating(6, at(3), "checkin"),
                    FlowEvent("flow_started", "checkin", "ask", at(4)),
                    FlowEvent("flow_finished", "checkin", "done", at(5)),
                ),
                at(0),
            )
        )
        export = await storage.export_person(SAM)
        assert export is not None
        assert export.key == SAM and export.created_at == at(0)
        assert export.state == state(name="Sam")
        assert [p.ref for p in export.purposes] == ["work"]
        assert [a.text for a in export.achievements] == ["sent a CV"]
        assert [r.value for r in export.ratings] == [6]
        assert export.events == [
            {"name": "flow_started", "flow": "checkin", "step": "ask", "at": at(4)},
            {"name": "flow_finished", "flow": "checkin", "step": "done", "at": at(5)},
        ]

    async def test_created_at_is_the_first_turn(self, storage: Storage) -> None:
        await storage.commit_turn(TurnWrite(SAM, state(), (), at(1)))
        await storage.commit_turn(TurnWrite(SAM, state(), (), at(9)))
        export = await storage.export_person(SAM)
        assert export is not None and export.created_at == at(1)

    async def test_turn_without_time_uses_the_clock(self, storage: Storage) -> None:
        await storage.commit_turn(TurnWrite(SAM, state()))
        export = await storage.export_person(SAM)
        assert export is not None and export.created_at > START

    async def test_times_come_back_in_utc(self, storage: Storage) -> None:
        plus_two = timezone(timedelta(hours=2))
        naive = datetime(2026, 3, 1, 12, 0)
        await write(
            storage,
            SAM,
            Achievement("aware", datetime(2026, 3, 1, 14, 0, tzinfo=plus_two)),
            Achievement("naive", naive),
        )
        rows = await storage.achievements(SAM)
        expected = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        assert [r.at for r in rows] == [expected, expected]
        assert all(r.at.tzinfo is not None and r.at.utcoffset() == timedelta(0) for r in rows)

    async def test_delete_erases_only_that_person(self, storage: Storage) -> None:
        await write(
            storage, SAM, Achievement("win", at(1)), Rating(5, at(1)), Purpose("p", "t", at(1))
        )
        await write(storage, ALEX, Achievement("other", at(1)))
        assert await storage.delete_person(SAM) is True
        assert await storage.load(SAM) is None
        assert await storage.export_person(SAM) is None
        assert await storage.achievements(SAM) == []
        assert await storage.ratings(SAM) == []
        assert await storage.purposes(SAM) == []
        assert await storage.delete_person(SAM) is False
        assert [r.text for r in await storage.achievements(ALEX)] == ["other"]

    async def test_person_can_start_again_after_delete(self, storage: Storage) -> None:
        await write(storage, SAM, Achievement("old", at(1)), name="old")
        await storage.delete_person(SAM)
        await storage.commit_turn(TurnWrite(SAM, state(name="new"), (), at(7)))
        export = await storage.export_person(SAM)
        assert export is not None
        assert export.state.vars == {"name": "new"} and export.achievements == []
        assert export.created_at == at(7)

    @pytest.mark.parametrize(
        "text", ODD_TEXTS, ids=["sql", "emoji", "arabic", "hebrew", "long", "ws", "nul"]
    )
    async def test_text_round_trips_exactly(self, storage: Storage, text: str) -> None:
        key = PersonKey("telegram", text[:200])
        await storage.commit_turn(
            TurnWrite(
                key,
                state(said=text),
                (
                    Achievement(text, at(1), purpose_ref=text),
                    Rating(5, at(1), context=text),
                    Purpose(text, text, at(1), theme=text, details={text: text}),
                ),
                at(0),
            )
        )
        loaded = await storage.load(key)
        assert loaded is not None and loaded.vars["said"] == text
        [achievement] = await storage.achievements(key)
        assert achievement.text == text and achievement.purpose_ref == text
        assert (await storage.ratings(key))[0].context == text
        [purpose] = await storage.purposes(key)
        assert (purpose.ref, purpose.text, purpose.theme) == (text, text, text)
        assert purpose.details == {text: text}

    async def test_unstorable_turn_fails_alone(self, storage: Storage) -> None:
        await write(storage, SAM, name="kept")
        with pytest.raises(StorageError, match="cannot be stored"):
            await storage.commit_turn(TurnWrite(SAM, state(bad=object())))
        loaded = await storage.load(SAM)
        assert loaded is not None and loaded.vars == {"name": "kept"}

    async def test_many_people_at_once_all_land(self, storage: Storage) -> None:
        people = [PersonKey("telegram", str(i)) for i in range(50)]

        async def talk(key: PersonKey) -> None:
            for turn in range(5):
                await write(storage, key, Achievement(f"win {turn}", at(turn)), turn=turn)

        await asyncio.gather(*(talk(key) for key in people))
        for key in people:
            loaded = await storage.load(key)
            assert loaded is not None and loaded.vars == {"turn": 4}
            assert [a.text for a in await storage.achievements(key)] == [
                f"win {t}" for t in range(4, -1, -1)
            ]

    async def test_closed_storage_refuses_calls(self, storage: Storage) -> None:
        await storage.close()
        with pytest.raises(StorageError):
            await storage.commit_turn(TurnWrite(SAM, state()))
        with pytest.raises(StorageError):
            await storage.load(SAM)

    async def test_an_alert_is_stored_exported_and_deleted(self, storage: Storage) -> None:
        alert = Alert("asked_for_person", START, {"first_name": "Rhiannon"})
        await storage.commit_turn(TurnWrite(ALEX, ConversationState(), (alert,), START))
        export = await storage.export_person(ALEX)
        assert export is not None
        [row] = export.alerts
        assert (row.reason, row.shared, row.created_at, row.handled_at) == (
            "asked_for_person", {"first_name": "Rhiannon"}, START, None)
        assert await storage.delete_person(ALEX)
        assert await storage.export_person(ALEX) is None

    async def test_the_flows_see_the_same_scheduling_variables(self, storage: Storage) -> None:
        await storage.commit_turn(TurnWrite(SAM, ConversationState(vars=VARS)))
        loaded = await storage.load(SAM)
        assert loaded is not None and dict(loaded.vars) == VARS
        export = await storage.export_person(SAM)
        assert export is not None and dict(export.state.vars) == VARS

    async def test_a_cleared_scheduling_variable_stays_cleared(self, storage: Storage) -> None:
        await storage.commit_turn(TurnWrite(SAM, ConversationState(vars=VARS)))
        rest = {k: v for k, v in VARS.items() if k != "paused"}
        await storage.commit_turn(TurnWrite(SAM, ConversationState(vars=rest)))
        loaded = await storage.load(SAM)
        assert loaded is not None and "paused" not in loaded.vars
