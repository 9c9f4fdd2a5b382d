"""Writing one turn in PostgreSQL: every table it touches, in the caller's transaction.

There is no group writer here (SQLite's answer to a single write lock): PostgreSQL takes
concurrent transactions itself, so each turn is its own short transaction on a pooled
connection, and several workers can write at once.
"""

from __future__ import annotations

from bot.core.keys import PersonKey
from bot.core.schedule import EMPTY
from bot.storage.postgres.connection import Conn
from bot.storage.rows import PreparedTurn, plan_purposes
from bot.storage.schedule_values import COLUMNS, encode

_SELECT_PERSON = "SELECT id FROM people WHERE channel = $1 AND external_id = $2"
_INSERT_PERSON = (
    "INSERT INTO people (channel, external_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (channel, external_id) DO NOTHING RETURNING id"
)
_UPSERT_STATE = (
    "INSERT INTO conversation_state (person_id, state_json, updated_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (person_id) DO UPDATE SET "
    "state_json = excluded.state_json, updated_at = excluded.updated_at"
)
_UPSERT_SCHEDULE = (
    f"INSERT INTO schedules (person_id, {', '.join(COLUMNS)}) "
    f"VALUES ({', '.join(f'${i}' for i in range(1, len(COLUMNS) + 2))}) "
    "ON CONFLICT (person_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS)
)
_DELETE_SCHEDULE = "DELETE FROM schedules WHERE person_id = $1"
# Runs before the upsert so the partial unique index (one active purpose) always holds.
_DEACTIVATE = "UPDATE purposes SET active = 0 WHERE person_id = $1 AND active = 1 AND ref <> $2"
_UPSERT_PURPOSE = (
    "INSERT INTO purposes "
    "(person_id, ref, text, theme, details_json, active, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT (person_id, ref) DO UPDATE SET "
    "text = excluded.text, theme = excluded.theme, details_json = excluded.details_json, "
    "active = excluded.active, updated_at = excluded.updated_at"
)
_INSERTS = {
    "achievements": "INSERT INTO achievements (person_id, text, purpose_ref, confidence, "
                    "prompted, at) VALUES ($1, $2, $3, $4, $5, $6)",
    "ratings": "INSERT INTO ratings (person_id, value, context, at) VALUES ($1, $2, $3, $4)",
    "events": "INSERT INTO events (person_id, name, flow, step, at) VALUES ($1, $2, $3, $4, $5)",
    "alerts": "INSERT INTO alerts (person_id, reason, shared_json, created_at) "
              "VALUES ($1, $2, $3, $4)",
}
_INSERT_OWED = (
    "INSERT INTO outbox (ref, person_id, payload_json, due_at, created_at) "
    "VALUES ($1, $2, $3, $4, $5)"
)


async def person_id(conn: Conn, key: PersonKey, at: str) -> int:
    """The person's row id, creating the person if they are new."""
    found = await conn.fetchrow(_SELECT_PERSON, key.channel, key.external_id)
    if found is None:
        found = await conn.fetchrow(_INSERT_PERSON, key.channel, key.external_id, at)
    if found is None:  # another worker created them a moment ago
        found = await conn.fetchrow(_SELECT_PERSON, key.channel, key.external_id)
    assert found is not None
    return int(found[0])


async def write_turn(conn: Conn, turn: PreparedTurn) -> None:
    """Everything one prepared turn changes; the caller holds the transaction."""
    pid = await person_id(conn, turn.key, turn.at)
    await conn.execute(_UPSERT_STATE, pid, turn.state_json, turn.at)
    # A schedules row only once there is something to keep: nothing before consent.
    if turn.schedule != EMPTY:
        await conn.execute(_UPSERT_SCHEDULE, pid, *encode(turn.schedule))
    else:
        await conn.execute(_DELETE_SCHEDULE, pid)
    plan = plan_purposes((pid, change) for change in turn.purposes)
    await conn.executemany(_DEACTIVATE, plan.keep_active)
    await conn.executemany(_UPSERT_PURPOSE, plan.upserts)
    await conn.executemany(_INSERTS["achievements"], [(pid, *a) for a in turn.achievements])
    await conn.executemany(_INSERTS["ratings"], [(pid, *r) for r in turn.ratings])
    await conn.executemany(_INSERTS["events"], [(pid, *e) for e in turn.events])
    await conn.executemany(_INSERTS["alerts"], [(pid, *a) for a in turn.alerts])
    await conn.executemany(_INSERT_OWED,
                           [(ref, pid, payload, turn.at, turn.at) for ref, payload in turn.owed])
