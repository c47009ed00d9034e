//! A subscriber's plan limits, as the statusline snapshots report them: where each window stands now, how
//! the windows rose over a span (the dashboard's history), and their alerts (`alerts`).
//!
//! Per kind (5-hour, weekly) the current window is the one that resets last: an earlier one is over even
//! before its reset time (the plan moved on), and a window whose reset time has passed is gone. Within one
//! window the highest use any session reported is the figure.

pub mod alerts;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::words::range::Range;
pub use crate::words::statusline::percent_words;
use crate::words::statusline::{LimitKind, LimitReading};
use crate::words::time::{TimeContext, from_ns};

/// A window that is current: its use, when it resets, and when that was last reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct CurrentLimit {
    pub kind: LimitKind,
    pub used_pct: f64,
    pub resets_at: DateTime<Utc>,
    pub reported_at: DateTime<Utc>,
}

impl CurrentLimit {
    pub fn reading(&self) -> LimitReading {
        LimitReading { kind: self.kind, used_pct: self.used_pct, resets_at: self.resets_at }
    }
}

/// The current window of each kind at `now`, 5-hour first; none for a kind never reported or reset since.
pub fn current(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<CurrentLimit>> {
    let mut latest = conn.prepare_cached(
        "SELECT resets_at, used_pct, last_ns FROM limit_windows WHERE kind = ?1 ORDER BY resets_at DESC LIMIT 1",
    )?;
    let mut found = Vec::new();
    for kind in LimitKind::ALL {
        let mut rows = latest.query([kind.key()])?;
        let Some(row) = rows.next()? else { continue };
        let Some(resets_at) = DateTime::from_timestamp(row.get(0)?, 0) else { continue };
        if resets_at > now {
            found.push(CurrentLimit { kind, used_pct: row.get(1)?, resets_at, reported_at: from_ns(row.get(2)?) });
        }
    }
    Ok(found)
}

/// Spans up to this many days show each window's rise report by report; longer ones the highest use per day.
pub const RISES_UP_TO_DAYS: i64 = 7;

/// One report that raised a window's use.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct LimitRise {
    pub kind: LimitKind,
    /// The window it belongs to, by its reset time.
    pub resets_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
    pub used_pct: f64,
}

/// The highest use a kind of window reached on one local day: the days that ran into the limit reach 100.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct LimitDay {
    pub day: NaiveDate,
    pub kind: LimitKind,
    pub peak_pct: f64,
}

/// How the windows rose over a span.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct LimitHistory {
    /// Every rise in the span, by kind and time; empty past [`RISES_UP_TO_DAYS`].
    pub rises: Vec<LimitRise>,
    /// Per local day and kind, the highest use reached that day, in day order.
    pub by_day: Vec<LimitDay>,
}

impl LimitHistory {
    pub fn is_empty(&self) -> bool {
        self.rises.is_empty() && self.by_day.is_empty()
    }
}

/// The windows' history over `range` (local days, `days` of them). Rises are read from the points; the days'
/// peaks of the 5-hour windows from each window's peak (a year holds some 1,800), of the weekly ones from
/// their points (a week's rises span its days).
pub fn history(conn: &Connection, ctx: &TimeContext, range: Range, days: i64) -> Result<LimitHistory> {
    let (from, to) = range.times();
    let mut peaks: BTreeMap<(NaiveDate, LimitKind), f64> = BTreeMap::new();
    let mut raise = |day: NaiveDate, kind: LimitKind, pct: f64| {
        let peak = peaks.entry((day, kind)).or_insert(pct);
        *peak = peak.max(pct);
    };
    let mut windows = conn.prepare_cached(
        "SELECT last_ns, used_pct FROM limit_windows WHERE kind = 'five_hour' AND last_ns >= ?1 AND last_ns < ?2",
    )?;
    let mut rows = windows.query(params![from, to])?;
    while let Some(row) = rows.next()? {
        raise(ctx.day_of(from_ns(row.get(0)?)), LimitKind::FiveHour, row.get(1)?);
    }
    let mut rises = Vec::new();
    let mut points = conn.prepare_cached(
        "SELECT kind, resets_at, at_ns, used_pct FROM limit_points WHERE at_ns >= ?1 AND at_ns < ?2
         AND (?3 OR kind = 'seven_day') ORDER BY kind, at_ns",
    )?;
    let mut rows = points.query(params![from, to, days <= RISES_UP_TO_DAYS])?;
    while let Some(row) = rows.next()? {
        let (Some(kind), Some(resets_at)) =
            (LimitKind::from_key(&row.get::<_, String>(0)?), DateTime::from_timestamp(row.get(1)?, 0))
        else {
            continue;
        };
        let (at, used_pct): (DateTime<Utc>, f64) = (from_ns(row.get(2)?), row.get(3)?);
        if kind == LimitKind::SevenDay {
            raise(ctx.day_of(at), kind, used_pct);
        }
        if days <= RISES_UP_TO_DAYS {
            rises.push(LimitRise { kind, resets_at, at, used_pct });
        }
    }
    let by_day = peaks.into_iter().map(|((day, kind), peak_pct)| LimitDay { day, kind, peak_pct }).collect();
    Ok(LimitHistory { rises, by_day })
}

/// A snapshot's `own` readings merged with the `recorded` windows by the same rule: per kind the later reset,
/// within one reset the higher use; none whose reset is not after `now`.
pub fn merge(recorded: &[LimitReading], own: &[LimitReading], now: DateTime<Utc>) -> Vec<LimitReading> {
    LimitKind::ALL
        .into_iter()
        .filter_map(|kind| {
            recorded
                .iter()
                .chain(own)
                .copied()
                .filter(|r| r.kind == kind && r.resets_at > now)
                .max_by(|a, b| a.resets_at.cmp(&b.resets_at).then(a.used_pct.total_cmp(&b.used_pct)))
        })
        .collect()
}

/// A reset time as the menu and the notifications say it: `14:30` today, `Mon 09:00` on another day.
pub fn reset_words(ctx: &TimeContext, resets_at: DateTime<Utc>) -> String {
    let local = resets_at.with_timezone(&ctx.zone);
    let format = if local.date_naive() == ctx.today() { "%H:%M" } else { "%a %H:%M" };
    local.format(format).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::statusline::Snapshot;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).expect("instant")
    }

    fn reading(kind: LimitKind, used_pct: f64, resets: i64) -> LimitReading {
        LimitReading { kind, used_pct, resets_at: at(resets) }
    }

    fn record(conn: &mut Connection, received: i64, limits: Vec<LimitReading>) {
        let snapshot = Snapshot { received_at: at(received), limits, ..Default::default() };
        let tx = conn.transaction().expect("tx");
        crate::write::statusline::record(&tx, &snapshot).expect("recorded");
        tx.commit().expect("commit");
    }

    #[test]
    fn the_window_that_resets_last_is_current_at_its_highest_use_until_it_resets() {
        let dir = tempfile::tempdir().expect("dir");
        let mut conn = crate::store::open_connection(&dir.path().join("l.db")).expect("db");
        use LimitKind::{FiveHour, SevenDay};
        record(&mut conn, 100, vec![reading(FiveHour, 40.0, 5_000), reading(SevenDay, 41.0, 90_000)]);
        // Another session, answered a moment earlier, reports a lower figure for the same window.
        record(&mut conn, 110, vec![reading(FiveHour, 35.0, 5_000)]);
        let now = current(&conn, at(200)).expect("current");
        assert_eq!(now.iter().map(|w| (w.kind, w.used_pct)).collect::<Vec<_>>(), [(FiveHour, 40.0), (SevenDay, 41.0)]);
        assert_eq!(now[0].reported_at, at(110));
        // A new 5-hour window starts: the old one is over even though its reset time is still ahead.
        record(&mut conn, 300, vec![reading(FiveHour, 2.0, 18_000)]);
        assert_eq!(current(&conn, at(400)).expect("current")[0].used_pct, 2.0);
        // Past its reset time a window is gone; the weekly one stays.
        let later = current(&conn, at(18_000)).expect("current");
        assert_eq!(later.iter().map(|w| w.kind).collect::<Vec<_>>(), [SevenDay]);
        assert!(current(&conn, at(90_000)).expect("current").is_empty());
    }

    #[test]
    fn the_history_gives_each_rise_and_each_days_peak() {
        let dir = tempfile::tempdir().expect("dir");
        let mut conn = crate::store::open_connection(&dir.path().join("l.db")).expect("db");
        use LimitKind::{FiveHour, SevenDay};
        let day = 86_400;
        // Day 1: a 5-hour window to 100 %; day 2: another to 40 %; the weekly window across both.
        record(&mut conn, 3_600, vec![reading(FiveHour, 30.0, 18_000), reading(SevenDay, 10.0, 7 * day)]);
        record(&mut conn, 7_200, vec![reading(FiveHour, 100.0, 18_000), reading(SevenDay, 20.0, 7 * day)]);
        record(&mut conn, day + 3_600, vec![reading(FiveHour, 40.0, day + 18_000), reading(SevenDay, 25.0, 7 * day)]);
        let ctx = TimeContext::fixed(at(2 * day), chrono_tz::UTC);
        let range = Range { from_ns: Some(0), to_ns: Some(crate::words::time::ns(at(2 * day))) };
        let history = history(&conn, &ctx, range, 2).expect("history");
        let peaks: Vec<(i64, LimitKind, f64)> = history
            .by_day
            .iter()
            .map(|d| (d.day.format("%d").to_string().parse().unwrap_or(0), d.kind, d.peak_pct))
            .collect();
        assert_eq!(peaks, [(1, FiveHour, 100.0), (1, SevenDay, 20.0), (2, FiveHour, 40.0), (2, SevenDay, 25.0)]);
        assert_eq!(
            history.rises.iter().filter(|r| r.kind == FiveHour).map(|r| r.used_pct).collect::<Vec<_>>(),
            [30.0, 100.0, 40.0]
        );
        // A long span keeps the days' peaks only.
        let long = super::history(&conn, &ctx, range, 30).expect("history");
        assert!(long.rises.is_empty() && long.by_day == history.by_day);
    }

    #[test]
    fn a_snapshot_merges_with_the_recorded_windows_by_the_same_rule() {
        use LimitKind::{FiveHour, SevenDay};
        let recorded = [reading(FiveHour, 40.0, 5_000)];
        let merged = merge(&recorded, &[reading(FiveHour, 30.0, 5_000), reading(SevenDay, 41.0, 90_000)], at(100));
        assert_eq!(merged, [reading(FiveHour, 40.0, 5_000), reading(SevenDay, 41.0, 90_000)]);
        assert_eq!(merge(&recorded, &[reading(FiveHour, 1.0, 9_000)], at(100)), [reading(FiveHour, 1.0, 9_000)]);
        assert!(merge(&recorded, &[], at(5_000)).is_empty(), "reset");
    }

    #[test]
    fn percents_round_down_and_resets_say_the_day_when_not_today() {
        assert_eq!(percent_words(99.6), "99 %");
        assert_eq!(percent_words(100.0), "100 %");
        assert_eq!(percent_words(20.5), "20 %");
        let ctx = TimeContext::fixed(
            "2026-11-23T12:00:00Z".parse().expect("instant"),
            "Europe/Berlin".parse().expect("zone"),
        );
        assert_eq!(reset_words(&ctx, "2026-11-23T13:30:00Z".parse().expect("instant")), "14:30");
        assert_eq!(reset_words(&ctx, "2026-11-30T08:00:00Z".parse().expect("instant")), "Mon 09:00");
    }
}
