-- Usage per local day and per local hour, by model, across sessions, with the one-source-per-session rule
-- already applied (core/src/store/usage.rs): a long range sums a row per day (or hour) and model instead of
-- every session's 15-minute rows. Days and hours are local to the zone in usage_by_day_state; each row names
-- its 15-minute buckets [first_bucket, end_bucket), so a read in any zone takes the rows wholly inside its range
-- and reads the rest from usage_rollup. The writer recomputes the days and hours every write touches; a fill
-- behind the receiver builds the rest (usage_by_day_state.fill_from: the next bucket to build from; NULL when
-- all are built).
CREATE TABLE usage_by_day (
    first_bucket       INTEGER NOT NULL,
    end_bucket         INTEGER NOT NULL,
    model              TEXT NOT NULL,
    cost_nanos         INTEGER NOT NULL,
    input              INTEGER NOT NULL,
    output             INTEGER NOT NULL,
    cache_read         INTEGER NOT NULL,
    cache_creation     INTEGER NOT NULL,
    api_requests       INTEGER NOT NULL,
    api_errors         INTEGER NOT NULL,
    user_prompts       INTEGER NOT NULL,
    tool_results       INTEGER NOT NULL,
    lines_added        INTEGER NOT NULL,
    lines_removed      INTEGER NOT NULL,
    commits            INTEGER NOT NULL,
    pull_requests      INTEGER NOT NULL,
    active_user_us     INTEGER NOT NULL,
    active_cli_us      INTEGER NOT NULL,
    edits_accepted     INTEGER NOT NULL,
    edits_rejected     INTEGER NOT NULL,
    api_duration_ms    INTEGER NOT NULL,
    PRIMARY KEY (first_bucket, model)
) WITHOUT ROWID;

-- The same per local hour (the hours of zones 30 or 45 minutes off UTC begin at :30 or :15 UTC).
CREATE TABLE usage_by_hour (
    first_bucket       INTEGER NOT NULL,
    end_bucket         INTEGER NOT NULL,
    model              TEXT NOT NULL,
    cost_nanos         INTEGER NOT NULL,
    input              INTEGER NOT NULL,
    output             INTEGER NOT NULL,
    cache_read         INTEGER NOT NULL,
    cache_creation     INTEGER NOT NULL,
    api_requests       INTEGER NOT NULL,
    api_errors         INTEGER NOT NULL,
    user_prompts       INTEGER NOT NULL,
    tool_results       INTEGER NOT NULL,
    lines_added        INTEGER NOT NULL,
    lines_removed      INTEGER NOT NULL,
    commits            INTEGER NOT NULL,
    pull_requests      INTEGER NOT NULL,
    active_user_us     INTEGER NOT NULL,
    active_cli_us      INTEGER NOT NULL,
    edits_accepted     INTEGER NOT NULL,
    edits_rejected     INTEGER NOT NULL,
    api_duration_ms    INTEGER NOT NULL,
    PRIMARY KEY (first_bucket, model)
) WITHOUT ROWID;

CREATE TABLE usage_by_day_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    zone       TEXT NOT NULL,
    fill_from  INTEGER
);
