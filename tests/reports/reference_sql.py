"""The report SQL as it was before it was made faster (kept verbatim as the reference the
faster SQL must match figure for figure; see test_faster_sql.py). Not used by the bot."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.storage.base import StorageError
from bot.storage.report_queries import by_week as _by_week
from bot.storage.report_queries import report_params as _params
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

T = TypeVar("T")
WEEK = "date({}, 'weekday 0', '-6 days')"
_IN = "person_id IN (SELECT id FROM rp)"
_WINDOW = "{0} >= :start AND {0} < :end"

# The people in scope: consented, demo or real, joined before the end. last_k is the
# last week after joining in which they replied (NULL: never replied). Every events query
# below names one event name, so it reads only the covering index events_report (name,
# person_id, at, flow, step): no table lookups, and rows come in person order.
_PEOPLE = (
    "CREATE TEMP TABLE rp (id INTEGER PRIMARY KEY, joined TEXT, week TEXT, last_reply TEXT, "
    "last_k INTEGER)",
    f"""INSERT INTO rp
SELECT id, joined, week, last_reply,
       CAST((julianday(last_reply) - julianday(joined)) / 7 AS INTEGER)
FROM (SELECT p.id AS id, p.created_at AS joined, {WEEK.format('p.created_at')} AS week,
             (SELECT max(e.at) FROM events e WHERE e.name = 'step_answered'
              AND e.person_id = p.id AND e.at < :end) AS last_reply
      FROM people p JOIN conversation_state s ON s.person_id = p.id
      WHERE json_extract(s.state_json, '$.vars.consent') = 'yes'
        AND (p.channel = '{DEMO_CHANNEL}') = :demo AND p.created_at < :end)""",
)
# Counting by day is a cheap text prefix; days are folded into weeks afterwards (exact for
# counts; for distinct people the (person, day) pairs are joined to their week in SQL).
DAY = "substr({}, 1, 10)"
# (+e.at: never the time index, which would read the table row by row.)
_EV = ("FROM events e JOIN rp ON rp.id = e.person_id WHERE e.name = '{}' "
       "AND +e.at >= :start AND +e.at < :end")

_DAILY = {
    "new": f"SELECT {DAY.format('joined')} d, count(*) FROM rp WHERE joined >= :start "
           "GROUP BY d",
    "wins": f"SELECT {DAY.format('at')} d, count(*) FROM achievements "
            f"WHERE {_WINDOW.format('at')} AND {_IN} GROUP BY d",
    # Once per person and day: the reply to a scheduled invitation.
    "checkins_answered": f"SELECT d, count(*) FROM (SELECT DISTINCT e.person_id, "
                         f"{DAY.format('e.at')} AS d {_EV.format('step_answered')} "
                         "AND e.flow = :delivery) GROUP BY d",
    # The bot opening its delivery flow is a check-in sent (the scheduled_messages table
    # keeps only each person's last few sent rows).
    "checkins_sent": f"SELECT {DAY.format('e.at')} d, count(*) {_EV.format('flow_started')} "
                     "AND e.flow = :delivery GROUP BY d",
    "pauses": f"SELECT {DAY.format('e.at')} d, count(*) {_EV.format('flow_finished')} "
              "AND e.flow = :pause_flow AND e.step = :pause_step GROUP BY d",
    "signposts": f"SELECT {DAY.format('e.at')} d, count(*) {_EV.format('flow_started')} "
                 "AND e.flow = :safety GROUP BY d",
    # A refusal keeps only the state (consent "declined"), dated by the reset row.
    "optouts": f"SELECT {DAY.format('p.created_at')} d, count(*) FROM people p "
               "JOIN conversation_state s ON s.person_id = p.id "
               "WHERE json_extract(s.state_json, '$.vars.consent') = 'declined' "
               f"AND (p.channel = '{DEMO_CHANNEL}') = :demo "
               f"AND {_WINDOW.format('p.created_at')} GROUP BY d",
    # (Added with peer mentoring, after this SQL was replaced: the same plain query.)
    "mentor_matches": f"SELECT {DAY.format('e.at')} d, count(*) {_EV.format('flow_finished')} "
                      "AND e.flow = :mentor_flow AND e.step = :matched_step GROUP BY d",
    "mentor_messages": f"SELECT {DAY.format('e.at')} d, count(*) {_EV.format('step_reached')} "
                       "AND e.flow = :mentor_flow AND e.step = :message_step GROUP BY d",
    "deletions": "SELECT week, people FROM deletions WHERE demo = :demo "
                 f"AND week >= {WEEK.format(':start')} AND week < :end",
}
# Distinct people a week: (person, day) pairs, each day joined to its week.
_ACTIVE = (
    "CREATE TEMP TABLE IF NOT EXISTS days (day TEXT PRIMARY KEY, week TEXT) WITHOUT ROWID",
    "DELETE FROM days",
    f"""WITH RECURSIVE d(day) AS (SELECT date(:start) UNION ALL
        SELECT date(day, '+1 day') FROM d WHERE day < date(:end))
    INSERT INTO days SELECT day, {WEEK.format('day')} FROM d""",
)
_ACTIVE_QUERY = f"""SELECT days.week, count(DISTINCT x.person_id) FROM
  (SELECT DISTINCT e.person_id, {DAY.format('e.at')} AS d {_EV.format('step_answered')}) x
  JOIN days ON days.day = x.d GROUP BY days.week"""

_COHORTS = "SELECT week, count(*), " + ", ".join(
    f"sum(julianday(last_reply) - julianday(joined) >= {7 * k})" for k in RETENTION_WEEKS
) + " FROM rp WHERE joined >= :start GROUP BY week ORDER BY week"

_STEPS = (f"SELECT e.flow, e.step, count(*) {_EV.format('{}')} GROUP BY e.flow, e.step")

_TENURE_MESSAGES = f"""SELECT CAST((julianday(e.at) - julianday(rp.joined)) / 7 AS INTEGER)
       AS k, count(*) {_EV.format('flow_started')} AND e.flow = :delivery
  AND rp.joined >= :start AND k <= rp.last_k
GROUP BY k"""
_TENURE_PEOPLE = ("SELECT last_k, count(*) FROM rp WHERE joined >= :start "
                  "AND last_k IS NOT NULL GROUP BY last_k")

# Each person's first and latest rating in the window, read in index order (person, at):
# the bare value column comes from the row holding the min (or max).
_RATINGS = f"""SELECT f.value, l.value, julianday(l.at) - julianday(f.at), f.n FROM
  (SELECT person_id, min(at) AS at, value, count(*) AS n FROM ratings
   WHERE {_WINDOW.format('at')} AND {_IN} GROUP BY person_id) f
  JOIN (SELECT person_id, max(at) AS at, value FROM ratings
   WHERE {_WINDOW.format('at')} AND {_IN} GROUP BY person_id) l USING (person_id)"""

# For each wording shown, whether a win followed within 7 days (one index seek each).
_VARIANT_WINS = f"""SELECT e.flow, e.step, count(*) {_EV.format('variant_shown')}
  AND EXISTS (SELECT 1 FROM achievements w WHERE w.person_id = e.person_id
              AND w.at >= e.at AND w.at < strftime('%Y-%m-%dT%H:%M:%S', e.at, '+7 days'))
GROUP BY e.flow, e.step"""


class ReferenceReportSource:
    """The pre-speed-up SQLite report source, for comparison only."""

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
                    for statement in _PEOPLE:
                        conn.execute(statement, params)
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
            found = {m: {str(d): int(n) for d, n in conn.execute(sql, params)}
                     for m, sql in _DAILY.items()}
            weekly = {m: _by_week(days) if m != "deletions" else days
                      for m, days in found.items()}
            for statement in _ACTIVE:
                conn.execute(statement, params)
            weekly["active"] = {str(w): int(n) for w, n in conn.execute(_ACTIVE_QUERY, params)}
            return {m: weekly[m] for m in MEASURES}
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
            views = {(f, s): n for f, s, n in conn.execute(_STEPS.format("step_reached"), params)}
            answers = {(f, s): n for f, s, n in conn.execute(_STEPS.format("step_answered"),
                                                             params)}
            return [StepCount(str(f), str(s), int(views.get((f, s), 0)),
                              int(answers.get((f, s), 0)))
                    for f, s in sorted(set(views) | set(answers))]
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
            found = [ContentCount(str(k), str(t), int(n)) for name in _CONTENT
                     for k, t, n in conn.execute(_STEPS.format(name), params)]
            return sorted(found, key=lambda c: (c.kind, c.theme))
        return await self._run(scope, work)

    async def confidence(self, scope: ReportScope, gap_days: int = 14) -> Confidence:
        """First and latest ratings of people with two at least ``gap_days`` apart."""
        def work(conn: sqlite3.Connection, params: dict[str, Any]) -> Confidence:
            found = conn.execute(_RATINGS, params).fetchall()
            pairs = [(int(a), int(b)) for a, b, gap, n in found if n > 1 and gap >= gap_days]
            return Confidence(pairs, len(found), sum(1 for r in found if r[3] > 1))
        return await self._run(scope, work)

    async def variants(self, scope: ReportScope) -> list[VariantCount]:
        """Shown, answered (a question's wording), followed by a win within 7 days."""
        def work(conn: sqlite3.Connection, params: dict[str, Any]) -> list[VariantCount]:
            wins = {(f, s): int(n) for f, s, n in conn.execute(_VARIANT_WINS, params)}
            answered = {(f, s): int(n) for f, s, n in
                        conn.execute(_STEPS.format("variant_answered"), params)}
            found = []
            for flow, step, shown in conn.execute(_STEPS.format("variant_shown"), params):
                name, _, index = str(step).rpartition("#")
                found.append(VariantCount(str(flow), name, int(index or 0), int(shown),
                                          answered.get((flow, step), 0),
                                          wins.get((flow, step), 0)))
            return sorted(found, key=lambda v: (v.flow, v.step, v.variant))
        return await self._run(scope, work)


_CONTENT = ("story_shown", "opportunities_shown")
