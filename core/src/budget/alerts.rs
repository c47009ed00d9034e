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

use super::{BudgetStatus, budget_of, evaluate, reached};

/// What one check found: where every budget stands, and the alerts to send now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub statuses: Vec<BudgetStatus>,
    pub notify: Vec<Alert>,
}

/// "Daily budget 80 % used"; a project's: "acme/api: daily budget 80 % used".
fn alert_summary(status: &BudgetStatus, threshold: u32) -> String {
    match &status.project {
        None => {
            let name = match status.period {
                Period::Day => "Daily",
                Period::Week => "Weekly",
                Period::Month => "Monthly",
                Period::Session => "Session",
            };
            format!("{name} budget {threshold} % used")
        }
        Some(project) => format!("{project}: {} budget {threshold} % used", status.period.adjective()),
    }
}

/// "$8.04 of $10.00 spent today" (nano-dollars rounded to the cent); a project's: "… spent today on acme/api".
fn alert_body(status: &BudgetStatus) -> String {
    let when = match status.period {
        Period::Day => "today".to_owned(),
        Period::Week => "this week".to_owned(),
        Period::Month => "this month".to_owned(),
        Period::Session => format!("in session {}", status.key.chars().take(8).collect::<String>()),
    };
    let on = status.project.as_ref().map(|project| format!(" on {project}")).unwrap_or_default();
    format!("{} of {} spent {when}{on}", money(status.spent_nanos), money(status.limit_nanos))
}

/// The key an alert is recorded under: the window's or session's, and a project budget's project after it, so
/// a project reaching 80 % and all projects reaching 80 % are two alerts.
fn alert_key(status: &BudgetStatus) -> String {
    match &status.project {
        None => status.key.clone(),
        Some(project) => format!("{} · {project}", status.key),
    }
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
        let Some(budget) = budget_of(&settings, status) else { continue };
        let key = alert_key(status);
        let mut new = Vec::new();
        for &threshold in &budget.thresholds {
            if reached(status.spent_nanos, status.limit_nanos, threshold)
                && !alerts::is_recorded(tx, status.period, &key, status.limit_nanos, threshold)?
                && !new.contains(&threshold)
            {
                new.push(threshold);
            }
        }
        let Some(&highest) = new.iter().max() else { continue };
        for threshold in new {
            let alert = Alert {
                period: status.period,
                key: key.clone(),
                threshold,
                at: now,
                spent_nanos: status.spent_nanos,
                limit_nanos: status.limit_nanos,
                suppressed: silenced || threshold != highest,
                summary: alert_summary(status, threshold),
                body: alert_body(status),
            };
            alerts::record(tx, &alert)?;
            if !alert.suppressed {
                notify.push(alert);
            }
        }
    }
    Ok(Check { statuses, notify })
}
