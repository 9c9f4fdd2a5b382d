-- 0008: a person's scheduling state in its own table, typed (bot/core/schedule.py):
-- flags are 0/1 instead of the word "yes", counts are integers, times ISO-8601 text.
-- Until now these lived as loose variables in conversation_state.state_json; they move
-- here, and out of the JSON. The flows still see them by their old names: storage joins
-- them back on load (bot/core/schedule.py is the one mapping). A time that is not one
-- (never written by goodhelp) is left behind rather than guessed.
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

CREATE TABLE schedules (
    person_id            INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    timezone             TEXT,
    checkin_time         TEXT,
    quiet_start          TEXT,
    quiet_end            TEXT,
    paused               INTEGER CHECK (paused IN (0, 1)),
    rhythm               TEXT,
    rhythm_chosen        INTEGER CHECK (rhythm_chosen IN (0, 1)),
    rhythm_reason        TEXT,
    rhythm_since         TEXT,
    previous_rhythm      TEXT,
    prompt_at            TEXT,
    prompt_turn          INTEGER,
    prompt_rhythm        TEXT,
    checkin_replied      INTEGER CHECK (checkin_replied IN (0, 1)),
    unanswered           INTEGER,
    reply_history        TEXT,
    still_want_asked     INTEGER CHECK (still_want_asked IN (0, 1)),
    dip_rating_at        TEXT,
    encouragement_recent TEXT NOT NULL DEFAULT '[]',
    safety_pause_until   TEXT
);

INSERT INTO schedules (person_id, timezone, checkin_time, quiet_start, quiet_end, paused, rhythm, rhythm_chosen, rhythm_reason, rhythm_since, previous_rhythm, prompt_at, prompt_turn, prompt_rhythm, checkin_replied, unanswered, reply_history, still_want_asked, dip_rating_at, encouragement_recent, safety_pause_until)
SELECT person_id,
    CASE WHEN json_type(state_json, '$.vars.timezone') IN ('text', 'integer', 'real') THEN CAST(json_extract(state_json, '$.vars.timezone') AS TEXT) END,
    CASE WHEN json_type(state_json, '$.vars.checkin_time') IN ('text', 'integer', 'real') THEN CAST(json_extract(state_json, '$.vars.checkin_time') AS TEXT) END,
    CASE WHEN json_type(state_json, '$.vars.quiet_start') IN ('text', 'integer', 'real') THEN CAST(json_extract(state_json, '$.vars.quiet_start') AS TEXT) END,
    CASE WHEN json_type(state_json, '$.vars.quiet_end') IN ('text', 'integer', 'real') THEN CAST(json_extract(state_json, '$.vars.quiet_end') AS TEXT) END,
    CASE json_type(state_json, '$.vars.paused') WHEN 'true' THEN 1 WHEN 'false' THEN 0 WHEN 'null' THEN NULL
         WHEN 'text' THEN lower(json_extract(state_json, '$.vars.paused')) = 'yes' ELSE CASE WHEN json_type(state_json, '$.vars.paused') IS NULL THEN NULL ELSE 0 END END,
    CASE WHEN json_type(state_json, '$.vars.checkin_rhythm') IN ('text', 'integer', 'real') THEN CAST(json_extract(state_json, '$.vars.checkin_rhythm') AS TEXT) END,
    CASE json_type(state_json, '$.vars.rhythm_chosen') WHEN 'true' THEN 1 WHEN 'false' THEN 0 WHEN 'null' THEN NULL
         WHEN 'text' THEN lower(json_extract(state_json, '$.vars.rhythm_chosen')) = 'yes' ELSE CASE WHEN json_type(state_json, '$.vars.rhythm_chosen') IS NULL THEN NULL ELSE 0 END END,
    CASE WHEN json_type(state_json, '$.vars.rhythm_reason') IN ('text', 'integer', 'real') THEN CAST(json_extract(state_json, '$.vars.rhythm_reason') AS TEXT) END,
    CASE WHEN json_type(state_json, '$.vars.rhythm_since') = 'text' AND json_extract(state_json, '$.vars.rhythm_since') <> '' THEN json_extract(state_json, '$.vars.rhythm_since') END,
    CASE WHEN json_type(state_json, '$.vars.previous_rhythm') IN ('text', 'integer', 'real') THEN CAST(json_extract(state_json, '$.vars.previous_rhythm') AS TEXT) END,
    CASE WHEN json_type(state_json, '$.vars.prompt_at') = 'text' AND json_extract(state_json, '$.vars.prompt_at') <> '' THEN json_extract(state_json, '$.vars.prompt_at') END,
    CASE WHEN json_type(state_json, '$.vars.prompt_turn') IN ('integer', 'real') OR (json_type(state_json, '$.vars.prompt_turn') = 'text' AND json_extract(state_json, '$.vars.prompt_turn') GLOB '[0-9]*')
         THEN CAST(json_extract(state_json, '$.vars.prompt_turn') AS INTEGER) END,
    CASE WHEN json_type(state_json, '$.vars.prompt_rhythm') IN ('text', 'integer', 'real') THEN CAST(json_extract(state_json, '$.vars.prompt_rhythm') AS TEXT) END,
    CASE json_type(state_json, '$.vars.checkin_replied') WHEN 'true' THEN 1 WHEN 'false' THEN 0 WHEN 'null' THEN NULL
         WHEN 'text' THEN lower(json_extract(state_json, '$.vars.checkin_replied')) = 'yes' ELSE CASE WHEN json_type(state_json, '$.vars.checkin_replied') IS NULL THEN NULL ELSE 0 END END,
    CASE WHEN json_type(state_json, '$.vars.unanswered') IN ('integer', 'real') OR (json_type(state_json, '$.vars.unanswered') = 'text' AND json_extract(state_json, '$.vars.unanswered') GLOB '[0-9]*')
         THEN CAST(json_extract(state_json, '$.vars.unanswered') AS INTEGER) END,
    CASE WHEN json_type(state_json, '$.vars.reply_history') IN ('text', 'integer', 'real') THEN CAST(json_extract(state_json, '$.vars.reply_history') AS TEXT) END,
    CASE json_type(state_json, '$.vars.still_want_asked') WHEN 'true' THEN 1 WHEN 'false' THEN 0 WHEN 'null' THEN NULL
         WHEN 'text' THEN lower(json_extract(state_json, '$.vars.still_want_asked')) = 'yes' ELSE CASE WHEN json_type(state_json, '$.vars.still_want_asked') IS NULL THEN NULL ELSE 0 END END,
    CASE WHEN json_type(state_json, '$.vars.dip_rating_at') = 'text' AND json_extract(state_json, '$.vars.dip_rating_at') <> '' THEN json_extract(state_json, '$.vars.dip_rating_at') END,
    CASE json_type(state_json, '$.vars.encouragement_recent') WHEN 'array' THEN json_extract(state_json, '$.vars.encouragement_recent') ELSE '[]' END,
    CASE WHEN json_type(state_json, '$.vars.safety_pause_until') = 'text' AND json_extract(state_json, '$.vars.safety_pause_until') <> '' THEN json_extract(state_json, '$.vars.safety_pause_until') END
FROM conversation_state
WHERE json_type(state_json, '$.vars.timezone') IS NOT NULL OR json_type(state_json, '$.vars.checkin_time') IS NOT NULL OR json_type(state_json, '$.vars.quiet_start') IS NOT NULL OR json_type(state_json, '$.vars.quiet_end') IS NOT NULL OR json_type(state_json, '$.vars.paused') IS NOT NULL OR json_type(state_json, '$.vars.checkin_rhythm') IS NOT NULL OR json_type(state_json, '$.vars.rhythm_chosen') IS NOT NULL OR json_type(state_json, '$.vars.rhythm_reason') IS NOT NULL OR json_type(state_json, '$.vars.rhythm_since') IS NOT NULL OR json_type(state_json, '$.vars.previous_rhythm') IS NOT NULL OR json_type(state_json, '$.vars.prompt_at') IS NOT NULL OR json_type(state_json, '$.vars.prompt_turn') IS NOT NULL OR json_type(state_json, '$.vars.prompt_rhythm') IS NOT NULL OR json_type(state_json, '$.vars.checkin_replied') IS NOT NULL OR json_type(state_json, '$.vars.unanswered') IS NOT NULL OR json_type(state_json, '$.vars.reply_history') IS NOT NULL OR json_type(state_json, '$.vars.still_want_asked') IS NOT NULL OR json_type(state_json, '$.vars.dip_rating_at') IS NOT NULL OR json_type(state_json, '$.vars.encouragement_recent') IS NOT NULL OR json_type(state_json, '$.vars.safety_pause_until') IS NOT NULL;

UPDATE conversation_state SET state_json = json_remove(state_json, '$.vars.timezone', '$.vars.checkin_time', '$.vars.quiet_start', '$.vars.quiet_end', '$.vars.paused', '$.vars.checkin_rhythm', '$.vars.rhythm_chosen', '$.vars.rhythm_reason', '$.vars.rhythm_since', '$.vars.previous_rhythm', '$.vars.prompt_at', '$.vars.prompt_turn', '$.vars.prompt_rhythm', '$.vars.checkin_replied', '$.vars.unanswered', '$.vars.reply_history', '$.vars.still_want_asked', '$.vars.dip_rating_at', '$.vars.encouragement_recent', '$.vars.safety_pause_until');
