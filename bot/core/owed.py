"""Replies owed to a person, as the channel that delivers them sees them.

Storage keeps them (committed with the turn, migration 0005); a channel sends them and
says which went out. Defined here so a channel needs nothing of storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.core.keys import PersonKey


@dataclass(frozen=True)
class OwedReply:
    """One message a person is owed (migration 0005): ``payload`` is the channel's own
    encoding of it, ``ref`` names the row for ``mark_sent``."""

    ref: str
    key: PersonKey
    payload: str
    due_at: datetime
    attempt: int


@runtime_checkable
class OwedReplies(Protocol):
    """The delivery side of the outbox: what is owed, and what became of it."""

    async def due(self, now: datetime, limit: int) -> list[OwedReply]:
        """Up to ``limit`` owed replies of people whose oldest one is due by ``now``: all
        of each such person's rows, in the order they were written."""

    async def owed_to(self, key: PersonKey) -> list[OwedReply]:
        """Everything owed to the person, due or not, in the order it was written."""

    async def mark_sent(self, ref: str) -> None:
        """The channel confirmed it (or it can never be sent): forget the row."""

    async def postpone(self, key: PersonKey, due_at: datetime) -> None:
        """Nothing owed to the person is due before ``due_at``; attempts go up by one."""

    async def drop_owed(self, key: PersonKey) -> int:
        """Forget everything owed to the person (they blocked the bot); how many."""
