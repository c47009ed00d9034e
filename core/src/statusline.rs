//! What `ccmeter statusline` shows beside the payload's own figures: today's cost, the budget nearest its
//! limit, and the plan-limit windows as recorded (the line merges its own snapshot into them).

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::budget::{self, BudgetState};
use crate::error::Result;
use crate::limits::{self, CurrentLimit};
use crate::read::query;
use crate::store::settings;
use crate::words::period::Period;
use crate::words::range::Range;
use crate::words::statusline::LimitReading;
use crate::words::time::TimeContext;

/// The budget the line shows: the one nearest its limit (for a session budget, this session's; of the project
/// budgets, those of this session's project).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BudgetGauge {
    pub period: Period,
    /// A budget of the session's project rather than of every project.
    #[serde(default)]
    pub of_project: bool,
    /// spent ÷ limit.
    pub used: f64,
    pub state: BudgetState,
}

/// The recorded figures a statusline line needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineFigures {
    pub today_nanos: i64,
    pub budget: Option<BudgetGauge>,
    pub limits: Vec<LimitReading>,
    /// The plan-limit alert thresholds: a window past the first is a warning, past the last one alarming.
    pub limit_alerts: Vec<u32>,
}

/// The figures for a line about `session` (its session budget, if one is set).
pub fn line_figures(conn: &Connection, ctx: &TimeContext, session: Option<&str>) -> Result<LineFigures> {
    let settings = settings::load(conn)?;
    let today = ctx.today();
    let today_nanos = query::summary(conn, Range::local_days(ctx, Some(today), today.succ_opt()))?.usage.cost_nanos;
    // Another project's budget says nothing about the session in this terminal.
    let project: Option<String> = match session {
        Some(id) => conn
            .prepare_cached("SELECT project FROM session_projects WHERE session_id = ?1")?
            .query_row([id], |row| row.get(0))
            .optional()?,
        None => None,
    };
    let budget = budget::evaluate(conn, ctx, &settings)?
        .into_iter()
        .filter(|status| status.period != Period::Session || Some(status.key.as_str()) == session)
        .filter(|status| status.project.is_none() || status.project == project)
        .max_by(|a, b| a.used.total_cmp(&b.used))
        .map(|status| BudgetGauge {
            period: status.period,
            of_project: status.project.is_some(),
            used: status.used,
            state: status.state,
        });
    let limits = limits::current(conn, ctx.now())?.iter().map(CurrentLimit::reading).collect();
    Ok(LineFigures { today_nanos, budget, limits, limit_alerts: settings.limit_alerts })
}
