//! The tray app on Linux, with no web view and no GTK: the receivers and the store's one writer, the tray item
//! over D-Bus (`status_item`), budgets and their notifications, the login item, and the socket beside the
//! database through which CLI commands and the window process reach it.
//!
//! The windows are another program, `ccmeter-windows`, started the first time one is opened: it reads the
//! database itself, asks this process for every write and hears of every commit over the socket, and exits
//! a few minutes after its last window closes. The tray text and menu are recomputed after each commit and at
//! the next moment they must change on their own (a session going idle, local midnight) — never by polling.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, Mutex, PoisonError};

use ccmeter_app::instance::{self, Event, Events, Receivers, Reply, Request};
use ccmeter_app::window::WindowKind;
use ccmeter_app::writes::Write;
use ccmeter_core::budget;
use ccmeter_core::collector::{Collector, pickup};
use ccmeter_core::limits;
use ccmeter_core::store::settings;
use ccmeter_core::words::statusline::Snapshot;
use ccmeter_core::{Store, TimeContext};
use ccmeter_proto::{BindError, Protocol};
use chrono::Utc;
use tokio::sync::Notify;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use ccmeter_app::tray::{Figures, TrayAction};

#[cfg(target_os = "linux")]
use crate::tray_view::TrayView;

/// What the tray app needs from the command line.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// The SQLite database file.
    pub db: PathBuf,
    /// Where the OTLP/gRPC receiver listens (`None`: the saved setting).
    pub grpc: Option<SocketAddr>,
    /// Where the OTLP/HTTP receiver listens (`None`: the saved setting).
    pub http: Option<SocketAddr>,
    /// Where the Prometheus endpoint listens (`None`: none).
    pub metrics: Option<SocketAddr>,
    /// The bearer token exports must carry (required beyond loopback).
    pub token: Option<ccmeter_proto::Token>,
    /// A window to open at start.
    pub show: Option<WindowKind>,
}

/// Why the tray app could not start.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] ccmeter_core::StoreError),
    #[error("cannot start the app: {0}")]
    Io(#[from] std::io::Error),
}

/// Set for launches by scripts and tests, which need no welcome window (benchmarks measure the app without one).
const SKIP_WELCOME_ENV: &str = "CCMETER_SKIP_WELCOME";
/// How often an import of the transcripts tells the open windows how far it is.
const IMPORT_PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(150);

/// Runs the tray app until the user quits from the tray (or a `Quit` request).
pub fn run(options: AppOptions) -> Result<(), AppError> {
    let request = options.show.map_or(Request::Focus, Request::Open);
    match instance::send(&options.db, request) {
        Ok(true) => {
            println!("ccmeter is already running on {}; asked it to show itself.", options.db.display());
            return Ok(());
        }
        Ok(false) => {}
        Err(error) => tracing::warn!(%error, "cannot reach a running ccmeter; starting a new one"),
    }
    tracing::info!(db = %options.db.display(), "starting the tray app");
    // Two workers: the receivers' decoding beside the tray; the store writes on its own thread.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(serve(options))
}

async fn serve(options: AppOptions) -> Result<(), AppError> {
    let cancel = CancellationToken::new();
    let collector = ccmeter_core::collector::start(
        &options.db,
        options.grpc,
        options.http,
        options.metrics,
        options.token.clone(),
        &cancel,
    )
    .await?;
    match &collector.metrics {
        Some(Ok(addr)) => tracing::info!(%addr, "Prometheus endpoint listening on /metrics"),
        Some(Err(error)) => tracing::error!(%error, "Prometheus endpoint not started"),
        None => {}
    }
    for (protocol, state) in [(Protocol::Grpc, &collector.grpc), (Protocol::Http, &collector.http)] {
        match state {
            Ok(addr) => tracing::info!(%addr, "{} listening", protocol.label()),
            Err(error) => tracing::error!(%error, "receiver not started"),
        }
    }
    let app = Arc::new(App {
        db: options.db.clone(),
        store: collector.store.clone(),
        receivers: Receivers::of(&collector),
        refresh: Notify::new(),
        quit: cancel.clone(),
        windows: Windows::new(&options.db),
        runtime: tokio::runtime::Handle::current(),
    });
    let bind_errors: Vec<String> = [&collector.grpc, &collector.http]
        .into_iter()
        .filter_map(|state| state.as_ref().err().map(ToString::to_string))
        .collect();
    let view = start_tray(&app).await;
    if let Some(Err(error)) = &collector.metrics {
        app.notify("ccmeter is not serving Prometheus".into(), error.to_string());
    }
    for error in bind_errors {
        app.notify("ccmeter is not receiving telemetry".into(), error);
    }
    {
        let handler = app.clone();
        instance::listen(&options.db, move |request, reply| handler.request(request, reply))?;
    }
    // Listening first: from here on a statusline run hands its snapshot over instead of leaving it in the spool.
    app.clone().take_spool();
    app.clone().follow_transcripts();
    app.clone().welcome_on_first_start();
    if let Some(kind) = options.show {
        app.windows.open(kind);
    }
    let status = receiver_status(&collector);
    let follow = tokio::spawn(app.clone().follow_store(status, view));
    cancel.cancelled().await;
    app.windows.quit();
    follow.abort();
    drop(collector);
    let _ = std::fs::remove_dir_all(tray_icon_dir());
    let _ = std::fs::remove_file(instance::socket_path(&options.db));
    Ok(())
}

/// The tray item on the session bus, its clicks handed to `app`. Without a session bus the app runs on without
/// a tray (its windows and the CLI still work) and says why in its log.
#[cfg(target_os = "linux")]
async fn start_tray(app: &Arc<App>) -> Option<TrayView> {
    use crate::status_item::{OnClick, StatusItem};
    let on_click: OnClick = {
        let app = app.clone();
        Arc::new(move |id| {
            if let Some(action) = TrayAction::from_number(id) {
                app.clone().on_action(action);
            }
        })
    };
    match StatusItem::start(ccmeter_app::tray::TRAY_ID, "ccmeter", on_click).await {
        Ok(item) => Some(TrayView::new(Arc::new(item), crate::icon_files::IconFiles::new(tray_icon_dir()))),
        Err(error) => {
            tracing::error!(%error, "cannot put the tray item on the session bus; running without a tray");
            None
        }
    }
}

/// Not drawn yet on macOS and Windows by this process (the tray item is a freedesktop D-Bus one).
#[cfg(not(target_os = "linux"))]
struct TrayView;

#[cfg(not(target_os = "linux"))]
impl TrayView {
    async fn show(&mut self, _figures: &Figures, _receiver: &str) -> Result<(), std::io::Error> {
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
async fn start_tray(_app: &Arc<App>) -> Option<TrayView> {
    tracing::warn!("this build draws its tray icon on Linux only; open the windows with `ccmeter open`");
    None
}

/// The running app, shared by the tray's clicks, the socket's requests and the refresh loop.
struct App {
    db: PathBuf,
    store: Store,
    receivers: Receivers,
    /// Wakes the refresh loop: settings changed (the menu, the CLI, a window).
    refresh: Notify,
    /// Fired by "Quit".
    quit: CancellationToken,
    windows: Windows,
    /// The runtime the app's tasks run on: clicks arrive on the D-Bus connection's own thread.
    runtime: tokio::runtime::Handle,
}

impl App {
    /// A menu line clicked, on the D-Bus connection's thread.
    fn on_action(self: Arc<Self>, action: TrayAction) {
        match action {
            TrayAction::Open(kind) => self.windows.open(kind),
            TrayAction::Quit => self.quit.cancel(),
            _ => {
                let runtime = self.runtime.clone();
                runtime.spawn(async move {
                    // The toggle flips what is stored when it is applied, in the same transaction.
                    let saved = self
                        .store
                        .exec(move |tx| {
                            let ctx = TimeContext::system();
                            let Some(patch) = action.change(&ctx, &settings::load(tx)?) else { return Ok(()) };
                            ccmeter_core::apply_settings::patch_and_apply(tx, &ctx, &patch).map(|_| ())
                        })
                        .await;
                    if let Err(error) = saved {
                        tracing::error!(%error, ?action, "cannot save the setting");
                    }
                    // Redrawn either way: a check item the panel toggled must show the saved state again.
                    self.refresh.notify_one();
                });
            }
        }
    }

    /// A request from a second launch, a CLI command or the window process, on its connection's thread.
    fn request(self: &Arc<Self>, request: Request, reply: Reply) {
        match request {
            Request::Focus => self.windows.open(WindowKind::Dashboard),
            Request::Open(kind) => self.windows.open(kind),
            Request::ReloadSettings => self.refresh.notify_one(),
            Request::HistoryChanged => {
                self.refresh.notify_one();
                self.windows.broadcast(&Event::Committed);
            }
            Request::Write(write) => {
                let history = write.changes_history();
                let answer: instance::WriteAnswer = match *write {
                    // The open windows draw the import's progress as it goes.
                    Write::ImportTranscripts => {
                        let mut shown = (0, std::time::Instant::now());
                        let progress = |read: usize, all: usize| {
                            if read == all || shown.1.elapsed() >= IMPORT_PROGRESS_EVERY || read == 0 {
                                shown = (read, std::time::Instant::now());
                                self.windows.broadcast(&Event::ImportProgress { read, all });
                            }
                        };
                        self.runtime.block_on(ccmeter_app::writes::import_transcripts(&self.store, progress))
                    }
                    write => self.runtime.block_on(write.apply(&self.store, &TimeContext::system())),
                };
                if answer.is_ok() {
                    self.refresh.notify_one();
                    if history {
                        self.windows.broadcast(&Event::Committed);
                    }
                }
                return reply.json(&answer);
            }
            Request::Receivers => return reply.json(&self.receivers),
            Request::Attach => return self.windows.attached(reply.events()),
            Request::Statusline(snapshot) => {
                // Answered first, from what is recorded: the line merges its own snapshot in, and Claude Code
                // is waiting for it.
                let ctx = TimeContext::system();
                let session = snapshot.session_id.as_deref();
                let figures = self
                    .store
                    .reader()
                    .and_then(|conn| ccmeter_core::statusline::line_figures(&conn, &ctx, session))
                    .inspect_err(|error| tracing::warn!(%error, "cannot read the statusline's figures"))
                    .ok();
                reply.json(&figures);
                return self.record_snapshots(vec![*snapshot]);
            }
            Request::Quit => self.quit.cancel(),
        }
        reply.ok();
    }

    /// A desktop notification; clicking it opens the dashboard.
    fn notify(self: &Arc<Self>, summary: String, body: String) {
        let app = self.clone();
        crate::notify::show(summary, body, move || app.windows.open(WindowKind::Dashboard));
    }

    /// Records statusline snapshots in one transaction of the writer.
    async fn record(&self, snapshots: Vec<Snapshot>) -> Result<(), ccmeter_core::StoreError> {
        self.store
            .exec(move |tx| {
                snapshots.iter().try_for_each(|snapshot| ccmeter_core::write::statusline::record(tx, snapshot))
            })
            .await
    }

    /// Records statusline snapshots through the writer; the tray then shows (and alerts on) their limits.
    fn record_snapshots(self: &Arc<Self>, snapshots: Vec<Snapshot>) {
        let app = self.clone();
        self.runtime.spawn(async move {
            let recorded = app.record(snapshots).await;
            match recorded {
                Ok(()) => {
                    app.refresh.notify_one();
                    app.windows.broadcast(&Event::Committed);
                }
                Err(error) => tracing::error!(%error, "cannot record a statusline snapshot"),
            }
        });
    }

    /// Takes in the snapshots statusline runs kept while no app ran (`pickup::take_spool`).
    fn take_spool(self: Arc<Self>) {
        tokio::spawn(async move {
            if pickup::take_spool(&self.store, &self.db).await > 0 {
                self.refresh.notify_one();
            }
        });
    }

    /// Reads Claude Code's transcripts for each session's folder (its project when nothing better names one):
    /// at start, then as Claude Code writes them (`pickup::follow_transcripts`), only the files new or changed.
    fn follow_transcripts(self: Arc<Self>) {
        let Some(dir) = ccmeter_core::transcripts::projects_dir() else { return };
        let (store, cancel) = (self.store.clone(), self.quit.clone());
        tokio::spawn(pickup::follow_transcripts(store, dir, cancel, move || self.refresh.notify_one()));
    }

    /// Opens the welcome window if this is the first start (`settings::take_welcome`).
    fn welcome_on_first_start(self: Arc<Self>) {
        if std::env::var_os(SKIP_WELCOME_ENV).is_some_and(|v| !v.is_empty()) {
            return;
        }
        tokio::spawn(async move {
            match self.store.exec(settings::take_welcome).await {
                Ok(true) => self.windows.open(WindowKind::Welcome),
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "cannot tell whether this is the first start"),
            }
        });
    }

    /// Keeps the tray on the store's figures: recomputed after each commit, when settings change and when the
    /// label must change on its own; never by polling.
    async fn follow_store(self: Arc<Self>, status: String, mut view: Option<TrayView>) {
        let mut commits = self.store.subscribe();
        let mut login_item = LoginItem::default();
        loop {
            // Budgets first, so the menu shows the state the alerts were decided on.
            let ctx = TimeContext::system();
            let checked = self
                .store
                .exec(move |tx| Ok((budget::check_and_record(tx, &ctx)?, limits::alerts::check_and_record(tx, &ctx)?)))
                .await;
            let statuses = match checked {
                Ok((check, limit_alerts)) => {
                    for alert in check.notify {
                        tracing::info!(summary = %alert.summary, body = %alert.body, "budget alert");
                        self.notify(alert.summary, alert.body);
                    }
                    for alert in limit_alerts {
                        tracing::info!(summary = %alert.summary, body = %alert.body, "plan limit alert");
                        self.notify(alert.summary, alert.body);
                    }
                    check.statuses
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot check the budgets and limits");
                    Vec::new()
                }
            };
            let reader = self.store.clone();
            let figures = tokio::task::spawn_blocking(move || Figures::read(&reader, statuses)).await;
            let next_change = match figures {
                Ok(Ok(figures)) => {
                    login_item.follow(&self.db, figures.settings.start_at_login);
                    if let Some(view) = view.as_mut()
                        && let Err(error) = view.show(&figures, &status).await
                    {
                        tracing::warn!(%error, "cannot update the tray");
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
                    Ok(_) | Err(RecvError::Lagged(_)) => self.windows.broadcast(&Event::Committed),
                    Err(RecvError::Closed) => break,
                },
                () = timer => {}
                () = self.refresh.notified() => {}
            }
        }
    }
}

/// The window process: started when a window is first asked for, told of commits and of windows to open
/// while it is attached.
struct Windows {
    db: PathBuf,
    state: Mutex<WindowsState>,
}

#[derive(Default)]
struct WindowsState {
    /// The process started last, until it exits.
    child: Option<Child>,
    /// The attached window processes' connections, oldest first: the one the app started, and any started
    /// directly (a test's WebDriver, a user). Each hears of commits and of quitting; new windows open in the
    /// newest.
    events: Vec<Events>,
    /// Windows asked for while it was starting: opened when it attaches.
    pending: Vec<WindowKind>,
}

/// The window program beside this one (`ccmeter-windows`), or the one `CCMETER_WINDOWS_BIN` names.
fn windows_program() -> PathBuf {
    if let Some(path) = std::env::var_os("CCMETER_WINDOWS_BIN") {
        return PathBuf::from(path);
    }
    let name = format!("ccmeter-windows{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.join(&name))).unwrap_or_else(|| name.into())
}

impl Windows {
    fn new(db: &Path) -> Windows {
        Windows { db: db.to_owned(), state: Mutex::new(WindowsState::default()) }
    }

    /// Opens (or focuses) `kind`: in the running window process, else in one started for it.
    fn open(&self, kind: WindowKind) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some(events) = state.events.last_mut() {
            if events.send(&Event::Open(kind)) {
                return;
            }
            state.events.pop();
        }
        let starting = state.child.as_mut().is_some_and(|child| matches!(child.try_wait(), Ok(None)));
        if starting {
            state.pending.push(kind);
            return;
        }
        let program = windows_program();
        let mut command = Command::new(&program);
        command.arg("--db").arg(&self.db).arg("--window").arg(kind.label()).arg("--from-tray");
        match command.spawn() {
            Ok(child) => {
                tracing::info!(pid = child.id(), window = kind.label(), "window process started");
                state.child = Some(child);
            }
            Err(error) => {
                tracing::error!(%error, program = %program.display(), "cannot start the window process");
                crate::notify::show(
                    "ccmeter cannot open its window".into(),
                    format!("{} could not be started: {error}", program.display()),
                    || {},
                );
            }
        }
    }

    /// A window process attached: it hears of commits from now on, and of the windows asked for meanwhile.
    /// Those attached before keep their connections (replacing one closed it, and that process took the
    /// closing for the app quitting: its windows went).
    fn attached(&self, mut events: Events) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        for kind in std::mem::take(&mut state.pending) {
            events.send(&Event::Open(kind));
        }
        state.events.push(events);
    }

    /// Tells the window processes to quit and waits a moment for the one it started, so that the app's windows
    /// are gone when the app is; one that does not go is stopped.
    fn quit(&self) {
        self.broadcast(&Event::Quit);
        let child = self.state.lock().unwrap_or_else(PoisonError::into_inner).child.take();
        let Some(mut child) = child else { return };
        let asked = std::time::Instant::now();
        while asked.elapsed() < std::time::Duration::from_secs(3) {
            if !matches!(child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        tracing::warn!(pid = child.id(), "the window process did not quit; stopping it");
        let _ = child.kill();
        let _ = child.wait();
    }

    fn broadcast(&self, event: &Event) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.events.retain_mut(|events| events.send(event));
        // A window process that exited is reaped, so that the next window starts a new one.
        if let Some(child) = state.child.as_mut()
            && matches!(child.try_wait(), Ok(Some(_)))
        {
            state.child = None;
        }
    }
}

fn tray_icon_dir() -> PathBuf {
    let base = std::env::var_os("XDG_RUNTIME_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    base.join(format!("ccmeter-tray-{}", std::process::id()))
}

/// Keeps the login item (an XDG autostart entry) on the "start at login" setting.
#[derive(Default)]
struct LoginItem {
    applied: Option<bool>,
}

impl LoginItem {
    fn follow(&mut self, db: &Path, wanted: bool) {
        let first = self.applied.is_none();
        if self.applied.replace(wanted) == Some(wanted) {
            return;
        }
        // At start, an entry is only written, never removed: it may belong to a ccmeter on another
        // database. Turning the setting off while this one runs removes it.
        if first && !wanted {
            return;
        }
        let result = crate::login::set(db, wanted);
        match result {
            Ok(()) => tracing::info!(enabled = wanted, "login item updated"),
            Err(error) => {
                tracing::warn!(%error, "cannot update the login item");
                let what = if wanted { "start at login" } else { "stop starting at login" };
                crate::notify::show(format!("ccmeter cannot {what}"), error.to_string(), || {});
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
