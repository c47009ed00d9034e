//! Budget alerts: after each commit, the thresholds newly reached are recorded and, unless alerts are off or
//! paused, sent — the highest of a period only, when one check finds several.

use serde::Serialize;

use crate::error::Result;
use crate::store::Transaction;
use crate::store::settings;
use crate::words::alert::Alert;
use crate::words::money::money;
use crate::words::period::Period;
use crate::words::time::TimeContext;
use crate::write::alerts;

use super::{BudgetStatus, evaluate, reached};

/// What one check found: where every budget stands, and the alerts to send now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub statuses: Vec<BudgetStatus>,
    pub notify: Vec<Alert>,
}

/// Nano-dollars as "$8.04" (rounded to the cent).
fn alert_summary(period: Period, threshold: u32) -> String {
    let name = match period {
        Period::Day => "Daily",
        Period::Week => "Weekly",
        Period::Month => "Monthly",
        Period::Session => "Session",
    };
    format!("{name} budget {threshold} % used")
}

fn alert_body(period: Period, key: &str, spent_nanos: i64, limit_nanos: i64) -> String {
    let when = match period {
        Period::Day => "today".to_owned(),
        Period::Week => "this week".to_owned(),
        Period::Month => "this month".to_owned(),
        Period::Session => format!("in session {}", key.chars().take(8).collect::<String>()),
    };
    format!("{} of {} spent {when}", money(spent_nanos), money(limit_nanos))
}

/// Evaluates the budgets and records every threshold newly reached; returns the alerts to send now.
///
/// Run it in the writer's transaction (`Store::exec`) after each commit: the record and the decision
/// to notify are one atomic step, so an alert is sent at most once.
pub fn check_and_record(tx: &Transaction, ctx: &TimeContext) -> Result<Check> {
    let settings = settings::load(tx)?;
    let statuses = evaluate(tx, ctx, &settings)?;
    let now = ctx.now();
    let silenced = !settings.alerts_enabled || settings.paused_until(now).is_some();
    let mut notify = Vec::new();
    for status in &statuses {
        let Some(budget) = settings.budgets.get(status.period) else { continue };
        let mut new = Vec::new();
        for &threshold in &budget.thresholds {
            if reached(status.spent_nanos, status.limit_nanos, threshold)
                && !alerts::is_recorded(tx, status.period, &status.key, status.limit_nanos, threshold)?
                && !new.contains(&threshold)
            {
                new.push(threshold);
            }
        }
        let Some(&highest) = new.iter().max() else { continue };
        for threshold in new {
            let alert = Alert {
                period: status.period,
                key: status.key.clone(),
                threshold,
                at: now,
                spent_nanos: status.spent_nanos,
                limit_nanos: status.limit_nanos,
                suppressed: silenced || threshold != highest,
                summary: alert_summary(status.period, threshold),
                body: alert_body(status.period, &status.key, status.spent_nanos, status.limit_nanos),
            };
            alerts::record(tx, &alert)?;
            if !alert.suppressed {
                notify.push(alert);
            }
        }
    }
    Ok(Check { statuses, notify })
}
