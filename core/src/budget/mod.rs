//! Budgets and their alerts: daily, weekly, monthly and per-session limits in USD, each with alert
//! thresholds in percent of the limit, and daily, weekly and monthly limits of one project's spend.
//!
//! Periods are local days, weeks and months in the user's zone (DST-safe: a day may have 23 or 25
//! hours). Spend is the cost the totals show — `query::summary` and `query::sessions`, so one source
//! per session, counted by event time (DESIGN.md, "Which source, when").
//!
//! An alert is a (period, period key, limit, threshold) reached. Each is recorded once in the `alerts`
//! table with the time it was seen, so it is sent once and never again, also after a restart; a limit
//! changed mid-period alerts again at its own thresholds. When one check
//! finds several thresholds of a period reached at once, only the highest is sent. Alerts found while
//! alerts are off or paused are recorded as suppressed and never sent later.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::store::Connection;
use ccmeter_proto::Nanos;
use chrono::{DateTime, Datelike, Days, Duration, Months, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::read::query::{self, SessionFilter, SessionSort};
pub use crate::words::period::Period;
use crate::words::range::Range;
use crate::words::settings::{Budget, Settings};
use crate::words::time::{TimeContext, ns};

pub mod alerts;

pub use alerts::{Check, check_and_record};

/// One local period: `[start, end)` in UTC, and the key its alerts are recorded under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub period: Period,
    /// "2026-11-24" (day), the week's first local day "2026-11-23" (week), "2026-11" (month).
    pub key: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The day, week or month containing `ctx.now()` in `ctx.zone`; weeks begin on `week_start`.
///
/// `Period::Session` has no calendar window of its own: it gives the current day, the span in which
/// sessions are looked at (a session budget covers every session active today).
pub fn window(period: Period, ctx: &TimeContext, week_start: Weekday) -> Window {
    let today = ctx.today();
    let next = |first: NaiveDate, days: u64| first.checked_add_days(Days::new(days)).unwrap_or(NaiveDate::MAX);
    let (first, end, key) = match period {
        Period::Day | Period::Session => (today, next(today, 1), today.format("%Y-%m-%d").to_string()),
        Period::Week => {
            let back = u64::from(today.weekday().days_since(week_start));
            let first = today.checked_sub_days(Days::new(back)).unwrap_or(NaiveDate::MIN);
            (first, next(first, 7), first.format("%Y-%m-%d").to_string())
        }
        Period::Month => {
            let first = today.with_day(1).unwrap_or(today);
            let end = first.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX);
            (first, end, first.format("%Y-%m").to_string())
        }
    };
    Window { period, key, start: ctx.start_of_day(first), end: ctx.start_of_day(end) }
}

/// The choices of "Pause alerts".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Pause {
    /// For one hour from now.
    Hour,
    /// Until the next local midnight.
    UntilTomorrow,
}

impl Pause {
    /// When a pause chosen at `ctx.now()` ends (store it in `Settings::alerts_paused_until`).
    pub fn until(self, ctx: &TimeContext) -> DateTime<Utc> {
        match self {
            Pause::Hour => ctx.now() + Duration::hours(1),
            Pause::UntilTomorrow => {
                let today = ctx.today();
                ctx.start_of_day(today.succ_opt().unwrap_or(today))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum BudgetState {
    Ok,
    /// A threshold below 100 % is reached.
    Warning,
    /// The limit is reached or passed.
    Over,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BudgetStatus {
    pub period: Period,
    /// The window's key, or the session id for a session budget.
    pub key: String,
    /// The project whose spend this budget limits (`words::project`); `None`: every project's.
    pub project: Option<String>,
    /// Exact, for the CLI's JSON and the checks; the windows read the USD figures, like every other amount.
    pub spent_nanos: i64,
    pub limit_nanos: i64,
    pub spent_usd: f64,
    pub limit_usd: f64,
    /// spent ÷ limit (1.0 = the whole budget).
    pub used: f64,
    /// The highest threshold reached, in percent.
    pub reached: Option<u32>,
    pub state: BudgetState,
}

/// Whether `spent` has reached `threshold` percent of `limit` (exact integer arithmetic).
pub(crate) fn reached(spent: i64, limit: i64, threshold: u32) -> bool {
    i128::from(spent) * 100 >= i128::from(limit) * i128::from(threshold)
}

fn status(
    (period, key, project): (Period, String, Option<String>),
    spent_nanos: i64,
    limit_nanos: i64,
    budget: &Budget,
) -> BudgetStatus {
    let thresholds_reached = budget.thresholds.iter().copied().filter(|t| reached(spent_nanos, limit_nanos, *t));
    let highest = thresholds_reached.clone().max();
    let state = if spent_nanos >= limit_nanos {
        BudgetState::Over
    } else if thresholds_reached.clone().any(|t| t < 100) {
        BudgetState::Warning
    } else {
        BudgetState::Ok
    };
    BudgetStatus {
        period,
        key,
        project,
        spent_nanos,
        limit_nanos,
        spent_usd: Nanos(spent_nanos).usd(),
        limit_usd: Nanos(limit_nanos).usd(),
        used: spent_nanos as f64 / limit_nanos as f64,
        reached: highest,
        state,
    }
}

/// Where each configured budget stands now: one status per day/week/month budget, and for a session
/// budget one per session active in the current local day (its last event or point falls in it), with
/// that session's whole cost — also what it spent before today; then one per project budget, with what the
/// project's sessions cost in its window.
pub fn evaluate(conn: &Connection, ctx: &TimeContext, settings: &Settings) -> Result<Vec<BudgetStatus>> {
    let mut statuses = Vec::new();
    for (period, budget) in settings.budgets.iter() {
        let Some(limit) = budget.limit_nanos() else {
            tracing::warn!(%period, limit_usd = budget.limit_usd, "budget ignored: its limit is not a positive amount");
            continue;
        };
        if period == Period::Session {
            for (id, spent) in sessions_active_today(conn, ctx)? {
                statuses.push(status((period, id, None), spent, limit, budget));
            }
        } else {
            let window = window(period, ctx, settings.week_start);
            let range = Range { from_ns: Some(ns(window.start)), to_ns: Some(ns(window.end)) };
            let spent = query::summary(conn, range)?.usage.cost_nanos;
            statuses.push(status((period, window.key, None), spent, limit, budget));
        }
    }
    // Each period's projects are costed together: one pass over the window's sessions, however many budgets.
    let mut costs: HashMap<Period, (Window, HashMap<String, i64>)> = HashMap::new();
    for project in &settings.budgets.projects {
        let Some(limit) = project.budget.limit_nanos().filter(|_| project.period != Period::Session) else {
            tracing::warn!(project = %project.project, period = %project.period, "project budget ignored: not valid");
            continue;
        };
        let (window, spent) = match costs.entry(project.period) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => {
                let window = window(project.period, ctx, settings.week_start);
                let range = Range { from_ns: Some(ns(window.start)), to_ns: Some(ns(window.end)) };
                slot.insert((window, crate::read::session_mix::cost_by_project(conn, range)?))
            }
        };
        let spent = spent.get(&project.project).copied().unwrap_or(0);
        let of = (project.period, window.key.clone(), Some(project.project.clone()));
        statuses.push(status(of, spent, limit, &project.budget));
    }
    Ok(statuses)
}

/// The budget a status was evaluated against, as the settings hold it now.
pub fn budget_of<'a>(settings: &'a Settings, status: &BudgetStatus) -> Option<&'a Budget> {
    match &status.project {
        None => settings.budgets.get(status.period),
        Some(project) => settings.budgets.of_project(project, status.period),
    }
}

/// The status of the budget of every project in `period` (`None`: not a project budget's).
pub fn overall(statuses: &[BudgetStatus], period: Period) -> Option<&BudgetStatus> {
    statuses.iter().find(|status| status.period == period && status.project.is_none())
}

/// Sessions whose last activity is in the current local day, most recent first, with their total cost.
fn sessions_active_today(conn: &Connection, ctx: &TimeContext) -> Result<Vec<(String, i64)>> {
    let day = window(Period::Day, ctx, Weekday::Mon);
    let today = Range { from_ns: Some(ns(day.start)), to_ns: Some(ns(day.end)) };
    let filter = SessionFilter { range: today, sort: SessionSort::End, descending: true, ..Default::default() };
    let active: Vec<_> = query::sessions(conn, &filter)?
        .rows
        .into_iter()
        .filter(|row| row.id.is_some() && row.ended_at >= day.start && row.ended_at < day.end)
        .collect();
    // Rows over today's range hold today's cost only: a session that began earlier is summed again
    // from its first record to get its whole cost.
    let earliest = active.iter().map(|row| row.started_at).min();
    let mut whole: HashMap<String, i64> = HashMap::new();
    if let Some(earliest) = earliest.filter(|start| *start < day.start) {
        let since = SessionFilter { range: Range { from_ns: Some(ns(earliest)), to_ns: None }, ..Default::default() };
        for row in query::sessions(conn, &since)?.rows {
            if let Some(id) = row.id {
                whole.insert(id, row.usage.cost_nanos);
            }
        }
    }
    Ok(active
        .into_iter()
        .filter_map(|row| {
            let id = row.id?;
            let spent = whole.get(&id).copied().unwrap_or(row.usage.cost_nanos);
            Some((id, spent))
        })
        .collect())
}

/// The worst state among the statuses (`Ok` when there are none).
pub fn worst_state(statuses: &[BudgetStatus]) -> BudgetState {
    statuses.iter().map(|s| s.state).max().unwrap_or(BudgetState::Ok)
}
