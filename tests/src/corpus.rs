//! A synthetic Claude Code projects folder of any size, built from the real 2.1.332 transcripts
//! (`fixtures/transcripts-2.1.332/`): each copy of the four captured sessions gets its own session ids, message
//! ids and request ids, some copies are long (their records written many times over, each time with new ids),
//! and some open with a file-history snapshot line far longer than any record with usage. Every copy keeps the
//! captures' own layout (subagents' transcripts beside their session's) and their replays, so a correct reader
//! finds exactly the captures' telemetry totals once per copy and repetition.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::{expected_totals, fixtures_dir};

/// The captures whose transcripts the corpus copies.
pub const CAPTURES: [&str; 4] =
    ["grpc/success", "http-json/resume", "http-protobuf/subagent", "http-protobuf/traces-beta"];

/// How the corpus is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Copies are added until the corpus holds at least this many bytes.
    pub target_bytes: u64,
    /// Every `long_every`-th copy writes its records `long_repeats` times (a long session); the others once.
    pub long_every: usize,
    pub long_repeats: usize,
    /// Every `snapshot_every`-th copy opens its first session's transcript with a file-history snapshot line of
    /// `snapshot_bytes`.
    pub snapshot_every: usize,
    pub snapshot_bytes: usize,
    /// Copies are spread over this many project folders.
    pub folders: usize,
}

/// What was built, and what a correct reader finds in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Corpus {
    pub copies: usize,
    pub sessions: usize,
    /// Transcripts (`.jsonl`); the subagents' `.meta.json` files beside them are copied too.
    pub files: usize,
    pub bytes: u64,
    /// API requests and their tokens, each once: the captures' telemetry totals times the copies' repetitions.
    pub requests: i64,
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    pub cache_creation: i64,
}

/// One captured transcript: its path under the capture's `projects/` folder and its lines.
struct Source {
    relative: PathBuf,
    lines: Vec<String>,
}

fn sources() -> (Vec<Source>, Vec<String>) {
    let mut files = Vec::new();
    let mut sessions = Vec::new();
    for capture in CAPTURES {
        let root = fixtures_dir().join("transcripts-2.1.332").join(capture);
        let mut runs: Vec<PathBuf> = std::fs::read_dir(&root).expect("runs").flatten().map(|e| e.path()).collect();
        runs.sort();
        for run in runs {
            let projects = run.join("projects");
            for path in walk(&projects) {
                let relative = path.strip_prefix(&projects).expect("under projects").to_path_buf();
                if relative.components().count() == 2 {
                    sessions.push(path.file_stem().expect("a name").to_string_lossy().into_owned());
                }
                let text = std::fs::read_to_string(&path).expect("a transcript is UTF-8");
                files.push(Source { relative, lines: text.lines().map(str::to_owned).collect() });
            }
        }
    }
    (files, sessions)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).expect("readable").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

/// Builds the corpus's `projects/` folder under `root` (which must be empty or absent).
pub fn build(root: &Path, shape: &Shape) -> Corpus {
    let (files, source_sessions) = sources();
    let mut per_copy = Corpus::default();
    for capture in CAPTURES {
        let e = expected_totals(&format!("claude-code-2.1.332/{capture}"));
        per_copy.requests += e.event_counts.get("api_request").copied().unwrap_or(0);
        per_copy.input += e.input;
        per_copy.output += e.output;
        per_copy.cache_read += e.cache_read;
        per_copy.cache_creation += e.cache_creation;
    }
    let projects = root.join("projects");
    let mut corpus = Corpus::default();
    while corpus.bytes < shape.target_bytes {
        let copy = corpus.copies;
        let repeats = if copy % shape.long_every == 0 { shape.long_repeats } else { 1 };
        let session_ids: Vec<(String, String)> = source_sessions
            .iter()
            .enumerate()
            .map(|(at, id)| (id.clone(), format!("{copy:08x}-{at:04x}-4000-8000-{:012x}", copy * 16 + at)))
            .collect();
        let mut snapshot_due = copy % shape.snapshot_every == 0;
        for source in &files {
            let path = projects.join(copied_path(&source.relative, copy % shape.folders, &session_ids));
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
            let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("created"));
            let is_session = source.relative.components().count() == 2;
            if is_session && snapshot_due {
                corpus.bytes += write_snapshot(&mut out, shape.snapshot_bytes);
                snapshot_due = false;
            }
            let transcript = source.relative.extension().is_some_and(|ext| ext == "jsonl");
            for repeat in 0..repeats {
                let tag = format!("c{copy}r{repeat}_");
                for line in &source.lines {
                    let mut line = line.replace("msg_fake_", &format!("msg_fake_{tag}"));
                    line = line.replace("req_fake_", &format!("req_fake_{tag}"));
                    for (from, to) in &session_ids {
                        line = line.replace(from.as_str(), to);
                    }
                    out.write_all(line.as_bytes()).expect("written");
                    out.write_all(b"\n").expect("written");
                    corpus.bytes += line.len() as u64 + 1;
                }
            }
            out.flush().expect("flushed");
            corpus.files += usize::from(transcript);
        }
        corpus.sessions += source_sessions.len();
        let times = repeats as i64;
        corpus.requests += per_copy.requests * times;
        corpus.input += per_copy.input * times;
        corpus.output += per_copy.output * times;
        corpus.cache_read += per_copy.cache_read * times;
        corpus.cache_creation += per_copy.cache_creation * times;
        corpus.copies += 1;
    }
    corpus
}

/// `<folder>/<session>.jsonl` or `<folder>/<session>/subagents/<agent>.jsonl`, in folder `folder`, with the
/// copy's session id.
fn copied_path(relative: &Path, folder: usize, session_ids: &[(String, String)]) -> PathBuf {
    let mut parts: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
    parts[0] = format!("{}-w{folder}", parts[0]);
    for part in parts.iter_mut().skip(1) {
        for (from, to) in session_ids {
            *part = part.replace(from.as_str(), to);
        }
    }
    parts.iter().collect()
}

/// A file-history snapshot record of about `bytes` bytes on one line, as Claude Code writes before editing.
fn write_snapshot(out: &mut impl std::io::Write, bytes: usize) -> u64 {
    let head = br#"{"type":"file-history-snapshot","messageId":"snap","snapshot":{"trackedFileBackups":{"big.txt":""#;
    let tail = br#""}},"isSnapshotUpdate":false}"#;
    let body = bytes.saturating_sub(head.len() + tail.len());
    out.write_all(head).expect("written");
    let chunk = vec![b'x'; 64 * 1024];
    let mut left = body;
    while left > 0 {
        let n = left.min(chunk.len());
        out.write_all(&chunk[..n]).expect("written");
        left -= n;
    }
    out.write_all(tail).expect("written");
    out.write_all(b"\n").expect("written");
    (head.len() + body + tail.len() + 1) as u64
}
