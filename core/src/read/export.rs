//! Exports of the history: the sessions table and one session's timeline, as CSV (one row per session or
//! event, money in USD with nine decimals so the column sums to the exact total) or JSON (what the window
//! shows). `crate::fs::write_file` puts them in place.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Result, StoreError};
use crate::read::query::{SessionDetail, SessionRow};
use crate::words::money::exact_usd;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Json,
}

const SESSION_COLUMNS: [&str; 20] = [
    "session_id",
    "started_at",
    "ended_at",
    "duration_s",
    "models",
    "cost_usd",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_creation_tokens",
    "api_requests",
    "api_errors",
    "user_prompts",
    "lines_added",
    "lines_removed",
    "commits",
    "pull_requests",
    "cost_source",
    "claude_code_version",
    "project",
];

fn session_record(row: &SessionRow) -> Vec<String> {
    let u = &row.usage;
    vec![
        row.id.clone().unwrap_or_default(),
        row.started_at.to_rfc3339(),
        row.ended_at.to_rfc3339(),
        format!("{:.3}", row.duration_s),
        row.models.join(";"),
        exact_usd(u.cost_nanos),
        u.tokens.input.to_string(),
        u.tokens.output.to_string(),
        u.tokens.cache_read.to_string(),
        u.tokens.cache_creation.to_string(),
        u.api_requests.to_string(),
        u.api_errors.to_string(),
        u.user_prompts.to_string(),
        u.lines_added.to_string(),
        u.lines_removed.to_string(),
        u.commits.to_string(),
        u.pull_requests.to_string(),
        match row.cost_source {
            crate::read::query::CostSource::Events => "events".into(),
            crate::read::query::CostSource::Metrics => "metrics".into(),
        },
        row.app_version.clone().unwrap_or_default(),
        row.project.clone().unwrap_or_default(),
    ]
}

/// The sessions table as CSV or JSON bytes.
pub fn sessions(rows: &[SessionRow], format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Json => json(rows),
        Format::Csv => {
            let mut out = csv::Writer::from_writer(Vec::new());
            out.write_record(SESSION_COLUMNS).map_err(csv_error)?;
            for row in rows {
                out.write_record(session_record(row)).map_err(csv_error)?;
            }
            out.into_inner().map_err(|error| StoreError::Encode(error.into_error().into()))
        }
    }
}

const TIMELINE_COLUMNS: [&str; 16] = [
    "time",
    "event",
    "sequence",
    "prompt_id",
    "model",
    "cost_usd",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_creation_tokens",
    "duration_ms",
    "success",
    "tool_name",
    "decision",
    "status_code",
    "query_source",
];

/// One session's timeline as CSV (one row per event), or the whole session as JSON.
pub fn session(detail: &SessionDetail, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Json => json(detail),
        Format::Csv => {
            let mut out = csv::Writer::from_writer(Vec::new());
            out.write_record(TIMELINE_COLUMNS).map_err(csv_error)?;
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
            for event in &detail.timeline {
                let tokens = event.tokens.unwrap_or_default();
                let has_tokens = event.tokens.is_some();
                let count = |n: i64| if has_tokens { n.to_string() } else { String::new() };
                out.write_record([
                    event.time.to_rfc3339(),
                    event.name.clone(),
                    number(event.sequence),
                    text(&event.prompt_id),
                    text(&event.model),
                    event.cost_nanos.map(exact_usd).unwrap_or_default(),
                    count(tokens.input),
                    count(tokens.output),
                    count(tokens.cache_read),
                    count(tokens.cache_creation),
                    number(event.duration_ms),
                    event.success.map(|s| s.to_string()).unwrap_or_default(),
                    text(&event.tool_name),
                    text(&event.decision),
                    number(event.status_code),
                    text(&event.query_source),
                ])
                .map_err(csv_error)?;
            }
            out.into_inner().map_err(|error| StoreError::Encode(error.into_error().into()))
        }
    }
}

fn json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|error| StoreError::Encode(error.into()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn csv_error(error: csv::Error) -> StoreError {
    StoreError::Encode(error.into())
}
