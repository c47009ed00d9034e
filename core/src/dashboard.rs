//! Everything the dashboard window shows for a span of local days, read in one go so the window draws one
//! consistent picture (and one round trip) after each commit.

use crate::store::Connection;
use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

use crate::budget::{self, BudgetStatus};
use crate::error::{RangeProblem, Result};
use crate::forecast::{self, Forecast};
use crate::limits::{self, CurrentLimit, LimitHistory};
use crate::read::event_stats::{self, ApiLatency, ErrorPoint, ToolPoint};
use crate::read::insights::{self, EventCountPoint, FacetUsage, HeatCell, LanguageEdits, SourceUsage};
use crate::read::query::{
    self, ErrorCount, ModelUsage, SeriesPoint, SessionFilter, SessionRow, SessionSort, Summary, ToolStat,
};
use crate::read::session_mix::{self, SessionMix};
use crate::read::timings::{self, SpanRead};
use crate::store::settings;
use crate::store::timing::TimingKind;
use crate::words::range::{Granularity, Range};
use crate::words::time::TimeContext;

/// The longest span the dashboard reads at once: ten years of days.
const MAX_DAYS: i64 = 3660;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Dashboard {
    /// The first local day shown.
    pub since: NaiveDate,
    /// The first local day not shown.
    pub until: NaiveDate,
    /// Hours for spans of up to two days, days beyond.
    pub granularity: Granularity,
    pub summary: Summary,
    /// Where each budget stands now (the current day, week, month and active sessions).
    pub budgets: Vec<BudgetStatus>,
    /// A subscriber's current plan-limit windows, 5-hour first (none for API-key users).
    pub limits: Vec<CurrentLimit>,
    /// Where the 5-hour window and the daily budget are heading at the last hour's pace.
    pub forecasts: Vec<Forecast>,
    /// How the plan-limit windows rose over the period.
    pub limit_history: LimitHistory,
    /// The plan-limit alert thresholds (percent): a window past the first is a warning, past the last alarming.
    pub limit_alerts: Vec<u32>,
    /// Usage per bucket and model, buckets in the user's zone.
    pub series: Vec<SeriesPoint>,
    pub by_model: Vec<ModelUsage>,
    pub tools: Vec<ToolStat>,
    pub errors: Vec<ErrorCount>,
    /// Cost by main thread / subagents / auxiliary calls (titles, compaction…), with the raw names.
    pub by_source: Vec<SourceUsage>,
    pub edits_by_language: Vec<LanguageEdits>,
    /// Non-empty cells of the weekday × local hour grid.
    pub heatmap: Vec<HeatCell>,
    /// Cost by the requests' reasoning effort.
    pub by_effort: Vec<FacetUsage>,
    /// API latency p50/p95 by model, over the period and per bucket.
    pub latency: ApiLatency,
    /// Tool calls and failures by tool, per bucket.
    pub tools_over_time: Vec<ToolPoint>,
    /// API errors by HTTP status, per bucket.
    pub errors_over_time: Vec<ErrorPoint>,
    /// Claude Code events by name, per bucket.
    pub events_over_time: Vec<EventCountPoint>,
    /// Sessions by terminal, by the user's resource attributes (project…), with or without a commit, and
    /// started per bucket.
    pub sessions: SessionMix,
    /// The period's most expensive sessions (their cost within the period).
    pub top_sessions: Vec<SessionRow>,
    /// Of the period's cost, the part estimated from Claude Code's transcripts (USD), and the requests read
    /// there of a model with no known price.
    pub estimated_cost_usd: f64,
    pub unpriced_requests: i64,
}

/// How many sessions the "most expensive" list shows.
const TOP_SESSIONS: u32 = 5;

/// The dashboard of local days `[since, until)`.
pub fn dashboard(conn: &Connection, ctx: &TimeContext, since: NaiveDate, until: NaiveDate) -> Result<Dashboard> {
    let days = (until - since).num_days();
    if days < 1 {
        return Err(RangeProblem::EndsBeforeStart { since, until }.into());
    }
    if days > MAX_DAYS {
        return Err(RangeProblem::TooLong { days, max: MAX_DAYS }.into());
    }
    let range = Range::local_days(ctx, Some(since), Some(until));
    let granularity = if days <= 2 { Granularity::Hour } else { Granularity::Day };
    let settings = settings::load(conn)?;
    // One read of the usage serves the series, the summary and the models; one of the tools' timings serves
    // their table and their calls over time; the errors over time are the errors by status too.
    let usage = query::sums_over_time(conn, ctx, range, granularity)?;
    let series = query::series_of(&usage);
    let by_model = query::by_model_over(&usage);
    // A day or two is read by the hour, which serves the heatmap too; longer spans read only its sums by the
    // hour.
    let heatmap = match granularity {
        Granularity::Hour => insights::heatmap_of(ctx, &series),
        Granularity::Day => insights::activity_heatmap(conn, ctx, range)?,
    };
    let (from, to) = range.buckets();
    let tools = timings::whole_and_over_time(conn, ctx, TimingKind::Tool, from, to, granularity, SpanRead::Whole)?;
    let errors_over_time = event_stats::errors_over_time(conn, ctx, range, granularity)?;
    let budgets = budget::evaluate(conn, ctx, &settings)?;
    let current_limits = limits::current(conn, ctx.now())?;
    let (estimated_nanos, unpriced_requests) = query::estimated_total(conn, range)?;
    Ok(Dashboard {
        since,
        until,
        granularity,
        summary: query::summary_of(conn, range, &by_model)?,
        forecasts: forecast::forecasts(conn, ctx, &current_limits, &budgets)?,
        budgets,
        limits: current_limits,
        limit_history: limits::history(conn, ctx, range, days)?,
        limit_alerts: settings.limit_alerts,
        series,
        by_model: query::by_model_of(by_model),
        tools: query::tool_stats_of(tools.whole),
        errors: query::errors_of(errors_over_time.iter().map(|point| (point.status_code, point.count))),
        by_source: insights::cost_by_source(conn, range)?,
        edits_by_language: insights::edits_by_language(conn, range)?,
        heatmap,
        by_effort: insights::cost_by_effort(conn, range)?,
        latency: event_stats::api_latency(conn, ctx, range, granularity)?,
        tools_over_time: event_stats::tool_points(tools.points),
        errors_over_time,
        events_over_time: insights::events_over_time(conn, ctx, range, granularity)?,
        sessions: session_mix::session_mix(conn, ctx, range, granularity)?,
        top_sessions: query::sessions_page(
            conn,
            &SessionFilter {
                range,
                sort: SessionSort::Cost,
                descending: true,
                limit: TOP_SESSIONS,
                ..Default::default()
            },
            false,
        )?
        .rows
        .into_iter()
        .filter(|s| s.usage.cost_nanos > 0)
        .collect(),
        estimated_cost_usd: estimated_nanos as f64 / 1e9,
        unpriced_requests,
    })
}
