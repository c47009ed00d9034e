-- ccmeter schema v16: how far each of Claude Code's transcripts has been read, so a re-scan reads only what was
-- added (a transcript only grows) and passes over the files that did not change.

-- `resume_at`: the byte the next read starts from (the end of the last whole line, or the first line of a
-- response still being written); `held`: such a response was held back, so the file is read again even unchanged.
CREATE TABLE transcript_reads (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    modified_ns INTEGER NOT NULL,
    resume_at INTEGER NOT NULL,
    held INTEGER NOT NULL DEFAULT 0,
    -- Lines passed over in the file so far (About and `diagnostics` show them): longer than any record with
    -- usage, and not a record.
    too_long INTEGER NOT NULL DEFAULT 0,
    unreadable INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- The rates the estimates were last priced with (`history::reprice`): when the rates known change (learned from
-- new telemetry, a newer bundled table), every estimate is priced again.
CREATE TABLE estimate_rates (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    rates TEXT NOT NULL
);
