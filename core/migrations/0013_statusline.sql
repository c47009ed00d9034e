-- ccmeter schema v13: what Claude Code hands its statusLine command (`ccmeter statusline`), the only local
-- source of a subscriber's plan limits, and each session's workspace.

-- A plan's usage window, named by its kind and its reset time (every report of one window carries the same).
-- The current window of a kind is the one that resets last; within one window the highest use any session
-- reported is kept (responses race, a later one may carry an older figure).
CREATE TABLE limit_windows (
    kind        TEXT NOT NULL CHECK (kind IN ('five_hour', 'seven_day')),
    resets_at   INTEGER NOT NULL,           -- Unix seconds
    used_pct    REAL NOT NULL CHECK (used_pct BETWEEN 0 AND 100),
    first_ns    INTEGER NOT NULL,           -- UTC ns of the first and the last report
    last_ns     INTEGER NOT NULL,
    PRIMARY KEY (kind, resets_at)
) WITHOUT ROWID;

-- Each window's use over time: a point each time a report raised it, for the dashboard's history of the limits.
CREATE TABLE limit_points (
    kind        TEXT NOT NULL,
    resets_at   INTEGER NOT NULL,
    at_ns       INTEGER NOT NULL,
    used_pct    REAL NOT NULL,
    PRIMARY KEY (kind, resets_at, at_ns)
) WITHOUT ROWID;
CREATE INDEX limit_points_at ON limit_points(at_ns);

-- A limit threshold reached, once per window (as `alerts` is once per budget period).
CREATE TABLE limit_alerts (
    kind        TEXT NOT NULL,
    resets_at   INTEGER NOT NULL,
    threshold   INTEGER NOT NULL,           -- percent of the window
    fired_at_ns INTEGER NOT NULL,
    used_pct    REAL NOT NULL,
    suppressed  INTEGER NOT NULL,
    summary     TEXT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (kind, resets_at, threshold)
) WITHOUT ROWID;

-- Where each session worked and what it last said of itself, from its latest statusline report. The session
-- may have no telemetry at all (telemetry off): nothing here refers to `sessions`.
CREATE TABLE session_workspaces (
    session_id   TEXT PRIMARY KEY,
    cwd          TEXT,
    project_dir  TEXT,
    repo_host    TEXT,
    repo         TEXT,                      -- owner/name
    model        TEXT,
    version      TEXT,
    cost_nanos   INTEGER,                   -- Claude Code's own estimate (cost.total_cost_usd)
    first_ns     INTEGER NOT NULL,
    last_ns      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_workspaces_last ON session_workspaces(last_ns);
