-- 0005: the outbox. Replies a person is owed, written in the same transaction as the turn
-- that produced them and deleted once Telegram confirms each one, so a crash or a long
-- flood wait between committing a turn and sending its replies loses nothing.
-- payload_json is the channel's own encoding of one message (it holds reply text: rows
-- go as soon as they are sent, and with the person when they are deleted).
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    ref          TEXT NOT NULL UNIQUE,
    person_id    INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    payload_json TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    attempt      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);
-- "What is owed now?" and a person's own rows in the order they were written.
CREATE INDEX outbox_due ON outbox (due_at);
CREATE INDEX outbox_person ON outbox (person_id, id);
