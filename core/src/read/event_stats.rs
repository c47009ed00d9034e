//! Figures only the events carry and no sum can hold: API latency percentiles by model, tool calls with
//! their failures over time, and API errors by status over time.
//!
//! Percentiles need every duration, so these read the api_request and tool_result events themselves,
//! through the `events_name_time` index, which covers every column they select (migration 0004): the
//! wide table rows, with their attributes, are never touched. A range selects whole 15-minute buckets,
//! as every rollup query does.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, named_params};
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::read::query::percentile;
use crate::words::range::{BucketStarts, Granularity, Range, record_times};
use crate::words::time::TimeContext;
use crate::words::time::bucket_of;

/// API latency of one model, over a whole range or one local hour or day.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LatencyStat {
    /// The local hour or day's first instant, in UTC; `None` for the whole range.
    pub start: Option<DateTime<Utc>>,
    /// Normalised model name; `""` for requests that named none.
    pub model: String,
    /// api_request events with a duration.
    pub requests: i64,
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

/// The durations and times to first token of a model's requests in one range or bucket.
#[derive(Default)]
struct Latencies {
    durations: Vec<i64>,
    ttfts: Vec<i64>,
}

impl Latencies {
    fn push(&mut self, duration: i64, ttft: Option<i64>) {
        self.durations.push(duration);
        self.ttfts.extend(ttft);
    }
}

fn stat(start: Option<DateTime<Utc>>, model: String, mut latencies: Latencies) -> LatencyStat {
    latencies.durations.sort_unstable();
    latencies.ttfts.sort_unstable();
    LatencyStat {
        start,
        model,
        requests: latencies.durations.len() as i64,
        p50_ms: percentile(&latencies.durations, 50.0).unwrap_or(0),
        p95_ms: percentile(&latencies.durations, 95.0).unwrap_or(0),
        ttft_p50_ms: percentile(&latencies.ttfts, 50.0),
        ttft_p95_ms: percentile(&latencies.ttfts, 95.0),
    }
}

/// p50 and p95 (nearest rank) of the api_request events' `duration_ms` and `ttft_ms`, by normalised model.
pub fn api_latency(conn: &Connection, ctx: &TimeContext, range: Range, granularity: Granularity) -> Result<ApiLatency> {
    let Some((first, last)) = record_times(range) else { return Ok(ApiLatency::default()) };
    let mut statement = conn.prepare_cached(
        "SELECT time_ns, coalesce(model_norm, ''), duration_ms, ttft_ms FROM events
         WHERE name = 'api_request' AND time_ns BETWEEN :first AND :last
           AND is_claude_code = 1 AND duration_ms IS NOT NULL",
    )?;
    let rows = statement.query_map(named_params! {":first": first, ":last": last}, |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<i64>>(3)?))
    })?;
    let mut starts = BucketStarts::new(ctx, granularity);
    let mut whole: BTreeMap<String, Latencies> = BTreeMap::new();
    let mut per_bucket: BTreeMap<(DateTime<Utc>, String), Latencies> = BTreeMap::new();
    for row in rows {
        let (time_ns, model, duration, ttft) = row?;
        per_bucket.entry((starts.of(bucket_of(time_ns)), model.clone())).or_default().push(duration, ttft);
        whole.entry(model).or_default().push(duration, ttft);
    }
    let mut by_model: Vec<LatencyStat> =
        whole.into_iter().map(|(model, latencies)| stat(None, model, latencies)).collect();
    by_model.sort_by(|a, b| b.requests.cmp(&a.requests).then_with(|| a.model.cmp(&b.model)));
    let series =
        per_bucket.into_iter().map(|((start, model), latencies)| stat(Some(start), model, latencies)).collect();
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
    let Some((first, last)) = record_times(range) else { return Ok(Vec::new()) };
    // Grouped by bucket in SQL: the zone conversion then runs once per bucket and tool, not per call.
    let mut statement = conn.prepare_cached(
        "SELECT time_ns / :bucket_ns - (time_ns % :bucket_ns < 0) AS bucket, coalesce(tool_name, '?'), count(*),
                coalesce(sum(success = 0), 0)
         FROM events
         WHERE name = 'tool_result' AND time_ns BETWEEN :first AND :last AND is_claude_code = 1
         GROUP BY 1, 2",
    )?;
    let params = named_params! {":first": first, ":last": last, ":bucket_ns": crate::words::time::BUCKET_NS};
    let rows = statement.query_map(params, |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
    })?;
    let mut merged: BTreeMap<(DateTime<Utc>, String), (i64, i64)> = BTreeMap::new();
    let mut starts = BucketStarts::new(ctx, granularity);
    for row in rows {
        let (bucket, tool, calls, failed) = row?;
        let entry = merged.entry((starts.of(bucket), tool)).or_default();
        entry.0 += calls;
        entry.1 += failed;
    }
    Ok(merged.into_iter().map(|((start, tool), (calls, failed))| ToolPoint { start, tool, calls, failed }).collect())
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
    let mut statement = conn.prepare_cached(
        "SELECT time_ns / :bucket_ns - (time_ns % :bucket_ns < 0) AS bucket, status_code, count(*)
         FROM events
         WHERE name = 'api_error' AND time_ns BETWEEN :first AND :last AND is_claude_code = 1
         GROUP BY 1, 2",
    )?;
    let params = named_params! {":first": first, ":last": last, ":bucket_ns": crate::words::time::BUCKET_NS};
    let rows =
        statement.query_map(params, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, i64>(2)?)))?;
    let mut merged: BTreeMap<(DateTime<Utc>, Option<i64>), i64> = BTreeMap::new();
    let mut starts = BucketStarts::new(ctx, granularity);
    for row in rows {
        let (bucket, status_code, count) = row?;
        *merged.entry((starts.of(bucket), status_code)).or_default() += count;
    }
    Ok(merged.into_iter().map(|((start, status_code), count)| ErrorPoint { start, status_code, count }).collect())
}
