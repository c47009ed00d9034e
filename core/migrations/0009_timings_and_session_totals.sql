-- ccmeter schema v9: the last figures a long range read from every record or every session's 15-minute rows,
-- kept per local hour and day (and per session) like migrations 0007 and 0008 (core/src/write/daily.rs builds and refreshes them).

-- API requests by model (kind 'api', key the normalised model, '' for none) and tool calls by tool (kind 'tool',
-- key the tool name, '?' for none), from the Claude Code api_request, tool_result and tool_decision events:
-- counts and sums exact, the durations and times to first token as log-scale histograms
-- (core/src/words/histogram.rs: percentiles within 1 % + 0.5 ms of the exact nearest-rank value).
CREATE TABLE timing_by_hour (
    kind            TEXT NOT NULL,
    key             TEXT NOT NULL,
    first_bucket    INTEGER NOT NULL,
    end_bucket      INTEGER NOT NULL,
    records         INTEGER NOT NULL,   -- api_request or tool_result events
    succeeded       INTEGER NOT NULL,   -- tool_result with success true
    failed          INTEGER NOT NULL,   -- tool_result with success false
    accepted        INTEGER NOT NULL,   -- tool_decision accept
    rejected        INTEGER NOT NULL,   -- tool_decision reject
    timed           INTEGER NOT NULL,   -- records with a duration
    duration_ms     INTEGER NOT NULL,   -- their sum
    durations       BLOB NOT NULL,
    ttfts           BLOB NOT NULL,
    PRIMARY KEY (kind, first_bucket, key)
) WITHOUT ROWID;

CREATE TABLE timing_by_day (
    kind            TEXT NOT NULL,
    key             TEXT NOT NULL,
    first_bucket    INTEGER NOT NULL,
    end_bucket      INTEGER NOT NULL,
    records         INTEGER NOT NULL,
    succeeded       INTEGER NOT NULL,
    failed          INTEGER NOT NULL,
    accepted        INTEGER NOT NULL,
    rejected        INTEGER NOT NULL,
    timed           INTEGER NOT NULL,
    duration_ms     INTEGER NOT NULL,
    durations       BLOB NOT NULL,
    ttfts           BLOB NOT NULL,
    PRIMARY KEY (kind, first_bucket, key)
) WITHOUT ROWID;

-- Each session's usage over its whole life, with the one-source rule applied (`ev`: events own its cost), its
-- models and the first and last 15-minute bucket it has usage in: the history, the dashboard's sessions and
-- `ccmeter report` read a row per session for every session a range holds whole, and sum the rollup only
-- for the few it cuts. Data without a session is not kept here (its source is decided per bucket, by
-- the other sessions' requests): it is always read from the rollup. `usage_by_day_state.sessions_from` is
-- the id after which the fill still has sessions to total (NULL when all are).
CREATE TABLE session_totals (
    session_id         TEXT NOT NULL,
    first_bucket       INTEGER NOT NULL,
    last_bucket        INTEGER NOT NULL,
    ev                 INTEGER NOT NULL,
    models             TEXT,
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
    -- Kept in the order of their last bucket: a range reads the sessions that end inside it as one run.
    PRIMARY KEY (last_bucket, session_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX session_totals_id ON session_totals(session_id);
ALTER TABLE usage_by_day_state ADD COLUMN sessions_from TEXT;

-- Each local hour's slot in the week (weekday × 24 + wall-clock hour, Monday 0), and per local day the activity
-- heatmap's figures by slot, summed from its hours: a year's heatmap sums 24 rows a day, whatever the models.
-- Every hour and day is built again below.
ALTER TABLE usage_by_hour ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
CREATE TABLE activity_by_day (
    first_bucket       INTEGER NOT NULL,
    slot               INTEGER NOT NULL,
    end_bucket         INTEGER NOT NULL,
    cost_nanos         INTEGER NOT NULL,
    api_requests       INTEGER NOT NULL,
    user_prompts       INTEGER NOT NULL,
    PRIMARY KEY (first_bucket, slot)
) WITHOUT ROWID;

-- Built from the start, behind the receiver, as 0008's were.
UPDATE usage_by_day_state SET fill_from = (SELECT min(bucket) FROM usage_rollup), sessions_from = '';
