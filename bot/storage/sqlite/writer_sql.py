"""The statements the group writer runs, one ``executemany`` each per batch."""

from __future__ import annotations

ID_CHUNK = 400  # (channel, external_id) pairs per lookup, well under SQLite's variable limit

# Cascades to every person-owned table.
DELETE_PERSON = "DELETE FROM people WHERE channel = ? AND external_id = ?"

INSERT_PEOPLE = "INSERT OR IGNORE INTO people (channel, external_id, created_at) VALUES (?, ?, ?)"

UPSERT_STATE = (
    "INSERT INTO conversation_state (person_id, state_json, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT (person_id) DO UPDATE SET "
    "state_json = excluded.state_json, updated_at = excluded.updated_at"
)

# Runs before UPSERT_PURPOSE so the partial unique index (one active) always holds.
DEACTIVATE_PURPOSES = (
    "UPDATE purposes SET active = 0 WHERE person_id = ? AND active = 1 AND ref <> ?"
)

# created_at is kept on update: a purpose is created once and edited many times.
UPSERT_PURPOSE = (
    "INSERT INTO purposes "
    "(person_id, ref, text, theme, details_json, active, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (person_id, ref) DO UPDATE SET "
    "text = excluded.text, theme = excluded.theme, details_json = excluded.details_json, "
    "active = excluded.active, updated_at = excluded.updated_at"
)

INSERT_ACHIEVEMENT = (
    "INSERT INTO achievements (person_id, text, purpose_ref, confidence, prompted, at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)

INSERT_RATING = "INSERT INTO ratings (person_id, value, context, at) VALUES (?, ?, ?, ?)"

# Owed replies (migration 0005): due at once, in the turn's transaction.
INSERT_OWED = (
    "INSERT INTO outbox (ref, person_id, payload_json, due_at, created_at) VALUES (?, ?, ?, ?, ?)"
)

# Alerts to staff (migration 0006), only ever after the person's explicit yes.
INSERT_ALERT = (
    "INSERT INTO alerts (person_id, reason, shared_json, created_at) VALUES (?, ?, ?, ?)"
)

INSERT_EVENT = "INSERT INTO events (person_id, name, flow, step, at) VALUES (?, ?, ?, ?, ?)"


def select_people(count: int) -> str:
    """Look up ``count`` (channel, external_id) pairs in one statement (uses the UNIQUE index)."""
    pairs = ", ".join(["(?, ?)"] * count)
    return (
        "SELECT id, channel, external_id FROM people "
        f"WHERE (channel, external_id) IN (VALUES {pairs})"
    )
