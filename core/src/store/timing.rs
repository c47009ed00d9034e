//! API requests by model and tool calls by tool, tallied from the events (migration 0009): the write path
//! keeps them per local hour and day (`write::daily`), the read path tallies the edges of a range the same
//! way, so a figure is the same whichever way it was summed.

use std::collections::BTreeMap;

use rusqlite::Connection;

use crate::error::Result;
use crate::words::histogram::Histogram;
use crate::words::time::{BUCKET_NS, bucket_of};

/// What a timing row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum TimingKind {
    /// api_request events, by normalised model (`""`: none named).
    Api,
    /// tool_result and tool_decision events, by tool (`?`: none named).
    Tool,
}

impl TimingKind {
    pub(crate) const ALL: [TimingKind; 2] = [TimingKind::Api, TimingKind::Tool];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TimingKind::Api => "api",
            TimingKind::Tool => "tool",
        }
    }
}

/// One key's tally over some span: exact counts and sums, durations as histograms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Timing {
    pub records: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub accepted: i64,
    pub rejected: i64,
    /// Records with a duration, and the sum of their durations.
    pub timed: i64,
    pub duration_ms: i64,
    pub durations: Histogram,
    pub ttfts: Histogram,
}

impl Timing {
    pub(crate) fn merge(&mut self, more: &Timing) {
        self.merge_counts(more);
        self.durations.merge(&more.durations);
        self.ttfts.merge(&more.ttfts);
    }

    /// [`Timing::merge`] of the counts and sums alone, leaving the histograms.
    pub(crate) fn merge_counts(&mut self, more: &Timing) {
        self.records += more.records;
        self.succeeded += more.succeeded;
        self.failed += more.failed;
        self.accepted += more.accepted;
        self.rejected += more.rejected;
        self.timed += more.timed;
        self.duration_ms += more.duration_ms;
    }

    /// Adds a row selecting [`TIMING_COLUMNS`] from column `at` on; its histograms merge straight into these
    /// (a year of one tool's days is 365 rows: no histogram is built per row). A histogram that is not one (a
    /// damaged file) adds nothing rather than failing the whole view.
    pub(crate) fn add_row(&mut self, row: &rusqlite::Row, at: usize) -> rusqlite::Result<()> {
        self.add_counts(row, at)?;
        let _ = self.durations.merge_bytes(row.get_ref(at + DURATIONS_AT)?.as_blob()?);
        let _ = self.ttfts.merge_bytes(row.get_ref(at + TTFTS_AT)?.as_blob()?);
        Ok(())
    }

    /// [`Timing::add_row`] of the counts and sums alone, leaving the histograms.
    pub(crate) fn add_counts(&mut self, row: &rusqlite::Row, at: usize) -> rusqlite::Result<()> {
        self.records += row.get::<_, i64>(at)?;
        self.succeeded += row.get::<_, i64>(at + 1)?;
        self.failed += row.get::<_, i64>(at + 2)?;
        self.accepted += row.get::<_, i64>(at + 3)?;
        self.rejected += row.get::<_, i64>(at + 4)?;
        self.timed += row.get::<_, i64>(at + 5)?;
        self.duration_ms += row.get::<_, i64>(at + 6)?;
        Ok(())
    }

    fn duration(&mut self, duration: Option<i64>) {
        if let Some(duration) = duration {
            self.timed += 1;
            self.duration_ms += duration;
            self.durations.record(duration);
        }
    }
}

/// Where, within [`TIMING_COLUMNS`], the two histograms are.
pub(crate) const DURATIONS_AT: usize = 7;
pub(crate) const TTFTS_AT: usize = 8;

/// The columns of `timing_by_hour` and `timing_by_day` after kind, key and buckets, in this order.
pub(crate) const TIMING_COLUMNS: &str =
    "records, succeeded, failed, accepted, rejected, timed, duration_ms, durations, ttfts";

/// [`TIMING_COLUMNS`] with empty histograms in place of the stored ones: counts and sums alone.
pub(crate) const TIMING_COUNTS: &str =
    "records, succeeded, failed, accepted, rejected, timed, duration_ms, x'' AS durations, x'' AS ttfts";

/// A [`Timing`] from a row selecting [`TIMING_COLUMNS`] from column `at` on.
pub(crate) fn timing_from_row(row: &rusqlite::Row, at: usize) -> rusqlite::Result<Timing> {
    let mut timing = Timing::default();
    timing.add_row(row, at)?;
    Ok(timing)
}

/// Tallies by kind and group, then by key.
pub(crate) type Tallies<G> = BTreeMap<(TimingKind, G), BTreeMap<String, Timing>>;

/// The events a tally reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventsOf {
    /// Those of buckets `[from, to)`.
    Buckets(i64, i64),
    /// Those stored after the event with this id: what the write transaction that took it as its start
    /// added, since event ids only grow.
    After(i64),
}

/// The Claude Code events `of` of `kinds`, tallied by kind, the group `group_of` gives each event's bucket
/// (events whose bucket it gives none are left out) and key.
pub(crate) fn tally<G: Ord + Clone>(
    conn: &Connection,
    kinds: &[TimingKind],
    of: EventsOf,
    mut group_of: impl FnMut(i64) -> Option<G>,
) -> Result<Tallies<G>> {
    let mut tallies: Tallies<G> = BTreeMap::new();
    // A span reads the events_name_time index alone (it covers every column selected, migration 0006); the
    // events after an id are the table's last rows, read by id (`+name` keeps the planner off the name index,
    // which would read every event of the name).
    let (span, name, bounds) = match of {
        EventsOf::Buckets(from, to) => (
            "time_ns >= ?1 AND time_ns < ?2",
            "name",
            vec![from.saturating_mul(BUCKET_NS), to.saturating_mul(BUCKET_NS)],
        ),
        EventsOf::After(id) => ("id > ?1", "+name", vec![id]),
    };
    let statements = [
        (TimingKind::Api, "time_ns, coalesce(model_norm, ''), duration_ms, ttft_ms, NULL, NULL", "api_request"),
        (TimingKind::Tool, "time_ns, coalesce(tool_name, '?'), duration_ms, NULL, success, NULL", "tool_result"),
        (TimingKind::Tool, "time_ns, coalesce(tool_name, '?'), NULL, NULL, NULL, decision", "tool_decision"),
    ];
    for (index, (kind, columns, event)) in statements.into_iter().enumerate() {
        if !kinds.contains(&kind) {
            continue;
        }
        // Fixed names only: the SQL never contains user input.
        let sql = format!("SELECT {columns} FROM events WHERE {name} = '{event}' AND {span} AND is_claude_code = 1");
        let mut statement = conn.prepare_cached(&sql)?;
        let mut rows = statement.query(rusqlite::params_from_iter(&bounds))?;
        let mut last: Option<(i64, Option<G>)> = None;
        while let Some(row) = rows.next()? {
            let bucket = bucket_of(row.get(0)?);
            let group = match &last {
                Some((b, group)) if *b == bucket => group.clone(),
                _ => {
                    let group = group_of(bucket);
                    last = Some((bucket, group.clone()));
                    group
                }
            };
            let Some(group) = group else { continue };
            // Tens of thousands of rows a day: the key is borrowed until it is a new one.
            let key = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let by_key = tallies.entry((kind, group)).or_default();
            let tally = match by_key.get_mut(key) {
                Some(tally) => tally,
                None => by_key.entry(key.to_owned()).or_default(),
            };
            match index {
                0 => {
                    tally.records += 1;
                    tally.duration(row.get(2)?);
                    if let Some(ttft) = row.get::<_, Option<i64>>(3)? {
                        tally.ttfts.record(ttft);
                    }
                }
                1 => {
                    tally.records += 1;
                    tally.duration(row.get(2)?);
                    match row.get::<_, Option<bool>>(4)? {
                        Some(true) => tally.succeeded += 1,
                        Some(false) => tally.failed += 1,
                        None => {}
                    }
                }
                _ => match row.get_ref(5)?.as_str_or_null().map_err(rusqlite::Error::from)? {
                    Some("accept") => tally.accepted += 1,
                    Some("reject") => tally.rejected += 1,
                    _ => {}
                },
            }
        }
    }
    Ok(tallies)
}
