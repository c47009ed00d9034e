//! What the tray shows, as plain values: the figures read after each commit, the menu's lines and the
//! actions its entries stand for. The tray process draws it on its D-Bus item (`tray_view`).

use ccmeter_core::budget::{self, BudgetStatus, Pause, Period};
use ccmeter_core::forecast::{self, Forecast, Outlook};
use ccmeter_core::limits::{self, CurrentLimit};
use ccmeter_core::read::glance::{self, Glance};
use ccmeter_core::store::settings;
use ccmeter_core::words::settings::{Settings, SettingsPatch};
use ccmeter_core::{Store, StoreError, TimeContext};
use chrono::{DateTime, Utc};

use crate::icon::{self, Look};
use crate::window::WindowKind;

/// The tray icon's id: on Linux the item is `/org/ayatana/NotificationItem/ccmeter` on the session bus.
pub const TRAY_ID: &str = "ccmeter";
/// Actions' numbers in a D-Bus menu start here; the informational lines and separators have lower ones.
pub const ACTION_IDS: i32 = 1000;
/// Sessions listed by name in the menu; more are summed in the label.
const MENU_SESSIONS: usize = 5;

/// The tray menu's actions. Each has a fixed number in the D-Bus menu; everything else uses this enum.
/// Informational lines (figures, status) carry no action and have ids outside this set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayAction {
    Open(WindowKind),
    PauseAlerts(Pause),
    ResumeAlerts,
    ToggleAmountInIcon,
    ToggleStartAtLogin,
    Quit,
}

impl TrayAction {
    pub const ALL: [Self; 10] = [
        Self::Open(WindowKind::Dashboard),
        Self::Open(WindowKind::History),
        Self::Open(WindowKind::Settings),
        Self::Open(WindowKind::About),
        Self::PauseAlerts(Pause::Hour),
        Self::PauseAlerts(Pause::UntilTomorrow),
        Self::ResumeAlerts,
        Self::ToggleAmountInIcon,
        Self::ToggleStartAtLogin,
        Self::Quit,
    ];

    pub fn text(self) -> &'static str {
        match self {
            Self::Open(WindowKind::Dashboard) => "Open dashboard",
            Self::Open(WindowKind::History) => "Open history",
            Self::Open(WindowKind::Settings) => "Settings…",
            Self::Open(WindowKind::Welcome) => "Welcome…",
            Self::Open(WindowKind::About) => "About ccmeter",
            Self::PauseAlerts(Pause::Hour) => "For 1 hour",
            Self::PauseAlerts(Pause::UntilTomorrow) => "Until tomorrow",
            Self::ResumeAlerts => "Resume alerts",
            Self::ToggleAmountInIcon => "Show the amount in the icon",
            Self::ToggleStartAtLogin => "Start at login",
            Self::Quit => "Quit",
        }
    }

    /// The action's number in a D-Bus menu: fixed, so a click always means the same thing.
    pub fn number(self) -> i32 {
        ACTION_IDS + Self::ALL.iter().position(|a| *a == self).unwrap_or(0) as i32
    }

    pub fn from_number(id: i32) -> Option<Self> {
        usize::try_from(id - ACTION_IDS).ok().and_then(|i| Self::ALL.get(i).copied())
    }

    /// The settings change this action makes, if it is one, as a patch of the one field it means (`ctx` dates a
    /// pause; `current` is what a toggle flips).
    pub fn change(self, ctx: &TimeContext, current: &Settings) -> Option<SettingsPatch> {
        let mut patch = SettingsPatch::default();
        match self {
            Self::PauseAlerts(pause) => patch.alerts_paused_until = Some(Some(pause.until(ctx))),
            Self::ResumeAlerts => patch.alerts_paused_until = Some(None),
            Self::ToggleAmountInIcon => patch.icon_shows_amount = Some(!current.icon_shows_amount),
            Self::ToggleStartAtLogin => patch.start_at_login = Some(!current.start_at_login),
            Self::Open(_) | Self::Quit => return None,
        }
        Some(patch)
    }
}

/// Everything the tray shows, read in one go after a commit.
pub struct Figures {
    pub glance: Glance,
    pub last_data: Option<DateTime<Utc>>,
    pub ctx: TimeContext,
    pub settings: Settings,
    pub budgets: Vec<BudgetStatus>,
    /// Spend of this week and this month.
    pub periods: Vec<(Period, i64)>,
    /// A subscriber's current plan-limit windows, 5-hour first (none for API-key users).
    pub limits: Vec<CurrentLimit>,
    /// Where those windows and the daily budget are heading at the last hour's pace.
    pub forecasts: Vec<Forecast>,
}

impl Figures {
    pub fn read(store: &Store, budgets: Vec<BudgetStatus>) -> Result<Figures, StoreError> {
        let ctx = TimeContext::system();
        let conn = store.reader()?;
        let settings = settings::load(&conn)?;
        let window = chrono::Duration::minutes(settings.active_window_minutes.into());
        let mut periods = Vec::new();
        for period in [Period::Week, Period::Month] {
            let span = budget::window(period, &ctx, settings.week_start);
            let range = ccmeter_core::words::range::Range {
                from_ns: Some(ccmeter_core::words::time::ns(span.start)),
                to_ns: Some(ccmeter_core::words::time::ns(span.end)),
            };
            periods.push((period, ccmeter_core::read::query::summary(&conn, range)?.usage.cost_nanos));
        }
        let limits = limits::current(&conn, ctx.now())?;
        let forecasts = forecast::forecasts(&conn, &ctx, &limits, &budgets)?;
        Ok(Figures {
            glance: glance::glance(&conn, &ctx, window)?,
            last_data: glance::last_data(&conn)?,
            ctx,
            settings,
            budgets,
            periods,
            limits,
            forecasts,
        })
    }

    /// The tray text: the glance's (`$1.24`, `today $7.80`), then the nearest limit window's use when a
    /// subscriber's is known (`$1.24 · 5h 42 %`).
    pub fn label(&self) -> String {
        match self.limits.first() {
            Some(limit) => {
                format!("{} · {} {}", self.glance.label, limit.kind.short(), limits::percent_words(limit.used_pct))
            }
            None => self.glance.label.clone(),
        }
    }

    /// The tray's tooltip: the label, then how each forecast the menu shows was made.
    pub fn tooltip(&self) -> String {
        let mut lines = vec![format!("ccmeter: {}", self.label())];
        lines.extend(self.forecasts.iter().filter_map(|f| f.sentence(&self.ctx).map(|s| format!("{s}. {}", f.method))));
        lines.join("\n")
    }

    /// When the tray must be redrawn without new data: a session going idle, midnight, a pause ending, a
    /// window's reset, a forecast's time coming (the line goes).
    pub fn next_change(&self) -> Option<DateTime<Utc>> {
        let now = self.ctx.now();
        let pause_end = self.settings.paused_until(now);
        let reset = self.limits.iter().map(|limit| limit.resets_at).min();
        let forecast = self
            .forecasts
            .iter()
            .filter_map(|f| match f.outlook {
                Outlook::Reached { at } if at > now => Some(at),
                _ => None,
            })
            .min();
        [self.glance.next_change, pause_end, reset, forecast].into_iter().flatten().min()
    }

    pub fn look(&self) -> Look {
        Look {
            state: budget::worst_state(&self.budgets),
            amount: self.settings.icon_shows_amount.then(|| icon::amount_text(self.glance.shown_nanos())),
        }
    }
}

/// The alert controls the menu offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertsModel {
    /// Turned off in the settings: a note says so.
    Off,
    /// "Alerts paused until 15:04" and "Resume alerts".
    Paused(String),
    /// "Pause alerts ▸ For 1 hour / Until tomorrow".
    Pausable,
}

/// What each line of the menu says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuModel {
    /// Active sessions, then today / this week / this month with their budgets.
    pub figures: Vec<String>,
    pub receiver: String,
    pub last_data: String,
    pub alerts: AlertsModel,
    pub amount_in_icon: bool,
    pub start_at_login: bool,
}

impl MenuModel {
    pub fn new(figures: &Figures, receiver: &str) -> MenuModel {
        let glance = &figures.glance;
        let mut lines = Vec::new();
        // The figures come first: desktops that hide the tray label (KDE, stock GNOME) still show them here.
        for session in glance.active.iter().take(MENU_SESSIONS) {
            let id = session.id.as_deref().unwrap_or("no session");
            let model = session.models.first().map(String::as_str).unwrap_or("no model yet");
            lines.push(format!(
                "Active session {} · {} · {model}",
                id.get(..8).unwrap_or(id),
                ccmeter_core::words::money::money(session.usage.cost_nanos)
            ));
        }
        if glance.active.len() > MENU_SESSIONS {
            lines.push(format!("…and {} more active sessions", glance.active.len() - MENU_SESSIONS));
        }
        lines.push(period_line(Period::Day.current(), Period::Day, glance.today.cost_nanos, &figures.budgets));
        for (period, spent) in &figures.periods {
            lines.push(period_line(period.current(), *period, *spent, &figures.budgets));
        }
        lines.extend(figures.budgets.iter().filter_map(project_line));
        for limit in &figures.limits {
            lines.push(format!(
                "{} {} · resets {}",
                limit.kind.name(),
                limits::percent_words(limit.used_pct),
                limits::reset_words(&figures.ctx, limit.resets_at)
            ));
        }
        lines.extend(figures.forecasts.iter().filter_map(|f| f.sentence(&figures.ctx)));
        let last_data = match figures.last_data {
            Some(at) => format!("Last data {}", at.with_timezone(&figures.ctx.zone).format("%Y-%m-%d %H:%M:%S")),
            None => "No data received yet — see “Open dashboard” to connect Claude Code".to_owned(),
        };
        let settings = &figures.settings;
        let alerts = if !settings.alerts_enabled {
            AlertsModel::Off
        } else if let Some(until) = settings.paused_until(figures.ctx.now()) {
            let local = until.with_timezone(&figures.ctx.zone);
            let today = local.date_naive() == figures.ctx.today();
            AlertsModel::Paused(local.format(if today { "%H:%M" } else { "%a %H:%M" }).to_string())
        } else {
            AlertsModel::Pausable
        };
        MenuModel {
            figures: lines,
            receiver: receiver.to_owned(),
            last_data,
            alerts,
            amount_in_icon: settings.icon_shows_amount,
            start_at_login: settings.start_at_login,
        }
    }

    /// The texts of the menu's informational lines, in menu order.
    pub fn info_lines(&self) -> Vec<String> {
        let mut lines = self.figures.clone();
        lines.extend([self.receiver.clone(), self.last_data.clone()]);
        match &self.alerts {
            AlertsModel::Off => lines.push("Budget alerts are off (Settings…)".to_owned()),
            AlertsModel::Paused(until) => lines.push(format!("Alerts paused until {until}")),
            AlertsModel::Pausable => {}
        }
        lines
    }
}

/// "Today $7.80 · 78 % of $10.00": the period's spend, and its budget when one is set.
fn period_line(name: &str, period: Period, spent_nanos: i64, budgets: &[BudgetStatus]) -> String {
    match budget::overall(budgets, period) {
        Some(b) => format!(
            "{name} {} · {:.0} % of {}",
            ccmeter_core::words::money::money(spent_nanos),
            b.used * 100.0,
            ccmeter_core::words::money::money(b.limit_nanos)
        ),
        None => format!("{name} {}", ccmeter_core::words::money::money(spent_nanos)),
    }
}

/// The longest project name a menu line shows whole; a longer one keeps its end.
const MENU_PROJECT_CHARS: usize = 32;

/// "acme/api today $4.50 · 90 % of $5.00": a project budget's line; `None` for the others.
fn project_line(status: &BudgetStatus) -> Option<String> {
    let project = status.project.as_deref()?;
    Some(format!(
        "{} {} {} · {:.0} % of {}",
        ccmeter_core::words::project::shortened(project, MENU_PROJECT_CHARS),
        status.period.current().to_lowercase(),
        ccmeter_core::words::money::money(status.spent_nanos),
        status.used * 100.0,
        ccmeter_core::words::money::money(status.limit_nanos)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccmeter_core::read::query::Usage;

    #[test]
    fn tray_action_numbers_round_trip() {
        for action in TrayAction::ALL {
            assert_eq!(TrayAction::from_number(action.number()), Some(action));
        }
        assert_eq!(TrayAction::from_number(ACTION_IDS - 1), None);
    }

    fn figures(now: &str, settings: Settings) -> Figures {
        let now: DateTime<Utc> = now.parse().expect("instant");
        let ctx = TimeContext::fixed(now, "Europe/Berlin".parse().expect("zone"));
        let today = Usage { cost_nanos: 7_804_000_000, ..Default::default() };
        Figures {
            glance: Glance { active: Vec::new(), label: "today $7.80".into(), today, next_change: None },
            last_data: Some(now - chrono::Duration::minutes(20)),
            ctx,
            settings,
            budgets: Vec::new(),
            periods: vec![(Period::Week, 20_000_000_000), (Period::Month, 51_000_000_000)],
            limits: Vec::new(),
            forecasts: Vec::new(),
        }
    }

    #[test]
    fn the_menu_gives_the_figures_then_the_receiver_then_the_alert_controls() {
        let model = MenuModel::new(&figures("2026-11-24T14:00:00Z", Settings::default()), "Listening on …");
        assert_eq!(model.figures, ["Today $7.80", "This week $20.00", "This month $51.00"]);
        assert_eq!(model.last_data, "Last data 2026-11-24 14:40:00");
        assert_eq!(model.alerts, AlertsModel::Pausable);
        assert!(!model.amount_in_icon && !model.start_at_login);
    }

    #[test]
    fn each_project_budget_gets_its_line_after_the_periods_and_the_overall_budget_keeps_its_own() {
        use ccmeter_core::budget::BudgetState;
        let mut figures = figures("2026-11-24T14:00:00Z", Settings::default());
        let status = |period, project: Option<&str>, spent_nanos: i64, limit_nanos: i64| BudgetStatus {
            period,
            key: "2026-11-24".into(),
            project: project.map(str::to_owned),
            spent_nanos,
            limit_nanos,
            spent_usd: spent_nanos as f64 / 1e9,
            limit_usd: limit_nanos as f64 / 1e9,
            used: spent_nanos as f64 / limit_nanos as f64,
            reached: None,
            state: BudgetState::Ok,
        };
        let deep = "~/work/clients/northwind/platform/services/billing-api";
        figures.budgets = vec![
            status(Period::Day, Some("acme/api"), 4_500_000_000, 5_000_000_000),
            status(Period::Day, None, 7_804_000_000, 10_000_000_000),
            status(Period::Month, Some(deep), 12_000_000_000, 40_000_000_000),
        ];
        assert_eq!(
            MenuModel::new(&figures, "").figures,
            [
                "Today $7.80 · 78 % of $10.00",
                "This week $20.00",
                "This month $51.00",
                "acme/api today $4.50 · 90 % of $5.00",
                "…/platform/services/billing-api this month $12.00 · 30 % of $40.00",
            ]
        );
    }

    #[test]
    fn a_subscribers_limits_join_the_label_and_the_menu_and_their_resets_redraw_it() {
        use ccmeter_core::words::statusline::LimitKind;
        let mut subscriber = figures("2026-11-24T12:00:00Z", Settings::default());
        let five_hour_reset: DateTime<Utc> = "2026-11-24T13:30:00Z".parse().expect("instant");
        subscriber.limits = vec![
            CurrentLimit {
                kind: LimitKind::FiveHour,
                used_pct: 42.4,
                resets_at: five_hour_reset,
                reported_at: subscriber.ctx.now(),
            },
            CurrentLimit {
                kind: LimitKind::SevenDay,
                used_pct: 41.0,
                resets_at: "2026-11-30T08:00:00Z".parse().expect("instant"),
                reported_at: subscriber.ctx.now(),
            },
        ];
        assert_eq!(subscriber.label(), "today $7.80 · 5h 42 %");
        let model = MenuModel::new(&subscriber, "");
        assert_eq!(
            model.figures[3..],
            ["5-hour limit 42 % · resets 14:30".to_owned(), "Weekly limit 41 % · resets Mon 09:00".to_owned()],
            "Berlin time"
        );
        assert_eq!(subscriber.next_change(), Some(five_hour_reset));
        subscriber.limits.remove(0);
        assert_eq!(subscriber.label(), "today $7.80 · 7d 41 %", "the weekly window when no 5-hour one is current");
    }

    #[test]
    fn a_forecast_ahead_joins_the_menu_and_the_tooltip_and_goes_when_its_time_comes() {
        use ccmeter_core::forecast::{Pace, Target};
        use ccmeter_core::words::statusline::LimitKind;
        let mut figures = figures("2026-11-24T12:00:00Z", Settings::default());
        let reached: DateTime<Utc> = "2026-11-24T14:40:00Z".parse().expect("instant");
        let pace = Pace { from: figures.ctx.now(), to: figures.ctx.now(), points: 4, rise: 12.0, per_hour: 18.0 };
        let forecast = |target, outlook| Forecast {
            target,
            outlook,
            pace: Some(pace),
            ends_at: "2026-11-24T16:00:00Z".parse().expect("instant"),
            method: "Forecast from the pace of the last hour of activity".into(),
        };
        figures.forecasts = vec![
            forecast(Target::Limit { window: LimitKind::FiveHour }, Outlook::Reached { at: reached }),
            forecast(Target::Limit { window: LimitKind::SevenDay }, Outlook::Holds),
            forecast(Target::DayBudget, Outlook::Gathering { points: 1, minutes: 3 }),
        ];
        assert_eq!(MenuModel::new(&figures, "").figures[3..], ["At this pace the 5-hour limit is reached at 15:40"]);
        assert_eq!(
            figures.tooltip(),
            "ccmeter: today $7.80\nAt this pace the 5-hour limit is reached at 15:40. Forecast from the pace of the \
             last hour of activity"
        );
        assert_eq!(figures.next_change(), Some(reached));
        figures.ctx = TimeContext::fixed(reached, figures.ctx.zone);
        assert_eq!(MenuModel::new(&figures, "").figures.len(), 3, "its time has come: no line about the past");
        assert_eq!(figures.tooltip(), "ccmeter: today $7.80");
    }

    #[test]
    fn a_pause_shows_its_local_end_and_the_menu_redraws_when_it_ends() {
        let pause_end: DateTime<Utc> = "2026-11-24T15:00:00Z".parse().expect("instant");
        let settings = Settings { alerts_paused_until: Some(pause_end), ..Settings::default() };
        let paused = figures("2026-11-24T14:00:00Z", settings.clone());
        assert_eq!(MenuModel::new(&paused, "").alerts, AlertsModel::Paused("16:00".into()), "Berlin time");
        assert_eq!(paused.next_change(), Some(pause_end));
        let overnight =
            Settings { alerts_paused_until: Some("2026-11-24T23:00:00Z".parse().expect("instant")), ..settings };
        assert_eq!(
            MenuModel::new(&figures("2026-11-24T14:00:00Z", overnight), "").alerts,
            AlertsModel::Paused("Wed 00:00".into())
        );
        let over =
            figures("2026-11-24T15:00:00Z", Settings { alerts_paused_until: Some(pause_end), ..Settings::default() });
        assert_eq!(MenuModel::new(&over, "").alerts, AlertsModel::Pausable);
        let off = figures("2026-11-24T14:00:00Z", Settings { alerts_enabled: false, ..Settings::default() });
        assert_eq!(MenuModel::new(&off, "").alerts, AlertsModel::Off);
        assert!(MenuModel::new(&off, "").info_lines().contains(&"Budget alerts are off (Settings…)".to_owned()));
    }
}
