//! Figures only the events carry: API latency percentiles by model, tool calls with their failures over
//! time, and API errors by status over time.
//!
//! Latency and tool calls read the timing aggregates (`read::timings`), which hold each hour's and day's
//! durations as log-scale histograms: a percentile is within 1 % + 0.5 ms of the exact nearest-rank value
//! (`words::histogram`). API errors are rare and read from the events, through the `events_name_time` index,
//! which covers every column selected (migration 0004). A range selects whole 15-minute buckets, as every
//! rollup query does.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::read::timings::{self, P50_P95, SpanRead, TimingsOverTime};
use crate::store::timing::TimingKind;
use crate::words::histogram::Histogram;
use crate::words::range::{BucketStarts, Granularity, Range, record_times};
use crate::words::time::{TimeContext, bucket_of};

/// API latency of one model, over a whole range or one local hour or day.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LatencyStat {
    /// The local hour or day's first instant, in UTC; `None` for the whole range.
    pub start: Option<DateTime<Utc>>,
    /// Normalised model name; `""` for requests that named none.
    pub model: String,
    /// api_request events with a duration.
    pub requests: i64,
    /// Nearest-rank percentiles of the durations, within 1 % + 0.5 ms.
    pub p50_ms: i64,
    pub p95_ms: i64,
    /// Time to first token (Claude Code ≥ 2.1.3xx sends `ttft_ms`); `None` when no request carried it.
    pub ttft_p50_ms: Option<i64>,
    pub ttft_p95_ms: Option<i64>,
}

/// API latency by model: over the whole range, and per local hour or day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct ApiLatency {
    /// Most requests first.
    pub by_model: Vec<LatencyStat>,
    /// In time, then model order.
    pub series: Vec<LatencyStat>,
}

/// p50 and p95 of the api_request events' `duration_ms` and `ttft_ms`, by normalised model: per local hour or
/// day, and over the range as the merge of those.
pub fn api_latency(conn: &Connection, ctx: &TimeContext, range: Range, granularity: Granularity) -> Result<ApiLatency> {
    let (from, to) = range.buckets();
    let read =
        timings::whole_and_over_time(conn, ctx, TimingKind::Api, from, to, granularity, SpanRead::WholeAndPercentiles)?;
    let stat = |start, model: String, timed, durations: [Option<i64>; 2], ttfts: [Option<i64>; 2]| LatencyStat {
        start,
        model,
        requests: timed,
        p50_ms: durations[0].unwrap_or(0),
        p95_ms: durations[1].unwrap_or(0),
        ttft_p50_ms: ttfts[0],
        ttft_p95_ms: ttfts[1],
    };
    let mut by_model: Vec<LatencyStat> = read
        .whole
        .into_iter()
        .filter(|(_, timing)| timing.timed > 0)
        .map(|(model, timing)| {
            let of = |histogram: &Histogram| P50_P95.map(|p| histogram.percentile(p));
            stat(None, model, timing.timed, of(&timing.durations), of(&timing.ttfts))
        })
        .collect();
    by_model.sort_by(|a, b| b.requests.cmp(&a.requests).then_with(|| a.model.cmp(&b.model)));
    let series = read
        .points
        .into_iter()
        .filter(|(_, timing)| timing.timed > 0)
        .map(|((start, model), timing)| {
            let percentiles = read.percentiles.get(&(start, model.clone())).copied().unwrap_or_default();
            stat(Some(start), model, timing.timed, percentiles.durations, percentiles.ttfts)
        })
        .collect();
    Ok(ApiLatency { by_model, series })
}

/// Calls of one tool in a local hour or day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ToolPoint {
    /// The local hour or day's first instant, in UTC.
    pub start: DateTime<Utc>,
    /// `?` when the event named no tool.
    pub tool: String,
    /// tool_result events.
    pub calls: i64,
    /// Calls that reported `success: false`.
    pub failed: i64,
}

/// Tool calls and failures by tool over time, in time then tool order.
pub fn tools_over_time(
    conn: &Connection,
    ctx: &TimeContext,
    range: Range,
    granularity: Granularity,
) -> Result<Vec<ToolPoint>> {
    let (from, to) = range.buckets();
    Ok(tool_points(timings::over_time(conn, ctx, TimingKind::Tool, from, to, granularity)?))
}

/// [`tools_over_time`] of the tools' timings per hour or day, already read.
pub(crate) fn tool_points(points: TimingsOverTime) -> Vec<ToolPoint> {
    points
        .into_iter()
        .filter(|(_, timing)| timing.records > 0)
        .map(|((start, tool), timing)| ToolPoint { start, tool, calls: timing.records, failed: timing.failed })
        .collect()
}

/// API errors with one HTTP status in a local hour or day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorPoint {
    /// The local hour or day's first instant, in UTC.
    pub start: DateTime<Utc>,
    /// `None` when the request failed without an HTTP status (a connection error).
    pub status_code: Option<i64>,
    pub count: i64,
}

/// API errors (the final failure of a request) by HTTP status over time, in time then status order.
pub fn errors_over_time(
    conn: &Connection,
    ctx: &TimeContext,
    range: Range,
    granularity: Granularity,
) -> Result<Vec<ErrorPoint>> {
    let Some((first, last)) = record_times(range) else { return Ok(Vec::new()) };
    // Each error read as it is and counted here: SQLite's grouping by a computed bucket costs three times the
    // read (a year's 6,600 errors: 4.4 ms grouped, 1.3 ms read).
    let mut statement = conn.prepare_cached(
        "SELECT time_ns, status_code FROM events
         WHERE name = 'api_error' AND time_ns BETWEEN ?1 AND ?2 AND is_claude_code = 1",
    )?;
    let rows = statement.query_map([first, last], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?)))?;
    let mut merged: BTreeMap<(DateTime<Utc>, Option<i64>), i64> = BTreeMap::new();
    let mut starts = BucketStarts::new(ctx, granularity);
    for row in rows {
        let (time_ns, status_code) = row?;
        *merged.entry((starts.of(bucket_of(time_ns)), status_code)).or_default() += 1;
    }
    Ok(merged.into_iter().map(|((start, status_code), count)| ErrorPoint { start, status_code, count }).collect())
}
