//! The user's settings: one typed record, stored as JSON in the `settings` table (row id 1).
//!
//! Every field has a default (`#[serde(default)]`), so a row written by an older ccmeter picks up new
//! fields, and fields this version does not know are ignored when reading and kept when saving.

use std::net::SocketAddr;

use ccmeter_proto::Nanos;
use chrono::{DateTime, Utc, Weekday};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::budget::Period;
use crate::error::{Result, StoreError};

/// Alert thresholds of a budget when none are given, in percent of its limit.
pub const DEFAULT_THRESHOLDS: [u32; 3] = [50, 80, 100];
/// The largest budget limit accepted, in USD.
pub const MAX_LIMIT_USD: f64 = 1_000_000.0;
/// The smallest budget limit accepted, in USD: amounts are shown with two decimals.
pub const MIN_LIMIT_USD: f64 = 0.01;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    pub budgets: Budgets,
    /// A session is "active" if it had an event or metric point within this many minutes.
    pub active_window_minutes: u32,
    /// Keep prompt text, responses, tool input and error text (default: only their lengths).
    /// `ingest::load_privacy` reads this JSON key: keep the name.
    pub store_prompt_text: bool,
    /// Delete the records (timelines, logs) older than this many days, keeping their rollups (totals,
    /// charts, budgets); `None` keeps everything.
    pub retention_days: Option<u32>,
    /// The first day of a budget week.
    #[ts(type = "\"Mon\" | \"Tue\" | \"Wed\" | \"Thu\" | \"Fri\" | \"Sat\" | \"Sun\"")]
    pub week_start: Weekday,
    pub alerts_enabled: bool,
    /// Alerts reached before this instant are recorded as suppressed, never sent.
    pub alerts_paused_until: Option<DateTime<Utc>>,
    pub start_at_login: bool,
    /// Draw the amount into the tray icon, for desktops that hide the tray label (KDE, stock GNOME).
    pub icon_shows_amount: bool,
    pub grpc_addr: String,
    pub http_addr: String,
    /// The welcome window was shown: it opens once, on the first start (see [`take_welcome`]).
    pub welcomed: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            budgets: Budgets::default(),
            active_window_minutes: 5,
            store_prompt_text: false,
            retention_days: None,
            week_start: Weekday::Mon,
            alerts_enabled: true,
            alerts_paused_until: None,
            start_at_login: false,
            icon_shows_amount: false,
            grpc_addr: "127.0.0.1:4317".into(),
            http_addr: "127.0.0.1:4318".into(),
            welcomed: false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Budgets {
    pub day: Option<Budget>,
    pub week: Option<Budget>,
    pub month: Option<Budget>,
    pub session: Option<Budget>,
}

impl Budgets {
    pub fn get(&self, period: Period) -> Option<&Budget> {
        match period {
            Period::Day => self.day.as_ref(),
            Period::Week => self.week.as_ref(),
            Period::Month => self.month.as_ref(),
            Period::Session => self.session.as_ref(),
        }
    }

    /// Sets (`Some`) or clears (`None`) the budget of a period.
    pub fn set(&mut self, period: Period, budget: Option<Budget>) {
        let slot = match period {
            Period::Day => &mut self.day,
            Period::Week => &mut self.week,
            Period::Month => &mut self.month,
            Period::Session => &mut self.session,
        };
        *slot = budget;
    }

    /// The configured budgets, in period order.
    pub fn iter(&self) -> impl Iterator<Item = (Period, &Budget)> {
        Period::ALL.into_iter().filter_map(|period| self.get(period).map(|budget| (period, budget)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Budget {
    pub limit_usd: f64,
    /// Percent of the limit at which to alert: ascending, unique, 1..=1000.
    #[serde(default = "default_thresholds")]
    pub thresholds: Vec<u32>,
}

fn default_thresholds() -> Vec<u32> {
    DEFAULT_THRESHOLDS.to_vec()
}

impl Budget {
    /// A budget with the default thresholds (50 %, 80 %, 100 %).
    pub fn new(limit_usd: f64) -> Budget {
        Budget { limit_usd, thresholds: default_thresholds() }
    }

    /// The limit in nano-dollars; `None` when it is not a usable amount (settings saved are validated,
    /// but a row edited by hand may not be).
    pub fn limit_nanos(&self) -> Option<i64> {
        Nanos::from_usd(self.limit_usd).ok().map(|n| n.0).filter(|n| *n > 0)
    }

    /// Checks the limit and thresholds of the `period`'s budget; the error says what to change.
    pub fn validate(&self, period: Period) -> Result<()> {
        let name = period.adjective();
        let limit = self.limit_usd;
        if !limit.is_finite() || !(MIN_LIMIT_USD..=MAX_LIMIT_USD).contains(&limit) {
            return invalid(format!(
                "the {name} budget must be an amount in USD from 0.01 to 1000000, e.g. 10 (got {limit})"
            ));
        }
        if self.thresholds.is_empty() {
            return invalid(format!(
                "the {name} budget needs at least one alert threshold in percent of its limit, e.g. 50, 80, 100"
            ));
        }
        if let Some(bad) = self.thresholds.iter().find(|t| !(1..=1000).contains(*t)) {
            return invalid(format!(
                "alert thresholds are percentages from 1 to 1000; the {name} budget has {bad}, e.g. use 50, 80, 100"
            ));
        }
        if self.thresholds.windows(2).any(|pair| pair[0] >= pair[1]) {
            return invalid(format!(
                "the {name} budget's alert thresholds must be in ascending order without repeats (got {})",
                join(&self.thresholds)
            ));
        }
        Ok(())
    }
}

fn join(thresholds: &[u32]) -> String {
    thresholds.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

fn invalid<T>(message: String) -> Result<T> {
    Err(StoreError::InvalidSettings(message))
}

impl Settings {
    /// When the pause in force at `now` ends; `None` when alerts are not paused.
    pub fn paused_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.alerts_paused_until.filter(|until| now < *until)
    }

    /// Checks every field; the error says what to change.
    pub fn validate(&self) -> Result<()> {
        for (period, budget) in self.budgets.iter() {
            budget.validate(period)?;
        }
        if !(1..=1440).contains(&self.active_window_minutes) {
            return invalid(format!(
                "the active-session window must be from 1 to 1440 minutes (got {})",
                self.active_window_minutes
            ));
        }
        if self.retention_days == Some(0) {
            return invalid("keep data for at least 1 day, or set no retention limit to keep everything".into());
        }
        for (what, addr, example) in
            [("gRPC", &self.grpc_addr, "127.0.0.1:4317"), ("HTTP", &self.http_addr, "127.0.0.1:4318")]
        {
            if addr.parse::<SocketAddr>().is_err() {
                return invalid(format!(
                    "the OTLP/{what} address {addr:?} must be an IP address and port, e.g. {example}"
                ));
            }
        }
        Ok(())
    }
}

/// The saved settings, or the defaults when none were saved. Fields missing from the row take their
/// default; fields this version does not know are ignored.
pub fn load(conn: &Connection) -> Result<Settings> {
    let Some(json) = stored_json(conn)? else { return Ok(Settings::default()) };
    serde_json::from_str(&json).map_err(|error| {
        StoreError::InvalidSettings(format!(
            "the saved settings cannot be read ({error}); remove them with \
             `sqlite3 <database> \"DELETE FROM settings\"` to go back to the defaults, then set your budgets again"
        ))
    })
}

/// Validates and saves the settings (call it in a transaction; the writer thread's `Store::exec` does).
/// Keys in the saved row that this version does not know are kept, so a newer ccmeter's settings
/// survive an older one saving.
/// Saves the settings and applies what takes effect at once: a shorter retention prunes the records it no
/// longer keeps, and turning content off erases the content already stored. Returns whether content was erased
/// (the caller then checkpoints, see [`crate::Store::checkpoint`]).
pub fn save_and_apply(tx: &rusqlite::Transaction, ctx: &crate::TimeContext, settings: &Settings) -> Result<bool> {
    let was_keeping_content = load(tx).map(|previous| previous.store_prompt_text).unwrap_or(true);
    save(tx, settings)?;
    if let Some(days) = settings.retention_days {
        crate::delete::prune_details_older_than(tx, ctx, days)?;
    }
    let erase = was_keeping_content && !settings.store_prompt_text;
    if erase {
        let erased = crate::erase::erase_content(tx)?;
        tracing::info!(?erased, "content no longer kept: erased what was stored");
    }
    Ok(erase)
}

pub fn save(conn: &Connection, settings: &Settings) -> Result<()> {
    settings.validate()?;
    let mut record = match serde_json::to_value(settings) {
        Ok(Value::Object(record)) => record,
        _ => return invalid("the settings could not be encoded as JSON".into()),
    };
    if let Some(Value::Object(previous)) = stored_json(conn)?.and_then(|json| serde_json::from_str(&json).ok()) {
        for (key, value) in previous {
            record.entry(key).or_insert(value);
        }
    }
    let json = Value::Object(record).to_string();
    conn.prepare_cached(
        "INSERT INTO settings (id, json) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
    )?
    .execute([json])?;
    Ok(())
}

/// Whether this start should open the welcome window: the first start on a database with no history (an
/// upgrade from a version without the welcome, already in use, skips it). Either way it is not due again.
pub fn take_welcome(tx: &rusqlite::Transaction) -> Result<bool> {
    let mut settings = load(tx)?;
    if settings.welcomed {
        return Ok(false);
    }
    let has_history: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM sessions)", [], |r| r.get(0))?;
    settings.welcomed = true;
    save(tx, &settings)?;
    Ok(!has_history)
}

/// Loads the settings, lets `change` edit them, and saves them if they changed — in one immediate
/// transaction, so a concurrent writer (the running app) cannot slip in between. For a connection of
/// its own (the CLI); the app's writer thread uses [`load`] and [`save`] inside `Store::exec`.
/// Nothing is written when `change` or the validation fails.
pub fn update<T>(conn: &mut Connection, change: impl FnOnce(&mut Settings) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let before = load(&tx)?;
    let mut settings = before.clone();
    let value = change(&mut settings)?;
    if settings != before {
        save(&tx, &settings)?;
    }
    tx.commit()?;
    Ok(value)
}

fn stored_json(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT json FROM settings WHERE id = 1", [], |row| row.get(0)).optional()?)
}
