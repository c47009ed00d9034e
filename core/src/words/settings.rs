//! The user's settings: one typed record and the patch of fields a writer means to change, with the rules a
//! value must keep (the store keeps it as JSON: `store::settings`).
//!
//! Every field has a default (`#[serde(default)]`), so a row written by an older ccmeter picks up new
//! fields, and fields this version does not know are ignored when reading and kept when saving.

use std::net::SocketAddr;

use ccmeter_proto::Nanos;
use chrono::{DateTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Result, SettingsField, StoreError};
use crate::words::period::Period;

/// Alert thresholds of a budget when none are given, in percent of its limit.
pub const DEFAULT_THRESHOLDS: [u32; 3] = [50, 80, 100];
/// Plan-limit thresholds when none are set, in percent of a window.
pub const DEFAULT_LIMIT_ALERTS: [u32; 2] = [80, 95];
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
    /// A notification when a plan-limit window (5-hour, weekly) reaches each of these percentages, once per
    /// window; none: no limit notifications. A pause silences them too.
    pub limit_alerts: Vec<u32>,
    pub start_at_login: bool,
    /// Draw the amount into the tray icon, for desktops that hide the tray label (KDE, stock GNOME).
    pub icon_shows_amount: bool,
    pub grpc_addr: String,
    pub http_addr: String,
    /// Where ccmeter serves its totals to Prometheus (`/metrics`); `None`: not served (the default).
    pub metrics_addr: Option<String>,
    /// The welcome window was shown: it opens once, on the first start (see [`take_welcome`]).
    pub welcomed: bool,
    /// Keep importing the requests Claude Code's transcripts record while ccmeter runs (`history`): the history
    /// from before telemetry, and the sessions whose telemetry is off. `None`: not asked yet (the app offers it).
    pub follow_transcripts: Option<bool>,
    /// The user's own prices of models, for the requests read from transcripts (`pricing`): after the rates
    /// learned from telemetry, before the bundled table. One per model.
    pub price_overrides: Vec<PriceOverride>,
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
            limit_alerts: DEFAULT_LIMIT_ALERTS.to_vec(),
            start_at_login: false,
            icon_shows_amount: false,
            grpc_addr: "127.0.0.1:4317".into(),
            http_addr: "127.0.0.1:4318".into(),
            metrics_addr: None,
            welcomed: false,
            follow_transcripts: None,
            price_overrides: Vec::new(),
        }
    }
}

/// The fields one writer means to change, and nothing else: the Settings window sends the fields the user
/// edited, the tray the one it toggles, the CLI the budget it sets. Applied to the stored record inside one
/// transaction ([`crate::apply_settings::patch_and_apply`], [`crate::store::settings::update`]), so two writers never undo each other's changes. An absent
/// field is left as stored; `null` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct SettingsPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub budgets: Option<BudgetsPatch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub active_window_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub store_prompt_text: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[ts(optional)]
    pub retention_days: Option<Option<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "\"Mon\" | \"Tue\" | \"Wed\" | \"Thu\" | \"Fri\" | \"Sat\" | \"Sun\"")]
    pub week_start: Option<Weekday>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub alerts_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[ts(optional)]
    pub alerts_paused_until: Option<Option<DateTime<Utc>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub limit_alerts: Option<Vec<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub start_at_login: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub icon_shows_amount: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub grpc_addr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub http_addr: Option<String>,
    /// `null` stops serving Prometheus.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[ts(optional)]
    pub metrics_addr: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub welcomed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[ts(optional)]
    pub follow_transcripts: Option<Option<bool>>,
    /// Every price override, replacing the stored list.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub price_overrides: Option<Vec<PriceOverride>>,
}

/// A budget per period to set (`Some(budget)`) or remove (`None`); absent periods are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct BudgetsPatch {
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[ts(optional)]
    pub day: Option<Option<Budget>>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[ts(optional)]
    pub week: Option<Option<Budget>>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[ts(optional)]
    pub month: Option<Option<Budget>>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[ts(optional)]
    pub session: Option<Option<Budget>>,
    /// Every project budget, replacing the stored list (sent only when the list was changed, so a budget the CLI
    /// sets meanwhile is kept otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub projects: Option<Vec<ProjectBudget>>,
}

/// Tells a field sent as `null` (`Some(None)`: clear it) from one not sent (`None`, by `#[serde(default)]`).
fn present<'de, D, T>(deserializer: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl From<&Settings> for SettingsPatch {
    /// A patch that sets every field: the whole record, as given.
    fn from(settings: &Settings) -> Self {
        let b = &settings.budgets;
        SettingsPatch {
            budgets: Some(BudgetsPatch {
                day: Some(b.day.clone()),
                week: Some(b.week.clone()),
                month: Some(b.month.clone()),
                session: Some(b.session.clone()),
                projects: Some(b.projects.clone()),
            }),
            active_window_minutes: Some(settings.active_window_minutes),
            store_prompt_text: Some(settings.store_prompt_text),
            retention_days: Some(settings.retention_days),
            week_start: Some(settings.week_start),
            alerts_enabled: Some(settings.alerts_enabled),
            alerts_paused_until: Some(settings.alerts_paused_until),
            limit_alerts: Some(settings.limit_alerts.clone()),
            start_at_login: Some(settings.start_at_login),
            icon_shows_amount: Some(settings.icon_shows_amount),
            grpc_addr: Some(settings.grpc_addr.clone()),
            http_addr: Some(settings.http_addr.clone()),
            metrics_addr: Some(settings.metrics_addr.clone()),
            welcomed: Some(settings.welcomed),
            follow_transcripts: Some(settings.follow_transcripts),
            price_overrides: Some(settings.price_overrides.clone()),
        }
    }
}

impl SettingsPatch {
    /// Writes the patch's fields into `settings`, leaving the others as they are.
    pub fn apply_to(&self, settings: &mut Settings) {
        fn set<T: Clone>(slot: &mut T, value: &Option<T>) {
            if let Some(value) = value {
                *slot = value.clone();
            }
        }
        if let Some(budgets) = &self.budgets {
            set(&mut settings.budgets.day, &budgets.day);
            set(&mut settings.budgets.week, &budgets.week);
            set(&mut settings.budgets.month, &budgets.month);
            set(&mut settings.budgets.session, &budgets.session);
            set(&mut settings.budgets.projects, &budgets.projects);
        }
        set(&mut settings.active_window_minutes, &self.active_window_minutes);
        set(&mut settings.store_prompt_text, &self.store_prompt_text);
        set(&mut settings.retention_days, &self.retention_days);
        set(&mut settings.week_start, &self.week_start);
        set(&mut settings.alerts_enabled, &self.alerts_enabled);
        set(&mut settings.alerts_paused_until, &self.alerts_paused_until);
        set(&mut settings.limit_alerts, &self.limit_alerts);
        set(&mut settings.start_at_login, &self.start_at_login);
        set(&mut settings.icon_shows_amount, &self.icon_shows_amount);
        set(&mut settings.grpc_addr, &self.grpc_addr);
        set(&mut settings.http_addr, &self.http_addr);
        set(&mut settings.metrics_addr, &self.metrics_addr);
        set(&mut settings.welcomed, &self.welcomed);
        set(&mut settings.follow_transcripts, &self.follow_transcripts);
        set(&mut settings.price_overrides, &self.price_overrides);
    }
}

/// Where the Prometheus endpoint listens when the user turns it on without choosing: beside Claude Code's own
/// exporter's 9464, not on it.
pub const DEFAULT_METRICS_ADDR: &str = "127.0.0.1:9466";

/// The most a price override may be, in USD per million tokens: far above any model's list price, low enough that
/// a slip of the keyboard (a price per token typed as per million, extra zeros) is caught.
pub const MAX_PRICE_PER_MTOK: f64 = 10_000.0;

/// A model's price as the user sets it, in USD per million tokens, for the requests read from transcripts whose
/// model telemetry has not priced yet: a model the bundled table does not know yet, or a negotiated rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PriceOverride {
    /// The model's name as Claude Code reports it (`claude-opus-5-5`); a `[1m]` suffix and letter case do not
    /// matter.
    pub model: String,
    pub input: f64,
    pub output: f64,
    /// Cache reads; when not given, a tenth of the input price (Anthropic's rule for most models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cache_read: Option<f64>,
    /// Cache writes kept five minutes; when not given, 1.25 times the input price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cache_write_5m: Option<f64>,
    /// Cache writes kept an hour; when not given, twice the input price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cache_write_1h: Option<f64>,
}

impl PriceOverride {
    /// A price as a person types it — the Settings window's fields, `ccmeter prices set`'s flags: each amount in
    /// USD per million tokens ("5", "$0.3125", at most six decimals, read as the bundled table's prices are), a
    /// cache price left out or blank derived from the input price; then validated.
    pub fn from_text(
        model: &str,
        input: &str,
        output: &str,
        cache_read: Option<&str>,
        cache_write_5m: Option<&str>,
        cache_write_1h: Option<&str>,
    ) -> Result<PriceOverride> {
        let model = model.trim();
        let amount = |kind: &str, text: &str| -> Result<f64> {
            crate::words::money::pico_per_token(text.trim().trim_start_matches('$').trim())
                .map(|pico| pico as f64 / 1e6)
                .ok_or_else(|| {
                    let whose = if model.is_empty() { String::new() } else { format!("{model}'s ") };
                    StoreError::settings(
                        SettingsField::PriceOverride,
                        format!(
                            "{whose}{kind} price is in US dollars per million tokens, e.g. 5 or 0.3125, at most six \
                             decimals (got {text:?})"
                        ),
                    )
                })
        };
        let optional =
            |kind: &str, text: Option<&str>| text.filter(|t| !t.trim().is_empty()).map(|t| amount(kind, t)).transpose();
        let price = PriceOverride {
            model: model.to_owned(),
            input: amount("input", input)?,
            output: amount("output", output)?,
            cache_read: optional("cache read", cache_read)?,
            cache_write_5m: optional("5-minute cache write", cache_write_5m)?,
            cache_write_1h: optional("1-hour cache write", cache_write_1h)?,
        };
        price.validate()?;
        Ok(price)
    }

    /// Whether this override prices `model` (a name as Claude Code reports it).
    pub fn prices(&self, model: &str) -> bool {
        ccmeter_proto::normalize_model(&self.model).eq_ignore_ascii_case(ccmeter_proto::normalize_model(model))
    }

    /// The five prices per million tokens, the ones not given derived from the input price.
    pub fn per_million(&self) -> [f64; 5] {
        [
            self.input,
            self.output,
            self.cache_read.unwrap_or(self.input * 0.1),
            self.cache_write_5m.unwrap_or(self.input * 1.25),
            self.cache_write_1h.unwrap_or(self.input * 2.0),
        ]
    }

    /// Checks the model's name and each price; the error says what to change.
    pub fn validate(&self) -> Result<()> {
        let model = self.model.trim();
        if model.is_empty() || model.chars().any(char::is_control) || model.chars().count() > MAX_MODEL_CHARS {
            return invalid(
                SettingsField::PriceOverride,
                format!(
                    "a price needs the model's name as Claude Code reports it, e.g. claude-opus-5-5, in at most \
                     {MAX_MODEL_CHARS} characters (got {:?})",
                    self.model
                ),
            );
        }
        let given = [
            ("input", Some(self.input)),
            ("output", Some(self.output)),
            ("cache read", self.cache_read),
            ("5-minute cache write", self.cache_write_5m),
            ("1-hour cache write", self.cache_write_1h),
        ];
        for (kind, price) in given {
            if let Some(price) = price
                && (!price.is_finite() || !(0.0..=MAX_PRICE_PER_MTOK).contains(&price))
            {
                return invalid(
                    SettingsField::PriceOverride,
                    format!(
                        "{model}'s {kind} price must be in USD per million tokens, from 0 to {MAX_PRICE_PER_MTOK}, \
                         e.g. 5 (got {price})"
                    ),
                );
            }
        }
        Ok(())
    }
}

/// The longest model name a price takes.
pub const MAX_MODEL_CHARS: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Budgets {
    pub day: Option<Budget>,
    pub week: Option<Budget>,
    pub month: Option<Budget>,
    pub session: Option<Budget>,
    /// Budgets of one project's spend (`words::project`) in a day, week or month, in the order they were set.
    pub projects: Vec<ProjectBudget>,
}

/// A limit on what one project's sessions cost in a local day, week or month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProjectBudget {
    /// As `words::project` names it: `owner/name`, or a folder with the home folder as `~`.
    pub project: String,
    /// Day, week or month: a session belongs to one project, so the per-session budget already covers it.
    pub period: Period,
    pub budget: Budget,
}

impl ProjectBudget {
    /// Checks the project's name, the period and the budget; the error says what to change.
    pub fn validate(&self) -> Result<()> {
        let project = self.project.trim();
        if project.is_empty() || project != self.project || project.chars().any(char::is_control) {
            return invalid(
                SettingsField::Budget,
                format!(
                    "a project budget needs the project's name as ccmeter shows it, e.g. acme/api or ~/work/site \
                     (got {:?}); `ccmeter report --by project` lists them",
                    self.project
                ),
            );
        }
        if self.project.chars().count() > MAX_PROJECT_CHARS {
            return invalid(
                SettingsField::Budget,
                format!(
                    "a project's name has at most {MAX_PROJECT_CHARS} characters (got {})",
                    self.project.chars().count()
                ),
            );
        }
        if self.period == Period::Session {
            return invalid(
                SettingsField::Budget,
                format!(
                    "a project budget covers a day, a week or a month; {project} has no per-session budget of its \
                     own (the per-session budget covers every project's sessions)"
                ),
            );
        }
        self.budget.check(&format!("the {} budget of {project}", self.period.adjective()))
    }
}

/// The longest project name a budget takes: a path deeper than this is not a name anyone types.
pub const MAX_PROJECT_CHARS: usize = 512;

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

    /// The configured budgets of all projects together, in period order.
    pub fn iter(&self) -> impl Iterator<Item = (Period, &Budget)> {
        Period::ALL.into_iter().filter_map(|period| self.get(period).map(|budget| (period, budget)))
    }

    /// The budget of `project` in `period`, when one is set.
    pub fn of_project(&self, project: &str, period: Period) -> Option<&Budget> {
        self.projects.iter().find(|p| p.project == project && p.period == period).map(|p| &p.budget)
    }

    /// Sets (`Some`) or clears (`None`) the budget of `project` in `period`; a new one goes last.
    pub fn set_project(&mut self, project: &str, period: Period, budget: Option<Budget>) {
        let at = self.projects.iter().position(|p| p.project == project && p.period == period);
        match (at, budget) {
            (Some(at), Some(budget)) => self.projects[at].budget = budget,
            (None, Some(budget)) => self.projects.push(ProjectBudget { project: project.to_owned(), period, budget }),
            (Some(at), None) => {
                self.projects.remove(at);
            }
            (None, None) => {}
        }
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

    /// A budget as a person types it — the Settings window's fields, `ccmeter budget set`'s flags: a limit in
    /// USD ("10", "12.50", "$10") and alert thresholds in percent ("50, 80,100 %"; `None`: the defaults),
    /// read by [`parse_limit_usd`] and [`parse_thresholds`], then validated for the `period`.
    pub fn from_text(period: Period, limit: &str, thresholds: Option<&str>) -> Result<Budget> {
        let name = period.adjective();
        let limit_usd = parse_limit_usd(limit).ok_or_else(|| {
            StoreError::settings(
                SettingsField::Budget,
                format!("the {name} budget needs a limit in USD, e.g. 10 or 12.50 (got {limit:?})"),
            )
        })?;
        let thresholds = match thresholds {
            None => default_thresholds(),
            Some(text) => parse_thresholds(text).ok_or_else(|| {
                StoreError::settings(
                    SettingsField::Budget,
                    format!(
                        "the {name} budget's alerts are whole percentages separated by commas, e.g. 50, 80, 100 \
                         (got {text:?})"
                    ),
                )
            })?,
        };
        let budget = Budget { limit_usd, thresholds };
        budget.validate(period)?;
        Ok(budget)
    }

    /// Checks the limit and thresholds of the `period`'s budget; the error says what to change.
    pub fn validate(&self, period: Period) -> Result<()> {
        self.check(&format!("the {} budget", period.adjective()))
    }

    /// Checks the limit and thresholds of the budget `what` names ("the daily budget").
    fn check(&self, what: &str) -> Result<()> {
        let limit = self.limit_usd;
        if !limit.is_finite() || !(MIN_LIMIT_USD..=MAX_LIMIT_USD).contains(&limit) {
            return invalid(
                SettingsField::Budget,
                format!("{what} must be an amount in USD from 0.01 to 1000000, e.g. 10 (got {limit})"),
            );
        }
        if self.thresholds.is_empty() {
            return invalid(
                SettingsField::Budget,
                format!("{what} needs at least one alert threshold in percent of its limit, e.g. 50, 80, 100"),
            );
        }
        if let Some(bad) = self.thresholds.iter().find(|t| !(1..=1000).contains(*t)) {
            return invalid(
                SettingsField::Budget,
                format!("alert thresholds are percentages from 1 to 1000; {what} has {bad}, e.g. use 50, 80, 100"),
            );
        }
        if self.thresholds.windows(2).any(|pair| pair[0] >= pair[1]) {
            return invalid(
                SettingsField::Budget,
                format!(
                    "{what}'s alert thresholds must be in ascending order without repeats (got {})",
                    join(&self.thresholds)
                ),
            );
        }
        Ok(())
    }
}

/// "10", "12.50" or "$10" → 10.0; `None` when it is not a number. Range, sign and finiteness are the
/// validation's (which says "got NaN").
pub fn parse_limit_usd(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    trimmed.strip_prefix('$').unwrap_or(trimmed).trim().parse::<f64>().ok()
}

/// "50, 80,100 %" → [50, 80, 100]: sorted, repeats dropped; `None` when a part is not a whole number (an
/// empty one included). Range is the validation's.
pub fn parse_thresholds(text: &str) -> Option<Vec<u32>> {
    let mut thresholds = Vec::new();
    for part in text.split(',') {
        let part = part.trim().trim_end_matches('%').trim();
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        thresholds.push(part.parse::<u32>().ok()?);
    }
    thresholds.sort_unstable();
    thresholds.dedup();
    Some(thresholds)
}

fn join(thresholds: &[u32]) -> String {
    thresholds.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

fn invalid<T>(field: SettingsField, problem: String) -> Result<T> {
    Err(StoreError::settings(field, problem))
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
        for (at, project) in self.budgets.projects.iter().enumerate() {
            project.validate()?;
            if self.budgets.projects[..at].iter().any(|p| p.project == project.project && p.period == project.period) {
                return invalid(
                    SettingsField::Budget,
                    format!("{} has two {} budgets: keep one", project.project, project.period.adjective()),
                );
            }
        }
        for (at, price) in self.price_overrides.iter().enumerate() {
            price.validate()?;
            if self.price_overrides[..at].iter().any(|earlier| earlier.prices(&price.model)) {
                return invalid(
                    SettingsField::PriceOverride,
                    format!("{} has two prices: keep one", price.model.trim()),
                );
            }
        }
        if !(1..=1440).contains(&self.active_window_minutes) {
            return invalid(
                SettingsField::ActiveWindow,
                format!(
                    "the active-session window must be from 1 to 1440 minutes (got {})",
                    self.active_window_minutes
                ),
            );
        }
        if self.retention_days == Some(0) {
            return invalid(
                SettingsField::Retention,
                "keep data for at least 1 day, or set no retention limit to keep everything".into(),
            );
        }
        if let Some(bad) = self.limit_alerts.iter().find(|t| !(1..=100).contains(*t)) {
            return invalid(
                SettingsField::LimitAlerts,
                format!("plan-limit alerts are percentages of a window from 1 to 100 (got {bad}), e.g. 80, 95"),
            );
        }
        if self.limit_alerts.windows(2).any(|pair| pair[0] >= pair[1]) {
            return invalid(
                SettingsField::LimitAlerts,
                format!(
                    "plan-limit alerts must be in ascending order without repeats (got {})",
                    join(&self.limit_alerts)
                ),
            );
        }
        for (field, what, addr, example) in [
            (SettingsField::GrpcAddr, "gRPC", &self.grpc_addr, "127.0.0.1:4317"),
            (SettingsField::HttpAddr, "HTTP", &self.http_addr, "127.0.0.1:4318"),
        ] {
            if addr.parse::<SocketAddr>().is_err() {
                return invalid(
                    field,
                    format!("the OTLP/{what} address {addr:?} must be an IP address and port, e.g. {example}"),
                );
            }
        }
        if let Some(addr) = &self.metrics_addr
            && addr.parse::<SocketAddr>().is_err()
        {
            return invalid(
                SettingsField::MetricsAddr,
                format!("the Prometheus address {addr:?} must be an IP address and port, e.g. {DEFAULT_METRICS_ADDR}"),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_read_as_people_type_them() {
        assert_eq!(parse_thresholds("50, 80,100 %"), Some(vec![50, 80, 100]));
        assert_eq!(parse_thresholds("80 %, 50%, 80"), Some(vec![50, 80]), "sorted, repeats dropped");
        for bad in ["", " , ", "50,,80", "50,", "x", "50, eighty", "-5", "5.5", "1e3", "99999999999"] {
            assert_eq!(parse_thresholds(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn limits_read_as_people_type_them() {
        assert_eq!(parse_limit_usd("10"), Some(10.0));
        assert_eq!(parse_limit_usd(" $12.50 "), Some(12.5));
        assert_eq!(parse_limit_usd("-3"), Some(-3.0), "the sign is the validation's");
        assert!(parse_limit_usd("NaN").is_some_and(f64::is_nan), "the validation refuses it, saying so");
        for bad in ["", "$", "ten", "10 USD"] {
            assert_eq!(parse_limit_usd(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_typed_budget_is_read_then_validated() {
        let weekly = Budget::from_text(Period::Week, "$25", Some("50, 100")).expect("a budget");
        assert_eq!(weekly, Budget { limit_usd: 25.0, thresholds: vec![50, 100] });
        assert_eq!(Budget::from_text(Period::Day, "10", None).expect("defaults").thresholds, DEFAULT_THRESHOLDS);
        let no_limit = Budget::from_text(Period::Week, "", Some("50")).expect_err("no limit");
        assert!(no_limit.to_string().contains("the weekly budget needs a limit in USD"), "{no_limit}");
        let negative = Budget::from_text(Period::Week, "-3", Some("50")).expect_err("negative");
        assert!(negative.to_string().contains("from 0.01 to 1000000"), "{negative}");
        let words = Budget::from_text(Period::Month, "10", Some("x")).expect_err("not percentages");
        assert!(words.to_string().contains("whole percentages separated by commas"), "{words}");
    }
}
