-- 0004: delivery. A person who blocked the bot (Telegram answered 403 Forbidden) is
-- unreachable from then until they write again; scheduled messages skip them meanwhile.
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

ALTER TABLE people ADD COLUMN unreachable_since TEXT;
