"""Who can be reached (migration 0004): a person who blocked the bot is unreachable until
they write again. Each backend holds one of these small objects and hands the two
calls to it (composed, not mixed in: each says in its constructor what it needs).

The channel marks it (Forbidden on a send, or Telegram's "blocked" notice) and clears it
when the person writes; the scheduler asks ``is_reachable`` before sending. Unknown
people are reachable: there is nothing to hold against them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable

import aiosqlite

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.storage.rows import to_text

InTransaction = Callable[[Callable[[aiosqlite.Connection], Awaitable[bool]]], Awaitable[bool]]
Read = Callable[[str, tuple[object, ...]], Awaitable[list[sqlite3.Row]]]

_SET = (
    "UPDATE people SET unreachable_since = ? WHERE channel = ? AND external_id = ? "
    "AND unreachable_since IS NULL"
)
_CLEAR = (
    "UPDATE people SET unreachable_since = NULL WHERE channel = ? AND external_id = ? "
    "AND unreachable_since IS NOT NULL"
)
_GET = "SELECT unreachable_since FROM people WHERE channel = ? AND external_id = ?"


class SQLiteReachability:
    """Marks in a short write transaction of their own (``in_transaction``); the question
    is a plain read on the read connection (``read``): it never waits for a writer."""

    def __init__(self, in_transaction: InTransaction, read: Read, clock: Clock) -> None:
        self._in_transaction = in_transaction
        self._read = read
        self._clock = clock

    async def set_reachable(self, key: PersonKey, reachable: bool) -> bool:
        """Mark or clear; True if anything changed (an unknown person changes nothing)."""
        params = (key.channel, key.external_id)

        async def work(conn: aiosqlite.Connection) -> bool:
            if reachable:
                cursor = await conn.execute(_CLEAR, params)
            else:
                cursor = await conn.execute(_SET, (to_text(self._clock.now()), *params))
            return bool(cursor.rowcount)

        return await self._in_transaction(work)

    async def is_reachable(self, key: PersonKey) -> bool:
        """False only for a known person marked unreachable."""
        found = await self._read(_GET, (key.channel, key.external_id))
        return not found or found[0][0] is None
