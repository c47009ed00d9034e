-- ccmeter schema v15: the history from before telemetry, read from Claude Code's transcripts.

-- An api_request read from a transcript: its tokens are Claude Code's own, its cost an estimate (1: priced by
-- `pricing`; 2: a model with no known price, costed 0 and counted apart). A request telemetry reports (the same
-- request_id) takes its place.
ALTER TABLE events ADD COLUMN estimated INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_estimated ON events(time_ns) WHERE estimated <> 0;

-- Every request read from a transcript, by its key (`req:<requestId>`, or `msg:<message.id>` without one), kept
-- when its record is pruned, deleted or replaced by telemetry: a later read never adds it again.
CREATE TABLE transcript_requests (
    key TEXT PRIMARY KEY
) WITHOUT ROWID;
