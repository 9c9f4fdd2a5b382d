-- 0009: roles and invitations (issue 12).
-- invites: only a SHA-256 hash of each code is kept, so the table alone lets nobody in.
-- roles: who holds mentor or staff (and person, when an invitation gave them a cohort).
-- Roles cascade from people, so /delete removes them; a used invitation is kept (without
-- anything about who used it) so staff can see how many of its uses are left.
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    code_hash  TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('person', 'mentor', 'staff')),
    cohort     TEXT,
    uses_left  INTEGER NOT NULL CHECK (uses_left >= 0),
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE roles (
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('person', 'mentor', 'staff')),
    cohort     TEXT,
    invite_id  INTEGER REFERENCES invites (id) ON DELETE SET NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (person_id, role)
);
-- Everyone holding a role (the mentors, for matching and the staff's list).
CREATE INDEX roles_by_role ON roles (role);
