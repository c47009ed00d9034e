//! Writing decoded batches: raw records, metric increments and the usage rollup, in one transaction.
//!
//! Idempotence (an exporter retries what it did not see acknowledged): every row has a dedup key and is
//! inserted with `INSERT OR IGNORE`; the rollup is only touched for rows that were really inserted.
//! - api_request events: `request_id`. Other Claude Code events: session + `event.sequence` + name +
//!   prompt.id + the record's own time. `event.sequence` counts per process, and a resumed session
//!   (`claude --continue`, `--resume <id>`) is a new process sending the same session.id, sequence and name
//!   again; its records happen later, while a retry resends a record byte for byte, time included.
//!   Anything else: a hash of the whole record (without an arrival time, which a retry does not repeat).
//!   A request read from a transcript (an estimate, `CostKind::Estimated`) gives way when telemetry reports the
//!   same request_id: its rollup rows are taken back first. Its key stays in `transcript_requests`, so a later
//!   read of the transcript never adds it again.
//! - DELTA points: series + start + end time. CUMULATIVE points: series (with its start time) + time;
//!   a point no newer than the last one seen for its series changes nothing.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use ccmeter_proto::{
    ApiRequest, Batch, CostKind, Event, EventDetail, EventName, MetricName, MetricPoint, PointKind, Resource, Span,
    Temporality, normalize_model,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::Result;

use crate::words::time::bucket_of;

/// What one batch changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteSummary {
    pub events: u64,
    pub points: u64,
    pub spans: u64,
    /// Records already stored (a retried batch).
    pub duplicates: u64,
    pub rejected: u64,
    /// Sessions touched, for listeners that care about one session.
    pub sessions: Vec<String>,
    /// The latest event time written (UTC ns), if any.
    pub latest_ns: Option<i64>,
}

impl WriteSummary {
    pub fn stored(&self) -> u64 {
        self.events + self.points + self.spans
    }

    pub fn add(&mut self, other: &WriteSummary) {
        self.events += other.events;
        self.points += other.points;
        self.spans += other.spans;
        self.duplicates += other.duplicates;
        self.rejected += other.rejected;
        for session in &other.sessions {
            if !self.sessions.contains(session) {
                self.sessions.push(session.clone());
            }
        }
        self.latest_ns = self.latest_ns.max(other.latest_ns);
    }

    fn touch(&mut self, session: &str, time_ns: i64) {
        if !self.sessions.iter().any(|s| s == session) {
            self.sessions.push(session.to_owned());
        }
        self.latest_ns = Some(self.latest_ns.map_or(time_ns, |t| t.max(time_ns)));
    }
}

/// What content is kept. Prompt text, responses, tool input and parameters and error text are private;
/// by default only their lengths are stored.
#[derive(Debug, Clone, Default)]
pub struct Privacy {
    pub store_content: bool,
}

/// Attributes that carry what the user wrote or what their tools saw.
pub(crate) const CONTENT_KEYS: &[&str] = &[
    "prompt",
    "response",
    "tool_input",
    "tool_parameters",
    "error",
    "user_prompt",
    "full_command",
    "file_path",
    "body",
];

impl Privacy {
    /// The attributes as stored: content replaced by its length unless content is kept (most records carry
    /// none, and are stored as they came, uncopied).
    fn stored<'a>(&self, attributes: &'a serde_json::Map<String, Value>) -> Cow<'a, serde_json::Map<String, Value>> {
        let is_content = |key: &&str| matches!(attributes.get(*key), Some(Value::String(_)));
        if self.store_content || !CONTENT_KEYS.iter().any(is_content) {
            return Cow::Borrowed(attributes);
        }
        let mut redacted = attributes.clone();
        for key in CONTENT_KEYS {
            if let Some(Value::String(text)) = redacted.get(*key) {
                let length = text.chars().count();
                redacted.insert((*key).to_owned(), Value::String(format!("[not stored: {length} characters]")));
            }
        }
        Cow::Owned(redacted)
    }
}

pub fn load_privacy(conn: &Connection) -> Result<Privacy> {
    match crate::store::settings::load(conn) {
        Ok(settings) => Ok(Privacy { store_content: settings.store_prompt_text }),
        // Unreadable settings must not stop ingest: keep the private default until they are fixed.
        Err(crate::StoreError::InvalidSettings { problem, .. }) => {
            tracing::warn!(reason = %problem, "settings unreadable; prompt text is not stored");
            Ok(Privacy::default())
        }
        Err(error) => Err(error),
    }
}

/// An estimated request's new price (`history::reprice`): its event's id, cost and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repriced {
    pub id: i64,
    pub cost_nanos: i64,
    pub kind: CostKind,
}

/// Gives estimated requests their new prices inside `tx`, every aggregate following; returns how many changed.
pub fn reprice(tx: &rusqlite::Transaction, changes: &[Repriced]) -> Result<usize> {
    let privacy = Privacy::default();
    let mut writer = Writer::new(tx, &privacy)?;
    let mut changed = 0;
    for change in changes {
        changed += usize::from(writer.reprice_estimate(change.id, change.cost_nanos, change.kind)?);
    }
    writer.flush()?;
    Ok(changed)
}

/// Writes the batches in one transaction and returns what each changed.
pub fn write_batches(conn: &mut Connection, batches: &[&Batch], privacy: &Privacy) -> Result<Vec<WriteSummary>> {
    let tx = conn.transaction()?;
    let mut writer = Writer::new(&tx, privacy)?;
    let mut summaries = Vec::with_capacity(batches.len());
    for batch in batches {
        let mut summary = WriteSummary::default();
        for event in &batch.events {
            writer.event(event, &mut summary)?;
        }
        for point in &batch.points {
            writer.point(point, &mut summary)?;
        }
        for span in &batch.spans {
            writer.span(span, &mut summary)?;
        }
        summaries.push(summary);
    }
    writer.flush()?;
    drop(writer);
    tx.commit()?;
    Ok(summaries)
}

/// The key a transcript's request is remembered by: its request id as its event's key has it, or its response's
/// id (in the event's attributes) when Claude Code recorded none.
fn transcript_key(request: &ApiRequest, dedup_key: &str) -> String {
    match &request.request_id {
        Some(_) => dedup_key.to_owned(),
        None => format!("h:{dedup_key}"),
    }
}

fn hash_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hex::encode(&hasher.finalize()[..16])
}

/// The rollup columns one record adds to.
#[derive(Default, Clone)]
struct Increment {
    ev_cost_nanos: i64,
    ev_input: i64,
    ev_output: i64,
    ev_cache_read: i64,
    ev_cache_creation: i64,
    m_cost_nanos: i64,
    m_input: i64,
    m_output: i64,
    m_cache_read: i64,
    m_cache_creation: i64,
    api_requests: i64,
    api_duration_ms: i64,
    api_errors: i64,
    user_prompts: i64,
    tool_results: i64,
    lines_added: i64,
    lines_removed: i64,
    commits: i64,
    pull_requests: i64,
    sessions_started: i64,
    active_user_us: i64,
    active_cli_us: i64,
    edits_accepted: i64,
    edits_rejected: i64,
}

impl Increment {
    /// What takes back an estimated request's [`EstimateRow::added`] (its tokens, cost and one request).
    fn negated(&self) -> Increment {
        Increment {
            ev_cost_nanos: -self.ev_cost_nanos,
            ev_input: -self.ev_input,
            ev_output: -self.ev_output,
            ev_cache_read: -self.ev_cache_read,
            ev_cache_creation: -self.ev_cache_creation,
            api_requests: -self.api_requests,
            ..Increment::default()
        }
    }

    fn add(&mut self, other: &Increment) {
        self.ev_cost_nanos += other.ev_cost_nanos;
        self.ev_input += other.ev_input;
        self.ev_output += other.ev_output;
        self.ev_cache_read += other.ev_cache_read;
        self.ev_cache_creation += other.ev_cache_creation;
        self.m_cost_nanos += other.m_cost_nanos;
        self.m_input += other.m_input;
        self.m_output += other.m_output;
        self.m_cache_read += other.m_cache_read;
        self.m_cache_creation += other.m_cache_creation;
        self.api_requests += other.api_requests;
        self.api_duration_ms += other.api_duration_ms;
        self.api_errors += other.api_errors;
        self.user_prompts += other.user_prompts;
        self.tool_results += other.tool_results;
        self.lines_added += other.lines_added;
        self.lines_removed += other.lines_removed;
        self.commits += other.commits;
        self.pull_requests += other.pull_requests;
        self.sessions_started += other.sessions_started;
        self.active_user_us += other.active_user_us;
        self.active_cli_us += other.active_cli_us;
        self.edits_accepted += other.edits_accepted;
        self.edits_rejected += other.edits_rejected;
    }
}

/// What the records of one transaction tell about a session, merged as the `sessions` upsert merges them:
/// the earliest and latest times, the first resource, the latest non-empty identity fields.
#[derive(Default)]
struct SessionTouch {
    first_ns: i64,
    last_ns: i64,
    resource_id: Option<i64>,
    app_version: Option<String>,
    user_id: Option<String>,
    user_email: Option<String>,
    organization_id: Option<String>,
    account_uuid: Option<String>,
    terminal_type: Option<String>,
    vcs_repository: Option<String>,
    vcs_branch: Option<String>,
    vcs_revision: Option<String>,
    api_event: bool,
}

use crate::words::facet::Facet;

/// An attribute as the facet value SQLite's `CAST(json_extract(…) AS TEXT)` makes of it (the migration's
/// backfill), `""` when absent.
fn facet_value(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => (*flag as i64).to_string(),
        _ => String::new(),
    }
}

/// A metric series and, for a cumulative one, its last point: (time, value in stored units).
struct Series {
    id: i64,
    key: String,
    last: Option<(i64, i64)>,
}

/// One record of the `events` table.
const INSERT_EVENT: &str = "
    INSERT OR IGNORE INTO events (dedup_key, session_id, time_ns, name, is_claude_code, sequence, prompt_id,
        request_id, model, model_norm, cost_nanos, cost_from_micros, input_tokens, output_tokens,
        cache_read_tokens, cache_creation_tokens, duration_ms, success, tool_name, decision, status_code,
        query_source, resource_id, attributes, body, severity, trace_id, span_id, ttft_ms,
        cache_creation_5m_tokens, cache_creation_1h_tokens, agent_id, agent_name, estimated)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
        ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)";

struct Writer<'a> {
    tx: &'a Transaction<'a>,
    /// [`INSERT_EVENT`], prepared once a transaction: found in the statement cache by its text, it was hashed
    /// and compared whole for every record.
    insert_event: Option<rusqlite::CachedStatement<'a>>,
    /// The last event's id when the transaction began: the events after it are the ones it adds.
    last_event: i64,
    /// Resource ids by the resource's address: a batch shares one `Arc<Resource>` per resource block.
    resources: HashMap<*const Resource, i64>,
    privacy: &'a Privacy,
    // Rollup, facet and session changes are summed here per transaction and written once at its end
    // (`flush`): a batch of 512 requests in one session and bucket is one upsert each, not 512.
    rollups: HashMap<(i64, String, String), Increment>,
    facets: HashMap<(Facet, String, i64, String), (i64, Increment)>,
    sessions: HashMap<String, SessionTouch>,
    /// (bucket, session) of each estimate taken back: rollup rows it leaves empty go at the end.
    retracted: Vec<(i64, String)>,
    /// Whether the database holds any estimate to take back, asked once a transaction (most never import
    /// transcripts, and then a request costs no lookup).
    has_estimates: Option<bool>,
}

/// An estimated request as stored, for taking it back or pricing it again.
struct EstimateRow {
    id: i64,
    session: String,
    time_ns: i64,
    model: String,
    /// What it added to the aggregates.
    added: Increment,
    source: String,
    effort: String,
    agent: Option<String>,
}

impl<'t> Writer<'t> {
    fn new(tx: &'t rusqlite::Transaction<'t>, privacy: &'t Privacy) -> Result<Writer<'t>> {
        let last_event: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))?;
        Ok(Writer {
            tx,
            insert_event: None,
            last_event,
            resources: HashMap::new(),
            privacy,
            rollups: HashMap::new(),
            facets: HashMap::new(),
            sessions: HashMap::new(),
            retracted: Vec::new(),
            has_estimates: None,
        })
    }

    fn resource_id(&mut self, resource: &Arc<Resource>) -> Result<i64> {
        if let Some(id) = self.resources.get(&Arc::as_ptr(resource)) {
            return Ok(*id);
        }
        let json = serde_json::to_string(&resource.attributes).unwrap_or_else(|_| "{}".into());
        let hash = hash_hex(&[json.as_bytes()]);
        let mut insert =
            self.tx.prepare_cached("INSERT OR IGNORE INTO resources (hash, attributes) VALUES (?1, ?2)")?;
        insert.execute(params![hash, json])?;
        let id: i64 =
            self.tx.prepare_cached("SELECT id FROM resources WHERE hash = ?1")?.query_row([&hash], |r| r.get(0))?;
        self.resources.insert(Arc::as_ptr(resource), id);
        Ok(id)
    }

    fn session(
        &mut self,
        id: &str,
        time_ns: i64,
        attributes: &serde_json::Map<String, Value>,
        resource: (&Resource, i64),
        api_event: bool,
    ) -> Result<()> {
        let (resource, resource_id) = resource;
        let text = |key: &str| attributes.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
        let touch = self.sessions.entry(id.to_owned()).or_insert_with(|| SessionTouch {
            first_ns: time_ns,
            last_ns: time_ns,
            ..SessionTouch::default()
        });
        touch.first_ns = touch.first_ns.min(time_ns);
        touch.last_ns = touch.last_ns.max(time_ns);
        touch.resource_id = touch.resource_id.or(Some(resource_id));
        // A later record's value wins, as `coalesce(excluded.x, x)` does in the upsert.
        let latest = |slot: &mut Option<String>, value: Option<String>| {
            if value.is_some() {
                *slot = value;
            }
        };
        // `app.version` is on records only with OTEL_METRICS_INCLUDE_VERSION=true; Claude Code's resource always
        // names its version.
        let resource_version = || {
            (resource.service_name() == Some("claude-code"))
                .then(|| resource.attributes.get("service.version").and_then(Value::as_str))
                .flatten()
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        latest(&mut touch.app_version, text("app.version").or_else(resource_version));
        latest(&mut touch.user_id, text("user.id"));
        latest(&mut touch.user_email, text("user.email"));
        latest(&mut touch.organization_id, text("organization.id"));
        latest(&mut touch.account_uuid, text("user.account_uuid"));
        latest(&mut touch.terminal_type, text("terminal.type"));
        latest(&mut touch.vcs_repository, text("vcs.repository.url.full"));
        latest(&mut touch.vcs_branch, text("vcs.ref.head.name"));
        latest(&mut touch.vcs_revision, text("vcs.ref.head.revision"));
        touch.api_event |= api_event;
        Ok(())
    }

    /// Writes what the transaction's records summed up: sessions, usage rollup rows, facet rows.
    fn flush(&mut self) -> Result<()> {
        let mut upsert = self.tx.prepare_cached(
            "INSERT INTO sessions (id, first_ns, last_ns, resource_id, app_version, user_id, user_email, organization_id,
                                   account_uuid, terminal_type, has_api_events, vcs_repository, vcs_branch,
                                   vcs_revision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT(id) DO UPDATE SET
                first_ns = min(first_ns, excluded.first_ns),
                last_ns = max(last_ns, excluded.last_ns),
                resource_id = coalesce(resource_id, excluded.resource_id),
                app_version = coalesce(excluded.app_version, app_version),
                user_id = coalesce(excluded.user_id, user_id),
                user_email = coalesce(excluded.user_email, user_email),
                organization_id = coalesce(excluded.organization_id, organization_id),
                account_uuid = coalesce(excluded.account_uuid, account_uuid),
                terminal_type = coalesce(excluded.terminal_type, terminal_type),
                has_api_events = max(has_api_events, excluded.has_api_events),
                vcs_repository = coalesce(excluded.vcs_repository, vcs_repository),
                vcs_branch = coalesce(excluded.vcs_branch, vcs_branch),
                vcs_revision = coalesce(excluded.vcs_revision, vcs_revision)",
        )?;
        // A session's first `api_request` moves its cost and tokens from metrics to events on every day it has
        // usage: those days are recomputed below with the ones this batch touched.
        let mut flipped = Vec::new();
        {
            let mut had_events = self.tx.prepare_cached("SELECT has_api_events FROM sessions WHERE id = ?1")?;
            for (id, touch) in &self.sessions {
                if touch.api_event
                    && !id.is_empty()
                    && had_events.query_row([id], |r| r.get::<_, bool>(0)).optional()? == Some(false)
                {
                    flipped.push(id.clone());
                }
            }
        }
        // Every session the batch touched is totalled again: its totals carry its terminal and resource (migration
        // 0011). Today each record that touches a session also adds to its rollup, so this is the same set; the
        // totals must not depend on that staying so.
        let mut sessions: BTreeSet<String> = self.sessions.keys().cloned().collect();
        // A repository named by telemetry is the session's project (words::project).
        let with_repository: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, touch)| touch.vcs_repository.is_some())
            .map(|(id, _)| id.clone())
            .collect();
        for (id, touch) in self.sessions.drain() {
            upsert.execute(params![
                id,
                touch.first_ns,
                touch.last_ns,
                touch.resource_id,
                touch.app_version,
                touch.user_id,
                touch.user_email,
                touch.organization_id,
                touch.account_uuid,
                touch.terminal_type,
                touch.api_event as i64,
                touch.vcs_repository,
                touch.vcs_branch,
                touch.vcs_revision
            ])?;
        }
        drop(upsert);
        for id in &with_repository {
            super::projects::settle(self.tx, id)?;
        }
        let rollups: Vec<_> = self.rollups.drain().collect();
        let mut touched: Vec<i64> = rollups.iter().map(|((bucket, _, _), _)| *bucket).collect();
        sessions.extend(rollups.iter().map(|((_, session, _), _)| session.clone()));
        sessions.extend(flipped.iter().cloned());
        for ((bucket, session, model), inc) in rollups {
            self.write_rollup(bucket, &session, &model, &inc)?;
        }
        for session in &flipped {
            touched.extend(super::daily::session_buckets(self.tx, session)?);
        }
        let facets: Vec<_> = self.facets.drain().collect();
        let facet_buckets: Vec<i64> = facets.iter().map(|((_, _, bucket, _), _)| *bucket).collect();
        for ((facet, value, bucket, session), (records, inc)) in facets {
            self.write_facet(facet, &value, bucket, &session, records, &inc)?;
        }
        touched.extend(facet_buckets);
        // An estimate taken back leaves its rows at zero where telemetry filed the request elsewhere (another
        // effort, another source): an empty row would still list its value.
        for (bucket, session) in std::mem::take(&mut self.retracted) {
            self.tx
                .prepare_cached(
                    "DELETE FROM usage_rollup WHERE bucket = ?1 AND session_id = ?2
                       AND ev_cost_nanos = 0 AND ev_input = 0 AND ev_output = 0 AND ev_cache_read = 0
                       AND ev_cache_creation = 0 AND m_cost_nanos = 0 AND m_input = 0 AND m_output = 0
                       AND m_cache_read = 0 AND m_cache_creation = 0 AND api_requests = 0 AND api_duration_ms = 0
                       AND api_errors = 0 AND user_prompts = 0 AND tool_results = 0 AND lines_added = 0
                       AND lines_removed = 0 AND commits = 0 AND pull_requests = 0 AND sessions_started = 0
                       AND active_user_us = 0 AND active_cli_us = 0 AND edits_accepted = 0 AND edits_rejected = 0",
                )?
                .execute(params![bucket, session])?;
            self.tx
                .prepare_cached(
                    "DELETE FROM facet_rollup WHERE bucket = ?1 AND session_id = ?2 AND records = 0
                       AND ev_cost_nanos = 0 AND ev_input = 0 AND ev_output = 0 AND ev_cache_read = 0
                       AND ev_cache_creation = 0 AND m_cost_nanos = 0 AND m_input = 0 AND m_output = 0
                       AND m_cache_read = 0 AND m_cache_creation = 0 AND accepted = 0 AND rejected = 0",
                )?
                .execute(params![bucket, session])?;
        }
        super::daily::refresh(self.tx, touched, super::daily::Timings::AddedAfter(self.last_event))?;
        super::daily::refresh_sessions(self.tx, sessions.iter().map(String::as_str))?;
        Ok(())
    }

    fn rollup(&mut self, time_ns: i64, session: &str, model: &str, inc: &Increment) -> Result<()> {
        self.rollups.entry((bucket_of(time_ns), session.to_owned(), model.to_owned())).or_default().add(inc);
        Ok(())
    }

    fn write_rollup(&mut self, bucket: i64, session: &str, model: &str, inc: &Increment) -> Result<()> {
        let mut upsert = self.tx.prepare_cached(
            "INSERT INTO usage_rollup (bucket, session_id, model, ev_cost_nanos, ev_input, ev_output, ev_cache_read,
                ev_cache_creation, m_cost_nanos, m_input, m_output, m_cache_read, m_cache_creation, api_requests,
                api_duration_ms, api_errors, user_prompts, tool_results, lines_added, lines_removed, commits,
                pull_requests, sessions_started, active_user_us, active_cli_us, edits_accepted, edits_rejected)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                ?22, ?23, ?24, ?25, ?26, ?27)
             ON CONFLICT(bucket, session_id, model) DO UPDATE SET
                ev_cost_nanos = ev_cost_nanos + excluded.ev_cost_nanos,
                ev_input = ev_input + excluded.ev_input,
                ev_output = ev_output + excluded.ev_output,
                ev_cache_read = ev_cache_read + excluded.ev_cache_read,
                ev_cache_creation = ev_cache_creation + excluded.ev_cache_creation,
                m_cost_nanos = m_cost_nanos + excluded.m_cost_nanos,
                m_input = m_input + excluded.m_input,
                m_output = m_output + excluded.m_output,
                m_cache_read = m_cache_read + excluded.m_cache_read,
                m_cache_creation = m_cache_creation + excluded.m_cache_creation,
                api_requests = api_requests + excluded.api_requests,
                api_duration_ms = api_duration_ms + excluded.api_duration_ms,
                api_errors = api_errors + excluded.api_errors,
                user_prompts = user_prompts + excluded.user_prompts,
                tool_results = tool_results + excluded.tool_results,
                lines_added = lines_added + excluded.lines_added,
                lines_removed = lines_removed + excluded.lines_removed,
                commits = commits + excluded.commits,
                pull_requests = pull_requests + excluded.pull_requests,
                sessions_started = sessions_started + excluded.sessions_started,
                active_user_us = active_user_us + excluded.active_user_us,
                active_cli_us = active_cli_us + excluded.active_cli_us,
                edits_accepted = edits_accepted + excluded.edits_accepted,
                edits_rejected = edits_rejected + excluded.edits_rejected",
        )?;
        upsert.execute(params![
            bucket,
            session,
            model,
            inc.ev_cost_nanos,
            inc.ev_input,
            inc.ev_output,
            inc.ev_cache_read,
            inc.ev_cache_creation,
            inc.m_cost_nanos,
            inc.m_input,
            inc.m_output,
            inc.m_cache_read,
            inc.m_cache_creation,
            inc.api_requests,
            inc.api_duration_ms,
            inc.api_errors,
            inc.user_prompts,
            inc.tool_results,
            inc.lines_added,
            inc.lines_removed,
            inc.commits,
            inc.pull_requests,
            inc.sessions_started,
            inc.active_user_us,
            inc.active_cli_us,
            inc.edits_accepted,
            inc.edits_rejected
        ])?;
        Ok(())
    }

    fn facet(
        &mut self,
        facet: Facet,
        value: &str,
        time_ns: i64,
        session: &str,
        records: i64,
        inc: &Increment,
    ) -> Result<()> {
        let entry = self.facets.entry((facet, value.to_owned(), bucket_of(time_ns), session.to_owned())).or_default();
        entry.0 += records;
        entry.1.add(inc);
        Ok(())
    }

    fn write_facet(
        &mut self,
        facet: Facet,
        value: &str,
        bucket: i64,
        session: &str,
        records: i64,
        inc: &Increment,
    ) -> Result<()> {
        let mut upsert = self.tx.prepare_cached(
            "INSERT INTO facet_rollup (facet, value, bucket, session_id, records, ev_cost_nanos, ev_input, ev_output,
                ev_cache_read, ev_cache_creation, m_cost_nanos, m_input, m_output, m_cache_read, m_cache_creation,
                accepted, rejected)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
             ON CONFLICT(facet, bucket, value, session_id) DO UPDATE SET
                records = records + excluded.records,
                ev_cost_nanos = ev_cost_nanos + excluded.ev_cost_nanos,
                ev_input = ev_input + excluded.ev_input,
                ev_output = ev_output + excluded.ev_output,
                ev_cache_read = ev_cache_read + excluded.ev_cache_read,
                ev_cache_creation = ev_cache_creation + excluded.ev_cache_creation,
                m_cost_nanos = m_cost_nanos + excluded.m_cost_nanos,
                m_input = m_input + excluded.m_input,
                m_output = m_output + excluded.m_output,
                m_cache_read = m_cache_read + excluded.m_cache_read,
                m_cache_creation = m_cache_creation + excluded.m_cache_creation,
                accepted = accepted + excluded.accepted,
                rejected = rejected + excluded.rejected",
        )?;
        upsert.execute(params![
            facet.as_str(),
            value,
            bucket,
            session,
            records,
            inc.ev_cost_nanos,
            inc.ev_input,
            inc.ev_output,
            inc.ev_cache_read,
            inc.ev_cache_creation,
            inc.m_cost_nanos,
            inc.m_input,
            inc.m_output,
            inc.m_cache_read,
            inc.m_cache_creation,
            inc.edits_accepted,
            inc.edits_rejected
        ])?;
        Ok(())
    }

    fn event(&mut self, event: &Event, summary: &mut WriteSummary) -> Result<()> {
        let resource_id = self.resource_id(&event.resource)?;
        let session = event.session_id.as_deref().unwrap_or("");
        let attributes_json =
            serde_json::to_string(&*self.privacy.stored(&event.attributes)).unwrap_or_else(|_| "{}".into());
        let name = event.name.as_str();
        let dedup_key = match (&event.detail, &event.sequence) {
            (EventDetail::ApiRequest(request), _) if request.request_id.is_some() => {
                format!("req:{}", request.request_id.as_deref().unwrap_or_default())
            }
            (_, Some(sequence)) if event.session_id.is_some() && event.name.is_claude_code() => {
                let prompt = event.prompt_id.as_deref().unwrap_or("");
                let time = if event.time_received { "-".to_owned() } else { event.time_ns.to_string() };
                format!("seq:{session}:{sequence}:{name}:{prompt}:{time}")
            }
            _ => {
                let body = event.body.as_ref().map(|b| b.to_string()).unwrap_or_default();
                let resource = serde_json::to_string(&event.resource.attributes).unwrap_or_default();
                let raw_attributes_json = serde_json::to_string(&event.attributes).unwrap_or_default();
                let time = if event.time_received { 0 } else { event.time_ns };
                format!(
                    "h:{}",
                    hash_hex(&[
                        &time.to_le_bytes(),
                        name.as_bytes(),
                        body.as_bytes(),
                        raw_attributes_json.as_bytes(),
                        resource.as_bytes()
                    ])
                )
            }
        };

        let mut model = None;
        let mut cost = None;
        let mut from_micros = None;
        let mut tokens = None;
        let mut duration = None;
        let mut success = None;
        let mut tool_name = None;
        let mut decision = None;
        let mut status_code = None;
        let mut query_source = None;
        let mut request_id = None;
        let mut request = None;
        let mut inc = Increment::default();
        match &event.detail {
            EventDetail::ApiRequest(r) => {
                model = r.model.clone();
                cost = Some(r.cost.0);
                from_micros = Some(r.cost_from_micros as i64);
                tokens = Some(r.tokens);
                duration = r.duration_ms;
                query_source = r.query_source.clone();
                request_id = r.request_id.clone();
                request = Some(r);
                inc.ev_cost_nanos = r.cost.0;
                inc.ev_input = r.tokens.input;
                inc.ev_output = r.tokens.output;
                inc.ev_cache_read = r.tokens.cache_read;
                inc.ev_cache_creation = r.tokens.cache_creation;
                inc.api_requests = 1;
                inc.api_duration_ms = r.duration_ms.unwrap_or(0).max(0);
            }
            EventDetail::ApiError(e) => {
                model = e.model.clone();
                duration = e.duration_ms;
                status_code = e.status_code;
                query_source = e.query_source.clone();
                inc.api_errors = 1;
            }
            EventDetail::ToolResult(t) => {
                tool_name = t.tool_name.clone();
                success = t.success;
                duration = t.duration_ms;
                decision = t.decision.clone();
                inc.tool_results = 1;
            }
            EventDetail::ToolDecision(d) => {
                tool_name = d.tool_name.clone();
                decision = d.decision.clone();
            }
            EventDetail::UserPrompt(_) => inc.user_prompts = 1,
            EventDetail::None => {}
        }
        let model_norm = model.as_deref().map(normalize_model).map(str::to_owned);
        let cost_kind = request.map_or(CostKind::Reported, |r| r.cost_kind);
        if cost_kind != CostKind::Reported {
            // A request read from a transcript once is never added again: not after retention pruned it, not
            // after telemetry replaced it.
            let key = transcript_key(request.expect("estimates are requests"), &dedup_key);
            let fresh = self
                .tx
                .prepare_cached("INSERT OR IGNORE INTO transcript_requests (key) VALUES (?1)")?
                .execute([key])?;
            if fresh == 0 {
                summary.duplicates += 1;
                return Ok(());
            }
            self.has_estimates = Some(true);
        } else if request.is_some_and(|r| r.request_id.is_some()) && self.has_estimates()? {
            // Claude Code's own cost of a request ccmeter had only estimated (its transcript was read first).
            self.retract_estimate(&dedup_key)?;
        }

        if self.insert_event.is_none() {
            self.insert_event = Some(self.tx.prepare_cached(INSERT_EVENT)?);
        }
        let body = event.body.as_ref().map(|body| {
            if self.privacy.store_content || event.name.is_claude_code() {
                body.to_string()
            } else {
                format!("[not stored: {} characters]", body.to_string().chars().count())
            }
        });
        let insert = self.insert_event.as_mut().expect("prepared above");
        let inserted = insert.execute(params![
            dedup_key,
            session,
            event.time_ns,
            name,
            event.name.is_claude_code() as i64,
            event.sequence,
            event.prompt_id,
            request_id,
            model,
            model_norm,
            cost,
            from_micros,
            tokens.map(|t| t.input),
            tokens.map(|t| t.output),
            tokens.map(|t| t.cache_read),
            tokens.map(|t| t.cache_creation),
            duration,
            success,
            tool_name,
            decision,
            status_code,
            query_source,
            resource_id,
            attributes_json,
            body,
            event.severity,
            event.trace_id,
            event.span_id,
            request.and_then(|r| r.ttft_ms),
            request.and_then(|r| r.cache_creation_5m),
            request.and_then(|r| r.cache_creation_1h),
            request.and_then(|r| r.agent_id.as_deref()),
            request.and_then(|r| r.agent_name.as_deref()),
            cost_kind.code()
        ])?;
        if inserted == 0 {
            summary.duplicates += 1;
            return Ok(());
        }
        summary.events += 1;
        if event.name.is_claude_code() {
            let api_event = event.name == EventName::ApiRequest;
            self.session(session, event.time_ns, &event.attributes, (&event.resource, resource_id), api_event)?;
            self.rollup(event.time_ns, session, model_norm.as_deref().unwrap_or(""), &inc)?;
            let none = Increment::default();
            self.facet(Facet::Event, name, event.time_ns, session, 1, &none)?;
            if inc.api_requests > 0 {
                let source = query_source.as_deref().unwrap_or("");
                self.facet(Facet::QuerySource, source, event.time_ns, session, inc.api_requests, &inc)?;
                let effort = facet_value(event.attributes.get("effort"));
                self.facet(Facet::Effort, &effort, event.time_ns, session, inc.api_requests, &inc)?;
                // Only a subagent's requests carry agent_id: the facet holds subagent records alone, so a split
                // of the subagent class by it always adds up to the class.
                if let Some(r) = request.filter(|r| r.agent_id.is_some()) {
                    let agent = r.agent_name.as_deref().unwrap_or("");
                    self.facet(Facet::Agent, agent, event.time_ns, session, inc.api_requests, &inc)?;
                }
            }
            summary.touch(session, event.time_ns);
        }
        Ok(())
    }

    fn has_estimates(&mut self) -> Result<bool> {
        if let Some(known) = self.has_estimates {
            return Ok(known);
        }
        // One probe of the partial index that holds the estimated rows alone.
        let any = self
            .tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM events WHERE estimated <> 0)")?
            .query_row([], |r| r.get(0))?;
        self.has_estimates = Some(any);
        Ok(any)
    }

    /// Takes back an estimated request stored under `dedup_key` (read from a transcript) with everything it added
    /// to the rollups, for the same request as telemetry reports it to take its place.
    fn retract_estimate(&mut self, dedup_key: &str) -> Result<()> {
        let Some(row) = self.estimate_row("dedup_key", &dedup_key)? else { return Ok(()) };
        let inc = row.added.negated();
        self.file_estimate(&row, -1, &inc)?;
        self.tx.prepare_cached("DELETE FROM events WHERE id = ?1")?.execute([row.id])?;
        self.retracted.push((bucket_of(row.time_ns), row.session));
        Ok(())
    }

    /// Gives the estimated request `id` a new cost (rates learned since it was priced), moving the difference
    /// through every aggregate it counts in.
    fn reprice_estimate(&mut self, id: i64, cost_nanos: i64, kind: CostKind) -> Result<bool> {
        let Some(row) = self.estimate_row("id", &id)? else { return Ok(false) };
        let inc = Increment { ev_cost_nanos: cost_nanos - row.added.ev_cost_nanos, ..Increment::default() };
        self.file_estimate(&row, 0, &inc)?;
        self.tx.prepare_cached("UPDATE events SET cost_nanos = ?2, estimated = ?3 WHERE id = ?1")?.execute(params![
            id,
            cost_nanos,
            kind.code()
        ])?;
        Ok(true)
    }

    /// An estimated request as stored: what it added to the aggregates, and the keys it was filed under.
    fn estimate_row(&self, column: &str, value: &dyn rusqlite::ToSql) -> Result<Option<EstimateRow>> {
        let sql = format!(
            "SELECT id, session_id, time_ns, coalesce(model_norm, ''), coalesce(cost_nanos, 0),
                    coalesce(input_tokens, 0), coalesce(output_tokens, 0), coalesce(cache_read_tokens, 0),
                    coalesce(cache_creation_tokens, 0), coalesce(query_source, ''), attributes,
                    agent_id IS NOT NULL, coalesce(agent_name, '')
             FROM events WHERE {column} = ?1 AND estimated <> 0"
        );
        let found = self
            .tx
            .prepare_cached(&sql)?
            .query_row([value], |row| {
                let attributes: String = row.get(10)?;
                Ok(EstimateRow {
                    id: row.get(0)?,
                    session: row.get(1)?,
                    time_ns: row.get(2)?,
                    model: row.get(3)?,
                    added: Increment {
                        ev_cost_nanos: row.get(4)?,
                        ev_input: row.get(5)?,
                        ev_output: row.get(6)?,
                        ev_cache_read: row.get(7)?,
                        ev_cache_creation: row.get(8)?,
                        api_requests: 1,
                        ..Increment::default()
                    },
                    source: row.get(9)?,
                    effort: serde_json::from_str::<serde_json::Map<String, Value>>(&attributes)
                        .map(|a| facet_value(a.get("effort")))
                        .unwrap_or_default(),
                    agent: row.get::<_, bool>(11)?.then(|| row.get::<_, String>(12)).transpose()?,
                })
            })
            .optional()?;
        Ok(found)
    }

    /// Files `inc` (and `records` events) under every aggregate key an estimated request counts in.
    fn file_estimate(&mut self, row: &EstimateRow, records: i64, inc: &Increment) -> Result<()> {
        let (time_ns, session) = (row.time_ns, row.session.as_str());
        self.rollup(time_ns, session, &row.model, inc)?;
        self.facet(Facet::Event, EventName::ApiRequest.as_str(), time_ns, session, records, &Increment::default())?;
        self.facet(Facet::QuerySource, &row.source, time_ns, session, records, inc)?;
        self.facet(Facet::Effort, &row.effort, time_ns, session, records, inc)?;
        if let Some(agent) = &row.agent {
            self.facet(Facet::Agent, agent, time_ns, session, records, inc)?;
        }
        Ok(())
    }

    fn series(&mut self, point: &MetricPoint, resource_id: i64) -> Result<Series> {
        let attributes = serde_json::to_string(&point.attributes).unwrap_or_else(|_| "{}".into());
        let start = match point.temporality {
            Temporality::Cumulative => point.start_ns.to_le_bytes(),
            _ => [0; 8],
        };
        let key = hash_hex(&[
            point.metric.as_str().as_bytes(),
            point.kind.as_str().as_bytes(),
            attributes.as_bytes(),
            &resource_id.to_le_bytes(),
            &start,
        ]);
        let existing = self
            .tx
            .prepare_cached("SELECT id, last_time_ns, last_scaled FROM metric_series WHERE key = ?1")?
            .query_row([&key], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, Option<i64>>(2)?)))
            .optional()?;
        if let Some((id, last_time, last_scaled)) = existing {
            return Ok(Series { id, key, last: last_time.zip(last_scaled) });
        }
        self.tx
            .prepare_cached("INSERT INTO metric_series (key, metric, attributes, resource_id) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![key, point.metric.as_str(), attributes, resource_id])?;
        Ok(Series { id: self.tx.last_insert_rowid(), key, last: None })
    }

    fn point(&mut self, point: &MetricPoint, summary: &mut WriteSummary) -> Result<()> {
        let resource_id = self.resource_id(&point.resource)?;
        let Series { id: series_id, key: series_key, last } = self.series(point, resource_id)?;
        let session = point.session_id.as_deref().unwrap_or("");
        let scaled = (point.value * point.metric.scale()).round() as i64;
        let summable = matches!(point.kind, PointKind::Sum { .. });
        let (dedup_key, delta) = match (summable, point.temporality) {
            (true, Temporality::Delta) => {
                (format!("d:{series_key}:{}:{}", point.start_ns, point.time_ns), Some(scaled))
            }
            (true, Temporality::Cumulative) => {
                let delta = match last {
                    // Not newer than what we have: a replay (or a straggler); it adds nothing.
                    Some((last_time, _)) if point.time_ns <= last_time => {
                        summary.duplicates += 1;
                        return Ok(());
                    }
                    // A drop means the counter restarted under the same start time: count from zero.
                    Some((_, last_scaled)) if scaled < last_scaled => scaled,
                    Some((_, last_scaled)) => scaled - last_scaled,
                    None => scaled,
                };
                self.tx
                    .prepare_cached("UPDATE metric_series SET last_time_ns = ?2, last_scaled = ?3 WHERE id = ?1")?
                    .execute(params![series_id, point.time_ns, scaled])?;
                (format!("c:{series_key}:{}", point.time_ns), Some(delta))
            }
            _ => (format!("g:{series_key}:{}:{}", point.start_ns, point.time_ns), None),
        };
        let model = point.attr_str("model");
        let model_norm = model.map(normalize_model);
        let kind_type = point.attr_str("type");
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO metric_points (dedup_key, series_id, session_id, metric, kind, temporality, unit,
                    start_ns, time_ns, value, delta_scaled, model, model_norm, type, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                dedup_key,
                series_id,
                session,
                point.metric.as_str(),
                point.kind.as_str(),
                match point.temporality {
                    Temporality::Delta => "delta",
                    Temporality::Cumulative => "cumulative",
                    Temporality::Unspecified => "unspecified",
                },
                point.unit,
                point.start_ns,
                point.time_ns,
                point.value,
                delta,
                model,
                model_norm,
                kind_type,
                point.detail.as_ref().map(Value::to_string)
            ])?;
        if inserted == 0 {
            summary.duplicates += 1;
            return Ok(());
        }
        summary.points += 1;
        let (Some(delta), true) = (delta, point.metric.is_claude_code()) else { return Ok(()) };
        let mut inc = Increment::default();
        let mut rollup_model = model_norm.unwrap_or("");
        match (&point.metric, kind_type) {
            (MetricName::CostUsage, _) => inc.m_cost_nanos = delta,
            (MetricName::TokenUsage, Some("input")) => inc.m_input = delta,
            (MetricName::TokenUsage, Some("output")) => inc.m_output = delta,
            (MetricName::TokenUsage, Some("cacheRead")) => inc.m_cache_read = delta,
            (MetricName::TokenUsage, Some("cacheCreation")) => inc.m_cache_creation = delta,
            (MetricName::LinesOfCode, Some("added")) => inc.lines_added = delta,
            (MetricName::LinesOfCode, Some("removed")) => inc.lines_removed = delta,
            (MetricName::Commits, _) => inc.commits = delta,
            (MetricName::PullRequests, _) => inc.pull_requests = delta,
            (MetricName::SessionCount, _) => inc.sessions_started = delta,
            (MetricName::ActiveTime, Some("user")) => inc.active_user_us = delta,
            (MetricName::ActiveTime, Some("cli")) => inc.active_cli_us = delta,
            (MetricName::CodeEditToolDecision, _) => match point.attr_str("decision") {
                Some("accept") => inc.edits_accepted = delta,
                Some("reject") => inc.edits_rejected = delta,
                _ => {}
            },
            _ => rollup_model = "",
        }
        self.session(session, point.time_ns, &point.attributes, (&point.resource, resource_id), false)?;
        self.rollup(point.time_ns, session, rollup_model, &inc)?;
        match point.metric {
            MetricName::CostUsage | MetricName::TokenUsage => {
                let source = facet_value(point.attributes.get("query_source"));
                self.facet(Facet::QuerySource, &source, point.time_ns, session, 0, &inc)?;
                let effort = facet_value(point.attributes.get("effort"));
                self.facet(Facet::Effort, &effort, point.time_ns, session, 0, &inc)?;
                if source == "subagent" {
                    let agent = facet_value(point.attributes.get("agent.name"));
                    self.facet(Facet::Agent, &agent, point.time_ns, session, 0, &inc)?;
                }
            }
            MetricName::CodeEditToolDecision => {
                let language = facet_value(point.attributes.get("language"));
                self.facet(Facet::Language, &language, point.time_ns, session, 0, &inc)?;
            }
            _ => {}
        }
        summary.touch(session, point.time_ns);
        Ok(())
    }

    fn span(&mut self, span: &Span, summary: &mut WriteSummary) -> Result<()> {
        let resource_id = self.resource_id(&span.resource)?;
        let attributes = self.privacy.stored(&span.attributes);
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO spans (dedup_key, trace_id, span_id, parent_span_id, name, session_id, start_ns,
                    end_ns, status_code, status_message, resource_id, attributes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                format!("s:{}:{}", span.trace_id, span.span_id),
                span.trace_id,
                span.span_id,
                span.parent_span_id,
                span.name,
                span.session_id.as_deref().unwrap_or(""),
                span.start_ns,
                span.end_ns,
                span.status_code,
                if self.privacy.store_content { span.status_message.clone() } else { None },
                resource_id,
                serde_json::to_string(&*attributes).unwrap_or_else(|_| "{}".into())
            ])?;
        if inserted == 0 {
            summary.duplicates += 1;
        } else {
            summary.spans += 1;
        }
        Ok(())
    }
}
