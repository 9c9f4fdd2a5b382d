"""What staff reports read from storage: anonymous aggregates, never a person.

Every backend answers the same small :class:`ReportSource` protocol, so the report code
never holds SQL. Nothing returned here names a person: no ids, no names, no text they
typed, only counts by week (the Monday, UTC) and, for the paired confidence figures,
anonymous (first, latest) rating pairs.

Who counts: people who said yes to the privacy note (people who declined appear only in
the opt-out count; people who deleted themselves only in the deletion count). Demo people
(channel ``demo``, made by ``goodhelp demo-data``) and real people are never mixed:
``ReportScope.demo`` picks one or the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

DEMO_CHANNEL = "demo"
# The weekly measures every backend returns (measure -> week -> count).
MEASURES = ("new", "active", "wins", "checkins_sent", "checkins_answered", "pauses",
            "optouts", "deletions", "signposts", "mentor_matches", "mentor_messages")
RETENTION_WEEKS = (4, 8, 12)


@dataclass(frozen=True)
class ReportScope:
    """Which people and which time: [start, end), demo people or real ones.

    ``cohort``: only people who joined with that cohort (from their invitation); None:
    everyone. The flow and step names say which recorded events mean a scheduled check-in, a pause
    and a safety signpost; they match the shipped flows.
    """

    start: datetime
    end: datetime
    demo: bool = False
    cohort: str | None = None
    delivery_flow: str = "nudge"
    pause_flow: str = "pause"
    pause_step: str = "paused"
    safety_flow: str = "safety"
    # Peer mentoring (flows/relayed.yaml): a person told they have a mentor (the flow
    # finishing at matched_step), and a mentor's message shown to a person (message_step
    # reached; only messages that passed the bot's checks get there).
    mentor_flow: str = "relayed"
    matched_step: str = "matched"
    message_step: str = "to_person"


@dataclass(frozen=True)
class JoinCohort:
    """People who joined in one week, and how many still replied k weeks after joining."""

    week: str
    joined: int
    retained: dict[int, int] = field(default_factory=dict)  # k -> people


@dataclass(frozen=True)
class StepCount:
    """How often a question was asked (views) and answered, across everyone."""

    flow: str
    step: str
    views: int
    answers: int


@dataclass(frozen=True)
class TenureWeek:
    """Scheduled messages sent in the k-th week after joining, and to how many people."""

    weeks: int
    messages: int
    people: int


@dataclass(frozen=True)
class ContentCount:
    """How often stories or opportunities of one theme were shown."""

    kind: str  # "story" or "opportunities"
    theme: str
    shown: int


@dataclass(frozen=True)
class Confidence:
    """Anonymous first-and-latest rating pairs (at least ``gap_days`` apart), and how many
    people rated at all and at least twice, so the report can say who is missing."""

    pairs: list[tuple[int, int]]
    rated: int
    rated_twice: int


@dataclass(frozen=True)
class VariantCount:
    """One wording of a flow's text: times shown, times answered (for a question: the
    person answered it in that wording), times followed by a win within seven days."""

    flow: str
    step: str
    variant: int
    shown: int
    replied: int
    won: int


class ReportSource(Protocol):
    """Anonymous aggregates for staff reports, computed by the backend."""

    async def open(self) -> None:
        """Get ready to read (a connection of its own for SQLite)."""

    async def close(self) -> None:
        """Let go of what ``open`` took."""

    async def people_counts(self) -> tuple[int, int]:
        """(real people, demo people) stored, whatever their consent."""

    async def cohort_names(self) -> list[str]:
        """Every cohort someone joined with (from an invitation), sorted."""

    async def weekly(self, scope: ReportScope) -> dict[str, dict[str, int]]:
        """measure (one of MEASURES) -> week -> count."""

    async def cohorts(self, scope: ReportScope) -> list[JoinCohort]:
        """People who joined in the window, by week, with retention at RETENTION_WEEKS."""

    async def steps(self, scope: ReportScope) -> list[StepCount]:
        """Every question asked in the window, with views and answers."""

    async def tenure(self, scope: ReportScope) -> list[TenureWeek]:
        """For people who joined in the window and were still replying in their k-th week:
        scheduled messages they were sent in that week, and how many they were."""

    async def content(self, scope: ReportScope) -> list[ContentCount]:
        """Stories and opportunities shown, by theme."""

    async def confidence(self, scope: ReportScope, gap_days: int = 14) -> Confidence:
        """First and latest rating in the window of everyone with two ratings at least
        ``gap_days`` apart."""

    async def variants(self, scope: ReportScope) -> list[VariantCount]:
        """What followed each wording of flow text with several variants."""


def tenure_rows(messages: dict[int, int], last_k: dict[int, int]) -> list[TenureWeek]:
    """Join message counts by week k with the people still replying at k (last_k >= k)."""
    if not last_k:
        return []
    top = max(last_k)
    rows = []
    still = 0
    for k in range(top, -1, -1):
        still += last_k.get(k, 0)
        rows.append(TenureWeek(k, messages.get(k, 0), still))
    return rows[::-1]
