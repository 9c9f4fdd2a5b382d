"""Who can be reached, in memory: the same rules as SQLite's (migration 0004)."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.storage.rows import to_text


class MemoryReachability:
    """Marks tied to the person's id, so a deleted and re-created person starts
    reachable, as SQLite's cascade gives. ``person_id(key)`` is None for an unknown one;
    ``check_open()`` raises on a closed storage."""

    def __init__(self, person_id: Callable[[PersonKey], int | None],
                 check_open: Callable[[], None], clock: Clock) -> None:
        self._person_id = person_id
        self._check_open = check_open
        self._clock = clock
        self._marks: dict[PersonKey, tuple[int, str]] = {}

    async def set_reachable(self, key: PersonKey, reachable: bool) -> bool:
        """Mark or clear; True if anything changed (an unknown person changes nothing)."""
        self._check_open()
        person_id = self._person_id(key)
        if person_id is None:
            return False
        marked = key in self._marks and self._marks[key][0] == person_id
        if reachable:
            self._marks.pop(key, None)
            return marked
        if marked:
            return False
        self._marks[key] = (person_id, to_text(self._clock.now()))
        return True

    async def is_reachable(self, key: PersonKey) -> bool:
        """False only for a known person marked unreachable."""
        self._check_open()
        person_id = self._person_id(key)
        mark = self._marks.get(key)
        return person_id is None or mark is None or mark[0] != person_id
