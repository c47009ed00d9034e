-- ccmeter schema v10: the tool log filtered to failures reads the failed runs alone. The name/time index holds
-- every tool_result (a heavy year: 325,000), and a failure filter read all of them to count the few thousand
-- that failed and to find the newest 50 (150 ms over a year); this index holds the failed ones only, so its
-- cost on ingest is one entry per failure.
CREATE INDEX events_failed_tools ON events(time_ns, tool_name)
    WHERE name = 'tool_result' AND success = 0 AND is_claude_code = 1;
