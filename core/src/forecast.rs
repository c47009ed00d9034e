//! "At this pace the 5-hour limit is reached at 15:40": where each plan-limit window and the daily budget are
//! heading, from the pace of the last hour of activity.
//!
//! The method, one for every target: take the hour that ends at the last report (the last request, for the
//! budget) — idle time before it does not dilute the pace —, or less when the window or the day began within
//! it; the rise over that span divided by its length is the pace; the target is reached when what is left
//! (100 % of a window, the budget's limit) runs out at that pace, counted from the last report. No forecast
//! until the span holds 15 minutes and 3 reports: fewer say nothing about a pace. A projection past the
//! window's end (its reset, midnight) is "holds"; one already behind the clock means the work slowed down or
//! stopped since, and is not shown as a time.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

use crate::budget::{self, BudgetStatus, Period};
use crate::error::Result;
use crate::limits::{self, CurrentLimit};
use crate::words::money::money;
use crate::words::statusline::LimitKind;
use crate::words::time::{BUCKET_NS, TimeContext, from_ns, ns};

/// The span whose pace is projected: the last hour of activity.
const PACE_SPAN: Duration = Duration::hours(1);
/// Less activity than this says nothing about a pace.
const MIN_SPAN: Duration = Duration::minutes(15);
const MIN_POINTS: u32 = 3;

/// What a forecast is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    Limit { window: LimitKind },
    DayBudget,
}

impl Target {
    /// "the 5-hour limit", "the daily budget": as the sentence "at this pace … is reached at" says it.
    pub fn words(self) -> &'static str {
        match self {
            Target::Limit { window: LimitKind::FiveHour } => "the 5-hour limit",
            Target::Limit { window: LimitKind::SevenDay } => "the weekly limit",
            Target::DayBudget => "the daily budget",
        }
    }
}

/// Where a target is heading.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[serde(tag = "outlook", rename_all = "snake_case")]
pub enum Outlook {
    /// Not yet 15 minutes and 3 reports of activity in the span: `points` reports over `minutes` so far.
    Gathering { points: u32, minutes: u32 },
    /// At the pace, reached at `at`, before the window ends.
    Reached { at: DateTime<Utc> },
    /// At the pace, not reached before the window ends (or the use is not rising).
    Holds,
    /// At the pace it would have been reached already: the work slowed down or stopped since.
    Quiet,
    /// Reached already.
    Over,
}

/// The pace a forecast projects: the rise of its span and what it makes per hour, in the target's unit
/// (percent of the window, or USD).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct Pace {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub points: u32,
    pub rise: f64,
    pub per_hour: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Forecast {
    pub target: Target,
    pub outlook: Outlook,
    /// The figures behind it, once there is a pace.
    pub pace: Option<Pace>,
    /// When the window ends: the reset, or the end of the day.
    pub ends_at: DateTime<Utc>,
    /// The method and its figures in a sentence, for a tooltip.
    pub method: String,
}

impl Forecast {
    /// "At this pace the 5-hour limit is reached at 15:40", while that time is still ahead; nothing otherwise.
    pub fn sentence(&self, ctx: &TimeContext) -> Option<String> {
        match self.outlook {
            Outlook::Reached { at } if at > ctx.now() => {
                Some(format!("At this pace {} is reached at {}", self.target.words(), limits::reset_words(ctx, at)))
            }
            _ => None,
        }
    }
}

/// The forecasts of the current 5-hour window and of the daily budget, when one is set. The weekly window
/// has none: an hour's pace carried over days says nothing (no one works through the night at it).
pub fn forecasts(
    conn: &Connection,
    ctx: &TimeContext,
    current: &[CurrentLimit],
    budgets: &[BudgetStatus],
) -> Result<Vec<Forecast>> {
    let mut found = Vec::with_capacity(current.len() + 1);
    for limit in current.iter().filter(|limit| limit.kind == LimitKind::FiveHour) {
        found.push(limit_forecast(conn, ctx, limit)?);
    }
    if let Some(day) = budget::overall(budgets, Period::Day) {
        found.push(day_budget_forecast(conn, ctx, day)?);
    }
    Ok(found)
}

fn limit_forecast(conn: &Connection, ctx: &TimeContext, limit: &CurrentLimit) -> Result<Forecast> {
    let (kind, resets_at) = (limit.kind.key(), limit.resets_at.timestamp());
    let end = ns(limit.reported_at);
    let start = end - nanos(PACE_SPAN);
    let mut totals: Vec<(i64, f64)> = conn
        .prepare_cached(
            "SELECT at_ns, used_pct FROM limit_points
             WHERE kind = ?1 AND resets_at = ?2 AND at_ns >= ?3 AND at_ns <= ?4 ORDER BY at_ns",
        )?
        .query_map(params![kind, resets_at, start, end], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // The last report counts though it did not raise the use: it is activity, and the pace ends there.
    if totals.last().is_none_or(|(at, _)| *at < end) {
        totals.push((end, limit.used_pct));
    }
    let earlier: Option<f64> = conn
        .prepare_cached(
            "SELECT used_pct FROM limit_points WHERE kind = ?1 AND resets_at = ?2 AND at_ns < ?3
             ORDER BY at_ns DESC LIMIT 1",
        )?
        .query_row(params![kind, resets_at, start], |row| row.get(0))
        .optional()?;
    let projection =
        Projection { totals: &totals, earlier, now: limit.used_pct, limit: 100.0, ends_at: limit.resets_at };
    let outlook = projection.outlook(ctx.now());
    let pace = projection.pace().ok();
    let unit = |v: f64| format!("{v:.0} %");
    Ok(Forecast {
        target: Target::Limit { window: limit.kind },
        outlook,
        pace,
        ends_at: limit.resets_at,
        method: method_words(ctx, pace, outlook, "reports", unit),
    })
}

fn day_budget_forecast(conn: &Connection, ctx: &TimeContext, day: &BudgetStatus) -> Result<Forecast> {
    let window = budget::window(Period::Day, ctx, chrono::Weekday::Mon);
    let (day_start, day_end) = (ns(window.start), ns(window.end));
    let requests = CostRecords { conn, from: day_start, to: day_end };
    let Some(end) = requests.last_time()? else {
        return Ok(Forecast {
            target: Target::DayBudget,
            outlook: Outlook::Gathering { points: 0, minutes: 0 },
            pace: None,
            ends_at: window.end,
            method: method_words(ctx, None, Outlook::Gathering { points: 0, minutes: 0 }, "requests", usd),
        });
    };
    let start = (end - nanos(PACE_SPAN)).max(day_start);
    let mut running = 0_i64;
    let totals: Vec<(i64, f64)> = requests
        .between(start, end)?
        .into_iter()
        .map(|(at, cost)| {
            running += cost;
            (at, running as f64 / 1e9)
        })
        .collect();
    // Spend before the span only sets where it starts; the rise is what the span's requests cost.
    let earlier = requests.any_before(start)?.then_some(0.0);
    let projection = Projection {
        totals: &totals,
        earlier,
        now: day.spent_nanos as f64 / 1e9,
        limit: day.limit_nanos as f64 / 1e9,
        ends_at: window.end,
    };
    let outlook = projection.outlook(ctx.now());
    let pace = projection.pace().ok();
    Ok(Forecast {
        target: Target::DayBudget,
        outlook,
        pace,
        ends_at: window.end,
        method: method_words(ctx, pace, outlook, "requests", usd),
    })
}

fn usd(v: f64) -> String {
    money((v * 1e9).round() as i64)
}

fn nanos(span: Duration) -> i64 {
    span.num_nanoseconds().unwrap_or(i64::MAX)
}

/// The costed requests of a span, by the one-source rule: a session's `api_request` events once it has any,
/// else its `cost.usage` metric points; data without a session counts its metric points only in the
/// 15-minute buckets where no `api_request` arrived (as the rollup does).
struct CostRecords<'c> {
    conn: &'c Connection,
    from: i64,
    to: i64,
}

impl CostRecords<'_> {
    const RECORDS: &'static str = "
        WITH c AS (
            SELECT e.time_ns AS at, e.cost_nanos AS cost FROM events e LEFT JOIN sessions s ON s.id = e.session_id
            WHERE e.name = 'api_request' AND e.time_ns >= ?1 AND e.time_ns < ?2 AND e.cost_nanos > 0
              AND (e.session_id = '' OR coalesce(s.has_api_events, 0))
            UNION ALL
            SELECT m.time_ns, m.delta_scaled FROM metric_points m LEFT JOIN sessions s ON s.id = m.session_id
            WHERE m.metric = 'claude_code.cost.usage' AND m.time_ns >= ?1 AND m.time_ns < ?2 AND m.delta_scaled > 0
              AND CASE WHEN m.session_id <> '' THEN NOT coalesce(s.has_api_events, 0)
                  ELSE NOT EXISTS (SELECT 1 FROM usage_rollup x WHERE x.bucket = m.time_ns / ?3 AND x.api_requests > 0)
              END
        )";

    fn last_time(&self) -> Result<Option<i64>> {
        let sql = format!("{} SELECT max(at) FROM c", Self::RECORDS);
        Ok(self.conn.prepare_cached(&sql)?.query_row(params![self.from, self.to, BUCKET_NS], |row| row.get(0))?)
    }

    /// The records of `[from, to]`, in time order.
    fn between(&self, from: i64, to: i64) -> Result<Vec<(i64, i64)>> {
        let sql = format!("{} SELECT at, cost FROM c WHERE at >= ?4 AND at <= ?5 ORDER BY at", Self::RECORDS);
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params![self.from, self.to, BUCKET_NS, from, to], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn any_before(&self, at: i64) -> Result<bool> {
        let sql = format!("{} SELECT EXISTS (SELECT 1 FROM c WHERE at < ?4)", Self::RECORDS);
        Ok(self.conn.prepare_cached(&sql)?.query_row(params![self.from, self.to, BUCKET_NS, at], |row| row.get(0))?)
    }
}

/// One target's reports and where they must not go.
struct Projection<'t> {
    /// The span's reports as (UTC ns, running total), in time order; the last is the latest activity.
    totals: &'t [(i64, f64)],
    /// The running total of the latest report before the hour, when there is one: the span is then the
    /// whole hour and starts from it.
    earlier: Option<f64>,
    /// Where the target stands now, and where it is reached.
    now: f64,
    limit: f64,
    ends_at: DateTime<Utc>,
}

impl Projection<'_> {
    fn pace(&self) -> std::result::Result<Pace, Outlook> {
        let Some(&(end, total)) = self.totals.last() else {
            return Err(Outlook::Gathering { points: 0, minutes: 0 });
        };
        let (start, base) = match self.earlier {
            Some(base) => (end - nanos(PACE_SPAN), base),
            None => self.totals[0],
        };
        let points = u32::try_from(self.totals.len()).unwrap_or(u32::MAX);
        let span = end - start;
        if span < nanos(MIN_SPAN) || points < MIN_POINTS {
            let minutes = u32::try_from(span / 60_000_000_000).unwrap_or(0);
            return Err(Outlook::Gathering { points, minutes });
        }
        let rise = (total - base).max(0.0);
        let per_hour = rise / (span as f64 / nanos(Duration::hours(1)) as f64);
        Ok(Pace { from: from_ns(start), to: from_ns(end), points, rise, per_hour })
    }

    fn outlook(&self, now: DateTime<Utc>) -> Outlook {
        if self.now >= self.limit {
            return Outlook::Over;
        }
        let pace = match self.pace() {
            Ok(pace) => pace,
            Err(gathering) => return gathering,
        };
        if pace.per_hour <= 0.0 {
            return Outlook::Holds;
        }
        let hours_left = (self.limit - self.now) / pace.per_hour;
        let left = Duration::milliseconds((hours_left * 3_600_000.0).min(i64::MAX as f64 / 2.0) as i64);
        match pace.to.checked_add_signed(left) {
            Some(at) if at >= self.ends_at => Outlook::Holds,
            None => Outlook::Holds,
            Some(at) if at <= now => Outlook::Quiet,
            Some(at) => Outlook::Reached { at },
        }
    }
}

/// The tooltip's sentence: how the forecast was made, with its figures.
fn method_words(
    ctx: &TimeContext,
    pace: Option<Pace>,
    outlook: Outlook,
    reports: &str,
    unit: impl Fn(f64) -> String,
) -> String {
    let rule = "Forecast from the pace of the last hour of activity, projected from the last report";
    match (pace, outlook) {
        (Some(pace), _) => {
            let time = |t: DateTime<Utc>| t.with_timezone(&ctx.zone).format("%H:%M").to_string();
            let minutes = (pace.to - pace.from).num_minutes();
            format!(
                "{rule}: +{} in {minutes} min ({}–{}, {} {reports}), {} an hour.",
                unit(pace.rise),
                time(pace.from),
                time(pace.to),
                pace.points,
                unit(pace.per_hour)
            )
        }
        (None, Outlook::Gathering { points, minutes }) => {
            format!("{rule}. It needs 15 minutes and 3 {reports} in that hour; so far {points} over {minutes} min.")
        }
        (None, _) => format!("{rule}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000_000;

    fn at(minute: i64) -> DateTime<Utc> {
        from_ns(1_800_000_000_000_000_000 + minute * MIN)
    }

    fn projection(totals: &[(i64, f64)], earlier: Option<f64>, now: f64) -> Outlook {
        let ns_totals: Vec<(i64, f64)> = totals.iter().map(|(m, v)| (ns(at(*m)), *v)).collect();
        Projection { totals: &ns_totals, earlier, now, limit: 100.0, ends_at: at(300) }
            .outlook(at(totals.last().map_or(0, |t| t.0)))
    }

    #[test]
    fn the_pace_of_the_span_runs_out_what_is_left() {
        // 20 → 32 % over 40 minutes: 18 % an hour; 68 % left lasts 3 h 46 min 40 s after the last report.
        let outlook = projection(&[(0, 20.0), (10, 25.0), (40, 32.0)], None, 32.0);
        assert_eq!(outlook, Outlook::Reached { at: at(40) + Duration::seconds(13_600) });
    }

    #[test]
    fn too_little_activity_is_no_pace() {
        assert_eq!(projection(&[(0, 20.0), (40, 32.0)], None, 32.0), Outlook::Gathering { points: 2, minutes: 40 });
        assert_eq!(
            projection(&[(0, 20.0), (5, 25.0), (14, 32.0)], None, 32.0),
            Outlook::Gathering { points: 3, minutes: 14 }
        );
    }

    #[test]
    fn a_report_before_the_hour_makes_the_span_the_whole_hour() {
        // From 10 % at the hour's start to 40 % at its end: 30 % an hour, 60 % left → two hours.
        let outlook = projection(&[(70, 20.0), (100, 30.0), (120, 40.0)], Some(10.0), 40.0);
        assert_eq!(outlook, Outlook::Reached { at: at(240) });
    }

    #[test]
    fn past_the_window_it_holds_and_flat_use_holds() {
        assert_eq!(projection(&[(0, 1.0), (20, 2.0), (40, 3.0)], None, 3.0), Outlook::Holds, "reset first");
        assert_eq!(projection(&[(0, 5.0), (20, 5.0), (40, 5.0)], None, 5.0), Outlook::Holds);
        assert_eq!(projection(&[(0, 5.0), (20, 5.0), (40, 100.0)], None, 100.0), Outlook::Over);
    }

    #[test]
    fn a_projection_behind_the_clock_is_quiet() {
        let totals: Vec<(i64, f64)> = [(0, 20.0), (10, 50.0), (20, 90.0)].map(|(m, v)| (ns(at(m)), v)).to_vec();
        let p = Projection { totals: &totals, earlier: None, now: 90.0, limit: 100.0, ends_at: at(300) };
        assert!(matches!(p.outlook(at(21)), Outlook::Reached { .. }));
        assert_eq!(p.outlook(at(90)), Outlook::Quiet, "an hour later, nothing more came");
    }
}
