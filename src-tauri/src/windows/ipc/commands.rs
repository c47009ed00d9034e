//! The IPC commands' bodies: plain async functions over the one `AppState`, which the Tauri side
//! (`super::contract!`) calls and tests call without Tauri. Each reads through `ccmeter_core` on a
//! blocking thread, or writes through the store's one writer, and returns a type whose TypeScript
//! declaration is generated into `ui/src/api/generated.ts`.

use ccmeter_core::connect::{self, ConnectPlan, Connected};
use ccmeter_core::dashboard::Dashboard;
use ccmeter_core::read::diagnostics::{self, Diagnostics};
use ccmeter_core::read::export::{self, Format};
use ccmeter_core::read::logs::{self, LogFilter, LogKind, LogPage};
use ccmeter_core::read::query::{self, SeriesPoint, SessionDetail, SessionFilter, SessionPage, SessionSort};
use ccmeter_core::store::{Connection, settings};
use ccmeter_core::words::period::Period;
use ccmeter_core::words::range::{Range, parse_date};
use ccmeter_core::words::settings::{Budget, PriceOverride, SettingsPatch};
use ccmeter_core::write::delete::Deleted;
use ccmeter_core::{Settings, StoreError, TimeContext};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::state::AppState;
use crate::window::WindowKind;
use ccmeter_app::error::IpcError;
use ccmeter_app::instance::Receivers;
use ccmeter_app::writes::{Write, Written};

/// Where the receivers listen, and when data last came: the windows' status line.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Status {
    /// `127.0.0.1:4317`, or `None` when it could not bind (see `errors`).
    pub grpc: Option<String>,
    pub http: Option<String>,
    /// Why a receiver is not listening, in words.
    pub errors: Vec<String>,
    /// The event time of the newest record stored.
    pub last_data: Option<DateTime<Utc>>,
    /// The Claude Code version of the most recent session, when it sends one.
    pub claude_code_version: Option<String>,
    /// The database file.
    pub database: String,
}

/// Runs `work` over a read connection on a blocking thread, with the state's clock.
async fn read<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Connection, &TimeContext) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, IpcError> {
    let (backend, time) = (state.backend.clone(), state.time());
    tokio::task::spawn_blocking(move || {
        let conn = backend.reader()?;
        work(&conn, &time)
    })
    .await
    .map_err(IpcError::internal)?
    .map_err(IpcError::from)
}

/// The dashboard for local days `[since, until)` (`YYYY-MM-DD`).
pub async fn dashboard(state: &AppState, since: String, until: String) -> Result<Dashboard, IpcError> {
    let (since, until) = (parse_date(&since)?, parse_date(&until)?);
    read(state, move |conn, ctx| ccmeter_core::dashboard::dashboard(conn, ctx, since, until)).await
}

/// Where the receivers listen (or why not) and when data last came.
pub async fn status(state: &AppState) -> Result<Status, IpcError> {
    let receivers = receivers(state).await?;
    let errors = [&receivers.grpc, &receivers.http].into_iter().filter_map(|r| r.as_ref().err().cloned()).collect();
    let database = state.backend.db().display().to_string();
    let (last_data, claude_code_version) = read(state, |conn, _| {
        Ok((ccmeter_core::read::glance::last_data(conn)?, ccmeter_core::read::glance::claude_code_version(conn)?))
    })
    .await?;
    Ok(Status {
        grpc: receivers.grpc.ok(),
        http: receivers.http.ok(),
        errors,
        last_data,
        claude_code_version,
        database,
    })
}

/// Where the app's receivers listen, or why not.
async fn receivers(state: &AppState) -> Result<Receivers, IpcError> {
    let backend = state.backend.clone();
    tokio::task::spawn_blocking(move || backend.receivers()).await.map_err(IpcError::internal)
}

/// What the history's sessions table shows: a period of local days, filters, an order and a page.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SessionsQuery {
    /// First local day (`YYYY-MM-DD`), or from the beginning.
    pub since: Option<String>,
    /// First local day not included, or up to now.
    pub until: Option<String>,
    /// A normalised model the session used.
    pub model: Option<String>,
    /// Searched in the session id, models, terminal and e-mail.
    pub text: Option<String>,
    /// Only this project's sessions; `""`: those with none.
    pub project: Option<String>,
    pub sort: SessionSort,
    pub descending: bool,
    /// Rows per page (0: all, as exports do).
    pub limit: u32,
    pub offset: u32,
}

/// The local days `[since, until)` a window asked for (`YYYY-MM-DD`; absent or empty: unbounded).
fn days_range(ctx: &TimeContext, since: &Option<String>, until: &Option<String>) -> Result<Range, StoreError> {
    let day = |text: &Option<String>| text.as_deref().filter(|t| !t.is_empty()).map(parse_date).transpose();
    Ok(Range::local_days(ctx, day(since)?, day(until)?))
}

impl SessionsQuery {
    fn filter(&self, ctx: &TimeContext) -> Result<SessionFilter, StoreError> {
        Ok(SessionFilter {
            range: days_range(ctx, &self.since, &self.until)?,
            model: self.model.clone().filter(|m| !m.is_empty()),
            text: self.text.clone(),
            sort: self.sort,
            descending: self.descending,
            limit: self.limit,
            offset: self.offset,
            active_since_ns: None,
            project: self.project.clone(),
        })
    }
}

/// What the history's tool and API-error logs show: a period of local days, filters and a page.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct LogQuery {
    pub kind: LogKind,
    /// First local day (`YYYY-MM-DD`), or from the beginning.
    pub since: Option<String>,
    /// First local day not included, or up to now.
    pub until: Option<String>,
    /// Only this tool (tool log).
    pub tool: Option<String>,
    /// Only this normalised model (API-error log).
    pub model: Option<String>,
    /// Only this HTTP status (API-error log).
    pub status_code: Option<i64>,
    /// Only failed tool runs.
    pub failed_only: bool,
    /// Searched in the session id and the stored attributes.
    pub text: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl LogQuery {
    fn filter(&self, ctx: &TimeContext) -> Result<LogFilter, StoreError> {
        let chosen = |text: &Option<String>| text.clone().filter(|t| !t.is_empty());
        Ok(LogFilter {
            kind: self.kind,
            range: days_range(ctx, &self.since, &self.until)?,
            tool: chosen(&self.tool),
            model: chosen(&self.model),
            status_code: self.status_code,
            failed_only: self.failed_only,
            text: chosen(&self.text),
            limit: self.limit,
            offset: self.offset,
        })
    }
}

/// A session's page: its totals, timeline and cost over its time.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionView {
    pub detail: SessionDetail,
    /// Usage per 15 minutes and model.
    pub series: Vec<SeriesPoint>,
}

/// One page of the sessions table.
pub async fn sessions(state: &AppState, query: SessionsQuery) -> Result<SessionPage, IpcError> {
    read(state, move |conn, ctx| query::sessions(conn, &query.filter(ctx)?)).await
}

/// One page of the tool-execution or API-error log.
pub async fn log(state: &AppState, query: LogQuery) -> Result<LogPage, IpcError> {
    read(state, move |conn, ctx| logs::log(conn, &query.filter(ctx)?)).await
}

/// Every model seen, for the history's filter.
pub async fn models(state: &AppState) -> Result<Vec<String>, IpcError> {
    read(state, |conn, _| query::models(conn)).await
}

pub async fn model_prices(state: &AppState) -> Result<Vec<ccmeter_core::read::prices::ModelPrice>, IpcError> {
    read(state, |conn, time| ccmeter_core::read::prices::model_prices(conn, time.today())).await
}

pub async fn projects(state: &AppState) -> Result<Vec<String>, IpcError> {
    read(state, |conn, _| query::projects(conn)).await
}

/// One session (`""`: the data that came without a session id); `None` when there is no such session.
pub async fn session(state: &AppState, id: String) -> Result<Option<SessionView>, IpcError> {
    read(state, move |conn, _| {
        let Some(detail) = query::session(conn, &id)? else { return Ok(None) };
        Ok(Some(SessionView { detail, series: query::session_series(conn, &id)? }))
    })
    .await
}

/// Writes every session matching `query` (all pages) to `path` as CSV or JSON; returns how many.
pub async fn export_sessions(
    state: &AppState,
    query: SessionsQuery,
    path: String,
    format: Format,
) -> Result<usize, IpcError> {
    read(state, move |conn, ctx| {
        let filter = SessionFilter { limit: 0, offset: 0, ..query.filter(ctx)? };
        let rows = query::sessions(conn, &filter)?.rows;
        ccmeter_core::fs::write_file(std::path::Path::new(&path), &export::sessions(&rows, format)?)?;
        Ok(rows.len())
    })
    .await
}

/// Writes one session's timeline (CSV) or the whole session (JSON) to `path`; returns the events written.
pub async fn export_session(state: &AppState, id: String, path: String, format: Format) -> Result<usize, IpcError> {
    read(state, move |conn, _| {
        let detail = query::session(conn, &id)?.ok_or_else(|| StoreError::NoSuchSession { id: id.clone() })?;
        ccmeter_core::fs::write_file(std::path::Path::new(&path), &export::session(&detail, format)?)?;
        Ok(detail.timeline.len())
    })
    .await
}

/// The saved settings (defaults for what was never set).
pub async fn settings(state: &AppState) -> Result<Settings, IpcError> {
    read(state, |conn, _| settings::load(conn)).await
}

/// A budget as the Settings window's fields give it, read and validated by the rules `ccmeter budget set` uses.
pub async fn read_budget(
    _state: &AppState,
    period: Period,
    limit: String,
    thresholds: String,
) -> Result<Budget, IpcError> {
    Ok(Budget::from_text(period, &limit, Some(&thresholds))?)
}

/// A price of your own as the Settings window's row holds it: text as typed; a blank cache price is derived
/// from the input price.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct PriceFields {
    pub model: String,
    pub input: String,
    pub output: String,
    pub cache_read: String,
    pub cache_write_5m: String,
    pub cache_write_1h: String,
}

/// A price as the Settings window's fields give it, read and validated by the rules `ccmeter prices set` uses.
pub async fn read_price(_state: &AppState, fields: PriceFields) -> Result<PriceOverride, IpcError> {
    Ok(PriceOverride::from_text(
        &fields.model,
        &fields.input,
        &fields.output,
        Some(&fields.cache_read),
        Some(&fields.cache_write_5m),
        Some(&fields.cache_write_1h),
    )?)
}

/// Applies the fields the window changed to the settings as stored now and saves them in the writer's
/// transaction (the CLI's rules: the error says what to change), then lets the tray, budgets and login item
/// follow. A change made meanwhile elsewhere (the tray, `ccmeter budget`) is kept. Returns what was saved.
pub async fn save_settings(state: &AppState, patch: SettingsPatch) -> Result<Settings, IpcError> {
    let Written::Settings(saved) =
        state.backend.write(Write::SaveSettings { patch: Box::new(patch) }, state.time()).await?
    else {
        return Err(IpcError::internal("the app answered a settings write with something else"));
    };
    state.desktop.settings_changed();
    Ok(*saved)
}

/// Deletes one session and everything it recorded.
pub async fn delete_session(state: &AppState, id: String) -> Result<Deleted, IpcError> {
    delete(state, Write::DeleteSession { id }).await
}

/// Deletes every record of local days `[since, until)`.
pub async fn delete_days(state: &AppState, since: String, until: String) -> Result<Deleted, IpcError> {
    let (since, until) = (parse_date(&since)?, parse_date(&until)?);
    let range = Range::local_days(&state.time(), Some(since), Some(until));
    delete(state, Write::DeleteRange { from_ns: range.from_ns, to_ns: range.to_ns }).await
}

async fn delete(state: &AppState, write: Write) -> Result<Deleted, IpcError> {
    let Written::Deleted(deleted) = state.backend.write(write, state.time()).await? else {
        return Err(IpcError::internal("the app answered a deletion with something else"));
    };
    state.desktop.history_changed();
    Ok(deleted)
}

/// Runs a "Connect Claude Code" step on Claude Code's settings file with the endpoint it should send to:
/// this app's gRPC receiver, or the saved address when it could not bind (so the settings are right once
/// it can).
async fn with_claude_settings<T: Send + 'static>(
    state: &AppState,
    step: impl FnOnce(&std::path::Path, &connect::Wanted, &TimeContext) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, IpcError> {
    let bound = receivers(state).await?.grpc.ok();
    let db = state.backend.db().to_owned();
    read(state, move |conn, ctx| {
        let address = match bound {
            Some(addr) => addr,
            None => settings::load(conn)?.grpc_addr,
        };
        let wanted = connect::Wanted {
            grpc_endpoint: format!("http://{address}"),
            statusline: connect::statusline_command(&ccmeter_program(), named_db(&db).as_deref()),
        };
        step(&connect::settings_path()?, &wanted, ctx)
    })
    .await
}

/// The `ccmeter` binary installed beside this window program (the status line runs it, not the windows).
fn ccmeter_program() -> std::path::PathBuf {
    let name = format!("ccmeter{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&name)))
        .unwrap_or_else(|| name.into())
}

/// `db`, absolute, when the status line must name it: any but the default database.
fn named_db(db: &std::path::Path) -> Option<std::path::PathBuf> {
    let default = ccmeter_core::paths::app_data_dir().join(ccmeter_core::paths::DB_FILE_NAME);
    (db != default).then(|| std::path::absolute(db).unwrap_or_else(|_| db.to_owned()))
}

/// What "Connect Claude Code" would change in `~/.claude/settings.json` (nothing is written).
pub async fn connect_plan(state: &AppState) -> Result<ConnectPlan, IpcError> {
    with_claude_settings(state, |path, wanted, _| connect::plan(path, wanted)).await
}

/// Merges the telemetry entries and the status line into `~/.claude/settings.json` (a backup first; nothing
/// when already there).
pub async fn connect_apply(state: &AppState) -> Result<Connected, IpcError> {
    with_claude_settings(state, |path, wanted, ctx| connect::apply(path, wanted, ctx.now())).await
}

/// The About window: diagnostics of this install and the text "copy diagnostics" puts on the clipboard.
#[derive(Debug, Clone, Serialize, TS)]
pub struct About {
    pub diagnostics: Diagnostics,
    /// Where each receiver listens, or why it does not.
    pub receivers: Vec<String>,
    pub text: String,
}

/// Version, data folder, database, receivers and last data, with the text "copy diagnostics" copies.
pub async fn about(state: &AppState) -> Result<About, IpcError> {
    let receivers = receiver_lines(&receivers(state).await?);
    let db = state.backend.db().to_owned();
    let diagnostics = read(state, move |conn, _| diagnostics::collect(conn, &db, env!("CARGO_PKG_VERSION"))).await?;
    let text = diagnostics.text(&receivers);
    Ok(About { diagnostics, receivers, text })
}

/// Imports Claude Code's transcripts into the history (through the app's writer) and follows them from then on.
pub async fn import_transcripts(state: &AppState) -> Result<ccmeter_core::history::Imported, IpcError> {
    let Written::Imported(imported) = state.backend.write(Write::ImportTranscripts, state.time()).await? else {
        return Err(IpcError::internal("the app answered an import with something else"));
    };
    state.desktop.history_changed();
    state.desktop.settings_changed();
    Ok(*imported)
}

/// `gRPC 127.0.0.1:4317 (listening)` or `HTTP: <why not>`, for the About window and its diagnostics.
fn receiver_lines(receivers: &Receivers) -> Vec<String> {
    [("gRPC", &receivers.grpc), ("HTTP", &receivers.http)]
        .into_iter()
        .map(|(name, state)| match state {
            Ok(addr) => format!("{name} {addr} (listening)"),
            Err(error) => format!("{name}: {error}"),
        })
        .collect()
}

/// Opens (or focuses) one of the app's windows, e.g. "Open history" from the dashboard.
pub async fn open_window(state: &AppState, kind: WindowKind) -> Result<(), IpcError> {
    state.desktop.open_window(kind);
    Ok(())
}
