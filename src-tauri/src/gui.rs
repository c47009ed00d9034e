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

use ccmeter_core::budget;
use ccmeter_core::store::settings;
use ccmeter_core::{Store, TimeContext};
use ccmeter_proto::{BindError, Protocol};
use chrono::Utc;
#[cfg(not(target_os = "linux"))]
use tauri::menu::MenuEvent;
#[cfg(not(target_os = "linux"))]
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, RunEvent};
use tauri_plugin_autostart::ManagerExt as _;
use tokio::sync::Notify;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use crate::icon;
#[cfg(not(target_os = "linux"))]
use crate::icon::Look;
use crate::instance::{self, Request};
use crate::ipc::COMMITTED_EVENT;
use crate::ipc::state::{AppState, Desktop};
use crate::open::{open_on_main_thread, open_window};
use crate::tray::{Figures, Refresh, TRAY_ID, TrayAction, TrayView};
use ccmeter_core::collector::Collector;

/// What the desktop app needs from the command line.
#[derive(Debug, Clone)]
pub struct GuiOptions {
    /// The SQLite database file.
    pub db: PathBuf,
    /// Where the OTLP/gRPC receiver listens (`None`: the saved setting).
    pub grpc: Option<SocketAddr>,
    /// Where the OTLP/HTTP receiver listens (`None`: the saved setting).
    pub http: Option<SocketAddr>,
    /// The bearer token exports must carry (required beyond loopback).
    pub token: Option<ccmeter_proto::Token>,
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

pub use crate::window::WindowKind;

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
    tracing::info!(db = %options.db.display(), "starting the desktop app");
    let cancel = CancellationToken::new();
    let collector = tauri::async_runtime::block_on(ccmeter_core::collector::start(
        &options.db,
        options.grpc,
        options.http,
        options.token.clone(),
        &cancel,
    ))?;
    for (protocol, state) in [(Protocol::Grpc, &collector.grpc), (Protocol::Http, &collector.http)] {
        match state {
            Ok(addr) => tracing::info!(%addr, "{} listening", protocol.label()),
            Err(error) => tracing::error!(%error, "receiver not started"),
        }
    }
    let status = receiver_status(&collector);
    let app = tauri::Builder::default()
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .app_name("ccmeter")
                // At login, open the database the user turned this on with.
                .arg(login_db_arg(&options.db))
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(crate::ipc::handler())
        .setup(move |app| {
            let view = tray_view(app.handle())?;
            let refresh = Refresh(Arc::new(Notify::new()));
            let store = collector.store.clone();
            let bind_errors: Vec<String> = [&collector.grpc, &collector.http]
                .into_iter()
                .filter_map(|state| state.as_ref().err().map(ToString::to_string))
                .collect();
            // Managed before anything can ask for them: menu clicks and window commands read both.
            let desktop = Arc::new(TauriDesktop { app: app.handle().clone(), refresh: refresh.clone() });
            app.manage(AppState::new(collector, desktop));
            app.manage(refresh.clone());
            for error in bind_errors {
                crate::notify::show(app.handle(), "ccmeter is not receiving telemetry".into(), error);
            }
            welcome_on_first_start(app.handle().clone(), store.clone());
            follow_store(app.handle().clone(), store, status, refresh.clone(), view);
            let handle = app.handle().clone();
            instance::listen(&options.db, move |request| handle_request(&handle, request, &refresh))?;
            if let Some(kind) = options.show {
                open_window(app.handle(), kind)?;
            }
            Ok(())
        })
        .build(tauri::generate_context!())?;
    app.run(move |_app, event| match event {
        // `code` is `None` when the last window closed, `Some` when `exit` was called (our "Quit").
        RunEvent::ExitRequested { code: None, api, .. } => api.prevent_exit(),
        RunEvent::Exit => {
            cancel.cancel();
            let _ = std::fs::remove_dir_all(tray_icon_dir());
        }
        _ => {}
    });
    Ok(())
}

/// What the IPC commands ask of the desktop, done with Tauri.
struct TauriDesktop {
    app: AppHandle,
    refresh: Refresh,
}

impl Desktop for TauriDesktop {
    fn open_window(&self, kind: WindowKind) {
        open_on_main_thread(&self.app, kind);
    }

    fn settings_changed(&self) {
        self.refresh.0.notify_one();
    }

    fn history_changed(&self) {
        self.refresh.0.notify_one();
        if let Err(error) = self.app.emit(COMMITTED_EVENT, ()) {
            tracing::warn!(%error, "cannot tell the windows about the deletion");
        }
    }
}

/// Set for launches by scripts and tests, which need no welcome window (benchmarks measure the app without one).
const SKIP_WELCOME_ENV: &str = "CCMETER_SKIP_WELCOME";

/// Opens the welcome window if this is the first start (`settings::take_welcome`).
fn welcome_on_first_start(app: AppHandle, store: Store) {
    if std::env::var_os(SKIP_WELCOME_ENV).is_some_and(|v| !v.is_empty()) {
        return;
    }
    tauri::async_runtime::spawn(async move {
        match store.exec(ccmeter_core::store::settings::take_welcome).await {
            Ok(true) => open_on_main_thread(&app, WindowKind::Welcome),
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "cannot tell whether this is the first start"),
        }
    });
}

fn tray_icon_dir() -> PathBuf {
    let base = std::env::var_os("XDG_RUNTIME_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    base.join(format!("ccmeter-tray-{}", std::process::id()))
}

/// A request from a second launch or a CLI command, on the instance socket's thread.
fn handle_request(app: &AppHandle, request: Request, refresh: &Refresh) {
    match request {
        Request::Focus => open_on_main_thread(app, WindowKind::Dashboard),
        Request::Open(kind) => open_on_main_thread(app, kind),
        Request::ReloadSettings => refresh.0.notify_one(),
        Request::HistoryChanged => {
            refresh.0.notify_one();
            if let Err(error) = app.emit(COMMITTED_EVENT, ()) {
                tracing::warn!(%error, "cannot tell the windows about the imported history");
            }
        }
    }
}

/// `--db=<path>` for the login item's command line. XDG `Exec=` lines split on spaces, so a path that
/// needs it is quoted as the Desktop Entry spec says (its string escapes apply before its quoting, hence
/// `\\$` for `$` and four backslashes for one); macOS and Windows pass arguments as a list.
fn login_db_arg(db: &std::path::Path) -> String {
    let db = std::path::absolute(db).unwrap_or_else(|_| db.to_owned());
    let arg = format!("--db={}", db.display());
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=+,:@".contains(c);
    if !cfg!(target_os = "linux") || arg.chars().all(plain) {
        return arg;
    }
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        match c {
            '\\' => quoted.push_str("\\\\\\"),
            '"' | '`' | '$' => quoted.push_str("\\\\"),
            // `%` starts a field code, quoted or not.
            '%' => quoted.push('%'),
            _ => {}
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// The tray item: on Linux a StatusNotifierItem of our own on the session bus (no GTK tray library), elsewhere
/// Tauri's tray icon. Without a session bus the app runs on without a tray (its windows and the CLI still
/// work) and says why in its log.
#[cfg(target_os = "linux")]
fn tray_view(app: &AppHandle) -> tauri::Result<Option<TrayView>> {
    let handle = app.clone();
    let on_click: crate::status_item::OnClick = std::sync::Arc::new(move |id| {
        if let Some(action) = TrayAction::from_number(id) {
            on_action(&handle, action);
        }
    });
    match tauri::async_runtime::block_on(crate::status_item::StatusItem::start(TRAY_ID, "ccmeter", on_click)) {
        Ok(item) => Ok(Some(TrayView::new(Arc::new(item), icon::IconFiles::new(tray_icon_dir())))),
        Err(error) => {
            tracing::error!(%error, "cannot put the tray item on the session bus");
            Ok(None)
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn tray_view(app: &AppHandle) -> tauri::Result<Option<TrayView>> {
    let first_look = Look { state: budget::BudgetState::Ok, amount: None };
    TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("ccmeter")
        .title("ccmeter")
        .icon(icon::image(&first_look).to_tauri())
        .icon_as_template(icon::is_template(&first_look))
        .show_menu_on_left_click(true)
        .temp_dir_path(tray_icon_dir())
        .on_menu_event(on_menu_event)
        .build(app)?;
    Ok(Some(TrayView::default()))
}

/// Keeps the tray on the store's figures: recomputed after each commit, when settings change and when the
/// label must change on its own; never by polling.
fn follow_store(app: AppHandle, store: Store, status: String, refresh: Refresh, mut view: Option<TrayView>) {
    let mut commits = store.subscribe();
    tauri::async_runtime::spawn(async move {
        let mut login_item = LoginItem::default();
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
            let figures = tauri::async_runtime::spawn_blocking(move || Figures::read(&reader, statuses)).await;
            let next_change = match figures {
                Ok(Ok(figures)) => {
                    login_item.follow(&app, figures.settings.start_at_login);
                    if let Some(view) = view.as_mut() {
                        #[cfg(target_os = "linux")]
                        let shown = view.show(&figures, &status).await;
                        #[cfg(not(target_os = "linux"))]
                        let shown = view.show(&app, &figures, &status);
                        if let Err(error) = shown {
                            tracing::warn!(%error, "cannot update the tray");
                        }
                    }
                    figures.next_change()
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
                    Ok(_) | Err(RecvError::Lagged(_)) => {
                        // Open windows refresh on it; none open, nobody listens.
                        if let Err(error) = app.emit(COMMITTED_EVENT, ()) {
                            tracing::warn!(%error, "cannot tell the windows about new data");
                        }
                    }
                    Err(RecvError::Closed) => break,
                },
                () = timer => {}
                () = refresh.0.notified() => {}
            }
        }
    });
}

/// Keeps the login item (tauri-plugin-autostart) on the "start at login" setting.
#[derive(Default)]
struct LoginItem {
    applied: Option<bool>,
}

impl LoginItem {
    fn follow(&mut self, app: &AppHandle, wanted: bool) {
        let first = self.applied.is_none();
        if self.applied.replace(wanted) == Some(wanted) {
            return;
        }
        // At start, an entry is only written, never removed: it may belong to a ccmeter on another
        // database. Turning the setting off while this one runs removes it.
        if first && !wanted {
            return;
        }
        // The XDG autostart writer creates `autostart/` but not a missing `~/.config` above it.
        #[cfg(target_os = "linux")]
        if wanted && let Some(home) = std::env::home_dir() {
            let _ = std::fs::create_dir_all(home.join(".config/autostart"));
        }
        let manager = app.autolaunch();
        let result = if wanted { manager.enable() } else { manager.disable() };
        match result {
            Ok(()) => tracing::info!(enabled = wanted, "login item updated"),
            Err(error) => {
                tracing::warn!(%error, "cannot update the login item");
                let what = if wanted { "start at login" } else { "stop starting at login" };
                crate::notify::show(app, format!("ccmeter cannot {what}"), error.to_string());
            }
        }
    }
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
        BindError::NeedsToken { addr, .. } => format!("{addr} is beyond this machine: start with --token"),
    }
}

#[cfg(not(target_os = "linux"))]
fn on_menu_event(app: &AppHandle, event: MenuEvent) {
    if let Some(action) = TrayAction::from_id(event.id()) {
        on_action(app, action);
    }
}

/// A menu line clicked (on the main thread, or on the D-Bus connection's).
fn on_action(app: &AppHandle, action: TrayAction) {
    match action {
        TrayAction::Open(kind) => open_on_main_thread(app, kind),
        TrayAction::Quit => app.exit(0),
        _ => {
            let store = app.state::<AppState>().collector.store.clone();
            let refresh = app.state::<Refresh>().inner().clone();
            tauri::async_runtime::spawn(async move {
                // The toggle flips what is stored when it is applied, in the same transaction.
                let saved = store
                    .exec(move |tx| {
                        let Some(patch) = action.change(&TimeContext::system(), &settings::load(tx)?) else {
                            return Ok(());
                        };
                        ccmeter_core::apply_settings::patch_and_apply(tx, &TimeContext::system(), &patch).map(|_| ())
                    })
                    .await;
                if let Err(error) = saved {
                    tracing::error!(%error, ?action, "cannot save the setting");
                }
                // Redrawn either way: a check item the panel toggled must show the saved state again.
                refresh.0.notify_one();
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn the_login_item_names_the_database_quoted_as_desktop_entries_need() {
        use std::path::Path;
        assert_eq!(
            login_db_arg(Path::new("/home/ada/.local/share/ccmeter.db")),
            "--db=/home/ada/.local/share/ccmeter.db"
        );
        assert_eq!(login_db_arg(Path::new("/home/ada/My Data/c.db")), r#""--db=/home/ada/My Data/c.db""#);
        assert_eq!(login_db_arg(Path::new("/tmp/a$b\\c%d\"e.db")), r#""--db=/tmp/a\\$b\\\\c%%d\\"e.db""#);
        assert!(login_db_arg(Path::new("relative.db")).starts_with("--db=/"), "made absolute");
    }

    /// The web views are locked down: a strict CSP and only the capabilities the UI uses (`ui/src/api/`
    /// is the one module that calls the app: invoke, listen, and the two dialogs).
    #[test]
    fn the_web_view_has_a_strict_csp_and_only_the_capabilities_it_uses() {
        use std::path::Path;
        let read = |path: &str| -> serde_json::Value {
            let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect(path);
            serde_json::from_str(&text).expect(path)
        };
        let config = read("tauri.conf.json");
        let csp = config["app"]["security"]["csp"].as_str().expect("a CSP is set");
        let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
        assert!(directives.contains(&"default-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-eval") && !csp.contains('*'), "no eval, no wildcard source: {csp}");
        assert!(!directives.iter().any(|d| d.starts_with("script-src")), "scripts only from the app: {csp}");
        let connect = directives.iter().find_map(|d| d.strip_prefix("connect-src ")).expect("connect-src is set");
        for source in connect.split_whitespace() {
            assert!(["ipc:", "http://ipc.localhost"].contains(&source), "connections only to the IPC, not {source}");
        }
        let capability = read("capabilities/default.json");
        let permissions: Vec<&str> =
            capability["permissions"].as_array().expect("permissions").iter().filter_map(|p| p.as_str()).collect();
        assert_eq!(
            permissions,
            ["core:event:allow-listen", "core:event:allow-unlisten", "dialog:allow-save", "dialog:allow-message"]
        );
    }
}
