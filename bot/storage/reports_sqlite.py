"""Staff-report aggregates from a SQLite file, computed in SQL.

It opens its own read-only connection (``mode=ro``) and takes no process lock, so staff
can run a report while the bot is running: with WAL a reader never blocks the writer and
sees only committed turns. The people in scope are gathered once per scope into a TEMP
table (the temp database is private to this connection, so read-only is kept).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.storage.base import StorageError
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
)
from bot.storage.rows import to_text

T = TypeVar("T")
WEEK = "date({}, 'weekday 0', '-6 days')"
_IN = "person_id IN (SELECT id FROM rp)"
_WINDOW = "{0} >= :start AND {0} < :end"

# The people in scope: consented, demo or real, joined before the end. last_k is the
# last week after joining in which they replied (NULL: never replied).
_PEOPLE = f"""
CREATE TEMP TABLE rp AS
SELECT id, joined, week, last_reply,
       CAST((julianday(last_reply) - julianday(joined)) / 7 AS INTEGER) AS last_k
FROM (SELECT p.id AS id, p.created_at AS joined, {WEEK.format('p.created_at')} AS week,
             (SELECT max(e.at) FROM events e WHERE e.name = 'step_answered'
              AND e.person_id = p.id AND e.at < :end) AS last_reply
      FROM people p JOIN conversation_state s ON s.person_id = p.id
      WHERE json_extract(s.state_json, '$.vars.consent') = 'yes'
        AND (p.channel = '{DEMO_CHANNEL}') = :demo AND p.created_at < :end)
"""

_WEEKLY = {
    "new": "SELECT week, count(*) FROM rp WHERE joined >= :start GROUP BY week",
    "active": f"SELECT {WEEK.format('at')} w, count(DISTINCT person_id) FROM events "
              f"WHERE name = 'step_answered' AND {_WINDOW.format('at')} AND {_IN} GROUP BY w",
    "wins": f"SELECT {WEEK.format('at')} w, count(*) FROM achievements "
            f"WHERE {_WINDOW.format('at')} AND {_IN} GROUP BY w",
    # The bot opening its delivery flow is a check-in sent (the scheduled_messages table
    # keeps only each person's last few sent rows).
    "checkins_sent": f"SELECT {WEEK.format('at')} w, count(*) FROM events "
                     "WHERE name = 'flow_started' AND flow = :delivery "
                     f"AND {_WINDOW.format('at')} AND {_IN} GROUP BY w",
    # Once per person and day: the reply to a scheduled invitation.
    "checkins_answered": f"SELECT {WEEK.format('at')} w, "
                         "count(DISTINCT person_id || substr(at, 1, 10)) FROM events "
                         "WHERE name = 'step_answered' AND flow = :delivery "
                         f"AND {_WINDOW.format('at')} AND {_IN} GROUP BY w",
    "pauses": f"SELECT {WEEK.format('at')} w, count(*) FROM events WHERE name = 'flow_finished' "
              f"AND flow = :pause_flow AND step = :pause_step AND {_WINDOW.format('at')} "
              f"AND {_IN} GROUP BY w",
    "signposts": f"SELECT {WEEK.format('at')} w, count(*) FROM events "
                 f"WHERE name = 'flow_started' AND flow = :safety AND {_WINDOW.format('at')} "
                 f"AND {_IN} GROUP BY w",
    # A refusal keeps only the state (consent "declined"), dated by the reset row.
    "optouts": f"SELECT {WEEK.format('p.created_at')} w, count(*) FROM people p "
               "JOIN conversation_state s ON s.person_id = p.id "
               "WHERE json_extract(s.state_json, '$.vars.consent') = 'declined' "
               f"AND (p.channel = '{DEMO_CHANNEL}') = :demo "
               f"AND {_WINDOW.format('p.created_at')} GROUP BY w",
    "deletions": "SELECT week, people FROM deletions WHERE demo = :demo "
                 f"AND week >= {WEEK.format(':start')} AND week < :end",
}

_COHORTS = "SELECT week, count(*), " + ", ".join(
    f"sum(julianday(last_reply) - julianday(joined) >= {7 * k})" for k in RETENTION_WEEKS
) + " FROM rp WHERE joined >= :start GROUP BY week ORDER BY week"

_STEPS = f"""SELECT flow, step, sum(name = 'step_reached'), sum(name = 'step_answered')
FROM events WHERE name IN ('step_reached', 'step_answered') AND {_WINDOW.format('at')}
AND {_IN} GROUP BY flow, step ORDER BY flow, step"""

_TENURE_MESSAGES = """SELECT CAST((julianday(e.at) - julianday(rp.joined)) / 7 AS INTEGER)
       AS k, count(*) FROM events e JOIN rp ON rp.id = e.person_id
WHERE e.name = 'flow_started' AND e.flow = :delivery AND rp.joined >= :start
  AND e.at < :end AND k <= rp.last_k
GROUP BY k"""
_TENURE_PEOPLE = ("SELECT last_k, count(*) FROM rp WHERE joined >= :start "
                  "AND last_k IS NOT NULL GROUP BY last_k")

_CONTENT = f"""SELECT flow, step, count(*) FROM events
WHERE name IN ('story_shown', 'opportunities_shown') AND {_WINDOW.format('at')} AND {_IN}
GROUP BY flow, step ORDER BY flow, step"""

_RATINGS = f"""WITH r AS (
  SELECT person_id, value, at,
         row_number() OVER (PARTITION BY person_id ORDER BY at, id) AS first_n,
         row_number() OVER (PARTITION BY person_id ORDER BY at DESC, id DESC) AS last_n
  FROM ratings WHERE {_WINDOW.format('at')} AND {_IN})
SELECT f.value, l.value, julianday(l.at) - julianday(f.at), f.first_n = l.first_n
FROM r f JOIN r l ON l.person_id = f.person_id AND l.last_n = 1 WHERE f.first_n = 1"""

_VARIANTS = f"""SELECT v.flow, v.step, count(*),
  sum(EXISTS (SELECT 1 FROM events a WHERE a.name = 'step_answered'
      AND a.person_id = v.person_id AND a.at >= v.at
      AND a.at < strftime('%Y-%m-%dT%H:%M:%S', v.at, '+2 days') AND a.flow = v.flow)),
  sum(EXISTS (SELECT 1 FROM achievements w WHERE w.person_id = v.person_id
      AND w.at >= v.at AND w.at < strftime('%Y-%m-%dT%H:%M:%S', v.at, '+7 days')))
FROM events v WHERE v.name = 'variant_shown' AND {_WINDOW.format('v.at')}
AND v.person_id IN (SELECT id FROM rp) GROUP BY v.flow, v.step ORDER BY v.flow, v.step"""


class SQLiteReportSource:
    """Read-only aggregates over a goodhelp SQLite file. ``open()`` first, ``close()`` after."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).absolute()
        self._conn: sqlite3.Connection | None = None
        self._scope: ReportScope | None = None
        self._lock = asyncio.Lock()  # one query at a time on the one connection

    async def open(self) -> None:
        """Open the file read-only; StorageError if it is missing or not a goodhelp file."""
        if not self.path.is_file():
            raise StorageError(f"{self.path}: no such database file")
        try:
            conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True,
                                   check_same_thread=False, timeout=5.0)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: cannot read this database "
                               f"({type(exc).__name__})") from exc
        if not {"people", "events", "deletions"} <= tables:
            conn.close()
            raise StorageError(f"{self.path}: not a goodhelp database of this version "
                               "(run the bot or `goodhelp chat` on it once to upgrade it)")
        self._conn = conn

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def _run(self, scope: ReportScope | None, work: Callable[[sqlite3.Connection,
                   dict[str, Any]], T]) -> T:
        async with self._lock:
            conn = self._conn
            if conn is None:
                raise StorageError(f"{self.path}: report source is not open")
            params = _params(scope) if scope is not None else {}

            def job() -> T:
                if scope is not None and scope != self._scope:
                    conn.execute("DROP TABLE IF EXISTS temp.rp")
                    conn.execute(_PEOPLE, params)
                    conn.execute("CREATE INDEX temp.rp_id ON rp (id)")
                    self._scope = scope
                return work(conn, params)

            try:
                return await asyncio.to_thread(job)
            except sqlite3.Error as exc:
                raise StorageError(f"{self.path}: report query failed "
                                   f"({type(exc).__name__})") from exc

    async def people_counts(self) -> tuple[int, int]:
        """(real people, demo people) stored."""
        def work(conn: sqlite3.Connection, _: dict[str, Any]) -> tuple[int, int]:
            demo, total = conn.execute(
                f"SELECT coalesce(sum(channel = '{DEMO_CHANNEL}'), 0), count(*) FROM people"
            ).fetchone()
            return int(total) - int(demo), int(demo)
        return await self._run(None, work)

    async def weekly(self, scope: ReportScope) -> dict[str, dict[str, int]]:
        """measure -> week -> count."""
        def work(conn: sqlite3.Connection, params: dict[str, Any]) -> dict[str, dict[str, int]]:
            return {m: {str(w): int(n) for w, n in conn.execute(_WEEKLY[m], params)}
                    for m in MEASURES}
        return await self._run(scope, work)

    async def cohorts(self, scope: ReportScope) -> list[JoinCohort]:
        """People joined in the window by week, with how many still replied at k weeks."""
        def work(conn: sqlite3.Connection, params: dict[str, Any]) -> list[JoinCohort]:
            return [JoinCohort(str(r[0]), int(r[1]),
                               {k: int(n or 0) for k, n in zip(RETENTION_WEEKS, r[2:],
                                                               strict=True)})
                    for r in conn.execute(_COHORTS, params)]
        return await self._run(scope, work)

    async def steps(self, scope: ReportScope) -> list[StepCount]:
        """Views and answers of every question asked in the window."""
        def work(conn: sqlite3.Connection, params: dict[str, Any]) -> list[StepCount]:
            return [StepCount(str(f), str(s), int(v), int(a))
                    for f, s, v, a in conn.execute(_STEPS, params)]
        return await self._run(scope, work)

    async def tenure(self, scope: ReportScope) -> list[TenureWeek]:
        """Scheduled messages by week since joining, among people still replying then."""
        def work(conn: sqlite3.Connection, params: dict[str, Any]) -> list[TenureWeek]:
            messages = {int(k): int(n) for k, n in conn.execute(_TENURE_MESSAGES, params)}
            last = {int(k): int(n) for k, n in conn.execute(_TENURE_PEOPLE, params)}
            return tenure_rows(messages, last)
        return await self._run(scope, work)

    async def content(self, scope: ReportScope) -> list[ContentCount]:
        """Stories and opportunities shown, by theme."""
        def work(conn: sqlite3.Connection, params: dict[str, Any]) -> list[ContentCount]:
            return [ContentCount(str(k), str(t), int(n))
                    for k, t, n in conn.execute(_CONTENT, params)]
        return await self._run(scope, work)

    async def confidence(self, scope: ReportScope, gap_days: int = 14) -> Confidence:
        """First and latest ratings of people with two at least ``gap_days`` apart."""
        def work(conn: sqlite3.Connection, params: dict[str, Any]) -> Confidence:
            found = conn.execute(_RATINGS, params).fetchall()
            pairs = [(int(a), int(b)) for a, b, gap, same in found
                     if not same and gap >= gap_days]
            return Confidence(pairs, len(found), sum(1 for r in found if not r[3]))
        return await self._run(scope, work)

    async def variants(self, scope: ReportScope) -> list[VariantCount]:
        """Shown, replied to within 2 days, followed by a win within 7, per variant."""
        def work(conn: sqlite3.Connection, params: dict[str, Any]) -> list[VariantCount]:
            found = []
            for flow, step, shown, replied, won in conn.execute(_VARIANTS, params):
                name, _, index = str(step).rpartition("#")
                found.append(VariantCount(str(flow), name, int(index or 0), int(shown),
                                          int(replied), int(won)))
            return found
        return await self._run(scope, work)


def _params(scope: ReportScope) -> dict[str, Any]:
    return {"start": to_text(scope.start), "end": to_text(scope.end), "demo": int(scope.demo),
            "delivery": scope.delivery_flow, "pause_flow": scope.pause_flow,
            "pause_step": scope.pause_step, "safety": scope.safety_flow}


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
