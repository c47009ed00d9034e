//! The tray item: its label, icon and menu, drawn from the store's figures.
//!
//! The menu is described first as a plain [`MenuModel`] (what each line says), then applied to the
//! platform menu. While its shape stays the same (same number of lines, same alert controls), lines are
//! updated in place: ids stay stable, and a menu the user has open is not torn down every few seconds
//! while Claude Code is exporting.

use ccmeter_core::budget::{self, BudgetStatus, Pause, Period};
use ccmeter_core::read::glance::{self, Glance};
use ccmeter_core::store::settings;
use ccmeter_core::words::settings::{Settings, SettingsPatch};
use ccmeter_core::{Store, StoreError, TimeContext};
use chrono::{DateTime, Utc};
#[cfg(not(target_os = "linux"))]
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
#[cfg(not(target_os = "linux"))]
use tauri::{AppHandle, Wry};

use crate::icon::{self, Look};
#[cfg(target_os = "linux")]
use crate::status_item::{MenuNode, NodeKind, StatusItem};
use crate::window::WindowKind;

/// The tray icon's id: on Linux the item is `/org/ayatana/NotificationItem/ccmeter` on the session bus.
pub const TRAY_ID: &str = "ccmeter";
/// Sessions listed by name in the menu; more are summed in the label.
const MENU_SESSIONS: usize = 5;

/// The tray menu's actions. Ids round-trip through the menu as strings; everything else uses this enum.
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
    const ALL: [Self; 10] = [
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

    #[cfg(not(target_os = "linux"))]
    fn id(self) -> &'static str {
        match self {
            Self::Open(WindowKind::Dashboard) => "open-dashboard",
            Self::Open(WindowKind::History) => "open-history",
            Self::Open(WindowKind::Settings) => "open-settings",
            Self::Open(WindowKind::Welcome) => "open-welcome",
            Self::Open(WindowKind::About) => "open-about",
            Self::PauseAlerts(Pause::Hour) => "pause-hour",
            Self::PauseAlerts(Pause::UntilTomorrow) => "pause-until-tomorrow",
            Self::ResumeAlerts => "resume-alerts",
            Self::ToggleAmountInIcon => "amount-in-icon",
            Self::ToggleStartAtLogin => "start-at-login",
            Self::Quit => "quit",
        }
    }

    fn text(self) -> &'static str {
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

    #[cfg(not(target_os = "linux"))]
    pub fn from_id(id: &tauri::menu::MenuId) -> Option<Self> {
        Self::ALL.into_iter().find(|action| id == action.id())
    }

    /// The action's number in a D-Bus menu: fixed, so a click always means the same thing.
    #[cfg(target_os = "linux")]
    fn number(self) -> i32 {
        ACTION_IDS + Self::ALL.iter().position(|a| *a == self).unwrap_or(0) as i32
    }

    #[cfg(target_os = "linux")]
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
        Ok(Figures {
            glance: glance::glance(&conn, &ctx, window)?,
            last_data: glance::last_data(&conn)?,
            ctx,
            settings,
            budgets,
            periods,
        })
    }

    /// When the tray must be redrawn without new data: a session going idle, midnight, a pause ending.
    pub fn next_change(&self) -> Option<DateTime<Utc>> {
        let pause_end = self.settings.paused_until(self.ctx.now());
        [self.glance.next_change, pause_end].into_iter().flatten().min()
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
    fn info_lines(&self) -> Vec<String> {
        let mut lines = self.figures.clone();
        lines.extend([self.receiver.clone(), self.last_data.clone()]);
        match &self.alerts {
            AlertsModel::Off => lines.push("Budget alerts are off (Settings…)".to_owned()),
            AlertsModel::Paused(until) => lines.push(format!("Alerts paused until {until}")),
            AlertsModel::Pausable => {}
        }
        lines
    }

    /// Two models with the same shape differ only in texts and check marks.
    #[cfg(any(test, not(target_os = "linux")))]
    fn shape(&self) -> (usize, std::mem::Discriminant<AlertsModel>) {
        (self.figures.len(), std::mem::discriminant(&self.alerts))
    }
}

/// "Today $7.80 · 78 % of $10.00": the period's spend, and its budget when one is set.
fn period_line(name: &str, period: Period, spent_nanos: i64, budgets: &[BudgetStatus]) -> String {
    match budgets.iter().find(|b| b.period == period) {
        Some(b) => format!(
            "{name} {} · {:.0} % of {}",
            ccmeter_core::words::money::money(spent_nanos),
            b.used * 100.0,
            ccmeter_core::words::money::money(b.limit_nanos)
        ),
        None => format!("{name} {}", ccmeter_core::words::money::money(spent_nanos)),
    }
}

/// Ids of the menu's informational lines and separators start here; actions have theirs from [`ACTION_IDS`].
#[cfg(target_os = "linux")]
const LINE_IDS: i32 = 1;
#[cfg(target_os = "linux")]
const ACTION_IDS: i32 = 1000;

/// The menu as D-Bus menu nodes: the same lines in the same order as on the other platforms, ids given in
/// order (so a menu of the same shape keeps them) and actions by their fixed numbers.
#[cfg(target_os = "linux")]
pub fn menu_nodes(model: &MenuModel) -> Vec<MenuNode> {
    let mut next = LINE_IDS;
    let mut line = |label: &str, enabled: bool| {
        next += 1;
        MenuNode { id: next, label: label.to_owned(), kind: NodeKind::Item { enabled } }
    };
    let info = model.info_lines();
    let figures = model.figures.len();
    let mut nodes: Vec<MenuNode> = info[..figures].iter().map(|text| line(text, false)).collect();
    let separator = |nodes: &mut Vec<MenuNode>, n: i32| {
        nodes.push(MenuNode { id: ACTION_IDS - 10 + n, label: String::new(), kind: NodeKind::Separator });
    };
    separator(&mut nodes, 0);
    nodes.push(line(&info[figures], false));
    nodes.push(line(&info[figures + 1], false));
    separator(&mut nodes, 1);
    let action = |action: TrayAction| MenuNode {
        id: action.number(),
        label: action.text().to_owned(),
        kind: NodeKind::Item { enabled: true },
    };
    for kind in [WindowKind::Dashboard, WindowKind::History, WindowKind::Settings, WindowKind::About] {
        nodes.push(action(TrayAction::Open(kind)));
    }
    separator(&mut nodes, 2);
    match model.alerts {
        AlertsModel::Off => nodes.push(line(&info[figures + 2], false)),
        AlertsModel::Paused(_) => {
            nodes.push(line(&info[figures + 2], false));
            nodes.push(action(TrayAction::ResumeAlerts));
        }
        AlertsModel::Pausable => nodes.push(MenuNode {
            id: ACTION_IDS - 1,
            label: "Pause alerts".to_owned(),
            kind: NodeKind::Submenu(vec![
                action(TrayAction::PauseAlerts(Pause::Hour)),
                action(TrayAction::PauseAlerts(Pause::UntilTomorrow)),
            ]),
        }),
    }
    let toggle = |action: TrayAction, checked: bool| MenuNode {
        id: action.number(),
        label: action.text().to_owned(),
        kind: NodeKind::Check { checked },
    };
    nodes.push(toggle(TrayAction::ToggleAmountInIcon, model.amount_in_icon));
    nodes.push(toggle(TrayAction::ToggleStartAtLogin, model.start_at_login));
    separator(&mut nodes, 3);
    nodes.push(action(TrayAction::Quit));
    nodes
}

/// The tray as last drawn on the D-Bus item: what changed is all that is sent to the panel.
#[cfg(target_os = "linux")]
pub struct TrayView {
    item: std::sync::Arc<StatusItem>,
    look: Option<Look>,
    label: Option<String>,
    icons: icon::IconFiles,
}

#[cfg(target_os = "linux")]
impl TrayView {
    pub fn new(item: std::sync::Arc<StatusItem>, icons: icon::IconFiles) -> TrayView {
        TrayView { item, look: None, label: None, icons }
    }

    pub async fn show(&mut self, figures: &Figures, receiver: &str) -> Result<(), Box<dyn std::error::Error>> {
        let label = &figures.glance.label;
        if self.label.as_ref() != Some(label) {
            self.item.set_label(label, &format!("ccmeter: {label}")).await?;
            self.label = Some(label.clone());
        }
        // Sent every time: a panel toggles a check item itself when clicked, whatever was saved.
        self.item.set_menu(menu_nodes(&MenuModel::new(figures, receiver))).await?;
        let look = figures.look();
        if self.look.as_ref() != Some(&look) {
            let (path, pixmap) = self.icons.write(&look)?;
            self.item.set_icon(&path, pixmap).await?;
            self.look = Some(look);
        }
        Ok(())
    }
}

/// The menu on screen, kept to update its lines in place.
#[cfg(not(target_os = "linux"))]
struct LiveMenu {
    model: MenuModel,
    info: Vec<MenuItem<Wry>>,
    amount_in_icon: CheckMenuItem<Wry>,
    start_at_login: CheckMenuItem<Wry>,
}

/// The tray as last drawn: what changed is all that is sent to the panel.
#[cfg(not(target_os = "linux"))]
#[derive(Default)]
pub struct TrayView {
    menu: Option<LiveMenu>,
    look: Option<Look>,
    label: Option<String>,
}

#[cfg(not(target_os = "linux"))]
impl TrayView {
    pub fn show(&mut self, app: &AppHandle, figures: &Figures, receiver: &str) -> tauri::Result<()> {
        let Some(tray) = app.tray_by_id(TRAY_ID) else { return Ok(()) };
        let label = &figures.glance.label;
        if self.label.as_ref() != Some(label) {
            tray.set_title(Some(label))?;
            tray.set_tooltip(Some(format!("ccmeter: {label}")))?;
            self.label = Some(label.clone());
        }
        let model = MenuModel::new(figures, receiver);
        match &mut self.menu {
            Some(live) if live.model.shape() == model.shape() => live.update(model)?,
            _ => {
                let (menu, live) = build(app, model)?;
                tray.set_menu(Some(menu))?;
                self.menu = Some(live);
            }
        }
        // Each new icon is a PNG file the panel reloads: only when it changes.
        let look = figures.look();
        if self.look.as_ref() != Some(&look) {
            tray.set_icon(Some(icon::image(&look)))?;
            tray.set_icon_as_template(icon::is_template(&look))?;
            self.look = Some(look);
        }
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
impl LiveMenu {
    fn update(&mut self, model: MenuModel) -> tauri::Result<()> {
        for (item, (new, old)) in self.info.iter().zip(model.info_lines().iter().zip(self.model.info_lines())) {
            if *new != old {
                item.set_text(new)?;
            }
        }
        // Always: the panel toggles a check item itself when clicked, whatever was saved.
        self.amount_in_icon.set_checked(model.amount_in_icon)?;
        self.start_at_login.set_checked(model.start_at_login)?;
        self.model = model;
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
fn info(app: &AppHandle, index: usize, text: &str) -> tauri::Result<MenuItem<Wry>> {
    MenuItem::with_id(app, format!("info-{index}"), text, false, None::<&str>)
}

#[cfg(not(target_os = "linux"))]
fn action(app: &AppHandle, action: TrayAction) -> tauri::Result<MenuItem<Wry>> {
    MenuItem::with_id(app, action.id(), action.text(), true, None::<&str>)
}

#[cfg(not(target_os = "linux"))]
fn toggle(app: &AppHandle, action: TrayAction, checked: bool) -> tauri::Result<CheckMenuItem<Wry>> {
    CheckMenuItem::with_id(app, action.id(), action.text(), true, checked, None::<&str>)
}

#[cfg(not(target_os = "linux"))]
fn build(app: &AppHandle, model: MenuModel) -> tauri::Result<(Menu<Wry>, LiveMenu)> {
    let info: Vec<MenuItem<Wry>> = model
        .info_lines()
        .iter()
        .enumerate()
        .map(|(index, text)| self::info(app, index, text))
        .collect::<tauri::Result<_>>()?;
    let figures = model.figures.len();
    let open: Vec<MenuItem<Wry>> =
        [WindowKind::Dashboard, WindowKind::History, WindowKind::Settings, WindowKind::About]
            .into_iter()
            .map(|kind| action(app, TrayAction::Open(kind)))
            .collect::<tauri::Result<_>>()?;
    let resume = action(app, TrayAction::ResumeAlerts)?;
    let pause = Submenu::with_id_and_items(
        app,
        "pause-alerts",
        "Pause alerts",
        true,
        &[
            &action(app, TrayAction::PauseAlerts(Pause::Hour))?,
            &action(app, TrayAction::PauseAlerts(Pause::UntilTomorrow))?,
        ],
    )?;
    let amount_in_icon = toggle(app, TrayAction::ToggleAmountInIcon, model.amount_in_icon)?;
    let start_at_login = toggle(app, TrayAction::ToggleStartAtLogin, model.start_at_login)?;
    let quit = action(app, TrayAction::Quit)?;
    let separators: Vec<PredefinedMenuItem<Wry>> =
        (0..4).map(|_| PredefinedMenuItem::separator(app)).collect::<tauri::Result<_>>()?;

    let mut all: Vec<&dyn IsMenuItem<Wry>> = Vec::new();
    all.extend(info[..figures].iter().map(|i| i as &dyn IsMenuItem<Wry>));
    all.extend([&separators[0] as &dyn IsMenuItem<Wry>, &info[figures], &info[figures + 1], &separators[1]]);
    all.extend(open.iter().map(|i| i as &dyn IsMenuItem<Wry>));
    all.push(&separators[2]);
    match model.alerts {
        AlertsModel::Off => all.push(&info[figures + 2]),
        AlertsModel::Paused(_) => all.extend([&info[figures + 2] as &dyn IsMenuItem<Wry>, &resume]),
        AlertsModel::Pausable => all.push(&pause),
    }
    all.extend([&amount_in_icon as &dyn IsMenuItem<Wry>, &start_at_login, &separators[3], &quit]);
    let menu = Menu::with_items(app, &all)?;
    Ok((menu, LiveMenu { model, info, amount_in_icon, start_at_login }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccmeter_core::read::query::Usage;

    #[cfg(target_os = "linux")]
    #[test]
    fn tray_action_numbers_round_trip_and_lines_have_none() {
        for action in TrayAction::ALL {
            assert_eq!(TrayAction::from_number(action.number()), Some(action));
        }
        let model = MenuModel::new(&figures("2026-11-24T14:00:00Z", Settings::default()), "Listening on …");
        let nodes = menu_nodes(&model);
        let lines: Vec<i32> =
            nodes.iter().filter(|n| matches!(n.kind, NodeKind::Item { enabled: false })).map(|n| n.id).collect();
        assert!(lines.iter().all(|id| TrayAction::from_number(*id).is_none()), "{lines:?}");
        let mut ids: Vec<i32> = nodes.iter().map(|n| n.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), nodes.len(), "every node has its own id");
    }

    #[cfg(not(target_os = "linux"))]
    #[test]
    fn tray_action_ids_round_trip() {
        use tauri::menu::MenuId;
        for action in TrayAction::ALL {
            assert_eq!(TrayAction::from_id(&MenuId::new(action.id())), Some(action));
        }
        assert_eq!(TrayAction::from_id(&MenuId::new("info-0")), None);
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

    #[test]
    fn only_new_lines_or_alert_controls_change_the_shape_of_the_menu() {
        let base = MenuModel::new(&figures("2026-11-24T14:00:00Z", Settings::default()), "r");
        let mut more_spend = figures("2026-11-24T14:00:00Z", Settings::default());
        more_spend.glance.today.cost_nanos += 1_000_000_000;
        let more_spend = MenuModel::new(&more_spend, "r");
        assert_ne!(base, more_spend);
        assert_eq!(base.shape(), more_spend.shape(), "a new amount is a text update");
        let paused = Settings {
            alerts_paused_until: Some("2026-11-24T15:00:00Z".parse().expect("instant")),
            ..Settings::default()
        };
        assert_ne!(base.shape(), MenuModel::new(&figures("2026-11-24T14:00:00Z", paused), "r").shape());
    }
}

/// Wakes the tray's refresh loop (settings changed by the menu, the CLI or a window).
#[derive(Clone)]
pub struct Refresh(pub std::sync::Arc<tokio::sync::Notify>);
