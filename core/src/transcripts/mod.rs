//! Claude Code's transcripts (`~/.claude/projects/<encoded cwd>/<session id>.jsonl`, one JSON record a line):
//! what ccmeter reads of them. Here, each session's id and the folder it ran in (the records' `cwd`; the folder
//! name encodes it lossily), for its project; in `usage`, the usage of each API response, for the history from
//! before telemetry.
//! Read-only and tolerant: a file that cannot be read or holds no `cwd` costs that file only.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub mod usage;

/// A session's transcript, as read from Claude Code's projects folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptSeen {
    pub session_id: String,
    pub cwd: String,
    pub path: String,
    pub modified_ns: i64,
}

/// How far into a transcript the `cwd` is looked for: it is on the first user record, a few lines in.
const MAX_HEAD_BYTES: u64 = 1024 * 1024;

/// The transcripts folder Claude Code writes: `$CLAUDE_CONFIG_DIR/projects` or `~/.claude/projects`.
pub fn projects_dir() -> Option<PathBuf> {
    crate::paths::claude_config_dir().map(|dir| dir.join("projects"))
}

/// What one look at the folder found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// Transcripts new or changed since `known`.
    pub seen: Vec<TranscriptSeen>,
    /// Files that could not be read or held no session's folder.
    pub unreadable: usize,
}

/// The transcripts under `dir` (sessions' files only: a session's subagents live in a folder beside it), skipping
/// those `known` (path → modification time) has as they are.
pub fn scan(dir: &Path, known: &HashMap<String, i64>) -> Scan {
    let mut found = Scan::default();
    for path in walk(dir, Subagents::Left) {
        let Some(modified_ns) = std::fs::metadata(&path).ok().and_then(|m| m.modified().ok()).map(time_ns) else {
            found.unreadable += 1;
            continue;
        };
        let shown = path.to_string_lossy().into_owned();
        if known.get(&shown) == Some(&modified_ns) {
            continue;
        }
        match head(&path) {
            Some((session_id, cwd)) => found.seen.push(TranscriptSeen { session_id, cwd, path: shown, modified_ns }),
            None => found.unreadable += 1,
        }
    }
    found
}

/// Every transcript under a projects folder: `<folder>/<session>.jsonl` and its subagents'
/// `<folder>/<session>/subagents/*.jsonl`, in path order. Unreadable folders are passed over.
pub fn transcript_files(projects: &Path) -> Vec<PathBuf> {
    walk(projects, Subagents::Included)
}

/// Whether a walk of the projects folder goes into the sessions' `subagents` folders.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Subagents {
    Left,
    Included,
}

/// Claude Code's layout, in one place: `<projects>/<encoded cwd>/<session>.jsonl`, a session's subagents in
/// `<session>/subagents/*.jsonl`; in path order.
fn walk(projects: &Path, subagents: Subagents) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(folders) = std::fs::read_dir(projects) else { return files };
    for folder in folders.flatten().filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir())) {
        let Ok(entries) = std::fs::read_dir(folder.path()) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_file() && is_jsonl(&path) {
                files.push(path);
            } else if kind.is_dir()
                && subagents == Subagents::Included
                && let Ok(agents) = std::fs::read_dir(path.join("subagents"))
            {
                files.extend(
                    agents
                        .flatten()
                        .filter(|agent| agent.file_type().is_ok_and(|t| t.is_file()))
                        .map(|agent| agent.path())
                        .filter(|agent| is_jsonl(agent)),
                );
            }
        }
    }
    files.sort();
    files
}

fn is_jsonl(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "jsonl")
}

fn time_ns(time: std::time::SystemTime) -> i64 {
    time.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// The fields of a record this module reads; every other one is skipped unparsed.
#[derive(Deserialize)]
struct Record {
    #[serde(rename = "sessionId")]
    session_id: Option<String>,
    cwd: Option<String>,
}

/// The session id and folder of the transcript at `path`: from its first record naming both (the file's name is
/// the session id: a record naming another is not this session's).
fn head(path: &Path) -> Option<(String, String)> {
    let stem = path.file_stem()?.to_str()?.to_owned();
    let file = std::fs::File::open(path).ok()?;
    let reader = BufReader::new(file.take(MAX_HEAD_BYTES));
    for line in reader.split(b'\n') {
        let Ok(line) = line else { return None };
        let Ok(record) = serde_json::from_slice::<Record>(&line) else { continue };
        if let (Some(id), Some(cwd)) = (record.session_id, record.cwd)
            && id == stem
            && !cwd.is_empty()
        {
            return Some((id, cwd));
        }
    }
    None
}
