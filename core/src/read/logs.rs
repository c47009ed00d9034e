//! The tool-execution log and the API-error log: every tool_result or api_error event of a range, newest
//! first, filtered and paged, as the Loki log panels of the Grafana dashboards showed them.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, named_params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::Result;
use crate::store::timing::TimingKind;
use crate::words::range::{Range, record_times};
use crate::words::time::from_ns;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// tool_result events: each tool Claude Code ran.
    #[default]
    Tools,
    /// api_error events: each API request that failed for good.
    ApiErrors,
}

impl LogKind {
    fn event_name(self) -> &'static str {
        match self {
            LogKind::Tools => "tool_result",
            LogKind::ApiErrors => "api_error",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub kind: LogKind,
    pub range: Range,
    /// Only this tool (as sent, e.g. `Bash`).
    pub tool: Option<String>,
    /// Only this normalised model.
    pub model: Option<String>,
    /// Only this HTTP status.
    pub status_code: Option<i64>,
    /// Only tool runs that reported failure.
    pub failed_only: bool,
    /// Matched, ignoring case, against the session id and the event's stored attributes (which hold the
    /// error text only when the user chose to store content).
    pub text: Option<String>,
    /// 0: no limit.
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LogRow {
    pub time: DateTime<Utc>,
    /// `None` for events that came without a session id.
    pub session_id: Option<String>,
    pub tool_name: Option<String>,
    pub model: Option<String>,
    pub success: Option<bool>,
    pub duration_ms: Option<i64>,
    pub status_code: Option<i64>,
    /// The `error` attribute: the message, or `[not stored: N characters]` when content is not kept.
    pub error: Option<String>,
    /// Every stored attribute of the event.
    pub attributes: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct LogPage {
    /// Rows matching the filter, over all pages.
    pub total: i64,
    pub rows: Vec<LogRow>,
    /// What the filters can offer for the range: tool names (tools) or models (API errors), most frequent
    /// first.
    pub subjects: Vec<String>,
    /// HTTP statuses of the range's API errors, most frequent first (empty for tools).
    pub status_codes: Vec<i64>,
}

/// The events a log filter selects, as `FROM … WHERE …`. Tool runs filtered to failures are read from the
/// index of failed runs (migration 0010: a year holds a few thousand, where the name/time index the planner
/// would pick holds every run), named in the SQL so the planner cannot prefer the wider one.
fn log_source(filter: &LogFilter) -> String {
    let (table, failed) = match (filter.failed_only, filter.kind) {
        (false, _) => ("events", ""),
        (true, LogKind::Tools) => ("events INDEXED BY events_failed_tools", "AND name = 'tool_result' AND success = 0"),
        // No API error reports a success.
        (true, LogKind::ApiErrors) => ("events", "AND success = 0"),
    };
    format!(
        "FROM {table}
         WHERE name = :name AND time_ns BETWEEN :first AND :last AND is_claude_code = 1 {failed}
           AND (:tool IS NULL OR tool_name = :tool)
           AND (:model IS NULL OR model_norm = :model)
           AND (:status IS NULL OR status_code = :status)
           AND (:text IS NULL OR instr(lower(session_id || ' ' || attributes), lower(:text)) > 0)"
    )
}

/// One page of a log.
pub fn log(conn: &Connection, filter: &LogFilter) -> Result<LogPage> {
    let Some((first, last)) = record_times(filter.range) else { return Ok(LogPage::default()) };
    let name = filter.kind.event_name();
    let limit = if filter.limit == 0 { i64::MAX } else { i64::from(filter.limit) };
    let text = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let source = log_source(filter);
    // The page and the count apart: the page reads 50 rows down the name/time index, and the count of
    // a filter without text never leaves the index. One query with `count(*) OVER ()` read every row.
    let sql = format!(
        "SELECT time_ns, session_id, tool_name, model_norm, success, duration_ms, status_code, attributes
         {source}
         ORDER BY time_ns DESC, id DESC
         LIMIT :limit OFFSET :offset"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let params = named_params! {
        ":name": name, ":first": first, ":last": last, ":tool": filter.tool, ":model": filter.model,
        ":status": filter.status_code, ":text": text, ":limit": limit, ":offset": i64::from(filter.offset),
    };
    let rows = statement.query_map(params, |r| {
        let session: String = r.get(1)?;
        let attributes: Value = serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or(Value::Null);
        let error = attributes.get("error").and_then(Value::as_str).map(str::to_owned);
        Ok(LogRow {
            time: from_ns(r.get(0)?),
            session_id: (!session.is_empty()).then_some(session),
            tool_name: r.get(2)?,
            model: r.get(3)?,
            success: r.get(4)?,
            duration_ms: r.get(5)?,
            status_code: r.get(6)?,
            error,
            attributes,
        })
    })?;
    let mut page = LogPage { rows: rows.collect::<rusqlite::Result<_>>()?, ..Default::default() };
    page.total = conn.prepare_cached(&format!("SELECT count(*) {source}"))?.query_row(
        named_params! {
            ":name": name, ":first": first, ":last": last, ":tool": filter.tool, ":model": filter.model,
            ":status": filter.status_code, ":text": text,
        },
        |r| r.get(0),
    )?;
    match filter.kind {
        LogKind::Tools => page.subjects = tools_of(conn, filter.range)?,
        LogKind::ApiErrors => {
            page.subjects = api_error_values(conn, "model_norm", first, last)?;
            page.status_codes = api_error_values(conn, "status_code", first, last)?;
        }
    }
    Ok(page)
}

/// The tools run in `range`, most runs first, from the tool timings (a year of them is some thousands of rows
/// a tool, where the events are hundreds of thousands of runs). The log's record times are the range's whole
/// buckets, so these are the runs the log lists.
fn tools_of(conn: &Connection, range: Range) -> Result<Vec<String>> {
    let (from, to) = range.buckets();
    let mut tools: Vec<(String, i64)> = crate::read::timings::by_key(conn, TimingKind::Tool, from, to)?
        .into_iter()
        // `?` is the key of runs that named no tool (a decision alone counts no run).
        .filter(|(tool, timing)| tool != "?" && timing.records > 0)
        .map(|(tool, timing)| (tool, timing.records))
        .collect();
    tools.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(tools.into_iter().map(|(tool, _)| tool).collect())
}

/// The values of `column` among the API errors of `[first, last]` (UTC ns), most frequent first.
fn api_error_values<T: rusqlite::types::FromSql>(
    conn: &Connection,
    column: &'static str,
    first: i64,
    last: i64,
) -> Result<Vec<T>> {
    // A fixed column name: the SQL never contains user input.
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {column} FROM events
         WHERE name = 'api_error' AND time_ns BETWEEN :first AND :last AND is_claude_code = 1
           AND {column} IS NOT NULL
         GROUP BY 1 ORDER BY count(*) DESC, 1"
    ))?;
    let rows = statement.query_map(named_params! {":first": first, ":last": last}, |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
