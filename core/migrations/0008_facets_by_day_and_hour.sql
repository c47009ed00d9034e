-- The facet rollup's breakdowns (query source, effort, language, event name, agent) per local hour and per
-- local day across sessions, with the one-source-per-session rule applied, kept and built exactly like
-- usage_by_hour and usage_by_day (migration 0007, core/src/write/daily.rs): a year of cost by source or
-- events by name reads a row per hour (day) and value instead of every session's 15-minute rows.
CREATE TABLE facet_by_hour (
    facet              TEXT NOT NULL,
    value              TEXT NOT NULL,
    first_bucket       INTEGER NOT NULL,
    end_bucket         INTEGER NOT NULL,
    records            INTEGER NOT NULL,
    cost_nanos         INTEGER NOT NULL,
    input              INTEGER NOT NULL,
    output             INTEGER NOT NULL,
    cache_read         INTEGER NOT NULL,
    cache_creation     INTEGER NOT NULL,
    accepted           INTEGER NOT NULL,
    rejected           INTEGER NOT NULL,
    PRIMARY KEY (facet, first_bucket, value)
) WITHOUT ROWID;

CREATE TABLE facet_by_day (
    facet              TEXT NOT NULL,
    value              TEXT NOT NULL,
    first_bucket       INTEGER NOT NULL,
    end_bucket         INTEGER NOT NULL,
    records            INTEGER NOT NULL,
    cost_nanos         INTEGER NOT NULL,
    input              INTEGER NOT NULL,
    output             INTEGER NOT NULL,
    cache_read         INTEGER NOT NULL,
    cache_creation     INTEGER NOT NULL,
    accepted           INTEGER NOT NULL,
    rejected           INTEGER NOT NULL,
    PRIMARY KEY (facet, first_bucket, value)
) WITHOUT ROWID;

-- Built from the start: a database that had day and hour usage but no facets gets them by a fill again.
UPDATE usage_by_day_state SET fill_from = (SELECT min(bucket) FROM usage_rollup);
