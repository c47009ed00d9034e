//! The usage of each API response a transcript records: what "History from before telemetry" imports.
//!
//! Claude Code writes one `assistant` record per content block of a response, each repeating the response's
//! `message.id`, the request's `requestId` and its usage so far; a streamed response's early records carry a
//! partial usage. One response is therefore counted once, from its largest snapshot ([`Responses`]), whichever
//! file it is in: a subagent's own transcript, or a replay of it in the session's.
//!
//! Read as a stream, a line at a time, so a folder of any size costs the longest line kept (at most
//! [`MAX_LINE_BYTES`]): Claude Code's file-history snapshots can be hundreds of MB on one line, and they hold no
//! usage. What cannot be read is counted and skipped ([`Skipped`]); a file's unfinished last line (Claude Code
//! still writing it) is left for the next read.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::{BufRead, ErrorKind};
use std::path::Path;

use std::borrow::Cow;

use chrono::DateTime;
use serde::Deserialize;

/// Lines longer than this are skipped unread: no record with usage comes near it (an `assistant` record holds
/// one content block of a response, at most the model's largest output: 128k tokens, about half a megabyte).
/// Every byte of it may be held while a line is read.
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// The tokens of one response, as the API reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResponseTokens {
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    /// Every cache write, whatever its lifetime (`cache_creation_input_tokens`).
    pub cache_creation: i64,
    /// Of those, the writes kept for an hour, when the API split them (`cache_creation.ephemeral_1h_input_tokens`).
    pub cache_creation_1h: i64,
}

impl ResponseTokens {
    pub fn total(&self) -> i64 {
        self.input + self.output + self.cache_read + self.cache_creation
    }
}

/// One API response a transcript records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The request's id (`requestId`, the `request_id` of the same request's OTLP `api_request` event).
    pub request_id: Option<String>,
    /// The response's id (`message.id`).
    pub message_id: String,
    pub session_id: String,
    /// When its record was written, UTC nanoseconds.
    pub time_ns: i64,
    /// As the API named it (`claude-opus-5-5`).
    pub model: String,
    pub tokens: ResponseTokens,
    /// Made by a subagent (`isSidechain`).
    pub sidechain: bool,
    /// The response had ended when this snapshot was written (`stop_reason` set): a streamed response's early
    /// records carry none, and neither does one cut short (the user stopped it, Claude Code quit).
    pub finished: bool,
    /// Where the snapshot's line starts in its file.
    pub offset: u64,
}

/// Lines passed over, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(rename = "TranscriptLinesSkipped")]
pub struct Skipped {
    /// Longer than [`MAX_LINE_BYTES`].
    pub too_long: u64,
    /// Not a JSON record (bad JSON, bytes that are not UTF-8), or a record whose usage is not numbers. Once a
    /// file's session is known, only lines naming `"usage"` are parsed, so only those can be counted here.
    pub unreadable: u64,
    /// The file's last line, without its newline yet and not a whole record: Claude Code is writing it.
    pub unfinished: u64,
}

impl Skipped {
    pub fn add(&mut self, other: Skipped) {
        self.too_long += other.too_long;
        self.unreadable += other.unreadable;
        self.unfinished += other.unfinished;
    }

    pub fn total(&self) -> u64 {
        self.too_long + self.unreadable + self.unfinished
    }
}

/// What one transcript file holds for the history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileUsage {
    /// Every usage snapshot, in file order (several per response: [`Responses`] keeps one).
    pub snapshots: Vec<Response>,
    /// The session the file's records name first, and the folder it ran in.
    pub session_id: Option<String>,
    pub cwd: Option<String>,
    /// The Claude Code version that wrote it.
    pub version: Option<String>,
    /// The bytes read up to the end of the last whole line: where the next read of a growing file starts.
    pub whole_bytes: u64,
    pub lines: u64,
    pub skipped: Skipped,
}

/// The fields of a record read here; everything else is skipped.
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(rename = "sessionId")]
    session_id: Option<String>,
    cwd: Option<String>,
    version: Option<String>,
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    #[serde(rename = "isSidechain", default)]
    sidechain: bool,
    #[serde(borrow)]
    message: Option<Message<'a>>,
}

#[derive(Deserialize)]
struct Message<'a> {
    id: Option<String>,
    model: Option<String>,
    #[serde(borrow)]
    stop_reason: Option<Cow<'a, str>>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    input_tokens: Option<i64>,
    #[serde(default)]
    output_tokens: Option<i64>,
    #[serde(default)]
    cache_read_input_tokens: Option<i64>,
    #[serde(default)]
    cache_creation_input_tokens: Option<i64>,
    #[serde(default)]
    cache_creation: Option<CacheCreation>,
}

#[derive(Deserialize)]
struct CacheCreation {
    #[serde(default)]
    ephemeral_1h_input_tokens: Option<i64>,
}

/// A model name Claude Code gives responses it made itself (an error shown as a reply): no API usage.
const SYNTHETIC_MODEL: &str = "<synthetic>";

/// Reads the transcript at `path` from byte `from` (0: the whole file; a growing file's `whole_bytes`: what was
/// added since).
pub fn read_file(path: &Path, from: u64) -> std::io::Result<FileUsage> {
    read_file_with(path, from, &mut Buffers::default())
}

/// The buffers one reading thread keeps from file to file: the read buffer and the current line. Fresh ones
/// per file would have the system zero a quarter of a megabyte for each of thousands of files.
#[derive(Default)]
pub struct Buffers {
    read: Vec<u8>,
    line: Vec<u8>,
}

/// Bytes read from a file at a time.
const READ_BYTES: usize = 256 * 1024;

/// [`read_file`] with buffers of the caller's, kept from file to file.
pub fn read_file_with(path: &Path, from: u64, buffers: &mut Buffers) -> std::io::Result<FileUsage> {
    let mut file = std::fs::File::open(path)?;
    if from > 0 {
        use std::io::Seek;
        file.seek(std::io::SeekFrom::Start(from))?;
    }
    buffers.read.resize(READ_BYTES, 0);
    let reader = Buffered { inner: file, buffer: &mut buffers.read, at: 0, filled: 0 };
    read_with(reader, from, &mut buffers.line)
}

/// A buffered reader over a buffer it borrows (`BufReader` owns, and so allocates, its own).
struct Buffered<'a, R> {
    inner: R,
    buffer: &'a mut Vec<u8>,
    at: usize,
    filled: usize,
}

impl<R: std::io::Read> std::io::Read for Buffered<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: std::io::Read> BufRead for Buffered<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.at >= self.filled {
            self.filled = self.inner.read(self.buffer)?;
            self.at = 0;
        }
        Ok(&self.buffer[self.at..self.filled])
    }

    fn consume(&mut self, amount: usize) {
        self.at = (self.at + amount).min(self.filled);
    }
}

/// Reads transcript records from `reader` to its end; `from` is where in its file the reader starts.
pub fn read(reader: impl BufRead, from: u64) -> std::io::Result<FileUsage> {
    read_with(reader, from, &mut Vec::new())
}

/// How a line without usage is told apart before it is parsed: most of a transcript's bytes are records that
/// hold none (attachments, tool results, request shapes), and only a record naming `"usage"` can.
const USAGE_KEY: &[u8] = b"\"usage\"";

fn read_with(mut reader: impl BufRead, from: u64, line: &mut Vec<u8>) -> std::io::Result<FileUsage> {
    let mut found = FileUsage { whole_bytes: from, ..FileUsage::default() };
    let usage_key = memchr::memmem::Finder::new(USAGE_KEY);
    loop {
        let ending = next_line(&mut reader, line)?;
        let length = match ending {
            Line::End => break,
            Line::TooLong { length } => {
                found.lines += 1;
                found.skipped.too_long += 1;
                found.whole_bytes += length;
                continue;
            }
            Line::Whole { length } | Line::Unfinished { length } => length,
        };
        // Once the file's session and version are known, a whole line that cannot hold usage is not parsed.
        let known = found.session_id.is_some() && found.version.is_some();
        if known && matches!(ending, Line::Whole { .. }) && usage_key.find(line).is_none() {
            found.lines += 1;
            found.whole_bytes += length;
            continue;
        }
        let record = serde_json::from_slice::<Record>(line);
        match (record, ending) {
            (Ok(record), _) => {
                found.lines += 1;
                let offset = found.whole_bytes;
                found.whole_bytes += length;
                take(&mut found, record, offset);
            }
            (Err(_), Line::Unfinished { .. }) => found.skipped.unfinished += 1,
            (Err(_), _) => {
                found.lines += 1;
                found.whole_bytes += length;
                // A blank line is no record, not a broken one.
                if line.iter().any(|b| !b.is_ascii_whitespace()) {
                    found.skipped.unreadable += 1;
                }
            }
        }
    }
    // A long line's buffer is not kept for the next file.
    if line.capacity() > 1024 * 1024 {
        line.clear();
        line.shrink_to(64 * 1024);
    }
    Ok(found)
}

fn take(found: &mut FileUsage, record: Record, offset: u64) {
    if found.session_id.is_none() {
        found.session_id.clone_from(&record.session_id);
    }
    if found.cwd.is_none() {
        found.cwd = record.cwd.filter(|cwd| !cwd.is_empty());
    }
    if found.version.is_none() {
        found.version = record.version;
    }
    if record.kind.as_deref() != Some("assistant") {
        return;
    }
    let (Some(message), Some(session_id)) = (record.message, record.session_id) else { return };
    let finished = message.stop_reason.as_deref().is_some_and(|reason| !reason.is_empty());
    let (Some(message_id), Some(model), Some(usage)) = (message.id, message.model, message.usage) else { return };
    let Some(time_ns) =
        record.timestamp.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).and_then(|t| t.timestamp_nanos_opt())
    else {
        found.skipped.unreadable += 1;
        return;
    };
    let count = |n: Option<i64>| n.unwrap_or(0);
    let tokens = ResponseTokens {
        input: count(usage.input_tokens),
        output: count(usage.output_tokens),
        cache_read: count(usage.cache_read_input_tokens),
        cache_creation: count(usage.cache_creation_input_tokens),
        cache_creation_1h: count(usage.cache_creation.and_then(|c| c.ephemeral_1h_input_tokens)),
    };
    let counts = [tokens.input, tokens.output, tokens.cache_read, tokens.cache_creation, tokens.cache_creation_1h];
    if counts.iter().any(|n| *n < 0) || tokens.cache_creation_1h > tokens.cache_creation {
        found.skipped.unreadable += 1;
        return;
    }
    if model == SYNTHETIC_MODEL || tokens.total() == 0 {
        return;
    }
    found.snapshots.push(Response {
        request_id: record.request_id.filter(|id| !id.is_empty()),
        message_id,
        session_id,
        time_ns,
        model,
        tokens,
        sidechain: record.sidechain,
        finished,
        offset,
    });
}

/// How a line read ended; `length` counts its newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    Whole {
        length: u64,
    },
    /// The last line, with no newline after it.
    Unfinished {
        length: u64,
    },
    /// Passed over unkept.
    TooLong {
        length: u64,
    },
    End,
}

/// The next line into `line` (without its newline), keeping at most [`MAX_LINE_BYTES`] of it in memory.
fn next_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> std::io::Result<Line> {
    line.clear();
    let mut length: u64 = 0;
    let mut too_long = false;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if buffer.is_empty() {
            return Ok(match (length, too_long) {
                (0, _) => Line::End,
                (_, true) => Line::TooLong { length },
                (_, false) => Line::Unfinished { length },
            });
        }
        let (chunk, newline) = match memchr::memchr(b'\n', buffer) {
            Some(at) => (&buffer[..at], true),
            None => (buffer, false),
        };
        length += chunk.len() as u64 + u64::from(newline);
        if !too_long {
            if line.len() + chunk.len() > MAX_LINE_BYTES {
                too_long = true;
                line.clear();
                line.shrink_to(64 * 1024);
            } else {
                // A line past a megabyte gets the whole allowance at once: growing it by doubling would leave a
                // trail of freed buffers (1 + 2 + 4 MiB…) behind in the allocator.
                if line.len() + chunk.len() > line.capacity() && line.capacity() >= 1024 * 1024 {
                    line.reserve_exact(MAX_LINE_BYTES - line.len());
                }
                line.extend_from_slice(chunk);
            }
        }
        let used = chunk.len() + usize::from(newline);
        reader.consume(used);
        if newline {
            return Ok(if too_long { Line::TooLong { length } } else { Line::Whole { length } });
        }
    }
}

/// Every API response of a set of transcripts, each once: keyed by its `message.id` and `requestId`, from its
/// largest snapshot (the most output, then the most tokens: a streamed response's usage only grows), finished
/// when any of its snapshots is.
#[derive(Debug, Default)]
pub struct Responses {
    by_key: HashMap<(String, Option<String>), Response>,
}

impl Responses {
    pub fn add(&mut self, response: Response) {
        let key = (response.message_id.clone(), response.request_id.clone());
        match self.by_key.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(response);
            }
            Entry::Occupied(mut known) => {
                let size = |r: &Response| (r.tokens.output, r.tokens.total());
                let finished = known.get().finished || response.finished;
                if size(&response) > size(known.get()) {
                    // The earliest record's time is when the response began.
                    let time_ns = known.get().time_ns.min(response.time_ns);
                    known.insert(Response { time_ns, finished, ..response });
                } else {
                    let known = known.get_mut();
                    known.time_ns = known.time_ns.min(response.time_ns);
                    known.finished = finished;
                }
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Response> {
        self.by_key.values()
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// The responses in time order (ties by id).
    pub fn into_sorted(self) -> Vec<Response> {
        let mut responses: Vec<Response> = self.by_key.into_values().collect();
        responses.sort_by(|a, b| (a.time_ns, &a.message_id).cmp(&(b.time_ns, &b.message_id)));
        responses
    }
}

/// Reads transcript records held in memory.
pub fn read_bytes(bytes: &[u8]) -> FileUsage {
    read(bytes, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assistant(message: &str, request: &str, output: i64, time: &str) -> String {
        format!(
            r#"{{"type":"assistant","sessionId":"s1","cwd":"/w","timestamp":"{time}","requestId":"{request}","isSidechain":false,"message":{{"id":"{message}","model":"claude-opus-5-5","content":[{{"type":"text","text":"hi"}}],"usage":{{"input_tokens":3,"output_tokens":{output},"cache_read_input_tokens":100,"cache_creation_input_tokens":20,"cache_creation":{{"ephemeral_1h_input_tokens":5,"ephemeral_5m_input_tokens":15}}}}}}}}"#
        )
    }

    #[test]
    fn a_streamed_response_is_counted_once_from_its_largest_snapshot_and_its_first_time() {
        let text = [
            assistant("msg_1", "req_1", 1, "2026-12-01T10:00:00Z"),
            assistant("msg_1", "req_1", 40, "2026-12-01T10:00:02Z"),
            assistant("msg_1", "req_1", 40, "2026-12-01T10:00:03Z"),
            assistant("msg_2", "req_2", 7, "2026-12-01T10:01:00Z"),
        ]
        .join("\n")
            + "\n";
        let read = read_bytes(text.as_bytes());
        assert_eq!((read.lines, read.snapshots.len(), read.skipped), (4, 4, Skipped::default()));
        assert_eq!((read.session_id.as_deref(), read.cwd.as_deref()), (Some("s1"), Some("/w")));
        let mut responses = Responses::default();
        read.snapshots.into_iter().for_each(|r| responses.add(r));
        let responses = responses.into_sorted();
        let seen: Vec<(&str, i64, i64)> =
            responses.iter().map(|r| (r.message_id.as_str(), r.tokens.output, r.time_ns)).collect();
        let at = |t: &str| DateTime::parse_from_rfc3339(t).expect("time").timestamp_nanos_opt().expect("ns");
        assert_eq!(seen, vec![("msg_1", 40, at("2026-12-01T10:00:00Z")), ("msg_2", 7, at("2026-12-01T10:01:00Z"))]);
        let tokens = responses[0].tokens;
        assert_eq!((tokens.input, tokens.cache_read, tokens.cache_creation, tokens.cache_creation_1h), (3, 100, 20, 5));
    }

    #[test]
    fn hostile_lines_are_counted_and_skipped_and_the_rest_is_read() {
        let mut text = Vec::new();
        text.extend_from_slice(assistant("msg_1", "req_1", 5, "2026-12-01T10:00:00Z").as_bytes());
        text.extend_from_slice(b"\n{\"type\":\"assistant\",\"sessionId\":\"\xff\xfe\"}\n");
        text.extend_from_slice(b"not json at all\n\n");
        text.extend_from_slice(b"{\"type\":\"file-history-snapshot\",\"snapshot\":\"");
        text.extend(std::iter::repeat_n(b'a', MAX_LINE_BYTES + 10));
        text.extend_from_slice(b"\"}\n");
        text.extend_from_slice(b"{\"type\":\"some-future-kind\",\"sessionId\":\"s1\"}\n");
        // Negative or fractional counts are not usage.
        text.extend_from_slice(
            assistant("msg_9", "req_9", 5, "2026-12-01T10:00:00Z")
                .replace("\"output_tokens\":5", "\"output_tokens\":-5")
                .as_bytes(),
        );
        text.extend_from_slice(b"\n");
        text.extend_from_slice(
            assistant("msg_8", "req_8", 5, "2026-12-01T10:00:00Z")
                .replace("\"input_tokens\":3", "\"input_tokens\":3.5")
                .as_bytes(),
        );
        text.extend_from_slice(b"\n");
        text.extend_from_slice(assistant("msg_2", "req_2", 6, "2026-12-01T10:02:00Z").as_bytes());
        text.extend_from_slice(b"\n{\"type\":\"assistant\",\"message\":{\"id\":\"msg_3\",\"usa");
        let read = read_bytes(&text);
        let ids: Vec<&str> = read.snapshots.iter().map(|r| r.message_id.as_str()).collect();
        assert_eq!(ids, ["msg_1", "msg_2"]);
        assert_eq!(read.skipped, Skipped { too_long: 1, unreadable: 4, unfinished: 1 });
        assert_eq!(
            read.whole_bytes as usize,
            text.len() - b"{\"type\":\"assistant\",\"message\":{\"id\":\"msg_3\",\"usa".len()
        );
    }

    #[test]
    fn a_growing_file_is_read_again_from_its_last_whole_line() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("s1.jsonl");
        let first = assistant("msg_1", "req_1", 5, "2026-12-01T10:00:00Z") + "\n";
        let second = assistant("msg_2", "req_2", 6, "2026-12-01T10:01:00Z");
        std::fs::write(&path, format!("{first}{}", &second[..20])).expect("written");
        let read = read_file(&path, 0).expect("read");
        assert_eq!((read.snapshots.len(), read.skipped.unfinished, read.whole_bytes), (1, 1, first.len() as u64));
        std::fs::write(&path, format!("{first}{second}\n")).expect("written");
        let again = read_file(&path, read.whole_bytes).expect("read");
        let ids: Vec<&str> = again.snapshots.iter().map(|r| r.message_id.as_str()).collect();
        assert_eq!((ids, again.skipped.total()), (vec!["msg_2"], 0));
        assert_eq!(again.whole_bytes as usize, first.len() + second.len() + 1);
    }

    #[test]
    fn responses_without_usage_or_made_by_claude_code_itself_are_not_requests() {
        let synthetic =
            assistant("msg_1", "req_1", 5, "2026-12-01T10:00:00Z").replace("claude-opus-5-5", "<synthetic>");
        let empty = assistant("msg_2", "req_2", 0, "2026-12-01T10:00:00Z")
            .replace("\"input_tokens\":3", "\"input_tokens\":0")
            .replace("\"cache_read_input_tokens\":100", "\"cache_read_input_tokens\":0")
            .replace("\"cache_creation_input_tokens\":20", "\"cache_creation_input_tokens\":0")
            .replace("\"ephemeral_1h_input_tokens\":5", "\"ephemeral_1h_input_tokens\":0");
        let read = read_bytes(format!("{synthetic}\n{empty}\n").as_bytes());
        assert!(read.snapshots.is_empty());
        assert_eq!(read.skipped.total(), 0);
    }
}
