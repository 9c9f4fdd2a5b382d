"""The storage interface every backend implements.

A person is addressed by a frozen :class:`PersonKey` (channel plus the channel's own id).
Channels never see SQL; the engine never sees storage; the service in between loads a
state, runs the engine and hands the result here as one :class:`TurnWrite`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.core.keys import PersonKey
from bot.core.owed import OwedReplies
from bot.core.records import Record
from bot.core.state import ConversationState
from bot.core.stored import AchievementRow, PersonExport, PurposeRow, RatingRow


@dataclass(frozen=True)
class TurnWrite:
    """Everything one turn changes, written atomically.

    ``state`` replaces the stored state; ``records`` are appended (purposes upserted by ref).
    """

    key: PersonKey
    state: ConversationState
    records: tuple[Record, ...] = ()
    at: datetime | None = None


@dataclass(frozen=True)
class ScheduledMessage:
    """One scheduled message: ``status`` is pending, claimed (being sent) or sent.

    ``payload`` holds instructions (which flow, why), never text a person typed.
    ``last_turn_at`` is when the person's state last changed, so the dispatcher can tell
    a conversation in progress from one left open days ago.
    """

    id: int
    key: PersonKey
    kind: str
    due_at: datetime
    status: str
    attempt: int
    payload: dict[str, Any]
    claimed_at: datetime | None = None
    last_turn_at: datetime | None = None


@dataclass(frozen=True)
class NextMessage:
    """A message to plan for a person, replacing their pending one of the same kind."""

    kind: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)


class StorageError(Exception):
    """A storage problem with a message fit to show an operator (no personal data)."""


class StorageLocked(StorageError):
    """Another process holds the database."""


class StorageCorrupt(StorageError):
    """The database file is damaged or is not a goodhelp database."""


class StorageReadOnly(StorageError):
    """The database file or its folder cannot be written."""


class PersonStore(Protocol):
    """A person's conversation state and everything kept about them, turn by turn."""

    async def open(self) -> None:
        """Open, check integrity, apply migrations."""

    async def close(self) -> None:
        """Flush pending writes and close."""

    async def load(self, key: PersonKey) -> ConversationState | None:
        """The person's state, or None if they have never written."""

    async def commit_turn(self, write: TurnWrite) -> None:
        """Write one turn. Returns only once it is durable (committed)."""

    async def delete_person(self, key: PersonKey) -> bool:
        """Erase everything about the person. True if there was anything."""

    async def export_person(self, key: PersonKey) -> PersonExport | None:
        """Everything stored about the person."""


class RecordReader(Protocol):
    """The person's records, read back for actions and the dispatcher."""

    async def achievements(self, key: PersonKey, limit: int | None = None) -> list[AchievementRow]:
        """Newest first."""

    async def ratings(self, key: PersonKey, limit: int | None = None) -> list[RatingRow]:
        """Newest first."""

    async def purposes(self, key: PersonKey) -> list[PurposeRow]:
        """Active first, then newest first."""


class ScheduleStore(Protocol):
    """Scheduled messages (migration 0003). One pending message per person and kind."""

    async def schedule(self, key: PersonKey, message: NextMessage) -> bool:
        """Replace the person's pending message of this kind. False if the person is unknown."""

    async def unschedule(self, key: PersonKey, kind: str) -> int:
        """Drop the person's pending messages of this kind; return how many."""

    async def scheduled(self, key: PersonKey) -> list[ScheduledMessage]:
        """The person's pending and claimed messages, soonest first."""

    async def claim_due(self, now: datetime, limit: int,
                        worker: str = "") -> list[ScheduledMessage]:
        """In one transaction, mark up to ``limit`` pending messages due by ``now`` as
        claimed by ``worker`` (attempt + 1) and return them, earliest due first."""

    async def finish_scheduled(self, message_id: int, sent_at: datetime,
                               next_message: NextMessage | None = None) -> None:
        """Mark a claimed message sent and, in the same transaction, plan the next one."""

    async def reschedule(self, message_id: int, due_at: datetime) -> None:
        """Put a claimed message back as pending at ``due_at`` (dropped if a newer plan for
        the same person and kind already exists)."""

    async def drop_scheduled(self, message_id: int) -> None:
        """Forget a claimed message that must not be sent (the person paused, for example)."""

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending message falls due, for a scheduler deciding when to wake."""

    async def release_claims(self, worker: str | None = "",
                             stale_before: datetime | None = None) -> int:
        """Claims made by ``worker`` become pending again (after its restart), and anyone's
        claims made before ``stale_before`` (a worker that died; None: none of those);
        ``worker`` None releases only those. How many."""


class ReachabilityStore(Protocol):
    """Delivery (migration 0004). Someone who blocked the bot is unreachable until they
    write again; scheduled messages skip them meanwhile."""

    async def set_reachable(self, key: PersonKey, reachable: bool) -> bool:
        """Mark (False) or clear (True); True if anything changed. Unknown people: no-op."""

    async def is_reachable(self, key: PersonKey) -> bool:
        """False only for a known person marked unreachable."""


class Outbox(OwedReplies, Protocol):
    """Replies owed to people, kept until the channel confirms them (migration 0005)."""

    async def add_with_turn(self, write: TurnWrite, payloads: Sequence[str]) -> list[str]:
        """Commit the turn and its owed replies in ONE transaction; their refs, in order."""


class Storage(PersonStore, RecordReader, Protocol):
    """What the service needs from a backend: conversation state and records itself, and
    each other role as an object of its own (so each is built and tested on its own).
    All methods are safe to call concurrently."""

    @property
    def schedules(self) -> ScheduleStore:
        """The schedule queue (check-ins and other planned messages)."""

    @property
    def outbox(self) -> Outbox:
        """Replies owed to people, committed with their turn."""

    @property
    def reachability(self) -> ReachabilityStore:
        """Who blocked the bot."""
