-- ccmeter schema v2: budget alerts. One row per (period, period key, threshold) ever reached, so an alert
-- is sent once and never again for that period — also after a restart. Rows that were not shown as a
-- notification (alerts off, paused, or passed by a higher threshold in the same check) have suppressed = 1.
-- period: 'day' | 'week' | 'month' | 'session'; period_key: '2026-11-24', the week's first day
-- '2026-11-23', '2026-11', or the session id.

CREATE TABLE alerts (
    period       TEXT NOT NULL,
    period_key   TEXT NOT NULL,
    threshold    INTEGER NOT NULL,          -- percent of the limit
    fired_at_ns  INTEGER NOT NULL,          -- UTC ns, the clock's time when the threshold was seen reached
    spent_nanos  INTEGER NOT NULL,
    limit_nanos  INTEGER NOT NULL,
    suppressed   INTEGER NOT NULL,
    summary      TEXT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (period, period_key, threshold)
) WITHOUT ROWID;
CREATE INDEX alerts_fired_at ON alerts(fired_at_ns);
