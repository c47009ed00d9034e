//! The desktop shell: a tray icon with its menu, and the windows it opens.
//!
//! The app starts with no window. Windows are created when asked for and destroyed when closed; the app stays
//! in the tray until the user picks "Quit". The receiver and the store run in-process on Tauri's tokio
//! runtime (see `collector`); a receiver that cannot bind its port leaves the app up and says why in the menu.

use std::net::SocketAddr;
use std::path::PathBuf;

use ccmeter_proto::{BindError, Protocol};
use tauri::menu::{Menu, MenuEvent, MenuId, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder};
use tokio_util::sync::CancellationToken;

use crate::collector::Collector;

/// The tray icon's id; libayatana exports it on D-Bus as `/org/ayatana/NotificationItem/<app id>_main`.
const TRAY_ID: &str = "main";
/// Label of the dashboard window (also listed in `capabilities/default.json`).
const DASHBOARD: &str = "dashboard";

/// What the desktop app needs from the command line.
#[derive(Debug, Clone)]
pub struct GuiOptions {
    /// The SQLite database file.
    pub db: PathBuf,
    /// Where the OTLP/gRPC receiver listens.
    pub grpc: SocketAddr,
    /// Where the OTLP/HTTP receiver listens.
    pub http: SocketAddr,
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

/// The tray menu's items. Their ids round-trip through the menu as strings; everything else uses this enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TrayItem {
    /// Disabled: shows where the receivers listen.
    Listening,
    OpenDashboard,
    Quit,
}

impl TrayItem {
    const ALL: [Self; 3] = [Self::Listening, Self::OpenDashboard, Self::Quit];

    fn id(self) -> &'static str {
        match self {
            Self::Listening => "listening",
            Self::OpenDashboard => "open-dashboard",
            Self::Quit => "quit",
        }
    }

    fn from_id(id: &MenuId) -> Option<Self> {
        Self::ALL.into_iter().find(|item| id == item.id())
    }
}

/// Runs the desktop app until the user quits from the tray.
pub fn run(options: GuiOptions) -> Result<(), GuiError> {
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
            build_tray(app.handle(), &status)?;
            follow_commits(app.handle().clone(), collector.store.clone());
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

/// Keeps the tray's title on today's total: recomputed after each commit, never by polling.
fn follow_commits(app: AppHandle, store: ccmeter_core::Store) {
    let mut commits = store.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            let reader = store.clone();
            let title = tauri::async_runtime::spawn_blocking(move || today_title(&reader)).await;
            match (title, app.tray_by_id(TRAY_ID)) {
                (Ok(Ok(title)), Some(tray)) => {
                    let _ = tray.set_title(Some(&title));
                }
                (Ok(Err(error)), _) => tracing::warn!(%error, "cannot read today's total"),
                _ => {}
            }
            match commits.recv().await {
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

fn today_title(store: &ccmeter_core::Store) -> Result<String, ccmeter_core::StoreError> {
    let ctx = ccmeter_core::TimeContext::system();
    let conn = store.reader()?;
    let today = ctx.today();
    let range = ccmeter_core::query::Range::local_days(&ctx, Some(today), today.succ_opt());
    let summary = ccmeter_core::query::summary(&conn, range)?;
    Ok(format!("today ${:.2}", summary.usage.cost_usd))
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

fn build_tray(app: &AppHandle, status: &str) -> tauri::Result<()> {
    let listening = MenuItem::with_id(app, TrayItem::Listening.id(), status, false, None::<&str>)?;
    let open_dashboard = MenuItem::with_id(app, TrayItem::OpenDashboard.id(), "Open dashboard", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, TrayItem::Quit.id(), "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &listening,
            &PredefinedMenuItem::separator(app)?,
            &open_dashboard,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;

    let mut tray = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("ccmeter")
        .title("ccmeter")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu_event);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

fn on_menu_event(app: &AppHandle, event: MenuEvent) {
    match TrayItem::from_id(event.id()) {
        Some(TrayItem::OpenDashboard) => {
            if let Err(error) = open_dashboard(app) {
                tracing::error!(%error, "could not open the dashboard");
            }
        }
        Some(TrayItem::Quit) => app.exit(0),
        Some(TrayItem::Listening) | None => {}
    }
}

/// Focuses the dashboard window, creating it if it is not open.
fn open_dashboard(app: &AppHandle) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(DASHBOARD) {
        window.unminimize()?;
        window.show()?;
        return window.set_focus();
    }
    WebviewWindowBuilder::new(app, DASHBOARD, WebviewUrl::App("index.html".into()))
        .title("ccmeter — Dashboard")
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
    fn tray_ids_round_trip() {
        for item in TrayItem::ALL {
            assert_eq!(TrayItem::from_id(&MenuId::new(item.id())), Some(item));
        }
        assert_eq!(TrayItem::from_id(&MenuId::new("unknown")), None);
    }
}
