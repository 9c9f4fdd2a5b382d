"""Replies owed to people, in memory, with the same rules as the SQLite outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.keys import PersonKey
from bot.core.owed import OwedReply
from bot.storage import rows
from bot.storage.base import TurnWrite
from bot.storage.rows import from_text, new_refs, to_text

if TYPE_CHECKING:
    from bot.storage.memory.storage import _Person


@dataclass
class _Owed:
    seq: int
    ref: str
    payload: str
    due_at: str
    attempt: int = 0


def _memory_row(key: PersonKey, owed: _Owed) -> OwedReply:
    return OwedReply(owed.ref, key, owed.payload, from_text(owed.due_at), owed.attempt)


class MemoryOutboxMixin:
    """Needs ``_people``, ``_ids``, ``_clock``, ``commit_turn`` and ``_check_open``; rows
    live on the person, so deleting the person drops them, as SQLite's cascade does."""

    _people: dict[PersonKey, _Person]
    _ids: Any
    _clock: Any

    def _check_open(self) -> None: ...

    async def commit_turn(self, write: TurnWrite) -> None: ...

    async def add_with_turn(self, write: TurnWrite, payloads: Sequence[str]) -> list[str]:
        """Apply the turn and add its rows with no await between: one atomic step."""
        self._check_open()
        refs = new_refs(len(payloads))
        at = to_text(write.at or self._clock.now())
        rows.prepare(write, self._clock.now())  # fail as SQLite would, before changing anything
        await self.commit_turn(write)  # never awaits anything in memory
        person = self._people[write.key]
        person.owed.extend(_Owed(next(self._ids), ref, payload, at)
                           for ref, payload in zip(refs, payloads, strict=True))
        return refs

    async def due(self, now: datetime, limit: int) -> list[OwedReply]:
        self._check_open()
        moment = to_text(now)
        people = sorted(((p.owed[0].due_at, key, p) for key, p in self._people.items()
                         if p.owed and p.owed[0].due_at <= moment), key=lambda t: t[0])
        found = [_memory_row(key, o) for _, key, person in
                 sorted(people[:limit], key=lambda t: t[2].id) for o in person.owed]
        return found[:limit]

    async def owed_to(self, key: PersonKey) -> list[OwedReply]:
        self._check_open()
        person = self._people.get(key)
        return [_memory_row(key, o) for o in person.owed] if person else []

    async def mark_sent(self, ref: str) -> None:
        self._check_open()
        for person in self._people.values():
            person.owed = [o for o in person.owed if o.ref != ref]

    async def postpone(self, key: PersonKey, due_at: datetime) -> None:
        self._check_open()
        person = self._people.get(key)
        for owed in person.owed if person else []:
            owed.due_at = max(owed.due_at, to_text(due_at))
            owed.attempt += 1

    async def drop_owed(self, key: PersonKey) -> int:
        self._check_open()
        person = self._people.get(key)
        if person is None:
            return 0
        dropped, person.owed = len(person.owed), []
        return dropped
