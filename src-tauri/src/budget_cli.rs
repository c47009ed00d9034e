//! `ccmeter budget set|list|clear`: budgets from a terminal or a script, read from and written to the
//! database. A running app picks the change up after the commit.

use std::fmt::Write as _;
use std::path::Path;

use ccmeter_core::budget::{self, BudgetState, BudgetStatus, Period};
use ccmeter_core::error::SettingsField;
use ccmeter_core::read::query;
use ccmeter_core::store::settings;
use ccmeter_core::words::settings::{Budget, Budgets, DEFAULT_THRESHOLDS, ProjectBudget, Settings};
use ccmeter_core::{StoreError, TimeContext};

use crate::cli::{BudgetAction, BudgetArgs, BudgetSetArgs, PeriodArg};

/// Tells the app running on this database to take the new settings into account now.
fn reach_running_app(db: &Path) -> &'static str {
    match crate::instance::send(db, crate::instance::Request::ReloadSettings) {
        Ok(true) => " The running app has it.",
        Ok(false) => "",
        Err(error) => {
            tracing::warn!(%error, "could not reach the running app; it will read the change after its next data");
            ""
        }
    }
}

pub fn run(db: &Path, args: &BudgetArgs) -> Result<String, StoreError> {
    match &args.action {
        BudgetAction::Set(set) => self::set(db, &Target::of(set.period, set.project.as_deref()), set),
        BudgetAction::Clear(clear) => self::clear(db, &Target::of(clear.period, clear.project.as_deref())),
        BudgetAction::List(list) => {
            let conn = ccmeter_core::store::open_connection(db)?;
            let ctx = TimeContext::system();
            let settings = settings::load(&conn)?;
            let statuses = budget::evaluate(&conn, &ctx, &settings)?;
            if list.json {
                let value = serde_json::json!({ "budgets": settings.budgets, "statuses": statuses });
                Ok(format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default()))
            } else {
                Ok(table(&ctx, &settings, &statuses))
            }
        }
    }
}

/// The budget a command names: of every project's spend in a period, or of one project's (`--project`).
struct Target {
    period: Period,
    project: Option<String>,
}

impl Target {
    fn of(period: PeriodArg, project: Option<&str>) -> Target {
        Target { period: self::period(period), project: project.map(str::to_owned) }
    }

    fn get<'a>(&self, budgets: &'a Budgets) -> Option<&'a Budget> {
        match &self.project {
            None => budgets.get(self.period),
            Some(project) => budgets.of_project(project, self.period),
        }
    }

    fn set(&self, budgets: &mut Budgets, budget: Option<Budget>) {
        match &self.project {
            None => budgets.set(self.period, budget),
            Some(project) => budgets.set_project(project, self.period, budget),
        }
    }

    /// Checked before the database is opened: bad input changes nothing, not even creates the file.
    fn validate(&self, budget: &Budget) -> Result<(), StoreError> {
        match &self.project {
            None => budget.validate(self.period),
            Some(project) => {
                ProjectBudget { project: project.clone(), period: self.period, budget: budget.clone() }.validate()
            }
        }
    }

    /// "Daily budget", "Daily budget of acme/api".
    fn name(&self) -> String {
        match &self.project {
            None => budget_name(self.period).to_owned(),
            Some(project) => format!("{} of {project}", budget_name(self.period)),
        }
    }
}

fn set(db: &Path, target: &Target, set: &BudgetSetArgs) -> Result<String, StoreError> {
    let limit_usd = parse_usd(&set.usd)?;
    let thresholds = set.thresholds.as_deref().map(parse_thresholds).transpose()?;
    target.validate(&Budget {
        limit_usd,
        thresholds: thresholds.clone().unwrap_or_else(|| DEFAULT_THRESHOLDS.to_vec()),
    })?;
    let mut conn = ccmeter_core::store::open_connection(db)?;
    let budget = settings::update(&mut conn, |settings| {
        // A new limit keeps the thresholds already chosen.
        let thresholds = thresholds
            .or_else(|| target.get(&settings.budgets).map(|b| b.thresholds.clone()))
            .unwrap_or_else(|| DEFAULT_THRESHOLDS.to_vec());
        let budget = Budget { limit_usd, thresholds };
        target.set(&mut settings.budgets, Some(budget.clone()));
        Ok(budget)
    })?;
    let unknown = match &target.project {
        Some(project) => unknown_project_note(&conn, project)?,
        None => String::new(),
    };
    let reached = reach_running_app(db);
    Ok(format!(
        "{} set to {}; alerts at {} of it.{reached}{unknown}\n",
        target.name(),
        budget.limit_nanos().map(ccmeter_core::words::money::money).unwrap_or_default(),
        percentages(&budget.thresholds)
    ))
}

/// A budget of a project no session has is set all the same (its first session may be yet to come), but a
/// typo is the likelier reason: a line says so, with the projects known.
fn unknown_project_note(conn: &ccmeter_core::store::Connection, project: &str) -> Result<String, StoreError> {
    let known = query::projects(conn)?;
    if known.iter().any(|p| p == project) {
        return Ok(String::new());
    }
    let listed = match known.as_slice() {
        [] => "no session has a project yet".to_owned(),
        some => format!("known: {}", some.iter().take(5).cloned().collect::<Vec<_>>().join(", ")),
    };
    Ok(format!("\nNo session of {project} is recorded yet ({listed}); its spend counts from its first one."))
}

fn clear(db: &Path, target: &Target) -> Result<String, StoreError> {
    let mut conn = ccmeter_core::store::open_connection(db)?;
    let had = settings::update(&mut conn, |settings| {
        let had = target.get(&settings.budgets).is_some();
        target.set(&mut settings.budgets, None);
        Ok(had)
    })?;
    let reached = reach_running_app(db);
    Ok(if had {
        format!("{} removed.{reached}\n", target.name())
    } else {
        let name = target.name();
        let name = name[..1].to_lowercase() + &name[1..];
        format!("There was no {name}; nothing changed.\n")
    })
}

fn period(arg: PeriodArg) -> Period {
    match arg {
        PeriodArg::Day => Period::Day,
        PeriodArg::Week => Period::Week,
        PeriodArg::Month => Period::Month,
        PeriodArg::Session => Period::Session,
    }
}

fn budget_name(period: Period) -> &'static str {
    match period {
        Period::Day => "Daily budget",
        Period::Week => "Weekly budget",
        Period::Month => "Monthly budget",
        Period::Session => "Per-session budget",
    }
}

/// `--usd`, read as the Settings window reads its field; the message names the flag.
fn parse_usd(text: &str) -> Result<f64, StoreError> {
    ccmeter_core::words::settings::parse_limit_usd(text).ok_or_else(|| {
        StoreError::settings(
            SettingsField::Budget,
            format!("--usd takes an amount in US dollars, e.g. 10 or 12.50 (got {text:?})"),
        )
    })
}

/// `--thresholds`, read as the Settings window reads its field; the message names the flag.
fn parse_thresholds(text: &str) -> Result<Vec<u32>, StoreError> {
    ccmeter_core::words::settings::parse_thresholds(text).ok_or_else(|| {
        StoreError::settings(
            SettingsField::Budget,
            format!(
                "--thresholds takes whole percentages of the limit separated by commas, e.g. 50,80,100 (got {text:?})"
            ),
        )
    })
}

fn percentages(thresholds: &[u32]) -> String {
    let items: Vec<String> = thresholds.iter().map(|t| format!("{t} %")).collect();
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

fn compact_thresholds(thresholds: &[u32]) -> String {
    let items: Vec<String> = thresholds.iter().map(u32::to_string).collect();
    format!("{} %", items.join(", "))
}

fn state(state: BudgetState) -> &'static str {
    match state {
        BudgetState::Ok => "ok",
        BudgetState::Warning => "warning",
        BudgetState::Over => "OVER",
    }
}

fn weekday(day: chrono::Weekday) -> &'static str {
    use chrono::Weekday::*;
    match day {
        Mon => "Monday",
        Tue => "Tuesday",
        Wed => "Wednesday",
        Thu => "Thursday",
        Fri => "Friday",
        Sat => "Saturday",
        Sun => "Sunday",
    }
}

fn label(status: &BudgetStatus) -> String {
    match status.period {
        Period::Day => format!("day {}", status.key),
        Period::Week => format!("week of {}", status.key),
        Period::Month => format!("month {}", status.key),
        Period::Session => format!("session {}", status.key.chars().take(8).collect::<String>()),
    }
}

fn limit_words(budget: &Budget) -> String {
    budget.limit_nanos().map(ccmeter_core::words::money::money).unwrap_or_else(|| format!("{}?", budget.limit_usd))
}

/// A status's SPENT, USED and STATE columns.
fn standing(status: &BudgetStatus) -> String {
    format!(
        "{:>10} {:>8}  {}",
        ccmeter_core::words::money::money(status.spent_nanos),
        format!("{:.1} %", status.used * 100.0),
        state(status.state)
    )
}

/// The widest project name the table shows whole; a longer one keeps its end, the part that tells it apart.
const PROJECT_COLUMN_MAX: usize = 40;

fn project_words(project: &str) -> String {
    ccmeter_core::words::project::shortened(project, PROJECT_COLUMN_MAX)
}

fn table(ctx: &TimeContext, settings: &Settings, statuses: &[BudgetStatus]) -> String {
    let mut out = String::new();
    let projects = &settings.budgets.projects;
    if settings.budgets.iter().next().is_none() && projects.is_empty() {
        out.push_str(
            "No budgets set. Set one with: ccmeter budget set --period day --usd 10\n\
             (or one project's: ccmeter budget set --project acme/api --period day --usd 5)\n",
        );
        return out;
    }
    let _ = writeln!(out, "Budgets (local time {}; weeks start on {})", ctx.zone, weekday(settings.week_start));
    if settings.budgets.iter().next().is_some() {
        let _ = writeln!(
            out,
            "\n  {:<20} {:>10}  {:<18} {:>10} {:>8}  STATE",
            "PERIOD", "LIMIT", "ALERTS AT", "SPENT", "USED"
        );
    }
    for (period, budget) in settings.budgets.iter() {
        let limit = limit_words(budget);
        let thresholds = compact_thresholds(&budget.thresholds);
        let rows: Vec<&BudgetStatus> = statuses.iter().filter(|s| s.period == period && s.project.is_none()).collect();
        if rows.is_empty() {
            let note = if period == Period::Session { "no session active today" } else { "" };
            let _ = writeln!(out, "  {:<20} {limit:>10}  {thresholds:<18} {note}", period.as_str());
        }
        for status in rows {
            let _ = writeln!(out, "  {:<20} {limit:>10}  {thresholds:<18} {}", label(status), standing(status));
        }
    }
    if !projects.is_empty() {
        let width = projects.iter().map(|p| project_words(&p.project).chars().count()).max().unwrap_or(0).max(7);
        let _ = writeln!(
            out,
            "\n  {:<width$}  {:<20} {:>10}  {:<18} {:>10} {:>8}  STATE",
            "PROJECT", "PERIOD", "LIMIT", "ALERTS AT", "SPENT", "USED"
        );
        for project in projects {
            let status = statuses
                .iter()
                .find(|s| s.period == project.period && s.project.as_deref() == Some(project.project.as_str()));
            let (period, figures) = match status {
                Some(status) => (label(status), standing(status)),
                None => (project.period.as_str().to_owned(), String::new()),
            };
            let _ = writeln!(
                out,
                "  {:<width$}  {period:<20} {:>10}  {:<18} {figures}",
                project_words(&project.project),
                limit_words(&project.budget),
                compact_thresholds(&project.budget.thresholds)
            );
        }
    }
    if !settings.alerts_enabled {
        out.push_str("\nAlerts are off: thresholds reached are recorded, not shown.\n");
    } else if let Some(until) = settings.paused_until(ctx.now()) {
        let local = until.with_timezone(&ctx.zone).format("%Y-%m-%d %H:%M");
        let _ = writeln!(out, "\nAlerts are paused until {local}.");
    }
    // Columns left empty must not leave trailing blanks.
    out.lines().map(|line| format!("{}\n", line.trim_end())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_thresholds_are_read_leniently_and_refused_with_the_expected_form() {
        assert_eq!(parse_usd(" $12.50 ").ok(), Some(12.5));
        assert_eq!(parse_thresholds("80, 50%,100 %,80").ok(), Some(vec![50, 80, 100]));
        for bad in ["abc", "", "50,,80", "-10", "1.5"] {
            let error = parse_thresholds(bad).expect_err(bad).to_string();
            assert!(error.contains("e.g. 50,80,100"), "{error}");
        }
        assert!(parse_usd("ten").expect_err("ten").to_string().contains("e.g. 10 or 12.50"));
        assert_eq!(percentages(&[50, 80, 100]), "50 %, 80 % and 100 %");
        assert_eq!(percentages(&[100]), "100 %");
    }

    #[test]
    fn a_long_project_name_keeps_its_end_in_the_table() {
        assert_eq!(project_words("acme/api"), "acme/api");
        let deep = format!("~/{}billing-api", "nested/".repeat(8));
        assert_eq!(project_words(&deep), "…/nested/nested/nested/billing-api");
    }
}
