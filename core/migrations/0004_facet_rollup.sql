-- ccmeter schema v4: the dashboard's breakdowns read rollups, not raw records, so they stay fast on a large
-- history (DESIGN.md: every dashboard query under 25 ms with a million events stored).

-- Usage by one attribute of the records ("facet") and its raw value, per 15-minute UTC bucket and session,
-- filled at ingest next to usage_rollup and following the same rules. The facets:
--   query_source  api_request events (ev_*, records = requests) and the cost/token metrics (m_*), by the raw
--                 `query_source` ('' when absent)
--   effort        the same records, by `effort`
--   language      claude_code.code_edit_tool.decision increments (accepted, rejected), by `language`
--   event         every Claude Code event (records), by its name
-- As in usage_rollup, queries pick ev_* or m_* per session (DESIGN.md, "Which source, when").
CREATE TABLE facet_rollup (
    facet               TEXT NOT NULL,
    value               TEXT NOT NULL,
    bucket              INTEGER NOT NULL,
    session_id          TEXT NOT NULL,
    records             INTEGER NOT NULL DEFAULT 0,
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
    accepted            INTEGER NOT NULL DEFAULT 0,
    rejected            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (facet, bucket, value, session_id)
) WITHOUT ROWID;
CREATE INDEX facet_rollup_session ON facet_rollup(session_id, bucket);

-- The event-sourced figures that need every record (latency and tool-duration percentiles, errors by
-- status, the tool and error logs) read this index alone, never the wide table rows.
DROP INDEX events_name_time;
CREATE INDEX events_name_time ON events(name, time_ns, is_claude_code, model_norm, duration_ms, tool_name, success,
                                        status_code);

-- Backfill from what is stored. A bucket is the floor of time / 15 min (SQLite's `/` truncates to zero).
INSERT INTO facet_rollup (facet, value, bucket, session_id, records, ev_cost_nanos, ev_input, ev_output,
                          ev_cache_read, ev_cache_creation)
SELECT 'query_source', coalesce(query_source, ''),
       time_ns / 900000000000 - (time_ns % 900000000000 < 0), session_id, count(*),
       sum(coalesce(cost_nanos, 0)), sum(coalesce(input_tokens, 0)), sum(coalesce(output_tokens, 0)),
       sum(coalesce(cache_read_tokens, 0)), sum(coalesce(cache_creation_tokens, 0))
FROM events WHERE name = 'api_request' AND is_claude_code = 1
GROUP BY 2, 3, 4
UNION ALL
SELECT 'effort', coalesce(CAST(json_extract(attributes, '$.effort') AS TEXT), ''),
       time_ns / 900000000000 - (time_ns % 900000000000 < 0), session_id, count(*),
       sum(coalesce(cost_nanos, 0)), sum(coalesce(input_tokens, 0)), sum(coalesce(output_tokens, 0)),
       sum(coalesce(cache_read_tokens, 0)), sum(coalesce(cache_creation_tokens, 0))
FROM events WHERE name = 'api_request' AND is_claude_code = 1
GROUP BY 2, 3, 4
UNION ALL
SELECT 'event', name, time_ns / 900000000000 - (time_ns % 900000000000 < 0), session_id, count(*), 0, 0, 0, 0, 0
FROM events WHERE is_claude_code = 1
GROUP BY 2, 3, 4;

-- Metric increments, summed per series first so each series' attributes are read once.
CREATE TEMP TABLE metric_facets AS
SELECT CASE f.facet WHEN 'query_source' THEN coalesce(CAST(json_extract(ms.attributes, '$.query_source') AS TEXT), '')
                    ELSE coalesce(CAST(json_extract(ms.attributes, '$.effort') AS TEXT), '') END AS value,
       f.facet, t.bucket, t.session_id, t.metric, t.type, t.delta
FROM (SELECT series_id, metric, coalesce(type, '') AS type, session_id,
             time_ns / 900000000000 - (time_ns % 900000000000 < 0) AS bucket, sum(delta_scaled) AS delta
      FROM metric_points
      WHERE metric IN ('claude_code.cost.usage', 'claude_code.token.usage') AND delta_scaled IS NOT NULL
      GROUP BY series_id, metric, type, session_id, bucket) t
JOIN metric_series ms ON ms.id = t.series_id
CROSS JOIN (SELECT 'query_source' AS facet UNION ALL SELECT 'effort') f;

INSERT INTO facet_rollup (facet, value, bucket, session_id, m_cost_nanos, m_input, m_output, m_cache_read,
                          m_cache_creation)
SELECT facet, value, bucket, session_id,
       sum(CASE WHEN metric = 'claude_code.cost.usage' THEN delta ELSE 0 END),
       sum(CASE WHEN metric = 'claude_code.token.usage' AND type = 'input' THEN delta ELSE 0 END),
       sum(CASE WHEN metric = 'claude_code.token.usage' AND type = 'output' THEN delta ELSE 0 END),
       sum(CASE WHEN metric = 'claude_code.token.usage' AND type = 'cacheRead' THEN delta ELSE 0 END),
       sum(CASE WHEN metric = 'claude_code.token.usage' AND type = 'cacheCreation' THEN delta ELSE 0 END)
FROM metric_facets WHERE true
GROUP BY facet, value, bucket, session_id
ON CONFLICT (facet, bucket, value, session_id) DO UPDATE SET
    m_cost_nanos = m_cost_nanos + excluded.m_cost_nanos,
    m_input = m_input + excluded.m_input,
    m_output = m_output + excluded.m_output,
    m_cache_read = m_cache_read + excluded.m_cache_read,
    m_cache_creation = m_cache_creation + excluded.m_cache_creation;
DROP TABLE metric_facets;

INSERT INTO facet_rollup (facet, value, bucket, session_id, accepted, rejected)
SELECT 'language', coalesce(CAST(json_extract(ms.attributes, '$.language') AS TEXT), ''), t.bucket, t.session_id,
       sum(CASE WHEN json_extract(ms.attributes, '$.decision') = 'accept' THEN t.delta ELSE 0 END),
       sum(CASE WHEN json_extract(ms.attributes, '$.decision') = 'reject' THEN t.delta ELSE 0 END)
FROM (SELECT series_id, session_id, time_ns / 900000000000 - (time_ns % 900000000000 < 0) AS bucket,
             sum(delta_scaled) AS delta
      FROM metric_points
      WHERE metric = 'claude_code.code_edit_tool.decision' AND delta_scaled IS NOT NULL
      GROUP BY series_id, session_id, bucket) t
JOIN metric_series ms ON ms.id = t.series_id
GROUP BY 2, 3, 4;
