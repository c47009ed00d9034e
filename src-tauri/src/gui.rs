//! The desktop shell: a tray icon with its menu, and the windows it opens.
//!
//! The app starts with no window. Windows are created when asked for and destroyed when closed; the app stays
//! in the tray until the user picks "Quit". The receiver and the store run in-process on Tauri's tokio
//! runtime (see `collector`); a receiver that cannot bind its port leaves the app up and says why in the menu.
//! The tray text and menu are recomputed after each commit and at the next moment they must change on their
//! own (a session going idle, local midnight) — never by polling.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use ccmeter_core::budget::{self, BudgetStatus, Period};
use ccmeter_core::glance::{self, Glance};
use ccmeter_core::{Store, TimeContext};
use ccmeter_proto::{BindError, Protocol};
use chrono::{DateTime, Utc};
use tauri::menu::{IsMenuItem, Menu, MenuEvent, MenuId, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder, Wry};
use tokio::sync::Notify;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use crate::collector::Collector;
use crate::instance::{self, Request};

/// The tray icon's id; libayatana exports it on D-Bus as `/org/ayatana/NotificationItem/tray_icon_tray_app_main`.
const TRAY_ID: &str = "main";
/// Sessions listed by name in the menu; more are summed in the label.
const MENU_SESSIONS: usize = 5;

/// What the desktop app needs from the command line.
#[derive(Debug, Clone)]
pub struct GuiOptions {
    /// The SQLite database file.
    pub db: PathBuf,
    /// Where the OTLP/gRPC receiver listens.
    pub grpc: SocketAddr,
    /// Where the OTLP/HTTP receiver listens.
    pub http: SocketAddr,
    /// A window to open at start.
    pub show: Option<WindowKind>,
}

/// Why the desktop app could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum GuiError {
    /// Tauri failed to build the app, its tray or its event loop.
    #[error("desktop app: {0}")]
    Tauri(#[from] tauri::Error),
    #[error(transparent)]
    Store(#[from] ccmeter_core::StoreError),
}

/// The app's windows. Each has one label; opening an open one focuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum WindowKind {
    Dashboard,
    History,
    Settings,
}

impl WindowKind {
    fn label(self) -> &'static str {
        match self {
            WindowKind::Dashboard => "dashboard",
            WindowKind::History => "history",
            WindowKind::Settings => "settings",
        }
    }

    fn title(self) -> &'static str {
        match self {
            WindowKind::Dashboard => "ccmeter — Dashboard",
            WindowKind::History => "ccmeter — History",
            WindowKind::Settings => "ccmeter — Settings",
        }
    }
}

/// The tray menu's actions. Ids round-trip through the menu as strings; everything else uses this enum.
/// Informational lines (figures, status) carry no action and have ids outside this set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TrayAction {
    Open(WindowKind),
    Quit,
}

impl TrayAction {
    const ALL: [Self; 4] = [
        Self::Open(WindowKind::Dashboard),
        Self::Open(WindowKind::History),
        Self::Open(WindowKind::Settings),
        Self::Quit,
    ];

    fn id(self) -> &'static str {
        match self {
            Self::Open(WindowKind::Dashboard) => "open-dashboard",
            Self::Open(WindowKind::History) => "open-history",
            Self::Open(WindowKind::Settings) => "open-settings",
            Self::Quit => "quit",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Self::Open(WindowKind::Dashboard) => "Open dashboard",
            Self::Open(WindowKind::History) => "Open history",
            Self::Open(WindowKind::Settings) => "Settings…",
            Self::Quit => "Quit",
        }
    }

    fn from_id(id: &MenuId) -> Option<Self> {
        Self::ALL.into_iter().find(|action| id == action.id())
    }
}

/// Runs the desktop app until the user quits from the tray.
pub fn run(options: GuiOptions) -> Result<(), GuiError> {
    let request = options.show.map_or(Request::Focus, Request::Open);
    match instance::send(&options.db, request) {
        Ok(true) => {
            println!("ccmeter is already running on {}; asked it to show itself.", options.db.display());
            return Ok(());
        }
        Ok(false) => {}
        Err(error) => tracing::warn!(%error, "cannot reach a running ccmeter; starting a new one"),
    }
    tracing::info!(db = %options.db.display(), grpc = %options.grpc, http = %options.http, "starting the desktop app");
    let cancel = CancellationToken::new();
    let collector =
        tauri::async_runtime::block_on(crate::collector::start(&options.db, options.grpc, options.http, &cancel))?;
    for (protocol, state) in [(Protocol::Grpc, &collector.grpc), (Protocol::Http, &collector.http)] {
        match state {
            Ok(addr) => tracing::info!(%addr, "{} listening", protocol.label()),
            Err(error) => tracing::error!(%error, "receiver not started"),
        }
    }
    let status = receiver_status(&collector);
    let app = tauri::Builder::default()
        .setup(move |app| {
            TrayIconBuilder::with_id(TRAY_ID)
                .tooltip("ccmeter")
                .title("ccmeter")
                .icon(
                    app.default_window_icon()
                        .cloned()
                        .ok_or(tauri::Error::InvalidIcon(std::io::Error::other("the app has no icon")))?,
                )
                .show_menu_on_left_click(true)
                .on_menu_event(on_menu_event)
                .build(app)?;
            let reload = Arc::new(Notify::new());
            for error in [&collector.grpc, &collector.http].into_iter().filter_map(|state| state.as_ref().err()) {
                crate::notify::show(app.handle(), "ccmeter is not receiving telemetry".into(), error.to_string());
            }
            follow_store(app.handle().clone(), collector.store.clone(), status, Arc::clone(&reload));
            let handle = app.handle().clone();
            instance::listen(&options.db, move |request| handle_request(&handle, request, &reload))?;
            if let Some(kind) = options.show {
                open_window(app.handle(), kind)?;
            }
            app.manage(collector);
            Ok(())
        })
        .build(tauri::generate_context!())?;
    app.run(move |_app, event| match event {
        // `code` is `None` when the last window closed, `Some` when `exit` was called (our "Quit").
        RunEvent::ExitRequested { code: None, api, .. } => api.prevent_exit(),
        RunEvent::Exit => cancel.cancel(),
        _ => {}
    });
    Ok(())
}

/// A request from a second launch or a CLI command, on the instance socket's thread.
fn handle_request(app: &AppHandle, request: Request, reload: &Notify) {
    match request {
        Request::Focus => open_on_main_thread(app, WindowKind::Dashboard),
        Request::Open(kind) => open_on_main_thread(app, kind),
        Request::ReloadSettings => reload.notify_one(),
    }
}

pub fn open_on_main_thread(app: &AppHandle, kind: WindowKind) {
    let handle = app.clone();
    let queued = app.run_on_main_thread(move || {
        if let Err(error) = open_window(&handle, kind) {
            tracing::error!(%error, window = kind.label(), "could not open the window");
        }
    });
    if let Err(error) = queued {
        tracing::error!(%error, "could not reach the main thread");
    }
}

/// Keeps the tray on the store's figures: recomputed after each commit, when settings change and when the
/// label must change on its own; never by polling.
fn follow_store(app: AppHandle, store: Store, status: String, reload: Arc<Notify>) {
    let mut commits = store.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            // Budgets first, so the menu shows the state the alerts were decided on.
            let ctx = TimeContext::system();
            let statuses = match store.exec(move |tx| budget::check_and_record(tx, &ctx)).await {
                Ok(check) => {
                    for alert in check.notify {
                        tracing::info!(summary = %alert.summary, body = %alert.body, "budget alert");
                        crate::notify::show(&app, alert.summary, alert.body);
                    }
                    check.statuses
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot check the budgets");
                    Vec::new()
                }
            };
            let reader = store.clone();
            let figures = tauri::async_runtime::spawn_blocking(move || read_figures(&reader, statuses)).await;
            let next_change = match figures {
                Ok(Ok(figures)) => {
                    if let Err(error) = show(&app, &figures, &status) {
                        tracing::warn!(%error, "cannot update the tray");
                    }
                    figures.glance.next_change
                }
                Ok(Err(error)) => {
                    tracing::warn!(%error, "cannot read the figures for the tray");
                    None
                }
                Err(error) => {
                    tracing::warn!(%error, "tray refresh task failed");
                    None
                }
            };
            let timer = async {
                match next_change.and_then(|at| (at - Utc::now()).to_std().ok()) {
                    // A little past the boundary, so the recomputation sees the new side of it.
                    Some(wait) => tokio::time::sleep(wait + std::time::Duration::from_millis(50)).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                received = commits.recv() => match received {
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                },
                () = timer => {}
                () = reload.notified() => {}
            }
        }
    });
}

struct Figures {
    glance: Glance,
    last_data: Option<DateTime<Utc>>,
    ctx: TimeContext,
    budgets: Vec<BudgetStatus>,
    periods: Vec<(Period, i64)>,
}

fn read_figures(store: &Store, budgets: Vec<BudgetStatus>) -> Result<Figures, ccmeter_core::StoreError> {
    let ctx = TimeContext::system();
    let conn = store.reader()?;
    let settings = ccmeter_core::settings::load(&conn)?;
    let window = chrono::Duration::minutes(settings.active_window_minutes.into());
    let mut periods = Vec::new();
    for period in [Period::Week, Period::Month] {
        let span = budget::window(period, &ctx, settings.week_start);
        let range = ccmeter_core::query::Range {
            from_ns: Some(ccmeter_core::time::ns(span.start)),
            to_ns: Some(ccmeter_core::time::ns(span.end)),
        };
        periods.push((period, ccmeter_core::query::summary(&conn, range)?.usage.cost_nanos));
    }
    Ok(Figures {
        glance: glance::glance(&conn, &ctx, window)?,
        last_data: glance::last_data(&conn)?,
        ctx,
        budgets,
        periods,
    })
}

/// "Today $7.80 · 78 % of $10.00": the period's spend, and its budget when one is set.
fn period_line(name: &str, period: Period, spent_nanos: i64, budgets: &[BudgetStatus]) -> String {
    match budgets.iter().find(|b| b.period == period) {
        Some(b) => format!(
            "{name} {} · {:.0} % of {}",
            glance::money(spent_nanos),
            b.used * 100.0,
            glance::money(b.limit_nanos)
        ),
        None => format!("{name} {}", glance::money(spent_nanos)),
    }
}

fn show(app: &AppHandle, figures: &Figures, status: &str) -> tauri::Result<()> {
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return Ok(()) };
    let label = &figures.glance.label;
    tray.set_title(Some(label))?;
    tray.set_tooltip(Some(format!("ccmeter: {label}")))?;
    tray.set_menu(Some(build_menu(app, figures, status)?))?;
    Ok(())
}

/// A line of figures: shown, not clickable.
fn info(app: &AppHandle, index: usize, text: impl AsRef<str>) -> tauri::Result<MenuItem<Wry>> {
    MenuItem::with_id(app, format!("info-{index}"), text, false, None::<&str>)
}

fn action(app: &AppHandle, action: TrayAction) -> tauri::Result<MenuItem<Wry>> {
    MenuItem::with_id(app, action.id(), action.text(), true, None::<&str>)
}

fn build_menu(app: &AppHandle, figures: &Figures, status: &str) -> tauri::Result<Menu<Wry>> {
    let glance = &figures.glance;
    let mut lines: Vec<String> = Vec::new();
    // The figures come first: desktops that hide the tray label (KDE, stock GNOME) still show them here.
    for session in glance.active.iter().take(MENU_SESSIONS) {
        let id = session.id.as_deref().unwrap_or("no session");
        let model = session.models.first().map(String::as_str).unwrap_or("no model yet");
        lines.push(format!(
            "Active session {} · {} · {model}",
            id.get(..8).unwrap_or(id),
            glance::money(session.usage.cost_nanos)
        ));
    }
    if glance.active.len() > MENU_SESSIONS {
        lines.push(format!("…and {} more active sessions", glance.active.len() - MENU_SESSIONS));
    }
    lines.push(period_line("Today", Period::Day, glance.today.cost_nanos, &figures.budgets));
    for (period, spent) in &figures.periods {
        let name = if *period == Period::Week { "This week" } else { "This month" };
        lines.push(period_line(name, *period, *spent, &figures.budgets));
    }
    let mut items: Vec<MenuItem<Wry>> = Vec::new();
    for line in &lines {
        items.push(info(app, items.len(), line)?);
    }
    let receiver = info(app, items.len(), status)?;
    let last = info(
        app,
        items.len() + 1,
        match figures.last_data {
            Some(at) => format!("Last data {}", at.with_timezone(&figures.ctx.zone).format("%Y-%m-%d %H:%M:%S")),
            None => "No data received yet — see “Open dashboard” to connect Claude Code".to_owned(),
        },
    )?;
    let open: Vec<MenuItem<Wry>> = [WindowKind::Dashboard, WindowKind::History, WindowKind::Settings]
        .into_iter()
        .map(|kind| action(app, TrayAction::Open(kind)))
        .collect::<tauri::Result<_>>()?;
    let quit = action(app, TrayAction::Quit)?;

    let separator = || PredefinedMenuItem::separator(app);
    let (s1, s2, s3) = (separator()?, separator()?, separator()?);
    let mut all: Vec<&dyn IsMenuItem<Wry>> = items.iter().map(|i| i as &dyn IsMenuItem<Wry>).collect();
    all.extend([&s1 as &dyn IsMenuItem<Wry>, &receiver, &last, &s2]);
    all.extend(open.iter().map(|i| i as &dyn IsMenuItem<Wry>));
    all.extend([&s3 as &dyn IsMenuItem<Wry>, &quit]);
    Menu::with_items(app, &all)
}

/// The menu's receiver line: where it listens, or why it cannot.
fn receiver_status(collector: &Collector) -> String {
    match (&collector.grpc, &collector.http) {
        (Ok(grpc), Ok(http)) => format!("Listening on {grpc} (gRPC) and {http} (HTTP)"),
        (Err(error), Ok(http)) => format!("Listening on {http} (HTTP) only — gRPC: {}", short_reason(error)),
        (Ok(grpc), Err(error)) => format!("Listening on {grpc} (gRPC) only — HTTP: {}", short_reason(error)),
        (Err(grpc), Err(_)) => format!("Not receiving — {}", short_reason(grpc)),
    }
}

fn short_reason(error: &BindError) -> String {
    match error {
        BindError::InUse { addr, .. } => format!("port {} is in use", addr.port()),
        BindError::Io { addr, source, .. } => format!("cannot listen on {addr}: {source}"),
    }
}

fn on_menu_event(app: &AppHandle, event: MenuEvent) {
    match TrayAction::from_id(event.id()) {
        Some(TrayAction::Open(kind)) => {
            if let Err(error) = open_window(app, kind) {
                tracing::error!(%error, window = kind.label(), "could not open the window");
            }
        }
        Some(TrayAction::Quit) => app.exit(0),
        None => {}
    }
}

/// Focuses the window, creating it if it is not open.
pub fn open_window(app: &AppHandle, kind: WindowKind) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(kind.label()) {
        window.unminimize()?;
        window.show()?;
        return window.set_focus();
    }
    WebviewWindowBuilder::new(app, kind.label(), WebviewUrl::App(format!("index.html#{}", kind.label()).into()))
        .title(kind.title())
        .inner_size(1100.0, 750.0)
        .min_inner_size(640.0, 480.0)
        .center()
        .build()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tray_action_ids_round_trip() {
        for action in TrayAction::ALL {
            assert_eq!(TrayAction::from_id(&MenuId::new(action.id())), Some(action));
        }
        assert_eq!(TrayAction::from_id(&MenuId::new("info-0")), None);
    }
}
