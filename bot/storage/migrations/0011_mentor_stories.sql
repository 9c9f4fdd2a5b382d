-- 0011: role-model stories written by peer mentors (issue 12, slice 5).
-- A mentor's story waits for staff (submitted), then joins the story library (approved)
-- or is not shared (rejected, with the kind reason staff gave the author). The mentor is
-- named by channel and id only so they can see and withdraw their own stories; a person
-- reading it sees the story's text and theme, never who wrote it. The relay dispatcher
-- tells the writer each decision once (told_at). Withdrawing a story,
-- or the mentor's /delete, deletes the row (secure_delete is on for these connections).
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

CREATE TABLE mentor_stories (
    id              INTEGER PRIMARY KEY,
    mentor_channel  TEXT NOT NULL,
    mentor_external TEXT NOT NULL,
    theme           TEXT NOT NULL DEFAULT 'other',
    text            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),
    reason          TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    decided_at      TEXT,
    told_at         TEXT     -- when the writer was told staff's decision (relay dispatcher)
);
CREATE INDEX mentor_stories_status ON mentor_stories (status, id);
CREATE INDEX mentor_stories_mentor ON mentor_stories (mentor_channel, mentor_external, id);
