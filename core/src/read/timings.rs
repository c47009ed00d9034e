//! API requests by model and tool calls by tool over a span of buckets, read from the timing aggregates per
//! local day or hour (`timing_by_day`, `timing_by_hour`, migration 0009) where they cover it wholly, and
//! tallied from the events for the rest, the same way (`store::timing`): counts and sums are exact, and a
//! percentile is the histogram's whichever way its records were read.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::error::Result;
use crate::read::cover::{Cover, cover, series_cover};
use crate::store::timing::{EventsOf, TIMING_COLUMNS, TIMING_COUNTS, Timing, TimingKind, tally, timing_from_row};
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

/// Each key's timing per local hour or day (by its first instant) of buckets `[from, to)`; with `histograms`
/// false, the aggregates' histograms are not read (counts and sums only: a year of days reads no blob).
pub(crate) fn over_time(
    conn: &Connection,
    ctx: &TimeContext,
    kind: TimingKind,
    from: i64,
    to: i64,
    granularity: Granularity,
    histograms: bool,
) -> Result<TimingsOverTime> {
    let table = match granularity {
        Granularity::Day => "timing_by_day",
        Granularity::Hour => "timing_by_hour",
    };
    let Cover { days, edges } = series_cover(conn, ctx, table, Some(("kind", kind.as_str())), from, to)?;
    let mut points = TimingsOverTime::new();
    if let Some((first, end)) = days {
        let columns = if histograms { TIMING_COLUMNS } else { TIMING_COUNTS };
        let sql = format!(
            "SELECT first_bucket, key, {columns} FROM {table} WHERE kind = ?1 AND first_bucket >= ?2 AND first_bucket < ?3"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let mut rows = statement.query(rusqlite::params![kind.as_str(), first, end])?;
        while let Some(row) = rows.next()? {
            let start = from_ns(row.get::<_, i64>(0)? * BUCKET_NS);
            points.entry((start, row.get(1)?)).or_default().add_row(row, 2)?;
        }
    }
    let mut starts = BucketStarts::new(ctx, granularity);
    for (from, to) in edges {
        for ((_, start), by_key) in tally(conn, &[kind], EventsOf::Buckets(from, to), |bucket| Some(starts.of(bucket)))?
        {
            for (key, timing) in by_key {
                points.entry((start, key)).or_default().merge(&timing);
            }
        }
    }
    Ok(points)
}

/// [`by_key`] and [`over_time`] (without histograms) of one read: each key's timing over the whole span, and
/// its counts and sums per local hour or day. The dashboard shows both for the tools; the span's totals are
/// the merge of its hours or days, so one read of the days serves the two.
pub(crate) fn whole_and_over_time(
    conn: &Connection,
    ctx: &TimeContext,
    kind: TimingKind,
    from: i64,
    to: i64,
    granularity: Granularity,
) -> Result<(BTreeMap<String, Timing>, TimingsOverTime)> {
    let table = match granularity {
        Granularity::Day => "timing_by_day",
        Granularity::Hour => "timing_by_hour",
    };
    let Cover { days, edges } = series_cover(conn, ctx, table, Some(("kind", kind.as_str())), from, to)?;
    let mut whole: BTreeMap<String, Timing> = BTreeMap::new();
    let mut points = TimingsOverTime::new();
    if let Some((first, end)) = days {
        let sql = format!(
            "SELECT first_bucket, key, {TIMING_COLUMNS} FROM {table} WHERE kind = ?1 AND first_bucket >= ?2 AND first_bucket < ?3"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let mut rows = statement.query(rusqlite::params![kind.as_str(), first, end])?;
        while let Some(row) = rows.next()? {
            let key: String = row.get(1)?;
            add_row_into(&mut whole, &key, row, 2)?;
            let start = from_ns(row.get::<_, i64>(0)? * BUCKET_NS);
            points.entry((start, key)).or_default().add_counts(row, 2)?;
        }
    }
    let mut starts = BucketStarts::new(ctx, granularity);
    for (from, to) in edges {
        for ((_, start), by_key) in tally(conn, &[kind], EventsOf::Buckets(from, to), |bucket| Some(starts.of(bucket)))?
        {
            for (key, timing) in by_key {
                merge_into(&mut whole, key.clone(), &timing);
                points.entry((start, key)).or_default().merge_counts(&timing);
            }
        }
    }
    Ok((whole, points))
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
