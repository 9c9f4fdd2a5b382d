"""The staff report's SQL for PostgreSQL, query for query as SQLite's (bot/storage/sqlite/
reports.py). ``:name`` marks are numbered by the source; ``CTES`` goes in front of each."""

from __future__ import annotations

from bot.storage.reports import DEMO_CHANNEL, RETENTION_WEEKS


def _days(x: str) -> str:
    """A stored time as days since the epoch (SQLite's julianday, shifted)."""
    return f"(extract(epoch FROM ({x})::timestamptz) / 86400.0)"


def _week(x: str) -> str:
    """The Monday (UTC) of a stored time, as ISO text."""
    return f"to_char(date_trunc('week', ({x})::timestamptz AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"


# jsonb cannot hold U+0000, which a person can type (JSON writes it \u0000): read it as
# U+FFFD, which keeps the text valid JSON whatever backslashes stand before it.
_CONSENT = ("((replace(s.state_json, '\\u0000', '\\ufffd')::jsonb -> 'vars') "
            "->> 'consent')")
COHORT = "TRUE /*cohort*/"
IN_COHORT = "p.id IN (SELECT person_id FROM roles WHERE cohort = :cohort::text)"
CTES = f"""WITH rp AS (
  SELECT id, joined, {_days('joined')} AS jd, week, last_reply,
         trunc(({_days('last_reply')} - {_days('joined')}) / 7)::int AS last_k
  FROM (SELECT p.id AS id, p.created_at AS joined, {_week('p.created_at')} AS week,
               (SELECT max(e.at) FROM events e WHERE e.name = 'step_answered'
                AND e.person_id = p.id AND e.at < :end::text) AS last_reply
        FROM people p JOIN conversation_state s ON s.person_id = p.id
        WHERE {_CONSENT} = 'yes' AND (p.channel = '{DEMO_CHANNEL}')::int = :demo::int
          AND p.created_at < :end::text AND {COHORT}) x),
days AS (
  SELECT to_char(d, 'YYYY-MM-DD') AS day, to_char(date_trunc('week', d), 'YYYY-MM-DD') AS week,
         to_char(d + interval '7 days', 'YYYY-MM-DD') AS plus7
  FROM generate_series((:start::text::timestamptz AT TIME ZONE 'UTC')::date::timestamp,
                       (:end::text::timestamptz AT TIME ZONE 'UTC')::date::timestamp,
                       interval '1 day') d)
"""
_DAY = "substr({}, 1, 10)"
_IN = "person_id IN (SELECT id FROM rp)"
_WINDOW = "{0} >= :start::text AND {0} < :end::text"
_EV = ("FROM events e JOIN rp ON rp.id = e.person_id WHERE e.name = '{}' "
       "AND e.at >= :start::text AND e.at < :end::text")

DAILY = {
    "new": f"SELECT {_DAY.format('joined')} d, count(*) FROM rp WHERE joined >= :start::text "
           "GROUP BY d",
    "wins": f"SELECT {_DAY.format('at')} d, count(*) FROM achievements "
            f"WHERE {_WINDOW.format('at')} AND {_IN} GROUP BY d",
    "checkins_answered": f"SELECT d, count(*) FROM (SELECT DISTINCT e.person_id, "
                         f"{_DAY.format('e.at')} AS d {_EV.format('step_answered')} "
                         "AND e.flow = :delivery::text) x GROUP BY d",
    "pauses": f"SELECT {_DAY.format('e.at')} d, count(*) {_EV.format('flow_finished')} "
              "AND e.flow = :pause_flow::text AND e.step = :pause_step::text GROUP BY d",
    "optouts": f"SELECT {_DAY.format('p.created_at')} d, count(*) FROM people p "
               f"JOIN conversation_state s ON s.person_id = p.id WHERE {_CONSENT} = 'declined' "
               f"AND (p.channel = '{DEMO_CHANNEL}')::int = :demo::int AND {COHORT} "
               f"AND {_WINDOW.format('p.created_at')} GROUP BY d",
    "mentor_matches": f"SELECT {_DAY.format('e.at')} d, count(*) {_EV.format('flow_finished')} "
                      "AND e.flow = :mentor_flow::text AND e.step = :matched_step::text "
                      "GROUP BY d",
    "mentor_messages": f"SELECT {_DAY.format('e.at')} d, count(*) {_EV.format('step_reached')} "
                       "AND e.flow = :mentor_flow::text AND e.step = :message_step::text "
                       "GROUP BY d",
    "deletions": "SELECT week, people FROM deletions WHERE demo = :demo::int "
                 f"AND week >= {_week(':start::text')} AND week < :end::text",
}
ACTIVE = f"""SELECT days.week, count(DISTINCT x.person_id) FROM
  (SELECT DISTINCT e.person_id, {_DAY.format('e.at')} AS d {_EV.format('step_answered')}) x
  JOIN days ON days.day = x.d GROUP BY days.week"""
STARTED = f"""SELECT d, flow, CASE WHEN k <= last_k THEN k END AS kept, count(*) FROM
  (SELECT {_DAY.format('e.at')} AS d, e.flow AS flow, rp.last_k AS last_k,
          CASE WHEN e.flow = :delivery::text AND rp.joined >= :start::text
               THEN trunc(({_days('e.at')} - rp.jd) / 7)::int END AS k
   {_EV.format('flow_started')} AND e.flow IN (:delivery::text, :safety::text)) x
GROUP BY d, flow, kept"""
TENURE_PEOPLE = ("SELECT last_k, count(*) FROM rp WHERE joined >= :start::text "
                  "AND last_k IS NOT NULL GROUP BY last_k")
COHORTS = "SELECT week, count(*), " + ", ".join(
    f"sum((({_days('last_reply')} - {_days('joined')}) >= {7 * k})::int)"
    for k in RETENTION_WEEKS) + " FROM rp WHERE joined >= :start::text GROUP BY week ORDER BY week"
STEPS = f"SELECT e.flow, e.step, count(*) {_EV} GROUP BY e.flow, e.step"
RATINGS = f"""SELECT
  (SELECT value FROM ratings r WHERE r.person_id = g.person_id AND r.at = g.first
   ORDER BY r.id LIMIT 1),
  (SELECT value FROM ratings r WHERE r.person_id = g.person_id AND r.at = g.latest
   ORDER BY r.id LIMIT 1),
  {_days('g.latest')} - {_days('g.first')}, g.n
FROM (SELECT person_id, min(at) AS first, max(at) AS latest, count(*) AS n FROM ratings
      WHERE {_WINDOW.format('at')} AND {_IN} GROUP BY person_id) g"""
VARIANTS_SHOWN = f"""SELECT e.flow, e.step, count(*), sum(coalesce((
    (SELECT min(w.at) FROM achievements w WHERE w.person_id = e.person_id AND w.at >= e.at)
    < (days.plus7 || 'T' || substr(e.at, 12, 8)))::int, 0))
  {_EV.replace('WHERE', 'JOIN days ON days.day = ' + _DAY.format('e.at') + ' WHERE')
   .format('variant_shown')}
GROUP BY e.flow, e.step"""
