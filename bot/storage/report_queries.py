"""The staff-report figures put together from SQL results, for every SQL backend.

SQLite (bot/storage/sqlite/reports.py) and PostgreSQL (bot/storage/postgres/reports.py)
ask the same questions in their own dialects; what they do with the answers (days folded
into weeks, rows into the report's types) is the same, so it is written once here. A
backend gives its statements as :class:`ReportQueries` and answers :meth:`QueryReports._rows`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.storage.reports import (
    MEASURES,
    RETENTION_WEEKS,
    Confidence,
    ContentCount,
    JoinCohort,
    ReportScope,
    StepCount,
    TenureWeek,
    VariantCount,
    tenure_rows,
)
from bot.storage.rows import to_text

CONTENT_EVENTS = ("story_shown", "opportunities_shown")


@dataclass(frozen=True)
class ReportQueries:
    """A backend's statements; ``steps`` has ``{}`` for the event name."""

    daily: Mapping[str, str]
    active: str
    started: str
    tenure_people: str
    cohorts: str
    steps: str
    ratings: str
    variants_shown: str


@dataclass
class StartedPass:
    """The one pass over flow_started: by day, check-ins sent and safety signposts; by
    week after joining, check-ins sent to people still replying then."""

    sent: dict[str, int] = field(default_factory=dict)
    signposts: dict[str, int] = field(default_factory=dict)
    by_k: dict[int, int] = field(default_factory=dict)


def report_params(scope: ReportScope) -> dict[str, Any]:
    """The named parameters every report statement may use."""
    return {"start": to_text(scope.start), "end": to_text(scope.end), "demo": int(scope.demo),
            "delivery": scope.delivery_flow, "pause_flow": scope.pause_flow,
            "pause_step": scope.pause_step, "safety": scope.safety_flow,
            "cohort": scope.cohort, "mentor_flow": scope.mentor_flow,
            "matched_step": scope.matched_step, "message_step": scope.message_step}


def by_week(days: Mapping[str, int]) -> dict[str, int]:
    """Fold counts by day (ISO date) into counts by week (its Monday)."""
    weeks: dict[str, int] = {}
    for day, n in days.items():
        moment = date.fromisoformat(day)
        week = (moment - timedelta(days=moment.weekday())).isoformat()
        weeks[week] = weeks.get(week, 0) + n
    return weeks


class QueryReports:
    """The ReportSource figures from a backend's :class:`ReportQueries` and ``_rows``."""

    queries: ReportQueries

    async def _rows(self, scope: ReportScope, sql: str) -> list[Any]:
        """The rows of ``sql`` for ``scope`` (the backend's own connection and dialect)."""
        raise NotImplementedError

    async def _counts(self, scope: ReportScope, sql: str) -> dict[Any, int]:
        """A query whose last column is a count, as {first columns: count}."""
        rows = await self._rows(scope, sql)
        return {(r[0] if len(r) == 2 else tuple(r[:-1])): int(r[-1]) for r in rows}

    async def _started_pass(self, scope: ReportScope) -> StartedPass:
        """Check-ins sent and signposts by day, and check-ins by week since joining."""
        found = StartedPass()
        for day, flow, k, n in await self._rows(scope, self.queries.started):
            if flow == scope.delivery_flow:
                found.sent[day] = found.sent.get(day, 0) + n
                if k is not None:
                    found.by_k[int(k)] = found.by_k.get(int(k), 0) + n
            if flow == scope.safety_flow:
                found.signposts[day] = found.signposts.get(day, 0) + n
        return found

    async def weekly(self, scope: ReportScope) -> dict[str, dict[str, int]]:
        """measure -> week -> count."""
        q = self.queries
        measures = list(q.daily)
        daily, active, started = await asyncio.gather(
            asyncio.gather(*(self._counts(scope, q.daily[m]) for m in measures)),
            self._counts(scope, q.active), self._started_pass(scope))
        found: dict[str, dict[str, int]] = dict(zip(measures, daily, strict=True))
        found["checkins_sent"], found["signposts"] = started.sent, started.signposts
        weekly = {m: by_week(days) if m != "deletions" else days for m, days in found.items()}
        weekly["active"] = active
        return {m: weekly[m] for m in MEASURES}

    async def cohorts(self, scope: ReportScope) -> list[JoinCohort]:
        """People joined in the window by week, with how many still replied at k weeks."""
        return [JoinCohort(str(r[0]), int(r[1]),
                           {k: int(n or 0) for k, n in zip(RETENTION_WEEKS, r[2:], strict=True)})
                for r in await self._rows(scope, self.queries.cohorts)]

    async def steps(self, scope: ReportScope) -> list[StepCount]:
        """Views and answers of every question asked in the window."""
        views, answers = await asyncio.gather(
            self._counts(scope, self.queries.steps.format("step_reached")),
            self._counts(scope, self.queries.steps.format("step_answered")))
        return [StepCount(str(f), str(s), views.get((f, s), 0), answers.get((f, s), 0))
                for f, s in sorted(set(views) | set(answers))]

    async def tenure(self, scope: ReportScope) -> list[TenureWeek]:
        """Scheduled messages by week since joining, among people still replying then."""
        started, last = await asyncio.gather(self._started_pass(scope),
                                             self._counts(scope, self.queries.tenure_people))
        return tenure_rows(started.by_k, last)

    async def content(self, scope: ReportScope) -> list[ContentCount]:
        """Stories and opportunities shown, by theme."""
        found = [ContentCount(str(k), str(t), int(n)) for name in CONTENT_EVENTS
                 for k, t, n in await self._rows(scope, self.queries.steps.format(name))]
        return sorted(found, key=lambda c: (c.kind, c.theme))

    async def confidence(self, scope: ReportScope, gap_days: int = 14) -> Confidence:
        """First and latest ratings of people with two at least ``gap_days`` apart."""
        found = await self._rows(scope, self.queries.ratings)
        pairs = [(int(a), int(b)) for a, b, gap, n in found if n > 1 and gap >= gap_days]
        return Confidence(pairs, len(found), sum(1 for r in found if r[3] > 1))

    async def variants(self, scope: ReportScope) -> list[VariantCount]:
        """Shown, answered (a question's wording), followed by a win within 7 days."""
        shown, answered = await asyncio.gather(
            self._rows(scope, self.queries.variants_shown),
            self._counts(scope, self.queries.steps.format("variant_answered")))
        found = []
        for flow, step, times, won in shown:
            name, _, index = str(step).rpartition("#")
            found.append(VariantCount(str(flow), name, int(index or 0), int(times),
                                      answered.get((flow, step), 0), int(won)))
        return sorted(found, key=lambda v: (v.flow, v.step, v.variant))
