-- ccmeter schema v6: Claude Code 2.1.332 — resumed sessions, subagents, time to first token, repositories.

-- `event.sequence` counts per process, not per session: `claude --continue` and `claude --resume <id>` start a
-- new process that sends the same session.id, sequence and event name again (start-up events have no
-- prompt.id to tell them apart). The record's own time joins the key: a retried export resends a record byte
-- for byte, time included, while the new process's records happen later. The old key is the new key's prefix,
-- so every stored row keeps exactly one key and none collides (the old keys were unique; the new ones are
-- longer).
UPDATE events SET dedup_key = dedup_key || ':' || time_ns WHERE dedup_key LIKE 'seq:%';

-- api_request's new figures: time to first token, the cache write split by lifetime (the total stays in
-- cache_creation_tokens), and the subagent that made the request (NULL on the main thread).
ALTER TABLE events ADD COLUMN ttft_ms INTEGER;
ALTER TABLE events ADD COLUMN cache_creation_5m_tokens INTEGER;
ALTER TABLE events ADD COLUMN cache_creation_1h_tokens INTEGER;
ALTER TABLE events ADD COLUMN agent_id TEXT;
ALTER TABLE events ADD COLUMN agent_name TEXT;
UPDATE events SET
    ttft_ms = CAST(json_extract(attributes, '$.ttft_ms') AS INTEGER),
    cache_creation_5m_tokens = CAST(json_extract(attributes, '$.cache_creation_5m_tokens') AS INTEGER),
    cache_creation_1h_tokens = CAST(json_extract(attributes, '$.cache_creation_1h_tokens') AS INTEGER),
    agent_id = nullif(CAST(json_extract(attributes, '$.agent_id') AS TEXT), ''),
    agent_name = nullif(CAST(json_extract(attributes, '$."agent.name"') AS TEXT), '')
WHERE name = 'api_request' AND is_claude_code = 1;
CREATE INDEX events_session_agent ON events(session_id, agent_id) WHERE agent_id IS NOT NULL;
-- Time to first token is a latency figure beside duration: the latency percentiles read it from the same
-- covering index (migration 0005), never from the wide rows.
DROP INDEX events_name_time;
CREATE INDEX events_name_time ON events(name, time_ns, is_claude_code, model_norm, duration_ms, tool_name, success,
                                        status_code, decision, ttft_ms);

-- The repository a session worked in (`OTEL_METRICS_INCLUDE_REPOSITORY=true`: on its events and metric points)
-- and the last commit it made (tool_result after a successful `git commit`), latest value wins, from Claude
-- Code's own records as ingest takes them.
ALTER TABLE sessions ADD COLUMN vcs_repository TEXT;
ALTER TABLE sessions ADD COLUMN vcs_branch TEXT;
ALTER TABLE sessions ADD COLUMN vcs_revision TEXT;
CREATE TEMP TABLE vcs_seen AS
SELECT session_id, time_ns, attributes FROM events
WHERE is_claude_code = 1 AND session_id <> '' AND attributes LIKE '%"vcs.%'
UNION ALL
SELECT p.session_id, max(p.time_ns), ms.attributes FROM metric_points p JOIN metric_series ms ON ms.id = p.series_id
WHERE p.metric LIKE 'claude_code.%' AND p.session_id <> '' AND ms.attributes LIKE '%"vcs.%'
GROUP BY p.session_id, p.series_id;
UPDATE sessions SET
    vcs_repository = (SELECT json_extract(v.attributes, '$."vcs.repository.url.full"') FROM vcs_seen v
                      WHERE v.session_id = sessions.id
                        AND json_extract(v.attributes, '$."vcs.repository.url.full"') <> ''
                      ORDER BY v.time_ns DESC LIMIT 1),
    vcs_branch = (SELECT json_extract(v.attributes, '$."vcs.ref.head.name"') FROM vcs_seen v
                  WHERE v.session_id = sessions.id AND json_extract(v.attributes, '$."vcs.ref.head.name"') <> ''
                  ORDER BY v.time_ns DESC LIMIT 1),
    vcs_revision = (SELECT json_extract(v.attributes, '$."vcs.ref.head.revision"') FROM vcs_seen v
                    WHERE v.session_id = sessions.id
                      AND json_extract(v.attributes, '$."vcs.ref.head.revision"') <> ''
                    ORDER BY v.time_ns DESC LIMIT 1)
WHERE id IN (SELECT session_id FROM vcs_seen);
DROP TABLE vcs_seen;

-- A new facet, `agent`: a subagent's api_request events (those with agent_id; ev_*, records = requests) and
-- the cost/token metrics of query_source 'subagent' (m_*), by `agent.name` ('' when none was sent). It holds
-- subagent records alone, so it splits the subagent class by the agent that spent and adds up to it.
INSERT INTO facet_rollup (facet, value, bucket, session_id, records, ev_cost_nanos, ev_input, ev_output,
                          ev_cache_read, ev_cache_creation)
SELECT 'agent', coalesce(agent_name, ''),
       time_ns / 900000000000 - (time_ns % 900000000000 < 0), session_id, count(*),
       sum(coalesce(cost_nanos, 0)), sum(coalesce(input_tokens, 0)), sum(coalesce(output_tokens, 0)),
       sum(coalesce(cache_read_tokens, 0)), sum(coalesce(cache_creation_tokens, 0))
FROM events WHERE name = 'api_request' AND is_claude_code = 1 AND agent_id IS NOT NULL
GROUP BY 2, 3, 4;

INSERT INTO facet_rollup (facet, value, bucket, session_id, m_cost_nanos, m_input, m_output, m_cache_read,
                          m_cache_creation)
SELECT 'agent', coalesce(CAST(json_extract(ms.attributes, '$."agent.name"') AS TEXT), ''), t.bucket, t.session_id,
       sum(CASE WHEN t.metric = 'claude_code.cost.usage' THEN t.delta ELSE 0 END),
       sum(CASE WHEN t.metric = 'claude_code.token.usage' AND t.type = 'input' THEN t.delta ELSE 0 END),
       sum(CASE WHEN t.metric = 'claude_code.token.usage' AND t.type = 'output' THEN t.delta ELSE 0 END),
       sum(CASE WHEN t.metric = 'claude_code.token.usage' AND t.type = 'cacheRead' THEN t.delta ELSE 0 END),
       sum(CASE WHEN t.metric = 'claude_code.token.usage' AND t.type = 'cacheCreation' THEN t.delta ELSE 0 END)
FROM (SELECT series_id, metric, coalesce(type, '') AS type, session_id,
             time_ns / 900000000000 - (time_ns % 900000000000 < 0) AS bucket, sum(delta_scaled) AS delta
      FROM metric_points
      WHERE metric IN ('claude_code.cost.usage', 'claude_code.token.usage') AND delta_scaled IS NOT NULL
      GROUP BY series_id, metric, type, session_id, bucket) t
JOIN metric_series ms ON ms.id = t.series_id
WHERE CAST(json_extract(ms.attributes, '$.query_source') AS TEXT) = 'subagent'
GROUP BY 2, 3, 4
ON CONFLICT (facet, bucket, value, session_id) DO UPDATE SET
    m_cost_nanos = m_cost_nanos + excluded.m_cost_nanos,
    m_input = m_input + excluded.m_input,
    m_output = m_output + excluded.m_output,
    m_cache_read = m_cache_read + excluded.m_cache_read,
    m_cache_creation = m_cache_creation + excluded.m_cache_creation;
