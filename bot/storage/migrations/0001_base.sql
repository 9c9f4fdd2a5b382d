-- 0001: people, their conversation state and the records their turns produce.
-- Every person-owned table cascades from people, so deleting a person is one DELETE.
-- Datetimes are ISO-8601 UTC text of fixed width, so text order is time order.
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (channel, external_id)
);

CREATE TABLE conversation_state (
    person_id  INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    state_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE purposes (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    ref          TEXT NOT NULL,
    text         TEXT NOT NULL,
    theme        TEXT NOT NULL,
    details_json TEXT NOT NULL,
    active       INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (person_id, ref)
);
-- At most one active purpose per person, enforced by the database itself.
CREATE UNIQUE INDEX purposes_one_active ON purposes (person_id) WHERE active = 1;

CREATE TABLE achievements (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    purpose_ref TEXT,
    confidence  INTEGER,
    prompted    INTEGER NOT NULL CHECK (prompted IN (0, 1)),
    at          TEXT NOT NULL
);
-- Serves "newest first" per person and the cascade on delete.
CREATE INDEX achievements_person_at ON achievements (person_id, at);

CREATE TABLE ratings (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    value     INTEGER NOT NULL,
    context   TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX ratings_person_at ON ratings (person_id, at);

-- Anonymous engagement for staff reports: no text the person typed.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    flow      TEXT NOT NULL,
    step      TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX events_person_at ON events (person_id, at);
-- Reports aggregate events over a time window across everyone.
CREATE INDEX events_at ON events (at, name);
