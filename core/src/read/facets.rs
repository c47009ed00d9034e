//! The facet breakdowns of a span of buckets (cost by query source or effort, edits by language, events by
//! name), read from the facet aggregates per local day or hour (`facet_by_day`, `facet_by_hour`, migration
//! 0008) where they cover it wholly, and from the facet rollup with the one-source rule for the rest, in the
//! same way `query` reads usage.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, named_params};

use crate::error::Result;
use crate::read::cover::{Cover, cover, series_cover};
use crate::store::usage::{FACET_COLUMN_COUNT, FACET_COLUMNS, FACET_ROWS};
use crate::words::facet::Facet;
use crate::words::range::{BucketStarts, Granularity};
use crate::words::time::{BUCKET_NS, TimeContext, from_ns};

/// A facet value's sums, in the order of `FACET_COLUMNS`: records, owned cost and tokens (input, output,
/// cache read, cache creation), accepted, rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FacetSums(pub [i64; FACET_COLUMN_COUNT]);

impl FacetSums {
    fn from_row(row: &rusqlite::Row, at: usize) -> rusqlite::Result<FacetSums> {
        let mut sums = [0; FACET_COLUMN_COUNT];
        for (i, slot) in sums.iter_mut().enumerate() {
            *slot = row.get(at + i)?;
        }
        Ok(FacetSums(sums))
    }

    fn add(&mut self, more: &FacetSums) {
        for (into, more) in self.0.iter_mut().zip(more.0) {
            *into += more;
        }
    }

    pub(crate) fn records(&self) -> i64 {
        self.0[0]
    }
}

/// The figures of a facet aggregate row, in the order of `FACET_COLUMNS`; added up here rather than by SQL's
/// `sum()`, for the reason `query`'s day reads give.
const AGGREGATE_COLUMNS: &str = "records, cost_nanos, input, output, cache_read, cache_creation, accepted, rejected";

/// Each value's sums over buckets `[from, to)`.
pub(crate) fn by_value(conn: &Connection, facet: Facet, from: i64, to: i64) -> Result<BTreeMap<String, FacetSums>> {
    let Cover { days, edges } = cover(conn, "facet_by_day", Some(("facet", facet.as_str())), from, to)?;
    let mut values: BTreeMap<String, FacetSums> = BTreeMap::new();
    if let Some((first, end)) = days {
        let sql = format!(
            "SELECT value, {AGGREGATE_COLUMNS} FROM facet_by_day WHERE facet = ?1 AND first_bucket >= ?2 AND first_bucket < ?3"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let rows = statement.query_map(rusqlite::params![facet.as_str(), first, end], |row| {
            Ok((row.get::<_, String>(0)?, FacetSums::from_row(row, 1)?))
        })?;
        for row in rows {
            let (value, sums) = row?;
            values.entry(value).or_default().add(&sums);
        }
    }
    let sql = format!("{FACET_ROWS} SELECT value, {FACET_COLUMNS} FROM f GROUP BY value");
    let mut statement = conn.prepare_cached(&sql)?;
    for (from, to) in edges {
        let rows = statement.query_map(named_params! {":facet": facet.as_str(), ":from": from, ":to": to}, |row| {
            Ok((row.get::<_, String>(0)?, FacetSums::from_row(row, 1)?))
        })?;
        for row in rows {
            let (value, sums) = row?;
            values.entry(value).or_default().add(&sums);
        }
    }
    Ok(values)
}

/// Each value's sums per local hour or day of `ctx` over buckets `[from, to)`.
pub(crate) fn over_time(
    conn: &Connection,
    ctx: &TimeContext,
    facet: Facet,
    from: i64,
    to: i64,
    granularity: Granularity,
) -> Result<BTreeMap<(DateTime<Utc>, String), FacetSums>> {
    let table = match granularity {
        Granularity::Day => "facet_by_day",
        Granularity::Hour => "facet_by_hour",
    };
    let Cover { days, edges } = series_cover(conn, ctx, table, Some(("facet", facet.as_str())), from, to)?;
    let mut merged: BTreeMap<(DateTime<Utc>, String), FacetSums> = BTreeMap::new();
    if let Some((first, end)) = days {
        let sql = format!(
            "SELECT first_bucket, value, {AGGREGATE_COLUMNS} FROM {table}
             WHERE facet = ?1 AND first_bucket >= ?2 AND first_bucket < ?3"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let rows = statement.query_map(rusqlite::params![facet.as_str(), first, end], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, FacetSums::from_row(row, 2)?))
        })?;
        for row in rows {
            let (first_bucket, value, sums) = row?;
            merged.entry((from_ns(first_bucket * BUCKET_NS), value)).or_default().add(&sums);
        }
    }
    let sql = format!("{FACET_ROWS} SELECT bucket, value, {FACET_COLUMNS} FROM f GROUP BY bucket, value");
    let mut statement = conn.prepare_cached(&sql)?;
    let mut starts = BucketStarts::new(ctx, granularity);
    for (from, to) in edges {
        let rows = statement.query_map(named_params! {":facet": facet.as_str(), ":from": from, ":to": to}, |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, FacetSums::from_row(row, 2)?))
        })?;
        for row in rows {
            let (bucket, value, sums) = row?;
            merged.entry((starts.of(bucket), value)).or_default().add(&sums);
        }
    }
    Ok(merged)
}
