-- ccmeter schema v14: every session's project, by one rule (core/src/words/project.rs), and the transcripts'
-- word on where a session ran.

-- What Claude Code's transcript of a session (~/.claude/projects/<encoded cwd>/<session id>.jsonl) says of it:
-- the folder it ran in. The folder's name encodes the same path lossily; the file's `cwd` field does not.
CREATE TABLE session_transcripts (
    session_id  TEXT PRIMARY KEY,
    cwd         TEXT NOT NULL,
    path        TEXT NOT NULL,              -- the transcript file
    modified_ns INTEGER NOT NULL            -- the file's modification time when read
) WITHOUT ROWID;

-- The project of each session with any evidence of one, settled again whenever its evidence changes: the
-- repository (`owner/name`) telemetry or the status line names, else the project folder (the status line's
-- project_dir or the git root of the folder it ran in), else the folder itself.
CREATE TABLE session_projects (
    session_id  TEXT PRIMARY KEY,
    project     TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('repository', 'project_dir', 'git_root', 'cwd'))
) WITHOUT ROWID;
CREATE INDEX session_projects_project ON session_projects(project);
