"""The memory backend's own rows, one person's everything on one object.

Their fields are in the order of SQLite's SELECTs so the shared decoders in
:mod:`bot.storage.rows` read both; times are the same ISO text. Everything about a
person hangs off their :class:`Person`, so forgetting the person forgets it all, as
SQLite's cascade does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from bot.core.schedule import EMPTY, ScheduleState


class AchievementEntry(NamedTuple):
    """A win, as SQLite's achievements row."""

    id: int
    text: str
    at: str
    purpose_ref: str | None
    confidence: int | None
    prompted: int


class RatingEntry(NamedTuple):
    """A confidence rating, as SQLite's ratings row."""

    id: int
    value: int
    at: str
    context: str


class EventEntry(NamedTuple):
    """A flow event (started, finished...), as SQLite's events row."""

    id: int
    name: str
    flow: str
    step: str
    at: str


class AlertEntry(NamedTuple):
    """A staff alert, as SQLite's alerts row."""

    id: int
    reason: str
    shared_json: str
    created_at: str
    handled_at: str | None


@dataclass
class PurposeEntry:
    """A purpose, upserted by ref as SQLite's purposes row."""

    id: int
    ref: str
    text: str
    theme: str
    details_json: str
    active: int
    created_at: str
    updated_at: str

    def row(self) -> tuple[str, str, str, str, int, str, str]:
        """The fields in the order of SQLite's purposes SELECT, for the shared decoder."""
        return (
            self.ref,
            self.text,
            self.theme,
            self.details_json,
            self.active,
            self.created_at,
            self.updated_at,
        )


@dataclass
class ScheduledEntry:
    """A scheduled message (pending, claimed or sent), as SQLite's row."""

    id: int
    kind: str
    due_at: str
    status: str
    payload_json: str
    attempt: int = 0
    claimed_at: str | None = None
    claimed_by: str = ""
    sent_at: str | None = None


@dataclass
class OwedEntry:
    """One reply owed to the person (the outbox's row); ``seq`` orders them."""

    seq: int
    ref: str
    payload: str
    due_at: str
    attempt: int = 0


@dataclass
class Person:
    """Everything kept about one person; dropping it drops it all."""

    id: int
    created_at: str
    state_json: str = ""  # without the scheduling state, as SQLite's conversation_state
    schedule: ScheduleState = EMPTY  # as SQLite's schedules row
    purposes: dict[str, PurposeEntry] = field(default_factory=dict)
    achievements: list[AchievementEntry] = field(default_factory=list)
    ratings: list[RatingEntry] = field(default_factory=list)
    events: list[EventEntry] = field(default_factory=list)
    alerts: list[AlertEntry] = field(default_factory=list)
    updated_at: str = ""
    scheduled: list[ScheduledEntry] = field(default_factory=list)
    owed: list[OwedEntry] = field(default_factory=list)
