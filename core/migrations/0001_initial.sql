-- ccmeter schema v1. Times are UTC nanoseconds of the event's own time. Money is integer nano-dollars.
-- session_id '' means "no session" (Claude Code omits session.id when OTEL_METRICS_INCLUDE_SESSION_ID=false).

CREATE TABLE resources (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,
    attributes  TEXT NOT NULL               -- JSON object: service.name, os.type, the user's own attributes…
);

CREATE TABLE sessions (
    id               TEXT PRIMARY KEY,
    first_ns         INTEGER NOT NULL,
    last_ns          INTEGER NOT NULL,
    resource_id      INTEGER REFERENCES resources(id),
    app_version      TEXT,
    user_id          TEXT,
    user_email       TEXT,
    organization_id  TEXT,
    account_uuid     TEXT,
    terminal_type    TEXT,
    -- Once an api_request event is seen, events own the session's cost and tokens (DESIGN.md data rules).
    has_api_events   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE events (
    id                     INTEGER PRIMARY KEY,
    dedup_key              TEXT NOT NULL UNIQUE,
    session_id             TEXT NOT NULL,
    time_ns                INTEGER NOT NULL,
    name                   TEXT NOT NULL,
    is_claude_code         INTEGER NOT NULL,
    sequence               INTEGER,
    prompt_id              TEXT,
    request_id             TEXT,
    model                  TEXT,
    model_norm             TEXT,
    cost_nanos             INTEGER,
    cost_from_micros       INTEGER,
    input_tokens           INTEGER,
    output_tokens          INTEGER,
    cache_read_tokens      INTEGER,
    cache_creation_tokens  INTEGER,
    duration_ms            INTEGER,
    success                INTEGER,
    tool_name              TEXT,
    decision               TEXT,
    status_code            INTEGER,
    query_source           TEXT,
    resource_id            INTEGER NOT NULL REFERENCES resources(id),
    attributes             TEXT NOT NULL,
    body                   TEXT,
    severity               TEXT,
    trace_id               TEXT,
    span_id                TEXT
);
CREATE INDEX events_session_time ON events(session_id, time_ns);
CREATE INDEX events_name_time ON events(name, time_ns);
CREATE INDEX events_time ON events(time_ns);

-- One row per metric series: metric + attributes + resource (+ start time for cumulative series).
-- Cumulative series remember their last value so each new point becomes an increment.
CREATE TABLE metric_series (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    metric        TEXT NOT NULL,
    attributes    TEXT NOT NULL,
    resource_id   INTEGER NOT NULL REFERENCES resources(id),
    last_time_ns  INTEGER,
    last_scaled   INTEGER
);

CREATE TABLE metric_points (
    id            INTEGER PRIMARY KEY,
    dedup_key     TEXT NOT NULL UNIQUE,
    series_id     INTEGER NOT NULL REFERENCES metric_series(id),
    session_id    TEXT NOT NULL,
    metric        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    temporality   TEXT NOT NULL,
    unit          TEXT NOT NULL,
    start_ns      INTEGER NOT NULL,
    time_ns       INTEGER NOT NULL,
    value         REAL NOT NULL,         -- as sent (cumulative: the running total)
    delta_scaled  INTEGER,               -- the increment in stored units (nano-USD, µs, counts); NULL for gauges
    model         TEXT,
    model_norm    TEXT,
    type          TEXT,
    detail        TEXT
);
CREATE INDEX metric_points_session_time ON metric_points(session_id, time_ns);
CREATE INDEX metric_points_metric_time ON metric_points(metric, time_ns);

CREATE TABLE spans (
    id              INTEGER PRIMARY KEY,
    dedup_key       TEXT NOT NULL UNIQUE,
    trace_id        TEXT NOT NULL,
    span_id         TEXT NOT NULL,
    parent_span_id  TEXT,
    name            TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    start_ns        INTEGER NOT NULL,
    end_ns          INTEGER NOT NULL,
    status_code     INTEGER NOT NULL,
    status_message  TEXT,
    resource_id     INTEGER NOT NULL REFERENCES resources(id),
    attributes      TEXT NOT NULL
);
CREATE INDEX spans_session_time ON spans(session_id, start_ns);

-- The rollup every total and chart reads: one row per 15-minute UTC bucket, session and normalised model.
-- Every time zone in use is a whole number of quarter hours from UTC, so any local day, week or hour is an
-- exact union of buckets. Event-sourced (ev_*) and metric-sourced (m_*) cost and tokens are kept apart;
-- queries pick one per session.
CREATE TABLE usage_rollup (
    bucket              INTEGER NOT NULL,
    session_id          TEXT NOT NULL,
    model               TEXT NOT NULL,
    ev_cost_nanos       INTEGER NOT NULL DEFAULT 0,
    ev_input            INTEGER NOT NULL DEFAULT 0,
    ev_output           INTEGER NOT NULL DEFAULT 0,
    ev_cache_read       INTEGER NOT NULL DEFAULT 0,
    ev_cache_creation   INTEGER NOT NULL DEFAULT 0,
    m_cost_nanos        INTEGER NOT NULL DEFAULT 0,
    m_input             INTEGER NOT NULL DEFAULT 0,
    m_output            INTEGER NOT NULL DEFAULT 0,
    m_cache_read        INTEGER NOT NULL DEFAULT 0,
    m_cache_creation    INTEGER NOT NULL DEFAULT 0,
    api_requests        INTEGER NOT NULL DEFAULT 0,
    api_duration_ms     INTEGER NOT NULL DEFAULT 0,
    api_errors          INTEGER NOT NULL DEFAULT 0,
    user_prompts        INTEGER NOT NULL DEFAULT 0,
    tool_results        INTEGER NOT NULL DEFAULT 0,
    lines_added         INTEGER NOT NULL DEFAULT 0,
    lines_removed       INTEGER NOT NULL DEFAULT 0,
    commits             INTEGER NOT NULL DEFAULT 0,
    pull_requests       INTEGER NOT NULL DEFAULT 0,
    sessions_started    INTEGER NOT NULL DEFAULT 0,
    active_user_us      INTEGER NOT NULL DEFAULT 0,
    active_cli_us       INTEGER NOT NULL DEFAULT 0,
    edits_accepted      INTEGER NOT NULL DEFAULT 0,
    edits_rejected      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, session_id, model)
) WITHOUT ROWID;
CREATE INDEX usage_rollup_session ON usage_rollup(session_id, bucket);

-- Typed settings, one JSON record (fields default when absent, so old rows pick up new fields).
CREATE TABLE settings (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    json  TEXT NOT NULL
);
