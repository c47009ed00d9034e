-- ccmeter schema v5: the tool table's accept/reject counts read tool_decision events by tool and decision; with
-- `decision` in the name/time index they, like every other event figure, never touch the wide table rows
-- (a month of a heavy user's decisions: 15 ms of row lookups before).
DROP INDEX events_name_time;
CREATE INDEX events_name_time ON events(name, time_ns, is_claude_code, model_norm, duration_ms, tool_name, success,
                                        status_code, decision);
