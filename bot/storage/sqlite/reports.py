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
from bot.storage.report_queries import QueryReports, ReportQueries, StartedPass, report_params
from bot.storage.reports import (
    DEMO_CHANNEL,
    RETENTION_WEEKS,
    ReportScope,
)

T = TypeVar("T")
WEEK = "date({}, 'weekday 0', '-6 days')"
_IN = "person_id IN (SELECT id FROM rp)"
_WINDOW = "{0} >= :start AND {0} < :end"

# Only people who joined with the scope's cohort, when it names one (the roles table of
# migration 0009); a report without a cohort never names that table.
_COHORT = "1 /*cohort*/"
_IN_COHORT = "p.id IN (SELECT person_id FROM roles WHERE cohort = :cohort)"
# The people in scope: consented, demo or real, joined before the end. last_k is the
# last week after joining in which they replied (NULL: never replied); jd is when they
# joined as a Julian day, worked out once here rather than once per event. Every events
# query below names one event name, so it reads only the covering index events_report
# (name, person_id, at, flow, step): no table lookups, and rows come in person order.
# The days of the window, with their week and the day a week later, are a second small
# table, so no query has to do date arithmetic on every event.
_PREPARE = (
    "DROP TABLE IF EXISTS temp.rp",
    "DROP TABLE IF EXISTS temp.days",
    "CREATE TEMP TABLE rp (id INTEGER PRIMARY KEY, joined TEXT, jd REAL, week TEXT, "
    "last_reply TEXT, last_k INTEGER)",
    f"""INSERT INTO rp
SELECT id, joined, julianday(joined), week, last_reply,
       CAST((julianday(last_reply) - julianday(joined)) / 7 AS INTEGER)
FROM (SELECT p.id AS id, p.created_at AS joined, {WEEK.format('p.created_at')} AS week,
             (SELECT max(e.at) FROM events e WHERE e.name = 'step_answered'
              AND e.person_id = p.id AND e.at < :end) AS last_reply
      FROM people p JOIN conversation_state s ON s.person_id = p.id
      WHERE json_extract(s.state_json, '$.vars.consent') = 'yes'
        AND (p.channel = '{DEMO_CHANNEL}') = :demo AND p.created_at < :end
        AND {_COHORT})""",
    "CREATE TEMP TABLE days (day TEXT PRIMARY KEY, week TEXT, plus7 TEXT) WITHOUT ROWID",
    f"""WITH RECURSIVE d(day) AS (SELECT date(:start) UNION ALL
        SELECT date(day, '+1 day') FROM d WHERE day < date(:end))
    INSERT INTO days SELECT day, {WEEK.format('day')}, date(day, '+7 days') FROM d""",
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
    "pauses": f"SELECT {DAY.format('e.at')} d, count(*) {_EV.format('flow_finished')} "
              "AND e.flow = :pause_flow AND e.step = :pause_step GROUP BY d",
    # A refusal keeps only the state (consent "declined"), dated by the reset row.
    "optouts": f"SELECT {DAY.format('p.created_at')} d, count(*) FROM people p "
               "JOIN conversation_state s ON s.person_id = p.id "
               "WHERE json_extract(s.state_json, '$.vars.consent') = 'declined' "
               f"AND (p.channel = '{DEMO_CHANNEL}') = :demo AND {_COHORT} "
               f"AND {_WINDOW.format('p.created_at')} GROUP BY d",
    "mentor_matches": f"SELECT {DAY.format('e.at')} d, count(*) {_EV.format('flow_finished')} "
                      "AND e.flow = :mentor_flow AND e.step = :matched_step GROUP BY d",
    "mentor_messages": f"SELECT {DAY.format('e.at')} d, count(*) {_EV.format('step_reached')} "
                       "AND e.flow = :mentor_flow AND e.step = :message_step GROUP BY d",
    "deletions": "SELECT week, people FROM deletions WHERE demo = :demo "
                 f"AND week >= {WEEK.format(':start')} AND week < :end",
}
# Distinct people a week: (person, day) pairs, each day joined to its week.
_ACTIVE = f"""SELECT days.week, count(DISTINCT x.person_id) FROM
  (SELECT DISTINCT e.person_id, {DAY.format('e.at')} AS d {_EV.format('step_answered')}) x
  JOIN days ON days.day = x.d GROUP BY days.week"""

# Flows the bot opened, in one pass for three figures: by day, the delivery flow (a
# scheduled check-in sent, counted from events because the scheduled_messages table keeps
# only each person's last few sent rows) and the safety flow (a signpost); and, for a
# check-in, k, the week after joining it fell in, kept only for people who joined in the
# window and still replied in week k or later (NULL otherwise).
_STARTED = f"""SELECT d, flow, CASE WHEN k <= last_k THEN k END AS kept, count(*) FROM
  (SELECT {DAY.format('e.at')} AS d, e.flow AS flow, rp.last_k AS last_k,
          CASE WHEN e.flow = :delivery AND rp.joined >= :start
               THEN CAST((julianday(e.at) - rp.jd) / 7 AS INTEGER) END AS k
   {_EV.format('flow_started')} AND e.flow IN (:delivery, :safety))
GROUP BY d, flow, kept"""
_TENURE_PEOPLE = ("SELECT last_k, count(*) FROM rp WHERE joined >= :start "
                  "AND last_k IS NOT NULL GROUP BY last_k")

_COHORTS = "SELECT week, count(*), " + ", ".join(
    f"sum(julianday(last_reply) - julianday(joined) >= {7 * k})" for k in RETENTION_WEEKS
) + " FROM rp WHERE joined >= :start GROUP BY week ORDER BY week"

_STEPS = (f"SELECT e.flow, e.step, count(*) {_EV.format('{}')} GROUP BY e.flow, e.step")

# Each person's ratings in the window in one ordered pass (index person, at): the first
# and latest times and how many; then the value at each of the two times, the earliest
# stored row if two share a time (as a bare column beside min() or max() gives).
_RATINGS = f"""SELECT
  (SELECT value FROM ratings r WHERE r.person_id = g.person_id AND r.at = g.first
   ORDER BY r.id LIMIT 1),
  (SELECT value FROM ratings r WHERE r.person_id = g.person_id AND r.at = g.latest
   ORDER BY r.id LIMIT 1),
  julianday(g.latest) - julianday(g.first), g.n
FROM (SELECT person_id, min(at) AS first, max(at) AS latest, count(*) AS n FROM ratings
      WHERE {_WINDOW.format('at')} AND {_IN} GROUP BY person_id) g"""

# Each wording shown, counted, and whether a win followed within 7 days, in one pass: the
# person's next win (one index seek for the smallest time) against the moment a week
# later, to the second, built from the days table (the same text strftime(..., '+7 days')
# gives, without date arithmetic on every row).
_VARIANTS_SHOWN = f"""SELECT e.flow, e.step, count(*), sum(coalesce(
    (SELECT min(w.at) FROM achievements w WHERE w.person_id = e.person_id AND w.at >= e.at)
    < days.plus7 || 'T' || substr(e.at, 12, 8), 0))
  {_EV.format('variant_shown').replace('WHERE', 'JOIN days ON days.day = '
                                        + DAY.format('e.at') + ' WHERE')}
GROUP BY e.flow, e.step"""

_QUERIES = ReportQueries(daily=_DAILY, active=_ACTIVE, started=_STARTED,
                         tenure_people=_TENURE_PEOPLE, cohorts=_COHORTS, steps=_STEPS,
                         ratings=_RATINGS, variants_shown=_VARIANTS_SHOWN)


class _Reader:
    """One read-only connection and the scope its temp tables were built for."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.scope: ReportScope | None = None


class SQLiteReportSource(QueryReports):
    """Read-only aggregates over a goodhelp SQLite file. ``open()`` first, ``close()`` after.

    It reads through ``readers`` connections at once (two: these machines have two cores),
    each on its own thread; the figures of one report are independent queries, so asking
    for them together (as :func:`bot.reports.build.gather` does) takes about half the time.
    """

    queries = _QUERIES

    def __init__(self, path: str | Path, readers: int = 2) -> None:
        self.path = Path(path).absolute()
        self.readers = max(1, readers)
        self._all: list[_Reader] = []
        self.has_cohorts = False
        self._free: asyncio.Queue[_Reader] = asyncio.Queue()
        # The one pass over flow_started that two figures share, kept for its scope.
        self._started: tuple[ReportScope, StartedPass] | None = None
        self._started_lock = asyncio.Lock()

    async def open(self) -> None:
        """Open the file read-only; StorageError if it is missing or not a goodhelp file."""
        if not self.path.is_file():
            raise StorageError(f"{self.path}: no such database file")
        for _ in range(self.readers):
            reader = _Reader(self._connect())
            self._all.append(reader)
            self._free.put_nowait(reader)

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True,
                                   check_same_thread=False, timeout=5.0)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: cannot read this database "
                               f"({type(exc).__name__})") from exc
        self.has_cohorts = "roles" in tables  # cohorts come with roles (migration 0009)
        if not {"people", "events", "deletions"} <= tables:
            conn.close()
            raise StorageError(f"{self.path}: not a goodhelp database of this version "
                               "(run the bot or `goodhelp chat` on it once to upgrade it)")
        return conn

    async def close(self) -> None:
        """Close every read connection the source opened."""
        for reader in self._all:
            reader.conn.close()
        self._all, self._free, self._started = [], asyncio.Queue(), None

    async def _run(self, scope: ReportScope | None, work: Callable[[sqlite3.Connection,
                   dict[str, Any]], T]) -> T:
        """Run ``work`` on the next free connection, on a thread, its scope prepared."""
        if not self._all:
            raise StorageError(f"{self.path}: report source is not open")
        if scope is not None and scope.cohort is not None and not self.has_cohorts:
            raise StorageError(f"{self.path}: no cohorts in this database yet (they come "
                               "with staff and mentor roles)")
        reader = await self._free.get()
        params = report_params(scope) if scope is not None else {}

        def job() -> T:
            if scope is not None and scope != reader.scope:
                for statement in _PREPARE:
                    reader.conn.execute(_for_cohort(statement, scope), params)
                reader.scope = scope
            return work(reader.conn, params)

        try:
            return await asyncio.to_thread(job)
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: report query failed "
                               f"({type(exc).__name__})") from exc
        finally:
            self._free.put_nowait(reader)

    async def _rows(self, scope: ReportScope, sql: str) -> list[tuple[Any, ...]]:
        def work(conn: sqlite3.Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
            return conn.execute(_for_cohort(sql, scope), params).fetchall()
        return await self._run(scope, work)

    async def people_counts(self) -> tuple[int, int]:
        """(real people, demo people) stored."""
        def work(conn: sqlite3.Connection, _: dict[str, Any]) -> tuple[int, int]:
            demo, total = conn.execute(
                f"SELECT coalesce(sum(channel = '{DEMO_CHANNEL}'), 0), count(*) FROM people"
            ).fetchone()
            return int(total) - int(demo), int(demo)
        return await self._run(None, work)

    async def cohort_names(self) -> list[str]:
        """Every cohort someone joined with (the roles table), sorted."""
        if not self.has_cohorts:
            return []

        def work(conn: sqlite3.Connection, _: dict[str, Any]) -> list[str]:
            rows = conn.execute("SELECT DISTINCT cohort FROM roles WHERE cohort IS NOT NULL "
                                "ORDER BY cohort").fetchall()
            return [str(r[0]) for r in rows]
        return await self._run(None, work)

    async def _started_pass(self, scope: ReportScope) -> StartedPass:
        """The flow_started pass, computed once for a scope whichever figure asks first."""
        async with self._started_lock:
            if self._started is None or self._started[0] != scope:
                self._started = scope, await super()._started_pass(scope)
            return self._started[1]


def _for_cohort(sql: str, scope: ReportScope) -> str:
    return sql.replace(_COHORT, _IN_COHORT if scope.cohort is not None else "1")
