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
# last week after joining in which they replied (NULL: never replied). The index on
# events (name, person_id, at) makes each last reply one lookup.
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
    # One pass over the events: those of people in scope, in the window, with their week.
    # (+at: a plain scan beats the time index when, as usual, the window is most of it.)
    f"""CREATE TEMP TABLE ev AS
SELECT e.person_id AS person_id, e.name AS name, e.flow AS flow, e.step AS step, e.at AS at,
       {WEEK.format('e.at')} AS week
FROM events e WHERE +e.at >= :start AND +e.at < :end AND e.person_id IN (SELECT id FROM rp)""",
)

_WEEKLY = {
    "new": "SELECT week, count(*) FROM rp WHERE joined >= :start GROUP BY week",
    "active": "SELECT week, count(DISTINCT person_id) FROM ev WHERE name = 'step_answered' "
              "GROUP BY week",
    "wins": f"SELECT {WEEK.format('at')} w, count(*) FROM achievements "
            f"WHERE {_WINDOW.format('at')} AND {_IN} GROUP BY w",
    # Once per person and day: the reply to a scheduled invitation.
    "checkins_answered": "SELECT week, count(*) FROM (SELECT DISTINCT week, person_id, "
                         "substr(at, 1, 10) FROM ev WHERE name = 'step_answered' "
                         "AND flow = :delivery) GROUP BY week",
    # A refusal keeps only the state (consent "declined"), dated by the reset row.
    "optouts": f"SELECT {WEEK.format('p.created_at')} w, count(*) FROM people p "
               "JOIN conversation_state s ON s.person_id = p.id "
               "WHERE json_extract(s.state_json, '$.vars.consent') = 'declined' "
               f"AND (p.channel = '{DEMO_CHANNEL}') = :demo "
               f"AND {_WINDOW.format('p.created_at')} GROUP BY w",
    "deletions": "SELECT week, people FROM deletions WHERE demo = :demo "
                 f"AND week >= {WEEK.format(':start')} AND week < :end",
}
# The bot opening its delivery flow is a check-in sent (the scheduled_messages table
# keeps only each person's last few sent rows); pauses and safety signposts, in one pass.
_STARTS = """SELECT week, sum(name = 'flow_started' AND flow = :delivery),
       sum(name = 'flow_finished' AND flow = :pause_flow AND step = :pause_step),
       sum(name = 'flow_started' AND flow = :safety)
FROM ev WHERE name IN ('flow_started', 'flow_finished') GROUP BY week"""
_STARTS_MEASURES = ("checkins_sent", "pauses", "signposts")

_COHORTS = "SELECT week, count(*), " + ", ".join(
    f"sum(julianday(last_reply) - julianday(joined) >= {7 * k})" for k in RETENTION_WEEKS
) + " FROM rp WHERE joined >= :start GROUP BY week ORDER BY week"

_STEPS = """SELECT flow, step, sum(name = 'step_reached'), sum(name = 'step_answered')
FROM ev WHERE name IN ('step_reached', 'step_answered') GROUP BY flow, step
ORDER BY flow, step"""

_TENURE_MESSAGES = """SELECT CAST((julianday(ev.at) - julianday(rp.joined)) / 7 AS INTEGER)
       AS k, count(*) FROM ev JOIN rp ON rp.id = ev.person_id
WHERE ev.name = 'flow_started' AND ev.flow = :delivery AND rp.joined >= :start
  AND k <= rp.last_k
GROUP BY k"""
_TENURE_PEOPLE = ("SELECT last_k, count(*) FROM rp WHERE joined >= :start "
                  "AND last_k IS NOT NULL GROUP BY last_k")

_CONTENT = """SELECT flow, step, count(*) FROM ev
WHERE name IN ('story_shown', 'opportunities_shown') GROUP BY flow, step ORDER BY flow, step"""

_RATINGS = f"""SELECT first_value(value) OVER first, first_value(value) OVER latest,
       julianday(max(at) OVER person) - julianday(min(at) OVER person),
       count(*) OVER person, row_number() OVER first
FROM ratings WHERE {_WINDOW.format('at')} AND {_IN}
WINDOW person AS (PARTITION BY person_id),
       first AS (PARTITION BY person_id ORDER BY at, id),
       latest AS (PARTITION BY person_id ORDER BY at DESC, id DESC)"""

_VARIANTS = """SELECT flow, step, sum(name = 'variant_shown'), sum(name = 'variant_answered')
FROM ev WHERE name IN ('variant_shown', 'variant_answered') GROUP BY flow, step"""
# For each wording shown, the person's next win (one sorted pass, no lookup per row).
_VARIANT_WINS = f"""SELECT flow, step, count(*) FROM (
  SELECT flow, step, at, win,
         min(CASE WHEN win THEN at END) OVER (PARTITION BY person_id ORDER BY at, win
             ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS next_win
  FROM (SELECT person_id, flow, step, at, 0 AS win FROM ev WHERE name = 'variant_shown'
        UNION ALL
        SELECT person_id, NULL, NULL, at, 1 FROM achievements
        WHERE at >= :start AND {_IN}))
WHERE NOT win AND next_win < strftime('%Y-%m-%dT%H:%M:%S', at, '+7 days')
GROUP BY flow, step"""


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
                    conn.execute("DROP TABLE IF EXISTS temp.ev")
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
            found = {m: {str(w): int(n) for w, n in conn.execute(sql, params)}
                     for m, sql in _WEEKLY.items()}
            for m in _STARTS_MEASURES:
                found[m] = {}
            for week, *counts in conn.execute(_STARTS, params):
                for m, n in zip(_STARTS_MEASURES, counts, strict=True):
                    if n:
                        found[m][str(week)] = int(n)
            return {m: found[m] for m in MEASURES}
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
            found = [r for r in conn.execute(_RATINGS, params) if r[4] == 1]  # one per person
            pairs = [(int(a), int(b)) for a, b, gap, n, _ in found if n > 1 and gap >= gap_days]
            return Confidence(pairs, len(found), sum(1 for r in found if r[3] > 1))
        return await self._run(scope, work)

    async def variants(self, scope: ReportScope) -> list[VariantCount]:
        """Shown, answered (a question's wording), followed by a win within 7 days."""
        def work(conn: sqlite3.Connection, params: dict[str, Any]) -> list[VariantCount]:
            wins = {(f, s): int(n) for f, s, n in conn.execute(_VARIANT_WINS, params)}
            found = []
            for flow, step, shown, answered in conn.execute(_VARIANTS, params):
                if not shown:
                    continue  # answered in a wording shown before the window
                name, _, index = str(step).rpartition("#")
                found.append(VariantCount(str(flow), name, int(index or 0), int(shown),
                                          int(answered), wins.get((flow, step), 0)))
            return sorted(found, key=lambda v: (v.flow, v.step, v.variant))
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
