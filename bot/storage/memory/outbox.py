"""Replies owed to people, in memory, with the same rules as the SQLite outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.core.owed import OwedReply
from bot.storage import rows
from bot.storage.base import TurnWrite
from bot.storage.memory.people import OwedEntry, Person
from bot.storage.rows import from_text, new_refs, to_text


def _memory_row(key: PersonKey, owed: OwedEntry) -> OwedReply:
    return OwedReply(owed.ref, key, owed.payload, from_text(owed.due_at), owed.attempt)


class MemoryOutbox:
    """The outbox in memory. Rows live on each :class:`Person` of ``people`` (the storage's
    dict, shared), so deleting the person drops them, as SQLite's cascade does.
    ``commit(write)`` is the storage's own commit of a turn, which must not await."""

    def __init__(self, people: dict[PersonKey, Person], new_id: Callable[[], int],
                 commit: Callable[[TurnWrite], Awaitable[None]],
                 check_open: Callable[[], None], clock: Clock) -> None:
        self._people = people
        self._new_id = new_id
        self._commit = commit
        self._check_open = check_open
        self._clock = clock

    async def add_with_turn(self, write: TurnWrite, payloads: Sequence[str]) -> list[str]:
        """Apply the turn and add its rows with no await between: one atomic step."""
        self._check_open()
        refs = new_refs(len(payloads))
        at = to_text(write.at or self._clock.now())
        rows.prepare(write, self._clock.now())  # fail as SQLite would, before changing anything
        await self._commit(write)  # never awaits anything in memory
        person = self._people[write.key]
        person.owed.extend(OwedEntry(self._new_id(), ref, payload, at)
                           for ref, payload in zip(refs, payloads, strict=True))
        return refs

    async def due(self, now: datetime, limit: int) -> list[OwedReply]:
        """Every owed row of the people whose oldest row is due by ``now``, in order."""
        self._check_open()
        moment = to_text(now)
        people = sorted(((p.owed[0].due_at, key, p) for key, p in self._people.items()
                         if p.owed and p.owed[0].due_at <= moment), key=lambda t: t[0])
        found = [_memory_row(key, o) for _, key, person in
                 sorted(people[:limit], key=lambda t: t[2].id) for o in person.owed]
        return found[:limit]

    async def owed_to(self, key: PersonKey) -> list[OwedReply]:
        """Everything owed to the person, due or not, in the order it was written."""
        self._check_open()
        person = self._people.get(key)
        return [_memory_row(key, o) for o in person.owed] if person else []

    async def mark_sent(self, ref: str) -> None:
        """The channel confirmed it: forget the row."""
        self._check_open()
        for person in self._people.values():
            person.owed = [o for o in person.owed if o.ref != ref]

    async def postpone(self, key: PersonKey, due_at: datetime) -> None:
        """Hold the person's owed rows back until ``due_at``; attempts go up by one."""
        self._check_open()
        person = self._people.get(key)
        for owed in person.owed if person else []:
            owed.due_at = max(owed.due_at, to_text(due_at))
            owed.attempt += 1

    async def drop_owed(self, key: PersonKey) -> int:
        """Forget everything owed to the person; how many rows."""
        self._check_open()
        person = self._people.get(key)
        if person is None:
            return 0
        dropped, person.owed = len(person.owed), []
        return dropped
