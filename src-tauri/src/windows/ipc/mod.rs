//! The IPC contract between the windows and the app: one list of commands (below) that makes both the
//! Tauri handlers and their TypeScript callers (`ui/src/api/generated.ts`, with the types ts-rs declares),
//! so a command or argument renamed here fails the UI's type check. The bodies are plain functions over
//! `AppState` (`commands`); errors cross as `{kind, message}` (`error`).

pub mod commands;
pub mod state;

#[cfg(test)]
mod bindings;
#[cfg(test)]
mod tests;

use ccmeter_core::Settings;
use ccmeter_core::connect::{ConnectPlan, Connected};
use ccmeter_core::dashboard::Dashboard;
use ccmeter_core::history::Imported as TranscriptsImported;
use ccmeter_core::read::export::Format;
use ccmeter_core::read::logs::LogPage;
use ccmeter_core::read::prices::ModelPrice;
use ccmeter_core::read::query::SessionPage;
use ccmeter_core::words::period::Period;
use ccmeter_core::words::settings::{Budget, PriceOverride, SettingsPatch};
use ccmeter_core::write::delete::Deleted;

use self::commands::{About, LogQuery, PriceFields, SessionView, SessionsQuery, Status};
use self::state::AppState;
use crate::window::WindowKind;
use ccmeter_app::error::IpcError;

/// The event every window listens to: a batch was committed (or history deleted), figures may have changed.
pub const COMMITTED_EVENT: &str = "store-committed";
/// The event an import of the transcripts sends as it goes: `{read, all}`, files read of files found.
pub const IMPORT_PROGRESS_EVENT: &str = "transcripts-import-progress";

/// Declares the commands once: each becomes a Tauri command calling `commands::<name>` with the managed
/// `AppState`, an entry of [`handler`], and a typed caller in the generated TypeScript.
macro_rules! contract {
    ($( $(#[doc = $doc:literal])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty; )*) => {
        /// The Tauri side of each command: the managed state handed to the plain function.
        mod tauri_commands {
            use super::*;
            $(
                #[tauri::command]
                pub async fn $name(state: tauri::State<'_, AppState>, $($arg: $ty),*) -> Result<$ret, IpcError> {
                    commands::$name(&state, $($arg),*).await
                }
            )*
        }

        /// Every command, for `tauri::Builder::invoke_handler`.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(tauri_commands::$name),*]
        }

        /// Each command as the TypeScript that calls it.
        #[cfg(test)]
        fn typescript_commands(cfg: &ts_rs::Config) -> Vec<bindings::Command> {
            vec![$(bindings::Command {
                name: stringify!($name),
                docs: vec![$($doc),*],
                args: vec![$((stringify!($arg), <$ty as ts_rs::TS>::name(cfg))),*],
                returns: <$ret as ts_rs::TS>::name(cfg),
            }),*]
        }
    };
}

contract! {
    /// The dashboard of local days `[since, until)`, both `YYYY-MM-DD`.
    fn dashboard(since: String, until: String) -> Dashboard;
    /// Where the receivers listen (or why not) and when data last came.
    fn status() -> Status;
    /// Opens (or focuses) one of the app's windows.
    fn open_window(kind: WindowKind) -> ();
    /// One page of the sessions table.
    fn sessions(query: SessionsQuery) -> SessionPage;
    /// Every model seen, most used first.
    fn models() -> Vec<String>;
    /// Every project the sessions have, the most sessions first.
    fn projects() -> Vec<String>;
    /// One page of the tool-execution or API-error log.
    fn log(query: LogQuery) -> LogPage;
    /// A session's totals, timeline and cost over time; `null` when it does not exist (any more).
    fn session(id: String) -> Option<SessionView>;
    /// Writes every session matching `query` to `path`; resolves to the number written.
    fn export_sessions(query: SessionsQuery, path: String, format: Format) -> usize;
    /// Writes one session's timeline (CSV) or the whole session (JSON) to `path`; resolves to the events written.
    fn export_session(id: String, path: String, format: Format) -> usize;
    /// The saved settings (defaults for what was never set).
    fn settings() -> Settings;
    /// A budget as typed in the Settings window: read and validated by the CLI's rules, or why not.
    fn read_budget(period: Period, limit: String, thresholds: String) -> Budget;
    /// A price of your own as typed in the Settings window: read and validated by the CLI's rules, or why not.
    fn read_price(fields: PriceFields) -> PriceOverride;
    /// Applies the fields given to the settings as stored now, validates and saves them; resolves with what
    /// was saved. Fields left out are kept as they are.
    fn save_settings(patch: SettingsPatch) -> Settings;
    /// Deletes one session and everything it recorded.
    fn delete_session(id: String) -> Deleted;
    /// Deletes every record of local days `[since, until)`.
    fn delete_days(since: String, until: String) -> Deleted;
    /// What connecting Claude Code would change in its settings.json (nothing is written).
    fn connect_plan() -> ConnectPlan;
    /// Merges the telemetry settings into Claude Code's settings.json, a backup first.
    fn connect_apply() -> Connected;
    /// Version, data folder, database, receivers and last data, with the text "copy diagnostics" copies.
    fn about() -> About;
    /// Imports Claude Code's transcripts into the history and follows them from then on; the windows hear
    /// `IMPORT_PROGRESS_EVENT` as it goes.
    fn import_transcripts() -> TranscriptsImported;
    /// The price each model's estimated requests are costed at and where it comes from, the models without a
    /// price first.
    fn model_prices() -> Vec<ModelPrice>;
}
