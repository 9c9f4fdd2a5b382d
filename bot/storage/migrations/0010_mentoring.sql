-- 0010: peer mentoring (issue 12).
-- mentor_links: one person's relationship with a mentor: waiting (in the staff queue),
-- active, paused (no mentor messages for now) or ended. ref is the pseudonym the mentor
-- sees; first_name, theme and purpose hold only what the person chose to share.
-- relay_messages: every message between them, passed through the bot's checks; kept for
-- the deployment's safeguarding period, then deleted (bot/mentoring/desk.py purges).
-- People are named by channel and id (no foreign key to people): /delete removes a
-- person's links and messages explicitly, in the same call that deletes the person.
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

CREATE TABLE mentor_links (
    id              INTEGER PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    person_channel  TEXT NOT NULL,
    person_external TEXT NOT NULL,
    mentor_channel  TEXT,
    mentor_external TEXT,
    first_name      TEXT NOT NULL DEFAULT '',
    theme           TEXT NOT NULL DEFAULT '',
    purpose         TEXT NOT NULL DEFAULT '',
    signals         INTEGER NOT NULL DEFAULT 0 CHECK (signals IN (0, 1)),
    status          TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'paused', 'ended')),
    created_at      TEXT NOT NULL,
    matched_at      TEXT,
    ended_at        TEXT
);
CREATE INDEX mentor_links_person ON mentor_links (person_channel, person_external, status);
CREATE INDEX mentor_links_mentor ON mentor_links (mentor_channel, mentor_external, status);

CREATE TABLE relay_messages (
    id          INTEGER PRIMARY KEY,
    link_id     INTEGER NOT NULL REFERENCES mentor_links (id) ON DELETE CASCADE,
    direction   TEXT NOT NULL CHECK (direction IN ('to_person', 'to_mentor')),
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('held', 'queued', 'delivered', 'rejected',
                                                'dropped', 'reported')),
    flags       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX relay_messages_due ON relay_messages (status, created_at);
CREATE INDEX relay_messages_link ON relay_messages (link_id, direction, created_at);
