-- 0007: staff reports. An anonymous count of deletions that survives /delete: how many
-- people who had said yes to the privacy note erased themselves, per week (the Monday,
-- UTC). Nothing else about them is kept. Someone who declined consent is not counted:
-- that reset is part of saying no, not a deletion.
-- The week comes from the person's last stored turn (the one that asked "delete?"),
-- so a virtual clock in tests and demo data dates it, not the wall clock.
-- The runner wraps this file in a transaction: no BEGIN or COMMIT here.

CREATE TABLE deletions (
    week   TEXT NOT NULL,
    demo   INTEGER NOT NULL CHECK (demo IN (0, 1)),  -- synthetic people from demo-data
    people INTEGER NOT NULL,
    PRIMARY KEY (week, demo)
);

CREATE TRIGGER count_deletion BEFORE DELETE ON people
WHEN (SELECT json_extract(state_json, '$.vars.consent') FROM conversation_state
      WHERE person_id = OLD.id) = 'yes'
BEGIN
    INSERT INTO deletions (week, demo, people)
    VALUES (date(COALESCE((SELECT updated_at FROM conversation_state
                           WHERE person_id = OLD.id), OLD.created_at),
                 'weekday 0', '-6 days'), OLD.channel = 'demo', 1)
    ON CONFLICT (week, demo) DO UPDATE SET people = people + 1;
END;

-- Staff reports read events one name at a time (questions answered, check-ins started,
-- wordings shown...). This covering index answers each of those from the index alone, in
-- person order, with no lookup in the table: a report over 100,000 people stays quick.
CREATE INDEX events_report ON events (name, person_id, at, flow, step);
