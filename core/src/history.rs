//! The history from before telemetry: the API responses Claude Code's transcripts record, imported as
//! `api_request` events whose tokens are Claude Code's own and whose cost is an estimate (`pricing`: rates
//! learned from this database's telemetry, the user's own prices, then the bundled table; "no price" for a model
//! none knows).
//!
//! One request is counted once whatever the sources: a transcript's request telemetry already reported (the
//! same `request_id`) is not added, one telemetry reports later takes the estimate's place (`write::ingest`), and
//! a request once read is never added again, even after retention pruned it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ccmeter_proto::{
    ApiRequest, Attributes, Batch, CostKind, Event, EventDetail, EventName, Nanos, Resource, Signal, SinkError, Tokens,
};
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ts_rs::TS;

use crate::Store;
use crate::error::Result;
use crate::pricing::{Billed, Prices, RateSource};
use crate::transcripts::transcript_files;
use crate::transcripts::usage::{Buffers, Response, ResponseTokens, Responses, Skipped, read_file_with};
use crate::write::ingest::{self, Repriced};

/// Requests written per transaction: large enough that commits (an fsync each) do not dominate, small enough
/// that the receiver's batches wait at most a few tens of milliseconds behind one.
const BATCH: usize = 1_000;
/// How many sessions the reading thread may be ahead of the writes: enough to keep reading while a batch
/// commits (a session's responses are a few kilobytes).
const SESSIONS_AHEAD: usize = 256;
/// How many requests' files' progress is recorded together: a stop before it only means reading those files
/// again, their requests known.
const READS_EVERY: usize = 10_000;

/// How long a transcript must have been left alone before a response in it that never ended (no `stop_reason`:
/// the user stopped it, Claude Code quit) is taken as it stands. Until then Claude Code may still be streaming
/// it, and the response waits for its final usage: a request is only ever added once.
pub const UNFINISHED_WAIT: Duration = Duration::from_secs(600);

/// What an import found and did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "TranscriptsImported")]
pub struct Imported {
    /// Transcript files found (subagents' included); of those, the ones unchanged since the last import (not
    /// read again), and those that could not be opened.
    pub files: usize,
    pub unchanged_files: usize,
    pub unreadable_files: usize,
    /// API responses read, each once.
    pub responses: usize,
    /// Of those, the ones still being written, left for a later read, and those before `--since`, left out.
    pub held_back: usize,
    pub before_since: usize,
    /// Sessions with a response read.
    pub sessions: usize,
    /// Requests added to the history.
    pub added: u64,
    /// Requests the history already had, from telemetry or an earlier import.
    pub known: u64,
    /// The estimated cost of the requests added, in nano-dollars.
    pub estimated_nanos: i64,
    /// The same in USD, for the windows.
    pub estimated_usd: f64,
    /// Requests added priced from rates learned from this database's telemetry, from the user's own prices
    /// (Settings), and from the bundled table.
    pub priced_learned: usize,
    pub priced_override: usize,
    pub priced_table: usize,
    /// Requests added of a model with no known price (with their tokens, costed apart).
    pub no_price: usize,
    /// Lines passed over in the files.
    pub skipped: Skipped,
}

/// How far one transcript has been read (the `transcript_reads` table).
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileRead {
    path: String,
    size: u64,
    modified_ns: i64,
    resume_at: u64,
    held: bool,
    /// Lines passed over in the file so far.
    too_long: u64,
    unreadable: u64,
}

/// Reads the transcripts under `dirs` and adds the requests the history lacks: only what was added to a file
/// since the last import, and nothing of a file unchanged since. `since` leaves out responses before it (and, a
/// partial read, records no progress: a later import without it still finds the older responses). `progress`
/// hears (files looked at, files in all) as the reading goes.
///
/// Read a session at a time (its transcript and its subagents'): a response is picked from its snapshots within
/// the session, and memory holds one session's responses and one batch, whatever the folder's size.
pub async fn import(
    store: &Store,
    dirs: &[PathBuf],
    since: Option<DateTime<Utc>>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Imported> {
    let _one = IMPORTING.lock().await;
    let dirs_owned = dirs.to_vec();
    let sessions = tokio::task::spawn_blocking(move || sessions_files(&dirs_owned))
        .await
        .map_err(|error| crate::StoreError::Write(format!("the transcripts walk failed: {error}")))?;
    let files: usize = sessions.iter().map(Vec::len).sum();
    let mut imported = Imported { files, ..Imported::default() };
    // A connection of its own, held across the writes (`&mut`: a `Connection` may move between threads, not be
    // shared).
    let mut conn = store.reader()?;
    let reads = reads_known(&conn)?;
    let prices = Prices::load(&conn)?;
    reprice(store, &mut conn, &prices).await?;
    let since_ns = since.and_then(|s| s.timestamp_nanos_opt());
    let record_reads = since.is_none();
    let mut pending = Pending::default();
    let mut seen_sessions: HashSet<String> = HashSet::new();
    // The files are read on a thread of their own, ahead of the writes (reading and writing overlap),
    // with one line buffer for them all.
    let work: Vec<(Vec<PathBuf>, Vec<Option<FileRead>>)> = sessions
        .into_iter()
        .map(|files| {
            let known = files.iter().map(|p| reads.get(&shown(p)).cloned()).collect();
            (files, known)
        })
        .collect();
    let (sender, mut reads_done) = tokio::sync::mpsc::channel::<(usize, SessionRead)>(SESSIONS_AHEAD);
    let reader = std::thread::Builder::new()
        .name("ccmeter-transcripts".into())
        .spawn(move || {
            let mut buffers = Buffers::default();
            for (files, known) in work {
                let count = files.len();
                if sender.blocking_send((count, read_session(files, known, &mut buffers))).is_err() {
                    return;
                }
            }
        })
        .map_err(|error| crate::StoreError::Write(format!("cannot start reading the transcripts: {error}")))?;
    let mut looked_at = 0;
    progress(0, files);
    while let Some((count, read)) = reads_done.recv().await {
        looked_at += count;
        progress(looked_at, files);
        imported.unchanged_files += read.unchanged;
        imported.unreadable_files += read.unreadable;
        imported.skipped.add(read.skipped);
        imported.responses += read.responses.len() + read.held;
        imported.held_back += read.held;
        for response in read.responses {
            if since_ns.is_some_and(|since| response.time_ns < since) {
                imported.before_since += 1;
                continue;
            }
            if !seen_sessions.contains(&response.session_id) {
                seen_sessions.insert(response.session_id.clone());
            }
            let resource = pending.resource(&response.session_id, read.version.as_deref());
            pending.push(event(&response, &prices, &resource));
        }
        if record_reads {
            pending.reads.extend(read.reads);
        }
        if pending.events.len() >= BATCH {
            pending.flush(store, &mut conn, &mut imported).await?;
            pending.record_reads_if_due(store).await?;
        }
    }
    if reader.join().is_err() {
        return Err(crate::StoreError::Write("the transcripts reader failed".into()));
    }
    pending.flush(store, &mut conn, &mut imported).await?;
    pending.record_reads(store).await?;
    if record_reads {
        forget_removed(store, dirs, &reads).await?;
    }
    imported.sessions = seen_sessions.len();
    imported.estimated_usd = imported.estimated_nanos as f64 / 1e9;
    Ok(imported)
}

/// One import or re-pricing at a time (the watcher's, the window's, a change of the user's prices): two imports
/// would read the same lines for nothing, and two re-pricings would price from the same stale figures.
static IMPORTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Prices every estimate again with the rates known now, when they changed: after the user changed their prices.
pub async fn reprice_now(store: &Store) -> Result<usize> {
    let _one = IMPORTING.lock().await;
    let mut conn = store.reader()?;
    let prices = Prices::load(&conn)?;
    reprice(store, &mut conn, &prices).await
}

/// Prices every estimate again when the rates known changed since they were priced (rates learned from telemetry
/// that came since, a newer table), so an estimate always follows the best rates known; returns how many changed.
async fn reprice(store: &Store, conn: &mut rusqlite::Connection, prices: &Prices) -> Result<usize> {
    let fingerprint = prices.fingerprint();
    let last: Option<String> =
        conn.query_row("SELECT rates FROM estimate_rates WHERE id = 1", [], |r| r.get(0)).optional()?;
    if last.as_deref() == Some(fingerprint.as_str()) {
        return Ok(0);
    }
    let mut changes = Vec::new();
    {
        let mut statement = conn.prepare(
            "SELECT id, coalesce(model, ''), time_ns, coalesce(input_tokens, 0), coalesce(output_tokens, 0),
                    coalesce(cache_read_tokens, 0), coalesce(cache_creation_tokens, 0),
                    coalesce(cache_creation_1h_tokens, 0), coalesce(cost_nanos, 0), estimated
             FROM events WHERE estimated <> 0",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let model: String = row.get(1)?;
            let tokens = ResponseTokens {
                input: row.get(3)?,
                output: row.get(4)?,
                cache_read: row.get(5)?,
                cache_creation: row.get(6)?,
                cache_creation_1h: row.get(7)?,
            };
            let day = DateTime::from_timestamp_nanos(row.get(2)?).date_naive();
            let (cost_nanos, kind) = match prices.estimate(&model, day, &Billed::from(tokens)) {
                Some(estimate) => (estimate.cost_nanos, CostKind::Estimated),
                None => (0, CostKind::NoPrice),
            };
            if (cost_nanos, kind.code()) != (row.get::<_, i64>(8)?, row.get::<_, i64>(9)?) {
                changes.push(Repriced { id: row.get(0)?, cost_nanos, kind });
            }
        }
    }
    let changed = changes.len();
    for chunk in changes.chunks(REPRICED_PER_TRANSACTION) {
        let chunk = chunk.to_vec();
        store.exec(move |tx| ingest::reprice(tx, &chunk)).await?;
    }
    store
        .exec(move |tx| {
            tx.execute(
                "INSERT INTO estimate_rates (id, rates) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET rates = excluded.rates",
                [fingerprint],
            )?;
            Ok(())
        })
        .await?;
    if changed > 0 {
        tracing::info!(requests = changed, "estimates priced again with the rates known now");
    }
    Ok(changed)
}

/// Estimates priced again per transaction: the writer stays free for the receiver's batches in between.
const REPRICED_PER_TRANSACTION: usize = 2_000;

/// Every transcript under `dirs`, a session's together: `<folder>/<session>.jsonl` and
/// `<folder>/<session>/subagents/*.jsonl`.
fn sessions_files(dirs: &[PathBuf]) -> Vec<Vec<PathBuf>> {
    let mut sessions: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for path in dirs.iter().flat_map(|dir| transcript_files(dir)) {
        let session = match path.parent() {
            Some(agents) if agents.file_name().is_some_and(|name| name == "subagents") => {
                agents.parent().map(Path::to_path_buf)
            }
            _ => Some(path.with_extension("")),
        };
        sessions.entry(session.unwrap_or_else(|| path.clone())).or_default().push(path);
    }
    sessions.into_values().collect()
}

fn shown(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// What the files of one session held, beyond what was read of them before.
#[derive(Default)]
struct SessionRead {
    /// Each response once, from its largest snapshot; finished, or in a file left alone long enough.
    responses: Vec<Response>,
    /// Responses still being written, left for the next read.
    held: usize,
    version: Option<String>,
    reads: Vec<FileRead>,
    unchanged: usize,
    unreadable: usize,
    skipped: Skipped,
}

/// Reads what each of a session's files gained since `known` (its last read), and settles which responses are
/// whole: finished, or in a file nobody has written for [`UNFINISHED_WAIT`].
fn read_session(files: Vec<PathBuf>, known: Vec<Option<FileRead>>, buffers: &mut Buffers) -> SessionRead {
    let mut session = SessionRead::default();
    let mut responses = Responses::default();
    let mut reads: Vec<FileSeen> = Vec::new();
    let live_after = time_ns(SystemTime::now()) - i64::try_from(UNFINISHED_WAIT.as_nanos()).unwrap_or(i64::MAX);
    for (path, known) in files.iter().zip(known) {
        let Some((size, modified_ns)) =
            std::fs::metadata(path).ok().map(|m| (m.len(), m.modified().map_or(0, time_ns)))
        else {
            session.unreadable += 1;
            continue;
        };
        let (from, skipped_before) = match &known {
            Some(read) if read.size == size && read.modified_ns == modified_ns && !read.held => {
                session.unchanged += 1;
                continue;
            }
            // A transcript only grows: a shorter one was replaced, and is read whole.
            Some(read) if read.resume_at <= size => (read.resume_at, (read.too_long, read.unreadable)),
            _ => (0, (0, 0)),
        };
        match read_file_with(path, from, buffers) {
            Ok(file) => {
                session.skipped.add(file.skipped);
                if session.version.is_none() {
                    session.version = file.version;
                }
                let keys = file.snapshots.iter().map(|r| (key(r), r.offset)).collect();
                file.snapshots.into_iter().for_each(|response| responses.add(response));
                let progress = FileRead {
                    path: shown(path),
                    size,
                    modified_ns,
                    resume_at: file.whole_bytes,
                    held: false,
                    too_long: skipped_before.0 + file.skipped.too_long,
                    unreadable: skipped_before.1 + file.skipped.unreadable,
                };
                reads.push(FileSeen { progress, live: modified_ns > live_after, snapshots: keys });
            }
            Err(error) => {
                tracing::warn!(%error, path = %path.display(), "a transcript could not be read");
                session.unreadable += 1;
            }
        }
    }
    // A response that has not ended waits while a file holding it is still being written.
    let held: HashSet<ResponseKey> = responses
        .iter()
        .filter(|r| !r.finished)
        .map(key)
        .filter(|k| reads.iter().any(|file| file.live && file.snapshots.iter().any(|(key, _)| key == k)))
        .collect();
    for FileSeen { mut progress, snapshots, .. } in reads {
        if let Some(first) = snapshots.iter().filter(|(key, _)| held.contains(key)).map(|(_, at)| *at).min() {
            progress.resume_at = progress.resume_at.min(first);
            progress.held = true;
        }
        session.reads.push(progress);
    }
    session.held = held.len();
    session.responses = responses.into_sorted().into_iter().filter(|r| !held.contains(&key(r))).collect();
    session
}

type ResponseKey = (String, Option<String>);

/// One file read: its progress, whether it is still being written, and its snapshots' responses and lines.
struct FileSeen {
    progress: FileRead,
    live: bool,
    snapshots: Vec<(ResponseKey, u64)>,
}

fn key(response: &Response) -> ResponseKey {
    (response.message_id.clone(), response.request_id.clone())
}

fn time_ns(time: SystemTime) -> i64 {
    time.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// How far each transcript was read by earlier imports.
fn reads_known(conn: &rusqlite::Connection) -> Result<HashMap<String, FileRead>> {
    let mut statement =
        conn.prepare("SELECT path, size, modified_ns, resume_at, held, too_long, unreadable FROM transcript_reads")?;
    let count = |n: i64| n.max(0) as u64;
    let rows = statement.query_map([], |row| {
        Ok(FileRead {
            path: row.get(0)?,
            size: count(row.get(1)?),
            modified_ns: row.get(2)?,
            resume_at: count(row.get(3)?),
            held: row.get(4)?,
            too_long: count(row.get(5)?),
            unreadable: count(row.get(6)?),
        })
    })?;
    Ok(rows.map(|row| row.map(|read| (read.path.clone(), read))).collect::<rusqlite::Result<_>>()?)
}

/// Forgets the progress of transcripts under `dirs` that are gone (Claude Code's cleanup): the requests read
/// from them stay in the history, and their keys keep them from being added again.
async fn forget_removed(store: &Store, dirs: &[PathBuf], reads: &HashMap<String, FileRead>) -> Result<()> {
    let prefixes: Vec<String> = dirs.iter().map(|d| shown(d)).collect();
    let gone: Vec<String> = reads
        .keys()
        .filter(|path| prefixes.iter().any(|prefix| path.starts_with(prefix.as_str())))
        .filter(|path| !Path::new(path).exists())
        .cloned()
        .collect();
    if gone.is_empty() {
        return Ok(());
    }
    store
        .exec(move |tx| {
            let mut delete = tx.prepare_cached("DELETE FROM transcript_reads WHERE path = ?1")?;
            gone.iter().try_for_each(|path| delete.execute([path]).map(drop))?;
            Ok(())
        })
        .await
}

/// A request ready to write: its event, its estimated cost, and where its price came from (`None`: no price).
type Priced = (Event, i64, Option<RateSource>);

/// The requests waiting to be written, and the progress of the files they came from: recorded once they are.
#[derive(Default)]
struct Pending {
    events: Vec<Priced>,
    reads: Vec<FileRead>,
    /// Requests written since the files' progress was last recorded.
    since_reads: usize,
    resources: HashMap<String, Arc<Resource>>,
}

impl Pending {
    fn push(&mut self, priced: Priced) {
        self.events.push(priced);
    }

    /// The resource a session's records come from, one per session.
    fn resource(&mut self, session: &str, version: Option<&str>) -> Arc<Resource> {
        if self.resources.len() > 4 * BATCH {
            self.resources.clear();
        }
        self.resources.entry(session.to_owned()).or_insert_with(|| resource(version)).clone()
    }

    /// Writes every request waiting. The progress of the files they came from is recorded after (a stop between
    /// the two reads those files again, and the requests already written are known).
    async fn flush(&mut self, store: &Store, conn: &mut rusqlite::Connection, imported: &mut Imported) -> Result<()> {
        while !self.events.is_empty() {
            let rest = self.events.split_off(self.events.len().min(BATCH));
            let chunk = std::mem::replace(&mut self.events, rest);
            self.since_reads += chunk.len();
            write(store, conn, chunk, imported).await?;
        }
        Ok(())
    }

    /// Records the progress of the files whose requests are all written, once [`READS_EVERY`] were.
    async fn record_reads_if_due(&mut self, store: &Store) -> Result<()> {
        if self.since_reads >= READS_EVERY { self.record_reads(store).await } else { Ok(()) }
    }

    async fn record_reads(&mut self, store: &Store) -> Result<()> {
        self.since_reads = 0;
        let reads = std::mem::take(&mut self.reads);
        if reads.is_empty() {
            return Ok(());
        }
        store
            .exec(move |tx| {
                let mut upsert = tx.prepare_cached(
                    "INSERT INTO transcript_reads (path, size, modified_ns, resume_at, held, too_long, unreadable)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (path) DO UPDATE SET size = excluded.size, modified_ns = excluded.modified_ns,
                         resume_at = excluded.resume_at, held = excluded.held, too_long = excluded.too_long,
                         unreadable = excluded.unreadable",
                )?;
                for read in &reads {
                    upsert.execute(rusqlite::params![
                        read.path,
                        read.size as i64,
                        read.modified_ns,
                        read.resume_at as i64,
                        read.held,
                        read.too_long as i64,
                        read.unreadable as i64
                    ])?;
                }
                Ok(())
            })
            .await
    }
}

/// Writes one batch through the store's writer, waiting behind the receiver's batches.
async fn write(
    store: &Store,
    conn: &mut rusqlite::Connection,
    priced: Vec<Priced>,
    imported: &mut Imported,
) -> Result<()> {
    let mut batch = Batch::new(Signal::Logs);
    // The requests the history has already (telemetry's, or an earlier import's) add nothing to the estimate.
    let known = known_requests(&*conn, priced.iter().map(|(event, _, _)| event))?;
    let (mut cost, mut learned, mut overridden, mut table, mut none) = (0, 0, 0, 0, 0);
    for (event, nanos, source) in priced {
        if request_id(&event).is_none_or(|id| !known.contains(id)) {
            cost += nanos;
            match source {
                Some(RateSource::Learned) => learned += 1,
                Some(RateSource::Override) => overridden += 1,
                Some(RateSource::Table) => table += 1,
                None => none += 1,
            }
        }
        batch.events.push(event);
    }
    match store.write_queued(batch).await {
        Ok(summary) => {
            imported.added += summary.events;
            imported.known += summary.duplicates;
            imported.estimated_nanos += cost;
            imported.priced_learned += learned;
            imported.priced_override += overridden;
            imported.priced_table += table;
            imported.no_price += none;
            Ok(())
        }
        Err(SinkError::Busy) => Err(crate::StoreError::Write("the database writer is busy".into())),
        Err(SinkError::Unavailable { reason }) => Err(crate::StoreError::Write(reason)),
    }
}

fn request_id(event: &Event) -> Option<&str> {
    match &event.detail {
        EventDetail::ApiRequest(r) => r.request_id.as_deref(),
        _ => None,
    }
}

/// Which of the events' request ids the history already has or once read.
fn known_requests<'a>(conn: &rusqlite::Connection, events: impl Iterator<Item = &'a Event>) -> Result<HashSet<String>> {
    let keys: Vec<String> = events.filter_map(request_id).map(|id| format!("req:{id}")).collect();
    let mut statement = conn.prepare_cached(
        // EXISTS, not IN (SELECT …): each key is one probe of the unique index, not a scan of every event.
        "SELECT substr(value, 5) FROM json_each(?1) j
         WHERE EXISTS (SELECT 1 FROM events e WHERE e.dedup_key = j.value)
            OR EXISTS (SELECT 1 FROM transcript_requests t WHERE t.key = j.value)",
    )?;
    let found = statement.query_map([Value::from(keys).to_string()], |row| row.get::<_, String>(0))?;
    Ok(found.collect::<rusqlite::Result<_>>()?)
}

/// The resource a session's imported records come from: Claude Code of the version its transcript names.
fn resource(version: Option<&str>) -> Arc<Resource> {
    let mut attributes = Attributes::new();
    attributes.insert("service.name".into(), "claude-code".into());
    if let Some(version) = version {
        attributes.insert("service.version".into(), version.into());
    }
    attributes.insert("ccmeter.source".into(), "transcript".into());
    Arc::new(Resource { attributes })
}

/// A response as the `api_request` event telemetry would have sent, priced by the best rates known.
fn event(response: &Response, prices: &Prices, resource: &Arc<Resource>) -> Priced {
    let billed = Billed::from(response.tokens);
    let day = DateTime::from_timestamp_nanos(response.time_ns).date_naive();
    let (cost, cost_kind, source) = match prices.estimate(&response.model, day, &billed) {
        Some(estimate) => (estimate.cost_nanos, CostKind::Estimated, Some(estimate.source)),
        None => (0, CostKind::NoPrice, None),
    };
    let tokens = response.tokens;
    let mut attributes = Attributes::new();
    attributes.insert("event.name".into(), "api_request".into());
    attributes.insert("session.id".into(), response.session_id.clone().into());
    attributes.insert("model".into(), response.model.clone().into());
    if let Some(id) = &response.request_id {
        attributes.insert("request_id".into(), id.clone().into());
    }
    attributes.insert("message.id".into(), response.message_id.clone().into());
    for (key, value) in [
        ("input_tokens", tokens.input),
        ("output_tokens", tokens.output),
        ("cache_read_tokens", tokens.cache_read),
        ("cache_creation_tokens", tokens.cache_creation),
        ("cache_creation_1h_tokens", tokens.cache_creation_1h),
    ] {
        attributes.insert(key.into(), value.into());
    }
    attributes.insert("cost_estimated".into(), json!(cost_kind == CostKind::Estimated));
    if response.sidechain {
        attributes.insert("is_sidechain".into(), true.into());
    }
    let detail = EventDetail::ApiRequest(ApiRequest {
        model: Some(response.model.clone()),
        request_id: response.request_id.clone(),
        cost: Nanos(cost),
        cost_from_micros: false,
        tokens: Tokens {
            input: tokens.input,
            output: tokens.output,
            cache_read: tokens.cache_read,
            cache_creation: tokens.cache_creation,
        },
        cache_creation_5m: Some(billed.cache_write_5m),
        cache_creation_1h: Some(billed.cache_write_1h),
        cost_kind,
        ..ApiRequest::default()
    });
    let event = Event {
        time_ns: response.time_ns,
        time_received: false,
        name: EventName::ApiRequest,
        session_id: Some(response.session_id.clone()),
        sequence: None,
        prompt_id: None,
        detail,
        attributes,
        body: None,
        severity: None,
        trace_id: None,
        span_id: None,
        resource: resource.clone(),
    };
    (event, cost, source)
}
