//! `ccmeter-windows`: the app's windows (dashboard, history, settings, welcome, about) in a web view, a
//! program of its own so that the tray app, which runs all day, links no web view.
//!
//! The tray app starts it when a window is first opened. It reads the database itself and works with the tray
//! app over the socket beside the database (`link`): every write goes to the tray's one writer, and the tray
//! tells it of each commit and of the windows to open. Started directly (a test's WebDriver, a user), it
//! starts the tray app first when none runs. It stays a few minutes after its last window closes, so that
//! reopening one is instant, then exits; it quits with the tray app.

mod ipc;
mod link;
mod open;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ccmeter_app::instance::{self, Event, Receivers, Request};
use ccmeter_app::window;
use ccmeter_app::window::WindowKind;
use clap::Parser;
use tauri::{AppHandle, Emitter, Manager, RunEvent};

use crate::ipc::state::{AppState, Desktop};
use crate::ipc::{COMMITTED_EVENT, IMPORT_PROGRESS_EVENT};
use crate::link::TrayLink;
use crate::open::{open_on_main_thread, open_window};

/// The windows of the ccmeter app running on a database (started by the tray app; it starts that app when
/// none runs).
#[derive(Debug, Parser)]
#[command(name = "ccmeter-windows", version, about, long_about = None)]
struct Args {
    /// The database file [default: $CCMETER_DB, else the data folder's ccmeter.db]
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// The window to open [default: the welcome window on the database's first start, else the dashboard]
    #[arg(long, value_enum, value_name = "WINDOW")]
    window: Option<WindowKind>,
    /// Where the tray app this starts (when none runs) receives OTLP/gRPC [default: its saved setting]
    #[arg(long, value_name = "ADDR")]
    grpc: Option<std::net::SocketAddr>,
    /// Where the tray app this starts (when none runs) receives OTLP/HTTP [default: its saved setting]
    #[arg(long, value_name = "ADDR")]
    http: Option<std::net::SocketAddr>,
    /// Started by the tray app: when it is gone already, there is nothing to show and no tray to start.
    #[arg(long, hide = true)]
    from_tray: bool,
}

/// How long the process stays after its last window closed, so that reopening one is instant.
const LINGER: Duration = Duration::from_secs(180);
/// How long a tray app started from here has to answer on its socket.
const TRAY_START: Duration = Duration::from_secs(15);

fn main() -> ExitCode {
    let args = Args::parse();
    ccmeter_core::logging::init_logging();
    let db = ccmeter_core::paths::database_path(args.db.clone());
    if let Err(error) = ensure_tray(&db, &args) {
        tracing::error!(%error, "cannot start ccmeter");
        eprintln!("ccmeter-windows: {error}");
        return ExitCode::FAILURE;
    }
    let first = args.window.unwrap_or_else(|| first_window(&db));
    match run(db, first) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ccmeter-windows: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The tray app's program beside this one (`ccmeter`), or the one `CCMETER_BIN` names.
fn tray_program() -> PathBuf {
    if let Some(path) = std::env::var_os("CCMETER_BIN") {
        return PathBuf::from(path);
    }
    let name = format!("ccmeter{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.join(&name))).unwrap_or_else(|| name.into())
}

/// Makes sure a tray app runs on `db`: started (detached, its own process) when none answers.
fn ensure_tray(db: &std::path::Path, args: &Args) -> Result<(), String> {
    let answers = || matches!(instance::call::<Receivers>(db, Request::Receivers), Ok(Some(_)));
    if answers() {
        return Ok(());
    }
    if args.from_tray {
        return Err("the ccmeter that asked for this window has quit".to_owned());
    }
    let program = tray_program();
    tracing::info!(program = %program.display(), "no ccmeter runs on this database; starting it");
    // Its own first-start welcome would ask for a window while this process is the one opening them.
    let mut command = std::process::Command::new(&program);
    command.arg("--db").arg(db).env("CCMETER_SKIP_WELCOME", "1");
    for (flag, addr) in [("--grpc", args.grpc), ("--http", args.http)] {
        if let Some(addr) = addr {
            command.arg(flag).arg(addr.to_string());
        }
    }
    command.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Not this process's child in its signals: closing the windows must not stop the tray.
        command.process_group(0);
    }
    command.spawn().map_err(|error| format!("cannot start {}: {error}", program.display()))?;
    let started = Instant::now();
    while started.elapsed() < TRAY_START {
        if answers() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("{} did not start on {}", program.display(), db.display()))
}

/// The welcome window on the database's first start (the tray app records that it was shown), else the
/// dashboard.
fn first_window(db: &std::path::Path) -> WindowKind {
    let welcome = Request::Write(Box::new(ccmeter_app::writes::Write::TakeWelcome));
    match instance::call::<instance::WriteAnswer>(db, welcome) {
        Ok(Some(Ok(ccmeter_app::writes::Written::Welcome(true)))) => WindowKind::Welcome,
        _ => WindowKind::Dashboard,
    }
}

/// What a command may ask of the desktop: the windows here; the tray follows saved settings and history on
/// its own (it made the write) and tells this process of the commit.
struct WindowsDesktop {
    app: AppHandle,
}

impl Desktop for WindowsDesktop {
    fn open_window(&self, kind: WindowKind) {
        open_on_main_thread(&self.app, kind);
    }

    fn settings_changed(&self) {}

    fn history_changed(&self) {}
}

fn run(db: PathBuf, first: WindowKind) -> tauri::Result<()> {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(ipc::handler())
        .setup(move |app| {
            let desktop = Arc::new(WindowsDesktop { app: app.handle().clone() });
            app.manage(AppState::new(Arc::new(TrayLink::new(db.clone())), desktop));
            follow_tray(app.handle().clone(), db.clone());
            open_window(app.handle(), first)?;
            Ok(())
        })
        .build(tauri::generate_context!())?;
    // Each last window closed starts a wait; a window opened meanwhile makes it moot.
    let closings = Arc::new(AtomicU64::new(0));
    app.run(move |app, event| {
        if let RunEvent::ExitRequested { code: None, api, .. } = event {
            api.prevent_exit();
            let closing = closings.fetch_add(1, Ordering::SeqCst) + 1;
            let (app, closings) = (app.clone(), closings.clone());
            std::thread::spawn(move || {
                std::thread::sleep(linger());
                if closings.load(Ordering::SeqCst) == closing && app.webview_windows().is_empty() {
                    tracing::info!("no window for a while; the window process exits");
                    app.exit(0);
                }
            });
        }
    });
    Ok(())
}

/// [`LINGER`], or `CCMETER_WINDOWS_LINGER_MS` (the tests' short wait).
fn linger() -> Duration {
    std::env::var("CCMETER_WINDOWS_LINGER_MS").ok().and_then(|ms| ms.parse().ok()).map_or(LINGER, Duration::from_millis)
}

/// Attaches to the tray app and follows it on a thread of its own: commits refresh the open windows, the
/// windows it is asked for open here, and when it quits (or goes) so does this process.
fn follow_tray(app: AppHandle, db: PathBuf) {
    let spawned = std::thread::Builder::new().name("ccmeter-tray-link".into()).spawn(move || {
        match instance::attach(&db) {
            Ok(Some(events)) => {
                for event in events {
                    match event {
                        Event::Committed => {
                            if let Err(error) = app.emit(COMMITTED_EVENT, ()) {
                                tracing::warn!(%error, "cannot tell the windows about new data");
                            }
                        }
                        Event::ImportProgress { read, all } => {
                            let progress = serde_json::json!({"read": read, "all": all});
                            if let Err(error) = app.emit(IMPORT_PROGRESS_EVENT, progress) {
                                tracing::warn!(%error, "cannot tell the windows how far the import is");
                            }
                        }
                        Event::Open(kind) => open_on_main_thread(&app, kind),
                        Event::Quit => break,
                    }
                }
            }
            Ok(None) => tracing::error!("ccmeter is not running on this database"),
            Err(error) => tracing::error!(%error, "cannot attach to ccmeter"),
        }
        app.exit(0);
    });
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot follow the tray app");
    }
}

#[cfg(test)]
mod tests {
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
