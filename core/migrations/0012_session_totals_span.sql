-- ccmeter schema v12: the sessions of a year counted and grouped from a narrow index instead of their wide rows.
--
-- The summary counts the sessions a range holds whole and the session mix groups them by terminal, resource and
-- commit; both scan the range's totals in their last bucket's order. Their rows carry every usage figure and the
-- model list, so a year's 10,000 sessions filled 1.8 MB of pages; this index holds only what those two read
-- (the count and the mix of a year: about half the time each).
CREATE INDEX session_totals_span
    ON session_totals(last_bucket, first_bucket, cost_nanos, commits, terminal_type, resource_id);
