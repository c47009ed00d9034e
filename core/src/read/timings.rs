//! API requests by model and tool calls by tool over a span of buckets, read from the timing aggregates per
//! local day or hour (`timing_by_day`, `timing_by_hour`, migration 0009) where they cover it wholly, and
//! tallied from the events for the rest, the same way (`store::timing`): counts and sums are exact, and a
//! percentile is the histogram's whichever way its records were read.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::error::Result;
use crate::read::cover::{Cover, cover, series_cover};
use crate::store::timing::{
    DURATIONS_AT, EventsOf, TIMING_COLUMNS, TIMING_COUNTS, TTFTS_AT, Timing, TimingKind, tally, timing_from_row,
};
use crate::words::histogram::{Histogram, percentiles_of_bytes};
use crate::words::range::{BucketStarts, Granularity};
use crate::words::time::{BUCKET_NS, TimeContext, from_ns};

/// Each key's timing over buckets `[from, to)`.
pub(crate) fn by_key(conn: &Connection, kind: TimingKind, from: i64, to: i64) -> Result<BTreeMap<String, Timing>> {
    let Cover { days, edges } = cover(conn, "timing_by_day", Some(("kind", kind.as_str())), from, to)?;
    let mut keys: BTreeMap<String, Timing> = BTreeMap::new();
    if let Some((first, end)) = days {
        let sql = format!(
            "SELECT key, {TIMING_COLUMNS} FROM timing_by_day WHERE kind = ?1 AND first_bucket >= ?2 AND first_bucket < ?3"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let mut rows = statement.query(rusqlite::params![kind.as_str(), first, end])?;
        while let Some(row) = rows.next()? {
            add_row_into(&mut keys, &row.get::<_, String>(0)?, row, 1)?;
        }
    }
    for (from, to) in edges {
        for ((_, ()), by_key) in tally(conn, &[kind], EventsOf::Buckets(from, to), |_| Some(()))? {
            for (key, timing) in by_key {
                merge_into(&mut keys, key, &timing);
            }
        }
    }
    Ok(keys)
}

/// Each key's timing per local hour or day, by the hour or day's first instant.
pub(crate) type TimingsOverTime = BTreeMap<(DateTime<Utc>, String), Timing>;

/// Each key's counts and sums per local hour or day (by its first instant) of buckets `[from, to)`: the
/// aggregates' histograms are not read (a year of days reads no blob).
pub(crate) fn over_time(
    conn: &Connection,
    ctx: &TimeContext,
    kind: TimingKind,
    from: i64,
    to: i64,
    granularity: Granularity,
) -> Result<TimingsOverTime> {
    Ok(whole_and_over_time(conn, ctx, kind, from, to, granularity, SpanRead::Counts)?.points)
}

/// The p50 and p95 of one key's durations and of its times to first token, in one local hour or day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PointPercentiles {
    pub durations: [Option<i64>; 2],
    pub ttfts: [Option<i64>; 2],
}

pub(crate) const P50_P95: [f64; 2] = [50.0, 95.0];

/// What [`whole_and_over_time`] reads beside each point's counts and sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpanRead {
    /// Nothing more: the aggregates' histograms are not read.
    Counts,
    /// Each key's timing over the whole span.
    Whole,
    /// That, and each point's [`PointPercentiles`].
    WholeAndPercentiles,
}

/// What [`whole_and_over_time`] reads.
#[derive(Debug, Default)]
pub(crate) struct SpanTimings {
    /// Asked for, each key's timing over the whole span, histograms and all.
    pub whole: BTreeMap<String, Timing>,
    /// Each key's counts and sums per local hour or day.
    pub points: TimingsOverTime,
    /// Asked for, each point's [`PointPercentiles`].
    pub percentiles: BTreeMap<(DateTime<Utc>, String), PointPercentiles>,
}

/// Each key's counts and sums per local hour or day, with what `read` asks for beside: [`by_key`] and
/// [`over_time`] of one read, and each point's p50 and p95. The dashboard
/// shows the span's figures and its hours or days for the tools and the API requests, and the span's are the
/// merge of its hours' or days'. A point is one aggregate row or one tally of the events, never both (the
/// rows are whole hours or days of the reading zone, the edges the rest), so its percentiles are read from
/// that row's histogram bytes as they are, or from that tally's histograms.
pub(crate) fn whole_and_over_time(
    conn: &Connection,
    ctx: &TimeContext,
    kind: TimingKind,
    from: i64,
    to: i64,
    granularity: Granularity,
    read: SpanRead,
) -> Result<SpanTimings> {
    let table = match granularity {
        Granularity::Day => "timing_by_day",
        Granularity::Hour => "timing_by_hour",
    };
    let Cover { days, edges } = series_cover(conn, ctx, table, Some(("kind", kind.as_str())), from, to)?;
    let (whole, percentiles) = (read != SpanRead::Counts, read == SpanRead::WholeAndPercentiles);
    let mut read = SpanTimings::default();
    if let Some((first, end)) = days {
        let columns = if whole { TIMING_COLUMNS } else { TIMING_COUNTS };
        let sql = format!(
            "SELECT first_bucket, key, {columns} FROM {table} WHERE kind = ?1 AND first_bucket >= ?2 AND first_bucket < ?3"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let mut rows = statement.query(rusqlite::params![kind.as_str(), first, end])?;
        while let Some(row) = rows.next()? {
            let key: String = row.get(1)?;
            if whole {
                add_row_into(&mut read.whole, &key, row, 2)?;
            }
            let point = (from_ns(row.get::<_, i64>(0)? * BUCKET_NS), key);
            if percentiles {
                let of = |at: usize| -> rusqlite::Result<[Option<i64>; 2]> {
                    Ok(percentiles_of_bytes(row.get_ref(at)?.as_blob()?, P50_P95))
                };
                let of_point = PointPercentiles { durations: of(2 + DURATIONS_AT)?, ttfts: of(2 + TTFTS_AT)? };
                read.percentiles.insert(point.clone(), of_point);
            }
            read.points.entry(point).or_default().add_counts(row, 2)?;
        }
    }
    let mut starts = BucketStarts::new(ctx, granularity);
    for (from, to) in edges {
        for ((_, start), by_key) in tally(conn, &[kind], EventsOf::Buckets(from, to), |bucket| Some(starts.of(bucket)))?
        {
            for (key, timing) in by_key {
                if percentiles {
                    let of = |histogram: &Histogram| P50_P95.map(|p| histogram.percentile(p));
                    let of_point = PointPercentiles { durations: of(&timing.durations), ttfts: of(&timing.ttfts) };
                    read.percentiles.insert((start, key.clone()), of_point);
                }
                read.points.entry((start, key.clone())).or_default().merge_counts(&timing);
                if whole {
                    merge_into(&mut read.whole, key, &timing);
                }
            }
        }
    }
    Ok(read)
}

fn add_row_into(keys: &mut BTreeMap<String, Timing>, key: &str, row: &rusqlite::Row, at: usize) -> Result<()> {
    match keys.get_mut(key) {
        Some(timing) => timing.add_row(row, at)?,
        None => {
            keys.insert(key.to_owned(), timing_from_row(row, at)?);
        }
    }
    Ok(())
}

fn merge_into(keys: &mut BTreeMap<String, Timing>, key: String, timing: &Timing) {
    match keys.get_mut(&key) {
        Some(into) => into.merge(timing),
        None => {
            keys.insert(key, timing.clone());
        }
    }
}
