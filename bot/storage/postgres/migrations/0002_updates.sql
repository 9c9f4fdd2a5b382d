-- 0002: incoming updates, for several workers (issue 14). Each update is recorded once,
-- keyed by the channel's own update id, so a retried delivery is not processed twice.
-- A worker claims a person's OLDEST pending update with FOR UPDATE SKIP LOCKED and holds
-- the row lock while it processes it: another worker skips that person (their later
-- updates are not the oldest pending one), so one person's updates go strictly in order,
-- one worker at a time. A worker that dies mid-turn drops its connection, the lock goes
-- with it, and the update is still pending for the next worker.
-- payload_json holds what the person sent until the update is done; then it is emptied
-- (the row stays, for the duplicate check) and it goes with the person on /delete.
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

CREATE TABLE updates (
    update_id    BIGINT PRIMARY KEY,
    channel      TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    attempt      INTEGER NOT NULL DEFAULT 0,
    done_at      TEXT
);
-- Pending updates in order, per person: the claim's "oldest pending for this person".
CREATE INDEX updates_pending ON updates (channel, external_id, update_id)
    WHERE done_at IS NULL;
CREATE INDEX updates_done ON updates (done_at) WHERE done_at IS NOT NULL;
