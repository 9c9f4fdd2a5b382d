"""In-memory storage with the same behaviour as SQLite and no durability, for fast tests.

It keeps the same encoded values as SQLite (JSON state, ISO text times) and applies the
same purpose rules, so a test passing here passes against the real file too.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from bot.core.clock import Clock, SystemClock
from bot.core.keys import PersonKey
from bot.core.schedule import join
from bot.core.state import ConversationState
from bot.core.stored import AchievementRow, PersonExport, PurposeRow, RatingRow
from bot.storage import rows
from bot.storage.base import StorageError, TurnWrite
from bot.storage.memory.outbox import MemoryOutbox
from bot.storage.memory.people import (
    AchievementEntry,
    AlertEntry,
    EventEntry,
    Person,
    PurposeEntry,
    RatingEntry,
)
from bot.storage.memory.reachability import MemoryReachability
from bot.storage.memory.schedule import MemorySchedules

if TYPE_CHECKING:
    from bot.storage.memory.reports import MemoryReportSource

# The reports reader (bot/storage/memory/reports.py) knows a person by this name.
_Person = Person


class MemoryStorage:
    """Storage in dicts. Every method completes without awaiting, so each is atomic.

    Conversation state and records are its own; ``schedules``, ``outbox`` and
    ``reachability`` are role objects of their own over the same people.
    """

    def __init__(self, *, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._people: dict[PersonKey, Person] = {}
        self._ids = itertools.count(1)
        self._open = False
        # As SQLite's deletions table (migration 0007): (week, demo) -> people who erased
        # themselves after consenting.
        self.deletions: dict[tuple[str, bool], int] = {}
        self.schedules = MemorySchedules(self._people, self._new_id, self._check_open)
        self.outbox = MemoryOutbox(self._people, self._new_id, self.commit_turn,
                                   self._check_open, self._clock)
        self.reachability = MemoryReachability(self._person_id, self._check_open, self._clock)

    def _new_id(self) -> int:
        return next(self._ids)

    def _person_id(self, key: PersonKey) -> int | None:
        person = self._people.get(key)
        return None if person is None else person.id

    async def open(self) -> None:
        """Nothing to check or migrate; marks the storage usable."""
        self._open = True

    async def close(self) -> None:
        """Nothing to flush; later calls raise StorageError as SQLite's would."""
        self._open = False

    def _check_open(self) -> None:
        if not self._open:
            raise StorageError("memory: storage is not open")

    def report_source(self) -> MemoryReportSource:
        """Anonymous aggregates over these people, for staff reports and /programme."""
        from bot.storage.memory.reports import MemoryReportSource

        return MemoryReportSource(self)

    async def load(self, key: PersonKey) -> ConversationState | None:
        """The person's state, or None if they have never written."""
        self._check_open()
        person = self._people.get(key)
        return self._state(person) if person else None

    @staticmethod
    def _state(person: Person) -> ConversationState:
        return join(ConversationState.from_json(person.state_json), person.schedule)

    async def commit_turn(self, write: TurnWrite) -> None:
        """Apply the turn at once, with SQLite's rules for purposes."""
        self._check_open()
        turn = rows.prepare(write, self._clock.now())
        person = self._people.get(turn.key)
        if person is None:
            person = self._people[turn.key] = Person(next(self._ids), turn.at)
        person.state_json = turn.state_json
        person.schedule = turn.schedule
        person.updated_at = turn.at
        plan = rows.plan_purposes((person.id, change) for change in turn.purposes)
        for _, keep in plan.keep_active:
            for purpose in person.purposes.values():
                if purpose.ref != keep:
                    purpose.active = 0
        for _, ref, text, theme, details, active, created_at, updated_at in plan.upserts:
            old = person.purposes.get(ref)
            if old is None:
                person.purposes[ref] = PurposeEntry(
                    next(self._ids), ref, text, theme, details, active, created_at, updated_at
                )
            else:  # as SQLite's upsert: created_at stays
                old.text, old.theme, old.details_json, old.active = text, theme, details, active
                old.updated_at = updated_at
        for text, purpose_ref, confidence, prompted, at in turn.achievements:
            person.achievements.append(
                AchievementEntry(next(self._ids), text, at, purpose_ref, confidence, prompted)
            )
        for value, context, at in turn.ratings:
            person.ratings.append(RatingEntry(next(self._ids), value, at, context))
        for name, flow, step, at in turn.events:
            person.events.append(EventEntry(next(self._ids), name, flow, step, at))
        for reason, shared_json, at in turn.alerts:
            person.alerts.append(AlertEntry(next(self._ids), reason, shared_json, at, None))

    async def delete_person(self, key: PersonKey) -> bool:
        """Forget the person. True if there was anything."""
        self._check_open()
        person = self._people.pop(key, None)
        if person is not None and person.state_json and ConversationState.from_json(
                person.state_json).vars.get("consent") == "yes":
            week = (rows.week_of(person.updated_at or person.created_at), key.channel == "demo")
            self.deletions[week] = self.deletions.get(week, 0) + 1
        return person is not None

    async def export_person(self, key: PersonKey) -> PersonExport | None:
        """Everything stored about the person."""
        self._check_open()
        person = self._people.get(key)
        if person is None:
            return None
        return PersonExport(
            key=key,
            created_at=rows.from_text(person.created_at),
            state=self._state(person),
            purposes=await self.purposes(key),
            achievements=await self.achievements(key),
            ratings=await self.ratings(key),
            events=[
                rows.event_dict(e[1:]) for e in sorted(person.events, key=lambda e: (e.at, e.id))
            ],
            alerts=[rows.alert_row(a)
                    for a in sorted(person.alerts, key=lambda a: (a.created_at, a.id))],
        )

    async def achievements(self, key: PersonKey, limit: int | None = None) -> list[AchievementRow]:
        """Newest first (ties: last written first)."""
        self._check_open()
        found = self._people.get(key)
        chosen = (
            sorted(found.achievements, key=lambda r: (r[2], r[0]), reverse=True) if found else []
        )
        return [rows.achievement_row(r) for r in chosen[: _slice(limit)]]

    async def ratings(self, key: PersonKey, limit: int | None = None) -> list[RatingRow]:
        """Newest first (ties: last written first)."""
        self._check_open()
        found = self._people.get(key)
        chosen = sorted(found.ratings, key=lambda r: (r[2], r[0]), reverse=True) if found else []
        return [rows.rating_row(r) for r in chosen[: _slice(limit)]]

    async def purposes(self, key: PersonKey) -> list[PurposeRow]:
        """Active first, then most recently set or edited first."""
        self._check_open()
        found = self._people.get(key)
        if found is None:
            return []
        ordered = sorted(
            found.purposes.values(), key=lambda p: (p.active, p.updated_at, p.id), reverse=True
        )
        return [rows.purpose_row(p.row()) for p in ordered]


def _slice(limit: int | None) -> int | None:
    checked = rows.check_limit(limit)
    return None if checked < 0 else checked
