"""Staff-report aggregates from PostgreSQL, computed in SQL (the ReportSource protocol).

The same figures as SQLite's source (bot/storage/sqlite/reports.py), query for query. The
people in scope and the days of the window are common table expressions put in front of
every query (PostgreSQL leaves out those a query does not name) rather than SQLite's TEMP
tables, since pooled connections are shared. It reads over the storage's own pool, so a
report runs beside the workers and sees only committed turns.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.storage.postgres.connection import Database, Row
from bot.storage.postgres.reports_sql import (
    ACTIVE,
    COHORT,
    COHORTS,
    CTES,
    DAILY,
    IN_COHORT,
    RATINGS,
    STARTED,
    STEPS,
    TENURE_PEOPLE,
    VARIANTS_SHOWN,
)
from bot.storage.reports import (
    DEMO_CHANNEL,
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

_CONTENT = ("story_shown", "opportunities_shown")
_NAME = re.compile(r"(?<!:):([a-z_]+)")


def _numbered(sql: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """``:name`` marks as ``$1, $2...`` and the values in that order."""
    order: list[str] = []

    def mark(match: re.Match[str]) -> str:
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    return _NAME.sub(mark, sql), [params[name] for name in order]


@dataclass
class _Started:
    """The flow_started pass: check-ins sent and signposts by day; check-ins by week k."""

    sent: dict[str, int] = field(default_factory=dict)
    signposts: dict[str, int] = field(default_factory=dict)
    by_k: dict[int, int] = field(default_factory=dict)


def _by_week(days: dict[str, int]) -> dict[str, int]:
    weeks: dict[str, int] = {}
    for day, n in days.items():
        moment = date.fromisoformat(day)
        week = (moment - timedelta(days=moment.weekday())).isoformat()
        weeks[week] = weeks.get(week, 0) + n
    return weeks


def _params(scope: ReportScope) -> dict[str, Any]:
    return {"start": to_text(scope.start), "end": to_text(scope.end), "demo": int(scope.demo),
            "delivery": scope.delivery_flow, "pause_flow": scope.pause_flow,
            "pause_step": scope.pause_step, "safety": scope.safety_flow,
            "cohort": scope.cohort, "mentor_flow": scope.mentor_flow,
            "matched_step": scope.matched_step, "message_step": scope.message_step}


class PostgresReportSource:
    """Anonymous aggregates over the storage's pool; ``open`` and ``close`` hold nothing."""

    has_cohorts = True

    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(self) -> None:
        """Nothing to open: the storage's pool is already open."""

    async def close(self) -> None:
        """Nothing to close: the pool belongs to the storage."""

    async def _rows(self, scope: ReportScope, sql: str) -> list[Row]:
        full = (CTES + sql).replace(COHORT, IN_COHORT if scope.cohort is not None
                                     else "TRUE")
        text, values = _numbered(full, _params(scope))
        return await self._db.fetch(text, *values)

    async def _counts(self, scope: ReportScope, sql: str) -> dict[Any, int]:
        rows = await self._rows(scope, sql)
        return {(r[0] if len(r) == 2 else tuple(r[:-1])): int(r[-1]) for r in rows}

    async def people_counts(self) -> tuple[int, int]:
        """(real people, demo people) stored."""
        found = await self._db.fetch(
            f"SELECT count(*) FILTER (WHERE channel = '{DEMO_CHANNEL}'), count(*) FROM people")
        return int(found[0][1]) - int(found[0][0]), int(found[0][0])

    async def cohort_names(self) -> list[str]:
        """Every cohort someone joined with, sorted."""
        found = await self._db.fetch("SELECT DISTINCT cohort FROM roles WHERE cohort IS NOT "
                                     "NULL ORDER BY cohort")
        return [str(r[0]) for r in found]

    async def _started_pass(self, scope: ReportScope) -> _Started:
        found = _Started()
        for day, flow, k, n in await self._rows(scope, STARTED):
            if flow == scope.delivery_flow:
                found.sent[day] = found.sent.get(day, 0) + n
                if k is not None:
                    found.by_k[int(k)] = found.by_k.get(int(k), 0) + n
            if flow == scope.safety_flow:
                found.signposts[day] = found.signposts.get(day, 0) + n
        return found

    async def weekly(self, scope: ReportScope) -> dict[str, dict[str, int]]:
        """measure -> week -> count."""
        measures = list(DAILY)
        daily, active, started = await asyncio.gather(
            asyncio.gather(*(self._counts(scope, DAILY[m]) for m in measures)),
            self._counts(scope, ACTIVE), self._started_pass(scope))
        found: dict[str, dict[str, int]] = dict(zip(measures, daily, strict=True))
        found["checkins_sent"], found["signposts"] = started.sent, started.signposts
        weekly = {m: _by_week(days) if m != "deletions" else days for m, days in found.items()}
        weekly["active"] = active
        return {m: weekly[m] for m in MEASURES}

    async def cohorts(self, scope: ReportScope) -> list[JoinCohort]:
        """People joined in the window by week, with how many still replied at k weeks."""
        return [JoinCohort(str(r[0]), int(r[1]),
                           {k: int(n or 0) for k, n in zip(RETENTION_WEEKS, r[2:], strict=True)})
                for r in await self._rows(scope, COHORTS)]

    async def steps(self, scope: ReportScope) -> list[StepCount]:
        """Views and answers of every question asked in the window."""
        views, answers = await asyncio.gather(
            self._counts(scope, STEPS.format("step_reached")),
            self._counts(scope, STEPS.format("step_answered")))
        return [StepCount(str(f), str(s), views.get((f, s), 0), answers.get((f, s), 0))
                for f, s in sorted(set(views) | set(answers))]

    async def tenure(self, scope: ReportScope) -> list[TenureWeek]:
        """Scheduled messages by week since joining, among people still replying then."""
        started, last = await asyncio.gather(self._started_pass(scope),
                                             self._counts(scope, TENURE_PEOPLE))
        return tenure_rows(started.by_k, last)

    async def content(self, scope: ReportScope) -> list[ContentCount]:
        """Stories and opportunities shown, by theme."""
        found = [ContentCount(str(k), str(t), int(n)) for name in _CONTENT
                 for k, t, n in await self._rows(scope, STEPS.format(name))]
        return sorted(found, key=lambda c: (c.kind, c.theme))

    async def confidence(self, scope: ReportScope, gap_days: int = 14) -> Confidence:
        """First and latest ratings of people with two at least ``gap_days`` apart."""
        found = await self._rows(scope, RATINGS)
        pairs = [(int(a), int(b)) for a, b, gap, n in found if n > 1 and gap >= gap_days]
        return Confidence(pairs, len(found), sum(1 for r in found if r[3] > 1))

    async def variants(self, scope: ReportScope) -> list[VariantCount]:
        """Shown, answered (a question's wording), followed by a win within 7 days."""
        shown, answered = await asyncio.gather(
            self._rows(scope, VARIANTS_SHOWN),
            self._counts(scope, STEPS.format("variant_answered")))
        found = []
        for flow, step, times, won in shown:
            name, _, index = str(step).rpartition("#")
            found.append(VariantCount(str(flow), name, int(index or 0), int(times),
                                      answered.get((flow, step), 0), int(won)))
        return sorted(found, key=lambda v: (v.flow, v.step, v.variant))
