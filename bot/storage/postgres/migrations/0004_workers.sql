-- 0004: several workers (issue 14, part 3). A claimed scheduled message names the worker
-- that claimed it, so a worker that restarts releases only its own claims, and the claims
-- of a worker that died are released once they are older than a lease (claimed_at).
-- '' is the one dispatcher of a single process (and every claim made before this).
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

ALTER TABLE scheduled_messages ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
