"""Staff-report aggregates from PostgreSQL, computed in SQL (the ReportSource protocol).

The same figures as SQLite's source (bot/storage/sqlite/reports.py), query for query. The
people in scope and the days of the window are common table expressions put in front of
every query (PostgreSQL leaves out those a query does not name) rather than SQLite's TEMP
tables, since pooled connections are shared. It reads over the storage's own pool, so a
report runs beside the workers and sees only committed turns.
"""

from __future__ import annotations

import re
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
from bot.storage.report_queries import QueryReports, ReportQueries, report_params
from bot.storage.reports import (
    DEMO_CHANNEL,
    ReportScope,
)

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


_QUERIES = ReportQueries(daily=DAILY, active=ACTIVE, started=STARTED,
                         tenure_people=TENURE_PEOPLE, cohorts=COHORTS, steps=STEPS,
                         ratings=RATINGS, variants_shown=VARIANTS_SHOWN)


class PostgresReportSource(QueryReports):
    """Anonymous aggregates over the storage's pool; ``open`` and ``close`` hold nothing."""

    has_cohorts = True
    queries = _QUERIES

    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(self) -> None:
        """Nothing to open: the storage's pool is already open."""

    async def close(self) -> None:
        """Nothing to close: the pool belongs to the storage."""

    async def _rows(self, scope: ReportScope, sql: str) -> list[Row]:
        full = (CTES + sql).replace(COHORT, IN_COHORT if scope.cohort is not None
                                     else "TRUE")
        text, values = _numbered(full, report_params(scope))
        return await self._db.fetch(text, *values)

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
