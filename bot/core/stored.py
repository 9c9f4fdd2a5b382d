"""What storage hands back about a person: the rows the engine's actions read and the
/mydata export. Kept here so actions read typed values without importing storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.keys import PersonKey
from bot.core.state import ConversationState


@dataclass(frozen=True)
class AchievementRow:
    """A stored win, with its row id."""

    id: int
    text: str
    at: datetime
    purpose_ref: str | None
    confidence: int | None
    prompted: bool


@dataclass(frozen=True)
class RatingRow:
    """A stored confidence rating, with its row id."""

    id: int
    value: int
    at: datetime
    context: str


@dataclass(frozen=True)
class PurposeRow:
    """A stored purpose, with when it was first and last written."""

    ref: str
    text: str
    theme: str
    details: dict[str, Any]
    active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AlertRow:
    """A request for staff to get in touch; ``shared`` is only what the person chose to share."""

    id: int
    reason: str
    shared: dict[str, str]
    created_at: datetime
    handled_at: datetime | None


@dataclass(frozen=True)
class PersonExport:
    """Everything stored about one person, for /mydata."""

    key: PersonKey
    created_at: datetime
    state: ConversationState
    purposes: list[PurposeRow] = field(default_factory=list)
    achievements: list[AchievementRow] = field(default_factory=list)
    ratings: list[RatingRow] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[AlertRow] = field(default_factory=list)
