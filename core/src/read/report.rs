//! `ccmeter report`: a period's totals, its sessions and models, optionally grouped rows.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;

use crate::error::Result;
use crate::read::query::{self, ModelUsage, SessionFilter, SessionRow, SessionSort, Summary, TokenCounts};
use crate::words::money::usd;
use crate::words::range::Range;
use crate::words::time::TimeContext;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    Day,
    Model,
    Session,
    Project,
}

/// A project's row when its sessions name none.
pub const NO_PROJECT: &str = "(no project)";

/// One row of `--by`: a day (`YYYY-MM-DD`), a model, a session id or a project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    pub key: String,
    pub cost_usd: f64,
    pub tokens: TokenCounts,
    pub api_requests: i64,
    pub api_errors: i64,
    pub lines_added: i64,
    pub lines_removed: i64,
    pub sessions: Option<i64>,
    /// How much of `cost_usd` is ccmeter's estimate (requests read from transcripts), not Claude Code's own.
    pub estimated_cost_usd: f64,
}

/// The period's headline figures and its events by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportTotal {
    #[serde(flatten)]
    pub summary: Summary,
    /// One key per bare `event.name`, unknown names included; each stored Claude Code event counted once.
    pub events_by_name: std::collections::BTreeMap<String, i64>,
    /// How much of the cost is ccmeter's estimate (requests read from Claude Code's transcripts).
    pub estimated_cost_usd: f64,
    /// Requests read from transcripts of a model with no known price: in the tokens, not in the cost.
    pub unpriced_requests: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub generated_at: DateTime<Utc>,
    pub time_zone: String,
    pub since: Option<String>,
    pub until: Option<String>,
    pub total: ReportTotal,
    pub sessions: Vec<SessionRow>,
    pub models: Vec<ModelUsage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<GroupBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<GroupRow>>,
}

pub struct ReportRequest {
    pub since: Option<chrono::NaiveDate>,
    pub until: Option<chrono::NaiveDate>,
    pub by: Option<GroupBy>,
}

pub fn build(conn: &Connection, ctx: &TimeContext, request: &ReportRequest) -> Result<Report> {
    let range = Range::local_days(ctx, request.since, request.until);
    // The summary and the models are two views of one read of the usage by model.
    let usage = query::usage_by_model(conn, range)?;
    let summary = query::summary_of(conn, range, &usage)?;
    let sessions = query::sessions(
        conn,
        &SessionFilter { range, sort: SessionSort::Start, descending: false, ..Default::default() },
    )?
    .rows;
    let models = query::by_model_of(usage);
    let estimated = query::estimated(conn, ctx, range)?;
    let rows = match request.by {
        None => None,
        Some(GroupBy::Model) => Some(
            models
                .iter()
                .map(|m| GroupRow {
                    key: m.model.clone(),
                    cost_usd: m.cost_usd,
                    tokens: m.tokens,
                    api_requests: m.api_requests,
                    api_errors: m.api_errors,
                    lines_added: 0,
                    lines_removed: 0,
                    sessions: None,
                    estimated_cost_usd: usd(estimated.by_model.get(&m.model).copied().unwrap_or(0)),
                })
                .collect(),
        ),
        Some(GroupBy::Session) => Some(
            sessions
                .iter()
                .map(|s| GroupRow {
                    key: s.id.clone().unwrap_or_else(|| "(no session)".into()),
                    cost_usd: s.usage.cost_usd,
                    tokens: s.usage.tokens,
                    api_requests: s.usage.api_requests,
                    api_errors: s.usage.api_errors,
                    lines_added: s.usage.lines_added,
                    lines_removed: s.usage.lines_removed,
                    sessions: None,
                    estimated_cost_usd: usd(s
                        .id
                        .as_ref()
                        .and_then(|id| estimated.by_session.get(id))
                        .copied()
                        .unwrap_or(0)),
                })
                .collect(),
        ),
        Some(GroupBy::Project) => Some(by_project(&sessions, &estimated.by_session)),
        Some(GroupBy::Day) => Some(
            query::by_day(conn, ctx, range)?
                .into_iter()
                .map(|(day, usage)| GroupRow {
                    key: day.format("%Y-%m-%d").to_string(),
                    cost_usd: usage.cost_usd,
                    tokens: usage.tokens,
                    api_requests: usage.api_requests,
                    api_errors: usage.api_errors,
                    lines_added: usage.lines_added,
                    lines_removed: usage.lines_removed,
                    sessions: None,
                    estimated_cost_usd: usd(estimated.by_day.get(&day).copied().unwrap_or(0)),
                })
                .collect(),
        ),
    };
    Ok(Report {
        generated_at: ctx.now(),
        time_zone: ctx.zone.name().to_owned(),
        since: request.since.map(|d| d.to_string()),
        until: request.until.map(|d| d.to_string()),
        total: ReportTotal {
            summary,
            events_by_name: query::event_counts(conn, range)?,
            estimated_cost_usd: usd(estimated.total),
            unpriced_requests: estimated.unpriced,
        },
        sessions,
        models,
        by: request.by,
        rows,
    })
}

/// The sessions' usage summed per project, most expensive first (ties by name); sessions without one last.
fn by_project(sessions: &[SessionRow], estimated: &std::collections::HashMap<String, i64>) -> Vec<GroupRow> {
    let mut projects: std::collections::BTreeMap<Option<&str>, (i64, i64, GroupRow)> =
        std::collections::BTreeMap::new();
    for session in sessions {
        let project = session.project.as_deref();
        let (nanos, estimated_nanos, row) = projects.entry(project).or_insert_with(|| {
            let row = GroupRow {
                key: project.unwrap_or(NO_PROJECT).to_owned(),
                cost_usd: 0.0,
                tokens: TokenCounts::default(),
                api_requests: 0,
                api_errors: 0,
                lines_added: 0,
                lines_removed: 0,
                sessions: Some(0),
                estimated_cost_usd: 0.0,
            };
            (0, 0, row)
        });
        let usage = &session.usage;
        *nanos += usage.cost_nanos;
        *estimated_nanos += session.id.as_ref().and_then(|id| estimated.get(id)).copied().unwrap_or(0);
        row.tokens.input += usage.tokens.input;
        row.tokens.output += usage.tokens.output;
        row.tokens.cache_read += usage.tokens.cache_read;
        row.tokens.cache_creation += usage.tokens.cache_creation;
        row.api_requests += usage.api_requests;
        row.api_errors += usage.api_errors;
        row.lines_added += usage.lines_added;
        row.lines_removed += usage.lines_removed;
        row.sessions = row.sessions.map(|n| n + 1);
    }
    let mut rows: Vec<(bool, i64, GroupRow)> = projects
        .into_iter()
        .map(|(project, (nanos, estimated_nanos, mut row))| {
            row.cost_usd = crate::words::money::usd(nanos);
            row.estimated_cost_usd = crate::words::money::usd(estimated_nanos);
            (project.is_none(), nanos, row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then_with(|| a.2.key.cmp(&b.2.key)));
    rows.into_iter().map(|(_, _, row)| row).collect()
}
