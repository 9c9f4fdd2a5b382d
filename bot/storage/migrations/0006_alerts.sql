-- 0006: alerts to staff. A row exists only because the person said yes to "Would you like
-- me to ask someone from the programme to get in touch?"; shared_json holds only what
-- they chose to pass on (first name, how to reach them), and may be '{}'. It cascades
-- from people, so /delete removes it; /mydata shows it. handled_at is set by staff
-- (`goodhelp alerts --done ID`).
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    shared_json TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    handled_at  TEXT
);
-- Open alerts, oldest first, for `goodhelp alerts`.
CREATE INDEX alerts_open ON alerts (created_at) WHERE handled_at IS NULL;
-- A person's own alerts: /mydata and the cascade on delete.
CREATE INDEX alerts_person ON alerts (person_id, created_at);
