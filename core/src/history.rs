//! The history from before telemetry: the API responses Claude Code's transcripts record, imported as
//! `api_request` events whose tokens are Claude Code's own and whose cost is an estimate (`pricing`: rates
//! learned from this database's telemetry, then the bundled table; "no price" for a model neither knows).
//!
//! One request is counted once whatever the sources: a transcript's request telemetry already reported (the
//! same `request_id`) is not added, one telemetry reports later takes the estimate's place (`write::ingest`), and
//! a request once read is never added again, even after retention pruned it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use ccmeter_proto::{
    ApiRequest, Attributes, Batch, CostKind, Event, EventDetail, EventName, Nanos, Resource, Signal, SinkError, Tokens,
};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::Store;
use crate::error::Result;
use crate::pricing::{Billed, Prices, RateSource};
use crate::transcripts::transcript_files;
use crate::transcripts::usage::{Response, Responses, Skipped, read_file};

/// Requests written per transaction.
const BATCH: usize = 500;

/// What an import found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Transcript files read (subagents' included), and those that could not be opened.
    pub files: usize,
    pub unreadable_files: usize,
    /// API responses found, each once.
    pub responses: usize,
    /// Of those, the ones before `--since`, left out.
    pub before_since: usize,
    pub sessions: usize,
    /// Requests added to the history.
    pub added: u64,
    /// Requests the history already had, from telemetry or an earlier import.
    pub known: u64,
    /// The estimated cost of the requests added, in nano-dollars.
    pub estimated_nanos: i64,
    /// Requests priced from rates learned from this database's telemetry, and from the bundled table.
    pub priced_learned: usize,
    pub priced_table: usize,
    /// Requests of a model with no known price (imported with their tokens, costed apart).
    pub no_price: usize,
    /// Lines passed over in the files.
    pub skipped: Skipped,
}

/// Reads every transcript under `dirs` and adds the requests the history lacks; `since` leaves out responses
/// before it. `progress` hears (files read, files in all) as the reading goes.
pub async fn import(
    store: &Store,
    dirs: &[PathBuf],
    since: Option<DateTime<Utc>>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Imported> {
    let files: Vec<PathBuf> = dirs.iter().flat_map(|dir| transcript_files(dir)).collect();
    let mut imported = Imported { files: files.len(), ..Imported::default() };
    let mut responses = Responses::default();
    let mut versions: HashMap<String, String> = HashMap::new();
    for (at, path) in files.iter().enumerate() {
        progress(at, files.len());
        let path = path.clone();
        match tokio::task::spawn_blocking(move || read_file(&path, 0)).await {
            Ok(Ok(read)) => {
                imported.skipped.add(read.skipped);
                if let (Some(session), Some(version)) = (read.session_id, read.version) {
                    versions.entry(session).or_insert(version);
                }
                read.snapshots.into_iter().for_each(|response| responses.add(response));
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, "a transcript could not be read");
                imported.unreadable_files += 1;
            }
            Err(error) => {
                tracing::warn!(%error, "a transcript read failed");
                imported.unreadable_files += 1;
            }
        }
    }
    progress(files.len(), files.len());
    let prices = {
        let conn = store.reader()?;
        Prices::load(&conn)?
    };
    let mut responses = responses.into_sorted();
    imported.responses = responses.len();
    if let Some(since) = since.and_then(|s| s.timestamp_nanos_opt()) {
        responses.retain(|r| r.time_ns >= since);
        imported.before_since = imported.responses - responses.len();
    }
    let mut sessions: Vec<&str> = responses.iter().map(|r| r.session_id.as_str()).collect();
    sessions.sort_unstable();
    sessions.dedup();
    imported.sessions = sessions.len();
    let resources: HashMap<&str, Arc<Resource>> =
        sessions.iter().map(|s| (*s, resource(versions.get(*s).map(String::as_str)))).collect();

    let mut batch = Batch::new(Signal::Logs);
    let mut estimated: Vec<i64> = Vec::new();
    for response in &responses {
        let (event, cost) = event(response, &prices, &resources[response.session_id.as_str()], &mut imported);
        batch.events.push(event);
        estimated.push(cost);
        if batch.events.len() == BATCH {
            write(store, std::mem::replace(&mut batch, Batch::new(Signal::Logs)), &mut estimated, &mut imported)
                .await?;
        }
    }
    if !batch.events.is_empty() {
        write(store, batch, &mut estimated, &mut imported).await?;
    }
    Ok(imported)
}

/// Writes one batch through the store's writer, waiting while it is busy with the receiver's batches.
async fn write(store: &Store, batch: Batch, costs: &mut Vec<i64>, imported: &mut Imported) -> Result<()> {
    // The requests the history has already (telemetry's, or an earlier import's) add nothing to the estimate.
    let known = known_requests(store, &batch)?;
    let new_cost: i64 = batch
        .events
        .iter()
        .zip(costs.iter())
        .filter(|(event, _)| request_id(event).is_none_or(|id| !known.contains(id)))
        .map(|(_, cost)| cost)
        .sum();
    loop {
        match store.write(batch.clone()).await {
            Ok(summary) => {
                imported.added += summary.events;
                imported.known += summary.duplicates;
                imported.estimated_nanos += new_cost;
                costs.clear();
                return Ok(());
            }
            Err(SinkError::Busy) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            Err(SinkError::Unavailable { reason }) => return Err(crate::StoreError::Write(reason)),
        }
    }
}

fn request_id(event: &Event) -> Option<&str> {
    match &event.detail {
        EventDetail::ApiRequest(r) => r.request_id.as_deref(),
        _ => None,
    }
}

/// Which of a batch's request ids the history already has or once read.
fn known_requests(store: &Store, batch: &Batch) -> Result<std::collections::HashSet<String>> {
    let conn = store.reader()?;
    let keys: Vec<String> = batch.events.iter().filter_map(request_id).map(|id| format!("req:{id}")).collect();
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
fn event(response: &Response, prices: &Prices, resource: &Arc<Resource>, imported: &mut Imported) -> (Event, i64) {
    let billed = Billed::from(response.tokens);
    let day = DateTime::from_timestamp_nanos(response.time_ns).date_naive();
    let (cost, cost_kind) = match prices.estimate(&response.model, day, &billed) {
        Some(estimate) => {
            match estimate.source {
                RateSource::Learned => imported.priced_learned += 1,
                RateSource::Table => imported.priced_table += 1,
            }
            (estimate.cost_nanos, CostKind::Estimated)
        }
        None => {
            imported.no_price += 1;
            (0, CostKind::NoPrice)
        }
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
    (event, cost)
}
