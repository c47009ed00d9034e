-- ccmeter schema v3: an alert is remembered per limit. A user who raises the daily budget from $10 to $20
-- after its 80 % alert must hear about 80 % of $20 too; with the limit outside the key that alert was
-- swallowed. Going back to a limit already alerted on still alerts nothing new.

CREATE TABLE alerts_v3 (
    period       TEXT NOT NULL,
    period_key   TEXT NOT NULL,
    threshold    INTEGER NOT NULL,          -- percent of the limit
    fired_at_ns  INTEGER NOT NULL,          -- UTC ns, the clock's time when the threshold was seen reached
    spent_nanos  INTEGER NOT NULL,
    limit_nanos  INTEGER NOT NULL,          -- the limit the threshold is a percentage of
    suppressed   INTEGER NOT NULL,
    summary      TEXT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (period, period_key, limit_nanos, threshold)
) WITHOUT ROWID;
INSERT INTO alerts_v3 (period, period_key, threshold, fired_at_ns, spent_nanos, limit_nanos, suppressed, summary, body)
    SELECT period, period_key, threshold, fired_at_ns, spent_nanos, limit_nanos, suppressed, summary, body FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_v3 RENAME TO alerts;
CREATE INDEX alerts_fired_at ON alerts(fired_at_ns);
