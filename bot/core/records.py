"""Facts a turn produces that are kept apart from the conversation state.

The engine emits them; a storage backend writes each kind to its own table in the
same transaction as the new state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Achievement:
    """A win the person logged, in their own words."""

    text: str
    at: datetime
    purpose_ref: str | None = None
    confidence: int | None = None
    prompted: bool = False  # logged in reply to a scheduled prompt


@dataclass(frozen=True)
class Rating:
    """A 1-10 confidence rating with when and where it was given."""

    value: int
    at: datetime
    context: str = ""


@dataclass(frozen=True)
class Purpose:
    """What matters to the person, in their own words. Upserted by ``ref``."""

    ref: str
    text: str
    at: datetime
    theme: str = "other"
    details: dict[str, Any] = field(default_factory=dict)
    active: bool = True


@dataclass(frozen=True)
class FlowEvent:
    """Anonymous engagement: flow started, step reached, flow finished or abandoned.

    Carries no text the person typed, so staff reports can be built from it.
    """

    name: str
    flow: str
    step: str
    at: datetime


@dataclass(frozen=True)
class Alert:
    """A request for someone from the programme to get in touch, made with the person's
    explicit yes. ``shared`` holds only what they chose to pass on (it may be empty)."""

    reason: str
    at: datetime
    shared: dict[str, str] = field(default_factory=dict)


Record = Achievement | Rating | Purpose | FlowEvent | Alert
