//! The IPC commands the windows call. Thin: each reads through `ccmeter_core` on a blocking thread and
//! returns a type whose TypeScript declaration is generated into `ui/src/api/generated.ts`.

use ccmeter_core::connect::{self, ConnectPlan, Connected};
use ccmeter_core::dashboard::Dashboard;
use ccmeter_core::delete::{self, Deleted};
use ccmeter_core::export::{self, Format};
use ccmeter_core::logs::{self, LogFilter, LogKind, LogPage};
use ccmeter_core::query::{
    self, Range, SeriesPoint, SessionDetail, SessionFilter, SessionPage, SessionSort, parse_date,
};
use ccmeter_core::settings::SettingsPatch;
use ccmeter_core::{Settings, StoreError, TimeContext};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use crate::collector::Collector;
use crate::window::WindowKind;

/// The event every window listens to: a batch was committed, figures may have changed.
pub const COMMITTED_EVENT: &str = "store-committed";

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

/// An error as the window shows it.
fn message(error: impl std::fmt::Display) -> String {
    error.to_string()
}

async fn read<T: Send + 'static>(
    collector: &Collector,
    work: impl FnOnce(&rusqlite::Connection, &TimeContext) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, String> {
    let store = collector.store.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let conn = store.reader()?;
        work(&conn, &TimeContext::system())
    })
    .await
    .map_err(message)?
    .map_err(message)
}

/// The dashboard for local days `[since, until)` (`YYYY-MM-DD`).
#[tauri::command]
pub async fn dashboard(collector: State<'_, Collector>, since: String, until: String) -> Result<Dashboard, String> {
    let (since, until) = (parse_date(&since).map_err(message)?, parse_date(&until).map_err(message)?);
    read(&collector, move |conn, ctx| ccmeter_core::dashboard::dashboard(conn, ctx, since, until)).await
}

#[tauri::command]
pub async fn status(collector: State<'_, Collector>) -> Result<Status, String> {
    let listening = |state: &crate::collector::Listening| state.as_ref().ok().map(ToString::to_string);
    let errors = [&collector.grpc, &collector.http]
        .into_iter()
        .filter_map(|state| state.as_ref().err().map(ToString::to_string))
        .collect();
    let (grpc, http) = (listening(&collector.grpc), listening(&collector.http));
    let database = collector.db.display().to_string();
    let (last_data, claude_code_version) = read(&collector, |conn, _| {
        Ok((ccmeter_core::glance::last_data(conn)?, ccmeter_core::glance::claude_code_version(conn)?))
    })
    .await?;
    Ok(Status { grpc, http, errors, last_data, claude_code_version, database })
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

#[tauri::command]
pub async fn sessions(collector: State<'_, Collector>, query: SessionsQuery) -> Result<SessionPage, String> {
    read(&collector, move |conn, ctx| query::sessions(conn, &query.filter(ctx)?)).await
}

/// A page of the tool-execution or API-error log.
#[tauri::command]
pub async fn log(collector: State<'_, Collector>, query: LogQuery) -> Result<LogPage, String> {
    read(&collector, move |conn, ctx| logs::log(conn, &query.filter(ctx)?)).await
}

/// Every model seen, for the history's filter.
#[tauri::command]
pub async fn models(collector: State<'_, Collector>) -> Result<Vec<String>, String> {
    read(&collector, |conn, _| query::models(conn)).await
}

/// One session (`""`: the data that came without a session id); `None` when there is no such session.
#[tauri::command]
pub async fn session(collector: State<'_, Collector>, id: String) -> Result<Option<SessionView>, String> {
    read(&collector, move |conn, _| {
        let Some(detail) = query::session(conn, &id)? else { return Ok(None) };
        Ok(Some(SessionView { detail, series: query::session_series(conn, &id)? }))
    })
    .await
}

/// Writes every session matching `query` (all pages) to `path` as CSV or JSON; returns how many.
#[tauri::command]
pub async fn export_sessions(
    collector: State<'_, Collector>,
    query: SessionsQuery,
    path: String,
    format: Format,
) -> Result<usize, String> {
    read(&collector, move |conn, ctx| {
        let filter = SessionFilter { limit: 0, offset: 0, ..query.filter(ctx)? };
        let rows = query::sessions(conn, &filter)?.rows;
        export::write_file(std::path::Path::new(&path), &export::sessions(&rows, format)?)?;
        Ok(rows.len())
    })
    .await
}

/// Writes one session's timeline (CSV) or the whole session (JSON) to `path`; returns the events written.
#[tauri::command]
pub async fn export_session(
    collector: State<'_, Collector>,
    id: String,
    path: String,
    format: Format,
) -> Result<usize, String> {
    read(&collector, move |conn, _| {
        let detail = query::session(conn, &id)?
            .ok_or_else(|| StoreError::Export(format!("there is no session {id:?} (deleted?)")))?;
        export::write_file(std::path::Path::new(&path), &export::session(&detail, format)?)?;
        Ok(detail.timeline.len())
    })
    .await
}

/// The saved settings (defaults for what was never set).
#[tauri::command]
pub async fn settings(collector: State<'_, Collector>) -> Result<Settings, String> {
    read(&collector, |conn, _| ccmeter_core::settings::load(conn)).await
}

/// Applies the fields the window changed to the settings as stored now and saves them in the writer's
/// transaction (the CLI's rules: the error says what to change), then lets the tray, budgets and login item
/// follow. A change made meanwhile elsewhere (the tray, `ccmeter budget`) is kept. Returns what was saved.
#[tauri::command]
pub async fn save_settings(
    collector: State<'_, Collector>,
    refresh: State<'_, crate::tray::Refresh>,
    patch: SettingsPatch,
) -> Result<Settings, String> {
    let (saved, erased) = collector
        .store
        .exec(move |tx| ccmeter_core::apply_settings::patch_and_apply(tx, &TimeContext::system(), &patch))
        .await
        .map_err(message)?;
    if erased {
        collector.store.checkpoint().await.map_err(message)?;
    }
    refresh.0.notify_one();
    Ok(saved)
}

/// Deletes one session and everything it recorded.
#[tauri::command]
pub async fn delete_session(
    app: AppHandle,
    collector: State<'_, Collector>,
    refresh: State<'_, crate::tray::Refresh>,
    id: String,
) -> Result<Deleted, String> {
    let deleted = collector.store.exec(move |tx| delete::session(tx, &id)).await.map_err(message)?;
    deleted_now(&app, &refresh);
    Ok(deleted)
}

/// Deletes every record of local days `[since, until)`.
#[tauri::command]
pub async fn delete_days(
    app: AppHandle,
    collector: State<'_, Collector>,
    refresh: State<'_, crate::tray::Refresh>,
    since: String,
    until: String,
) -> Result<Deleted, String> {
    let (since, until) = (parse_date(&since).map_err(message)?, parse_date(&until).map_err(message)?);
    let deleted = collector
        .store
        .exec(move |tx| delete::range(tx, Range::local_days(&TimeContext::system(), Some(since), Some(until))))
        .await
        .map_err(message)?;
    deleted_now(&app, &refresh);
    Ok(deleted)
}

/// After a deletion: the tray and every open window show the new figures.
fn deleted_now(app: &AppHandle, refresh: &crate::tray::Refresh) {
    refresh.0.notify_one();
    if let Err(error) = app.emit(COMMITTED_EVENT, ()) {
        tracing::warn!(%error, "cannot tell the windows about the deletion");
    }
}

/// Runs a "Connect Claude Code" step on Claude Code's settings file with the endpoint it should send to:
/// this app's gRPC receiver, or the saved address when it could not bind (so the settings are right once
/// it can).
async fn with_claude_settings<T: Send + 'static>(
    collector: &Collector,
    step: impl FnOnce(&std::path::Path, &str) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, String> {
    let bound = collector.grpc.as_ref().ok().copied();
    read(collector, move |conn, _| {
        let address = match bound {
            Some(addr) => addr.to_string(),
            None => ccmeter_core::settings::load(conn)?.grpc_addr,
        };
        step(&connect::settings_path()?, &format!("http://{address}"))
    })
    .await
}

/// What "Connect Claude Code" would change in `~/.claude/settings.json` (nothing is written).
#[tauri::command]
pub async fn connect_plan(collector: State<'_, Collector>) -> Result<ConnectPlan, String> {
    with_claude_settings(&collector, connect::plan).await
}

/// Merges the telemetry entries into `~/.claude/settings.json` (a backup first; nothing when already there).
#[tauri::command]
pub async fn connect_apply(collector: State<'_, Collector>) -> Result<Connected, String> {
    with_claude_settings(&collector, |path, endpoint| connect::apply(path, endpoint, Utc::now())).await
}

/// The About window: diagnostics of this install and the text "copy diagnostics" puts on the clipboard.
#[derive(Debug, Clone, Serialize, TS)]
pub struct About {
    pub diagnostics: ccmeter_core::diagnostics::Diagnostics,
    /// Where each receiver listens, or why it does not.
    pub receivers: Vec<String>,
    pub text: String,
}

#[tauri::command]
pub async fn about(collector: State<'_, Collector>) -> Result<About, String> {
    let receivers = receiver_lines(&collector);
    let db = collector.db.clone();
    let diagnostics =
        read(&collector, move |conn, _| ccmeter_core::diagnostics::collect(conn, &db, env!("CARGO_PKG_VERSION")))
            .await?;
    let text = diagnostics.text(&receivers);
    Ok(About { diagnostics, receivers, text })
}

/// `gRPC 127.0.0.1:4317 (listening)` or `HTTP: <why not>`, for the About window and its diagnostics.
fn receiver_lines(collector: &Collector) -> Vec<String> {
    [("gRPC", &collector.grpc), ("HTTP", &collector.http)]
        .into_iter()
        .map(|(name, state)| match state {
            Ok(addr) => format!("{name} {addr} (listening)"),
            Err(error) => format!("{name}: {error}"),
        })
        .collect()
}

/// Opens (or focuses) one of the app's windows, e.g. "Open history" from the dashboard.
#[tauri::command]
pub fn open_window(app: AppHandle, kind: WindowKind) {
    crate::open::open_on_main_thread(&app, kind);
}

#[cfg(test)]
mod bindings {
    //! `ui/src/api/generated.ts` must match the Rust types: this test fails when it does not, and
    //! `UPDATE_BINDINGS=1 cargo test -p ccmeter bindings` rewrites it.

    use ts_rs::{Config, TS};

    macro_rules! declarations {
        ($cfg:expr; $($ty:ty),* $(,)?) => {
            vec![$(format!("export {}", <$ty as TS>::decl($cfg))),*]
        };
    }

    fn json(value: impl serde::Serialize) -> String {
        serde_json::to_string(&value).expect("a constant serialises")
    }

    #[test]
    fn the_generated_typescript_matches_the_rust_types() {
        use ccmeter_core::{budget, dashboard, event_stats, export, insights, logs, query, session_mix, settings};
        // Serde writes i64 as a JSON number; every value sent fits a double exactly except nanosecond
        // instants, which never cross IPC (instants are RFC 3339 strings).
        let cfg = Config::new().with_large_int("number");
        let mut declarations = declarations![&cfg;
            dashboard::Dashboard, query::Summary, query::Usage, query::TokenCounts, query::Granularity,
            query::SeriesPoint, query::ModelUsage, query::ToolStat, query::ErrorCount,
            insights::SourceUsage, insights::RawSourceUsage, insights::SourceClass, insights::LanguageEdits,
            insights::HeatCell, insights::FacetUsage, insights::EventCountPoint,
            event_stats::ApiLatency, event_stats::LatencyStat, event_stats::ToolPoint, event_stats::ErrorPoint,
            session_mix::SessionMix, session_mix::SessionGroup, session_mix::AttributeGroups, session_mix::StartCount,
            logs::LogKind, logs::LogPage, logs::LogRow, super::LogQuery,
            budget::BudgetStatus, budget::BudgetState, budget::Period,
            settings::Settings, settings::Budgets, settings::Budget, settings::SettingsPatch, settings::BudgetsPatch,
            query::SessionPage, query::SessionRow, query::CostSource, query::SessionSort, query::SessionDetail,
            query::TimelineEvent, query::SubagentUsage, export::Format, super::SessionsQuery, super::SessionView, serde_json::Value,
            ccmeter_core::delete::Deleted, ccmeter_core::connect::ConnectPlan, ccmeter_core::connect::EnvChange,
            ccmeter_core::connect::Connected, super::Status, crate::window::WindowKind, super::About,
            ccmeter_core::diagnostics::Diagnostics,
        ];
        // The rules the UI shares with the app, from their one Rust copy.
        let defaults = ccmeter_core::Settings::default();
        let env: Vec<[String; 2]> =
            ccmeter_core::connect::wanted_env("").into_iter().map(|(k, v)| [k.to_owned(), v]).collect();
        let constants = [
            (
                "STORE_COMMITTED_EVENT",
                "The event the app emits after each committed batch.",
                json(super::COMMITTED_EVENT),
            ),
            (
                "WINDOW_KINDS",
                "Every window's label.",
                json(
                    <crate::window::WindowKind as clap::ValueEnum>::value_variants()
                        .iter()
                        .map(|kind| kind.label())
                        .collect::<Vec<_>>(),
                ),
            ),
            (
                "DEFAULT_THRESHOLDS",
                "A budget's alert thresholds when none are given, in percent.",
                json(ccmeter_core::settings::DEFAULT_THRESHOLDS),
            ),
            (
                "DEFAULT_GRPC_ADDR",
                "Where the OTLP/gRPC receiver listens unless set otherwise.",
                json(&defaults.grpc_addr),
            ),
            (
                "DEFAULT_HTTP_ADDR",
                "Where the OTLP/HTTP receiver listens unless set otherwise.",
                json(&defaults.http_addr),
            ),
            (
                "PERIODS",
                "The budget periods with their names: in sentences, in a list of budgets, and while they run.",
                json(
                    ccmeter_core::period::Period::ALL
                        .map(|p| serde_json::json!({"id": p, "adjective": p.adjective(), "label": p.label(), "current": p.current()})),
                ),
            ),
            (
                "CLAUDE_CODE_ENV",
                "The `env` entries that point Claude Code at ccmeter; the endpoint's value is the gRPC receiver's URL.",
                json(&env),
            ),
        ];
        declarations.extend(
            constants.iter().map(|(name, doc, value)| format!("/** {doc} */\nexport const {name} = {value} as const;")),
        );
        declarations.sort();
        let generated = format!(
            "// Generated from the Rust types by ts-rs: do not edit. Regenerate with\n\
             // `UPDATE_BINDINGS=1 cargo test -p ccmeter bindings` (CI checks it is current).\n\n{}\n",
            declarations.join("\n\n")
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/api/generated.ts");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).expect("write the bindings");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/api/generated.ts is out of date: run `UPDATE_BINDINGS=1 cargo test -p ccmeter bindings`"
        );
    }
}
