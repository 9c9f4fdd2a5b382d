-- 0003: scheduled messages. The database is the truth for every pending check-in; the
-- scheduler only wakes the dispatcher, which claims due rows in a transaction.
-- payload_json holds instructions only (which flow, why), never text a person typed.
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

CREATE TABLE scheduled_messages (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'sent')),
    claimed_at   TEXT,
    sent_at      TEXT,
    attempt      INTEGER NOT NULL DEFAULT 0,
    payload_json TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL
);
-- "What is due now?" reads only pending rows in time order: its cost depends on how many
-- are due, not on how many people there are. Sent and claimed rows are not in it.
CREATE INDEX scheduled_due ON scheduled_messages (due_at) WHERE status = 'pending';
-- A person's own rows: replacing their plan, and the cascade when they are deleted.
CREATE INDEX scheduled_person ON scheduled_messages (person_id, kind, status);
