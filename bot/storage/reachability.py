"""Who can be reached (migration 0004): a person who blocked the bot is unreachable until
they write again. Mixed into SQLiteStorage and MemoryStorage.

The channel marks it (Forbidden on a send, or Telegram's "blocked" notice) and clears it
when the person writes; the scheduler asks ``is_reachable`` before sending. Unknown
people are reachable: there is nothing to hold against them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.core.keys import PersonKey
from bot.storage.rows import to_text

if TYPE_CHECKING:
    from bot.storage.memory import _Person

_SET = (
    "UPDATE people SET unreachable_since = ? WHERE channel = ? AND external_id = ? "
    "AND unreachable_since IS NULL"
)
_CLEAR = (
    "UPDATE people SET unreachable_since = NULL WHERE channel = ? AND external_id = ? "
    "AND unreachable_since IS NOT NULL"
)
_GET = "SELECT unreachable_since FROM people WHERE channel = ? AND external_id = ?"


class SQLiteReachabilityMixin:
    """Needs ``_in_transaction`` (its own short write transactions) and ``_clock``."""

    _clock: Any
    _in_transaction: Any

    async def set_reachable(self, key: PersonKey, reachable: bool) -> bool:
        """Mark or clear; True if anything changed (an unknown person changes nothing)."""
        params = (key.channel, key.external_id)

        async def work(conn: aiosqlite.Connection) -> bool:
            if reachable:
                cursor = await conn.execute(_CLEAR, params)
            else:
                cursor = await conn.execute(_SET, (to_text(self._clock.now()), *params))
            return bool(cursor.rowcount)

        changed: bool = await self._in_transaction(work)
        return changed

    async def is_reachable(self, key: PersonKey) -> bool:
        async def work(conn: aiosqlite.Connection) -> bool:
            found = list(await conn.execute_fetchall(_GET, (key.channel, key.external_id)))
            return not found or found[0][0] is None

        reachable: bool = await self._in_transaction(work)
        return reachable


class MemoryReachabilityMixin:
    """Needs ``_people`` and ``_check_open``; marks are tied to the person's id, so a
    deleted and re-created person starts reachable, as SQLite's cascade gives."""

    _people: dict[PersonKey, _Person]
    _clock: Any

    def _check_open(self) -> None: ...

    def _marks(self) -> dict[PersonKey, tuple[int, str]]:
        marks: dict[PersonKey, tuple[int, str]] | None = self.__dict__.get("_unreachable")
        if marks is None:
            marks = self.__dict__["_unreachable"] = {}
        return marks

    async def set_reachable(self, key: PersonKey, reachable: bool) -> bool:
        self._check_open()
        person = self._people.get(key)
        if person is None:
            return False
        marks = self._marks()
        marked = key in marks and marks[key][0] == person.id
        if reachable:
            marks.pop(key, None)
            return marked
        if marked:
            return False
        marks[key] = (person.id, to_text(self._clock.now()))
        return True

    async def is_reachable(self, key: PersonKey) -> bool:
        self._check_open()
        person = self._people.get(key)
        mark = self._marks().get(key)
        return person is None or mark is None or mark[0] != person.id
