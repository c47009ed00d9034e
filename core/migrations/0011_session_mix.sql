-- ccmeter schema v11: the dashboard's session mix over a year reads 10,000 sessions, and no longer looks each up.
--
-- Each session's terminal and resource beside its totals: reading those from `sessions` cost a lookup of the
-- session's text key each (the mix groups the sessions by terminal and by the user's resource attributes). The
-- writer copies them whenever it totals a session again, and it does so for every session a write touches.
ALTER TABLE session_totals ADD COLUMN terminal_type TEXT;
ALTER TABLE session_totals ADD COLUMN resource_id INTEGER;

-- The sessions in the order they started: "sessions started per day" reads the range's first instants in order
-- from this index instead of scanning and sorting every session.
CREATE INDEX sessions_first ON sessions(first_ns);

-- Every session is totalled again behind the receiver, as 0009 built them; until then the queries read the rollups.
UPDATE usage_by_day_state SET sessions_from = '';
