"""What shared mode (several `goodhelp run` processes on one database) needs of storage,
as the channel sees it. The CLI hands these in (from the PostgreSQL backend); the channel
knows nothing of SQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.core.keys import PersonKey


class Pending(Protocol):
    """One recorded update as a worker sees it."""

    @property
    def update_id(self) -> int:
        """The channel's own id of the update."""

    @property
    def payload(self) -> str:
        """The update as the channel posted it (JSON)."""

    @property
    def attempt(self) -> int:
        """How many times handling it failed before."""


class Claim(Protocol):
    """A claimed update; the claim's transaction is held until its block ends."""

    @property
    def update(self) -> Pending:
        """The update to handle."""


class Inbox(Protocol):
    """The shared inbox: updates recorded once, claimed one person at a time, in order."""

    async def record(self, update_id: int, key: PersonKey, payload: str) -> bool:
        """Keep an update (False: a retry of one kept before); returns once committed."""

    def claim(self) -> AbstractAsyncContextManager[Claim | None]:
        """The next update nobody serves (None: nothing pending); every storage call of
        the block commits with its done mark, or is rolled back if the block raises."""

    async def failed(self, update_id: int, max_attempts: int) -> bool:
        """A claim's block raised: count it; True if the update was given up."""

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        """Until an update may have arrived, at most ``timeout`` seconds."""

    async def purge_done(self, older_than: timedelta) -> int:
        """Forget done updates older than ``older_than`` (past Telegram's retries)."""

    async def close(self) -> None:
        """Stop listening for arrivals."""


class SenderElection(Protocol):
    """The lock that makes one process the sender to Telegram."""

    async def try_acquire(self) -> bool:
        """Take the lock if free; False if another process holds it."""

    async def holding(self) -> bool:
        """Whether the lock is still ours (its connection alive)."""

    async def release(self) -> None:
        """Give the lock up."""


Owe = Callable[[PersonKey, Sequence[str]], Awaitable[int]]
PersonScope = Callable[[PersonKey], AbstractAsyncContextManager[None]]


@dataclass(frozen=True)
class SharedStore:
    """Storage's side of shared mode: the inbox, the sender's lock, owing replies outside a
    turn, and a transaction under a person's lock (for check-ins)."""

    inbox: Inbox
    sender_lock: SenderElection
    owe: Owe
    person_scope: PersonScope
