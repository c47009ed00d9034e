//! Spans of time as the queries select them: a half-open range of instants, local days turned into one, the
//! 15-minute rollup buckets a range covers, and the local hour or day each bucket lies in.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Result, StoreError};

use crate::words::time::{BUCKET_NS, TimeContext, bucket_of, from_ns, ns};

/// A half-open time range `[from, to)`; `None` is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Range {
    pub from_ns: Option<i64>,
    pub to_ns: Option<i64>,
}

impl Range {
    pub const ALL: Range = Range { from_ns: None, to_ns: None };

    /// Local days `[since, until)` in the context's zone.
    pub fn local_days(ctx: &TimeContext, since: Option<NaiveDate>, until: Option<NaiveDate>) -> Range {
        Range {
            from_ns: since.map(|d| crate::words::time::ns(ctx.start_of_day(d))),
            to_ns: until.map(|d| crate::words::time::ns(ctx.start_of_day(d))),
        }
    }

    pub(crate) fn buckets(&self) -> (i64, i64) {
        (self.from_ns.map(bucket_of).unwrap_or(i64::MIN), self.to_ns.map(bucket_of).unwrap_or(i64::MAX))
    }

    pub(crate) fn times(&self) -> (i64, i64) {
        (self.from_ns.unwrap_or(i64::MIN), self.to_ns.unwrap_or(i64::MAX))
    }
}

/// The first and last record time (both inclusive) a range covers, `None` when it covers none.
///
/// The rollup queries select `bucket >= bucket_of(from) AND bucket < bucket_of(to)`; comparing raw
/// record times against the start of the first bucket and the instant before the end bucket selects
/// exactly the records those buckets were built from. (Plain bounds, not `:x IS NULL OR …`, so that
/// SQLite can range-scan its time indexes.)
pub(crate) fn record_times(range: Range) -> Option<(i64, i64)> {
    let first = range.from_ns.map_or(i64::MIN, |t| bucket_of(t).saturating_mul(BUCKET_NS));
    let last = match range.to_ns {
        None => i64::MAX,
        // Below i64::MIN: no record is earlier.
        Some(t) => bucket_of(t).checked_mul(BUCKET_NS)?.checked_sub(1)?,
    };
    (first <= last).then_some((first, last))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Hour,
    Day,
}

/// The local hour or day a 15-minute rollup bucket lies in (every zone offset is a whole number of
/// quarter hours, so a bucket never straddles two).
pub(crate) fn bucket_start(ctx: &TimeContext, bucket: i64, granularity: Granularity) -> DateTime<Utc> {
    let instant = from_ns(bucket * BUCKET_NS);
    match granularity {
        Granularity::Hour => ctx.start_of_hour(instant),
        Granularity::Day => ctx.start_of_day(ctx.day_of(instant)),
    }
}

/// The local day a bucket lies in, as buckets `[first, end)` (every zone offset is a whole number of quarter
/// hours, so days begin and end on bucket boundaries; a DST day has 92 or 100 of them).
pub(crate) fn day_of_bucket(ctx: &TimeContext, bucket: i64) -> (i64, i64) {
    let day = ctx.day_of(from_ns(bucket.saturating_mul(BUCKET_NS)));
    let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
    (bucket_of(ns(ctx.start_of_day(day))), bucket_of(ns(ctx.start_of_day(next))))
}

/// The local hour a bucket lies in, as buckets `[first, end)`: the buckets whose local hour begins at the same
/// instant, as the hourly series groups them (in a zone 30 or 45 minutes off UTC its hours begin at :30 or :15
/// UTC, still on bucket boundaries; the hour repeated when clocks go back is one hour of 8 buckets).
pub(crate) fn hour_of_bucket(ctx: &TimeContext, bucket: i64) -> (i64, i64) {
    let start_of = |bucket: i64| ctx.start_of_hour(from_ns(bucket.saturating_mul(BUCKET_NS)));
    let start = start_of(bucket);
    let first = bucket_of(ns(start)).min(bucket);
    let mut end = bucket + 1;
    // At most a few steps: an hour is 4 buckets, 8 when repeated.
    while end - first < 16 && start_of(end) == start {
        end += 1;
    }
    (first, end)
}

/// [`bucket_start`] remembered: a query's rows share few buckets, and each zone conversion costs far more than a
/// lookup. Rows in the order of their buckets (a year's sessions by their start: 10,000 buckets in 365 days) cost
/// one conversion per hour or day, the buckets of the last one being known.
pub(crate) struct BucketStarts<'a> {
    ctx: &'a TimeContext,
    granularity: Granularity,
    starts: std::collections::HashMap<i64, DateTime<Utc>>,
    /// The last hour's or day's buckets `[first, end)` and its start.
    last: Option<(i64, i64, DateTime<Utc>)>,
}

impl<'a> BucketStarts<'a> {
    pub(crate) fn new(ctx: &'a TimeContext, granularity: Granularity) -> Self {
        BucketStarts { ctx, granularity, starts: std::collections::HashMap::new(), last: None }
    }

    pub(crate) fn of(&mut self, bucket: i64) -> DateTime<Utc> {
        if let Some((first, end, start)) = self.last
            && (first..end).contains(&bucket)
        {
            return start;
        }
        if let Some(start) = self.starts.get(&bucket) {
            return *start;
        }
        let start = bucket_start(self.ctx, bucket, self.granularity);
        let (first, end) = match self.granularity {
            Granularity::Hour => hour_of_bucket(self.ctx, bucket),
            Granularity::Day => day_of_bucket(self.ctx, bucket),
        };
        self.starts.insert(bucket, start);
        self.last = Some((first, end, start));
        start
    }
}

pub fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| StoreError::InvalidDate { text: text.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_selects_whole_buckets_like_the_rollup() {
        let b = BUCKET_NS;
        let range = Range { from_ns: Some(3 * b + 7), to_ns: Some(5 * b + 1) };
        assert_eq!(record_times(range), Some((3 * b, 5 * b - 1)));
        assert_eq!(record_times(Range { from_ns: Some(-1), to_ns: None }), Some((-b, i64::MAX)), "before 1970");
        assert_eq!(record_times(Range::ALL), Some((i64::MIN, i64::MAX)));
        assert_eq!(
            record_times(Range { from_ns: Some(3 * b + 7), to_ns: Some(3 * b + 9) }),
            None,
            "one bucket's middle"
        );
        assert_eq!(record_times(Range { from_ns: None, to_ns: Some(i64::MIN) }), None);
    }
}
