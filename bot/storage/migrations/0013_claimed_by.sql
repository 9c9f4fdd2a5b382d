-- 0013: a claimed scheduled message names the worker that claimed it (as PostgreSQL's
-- 0004). SQLite has one process, and so one dispatcher, whose name is '' unless it is
-- given one; the column keeps the storage roles the same on every backend.
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

ALTER TABLE scheduled_messages ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
