//! Where the database lives: one function, used by the CLI and the GUI alike.

use std::path::PathBuf;

/// Tauri's app identifier; its data dir is `<platform data dir>/dev.ccmeter.ccmeter`, where Tauri's
/// `app_data_dir()` points too. Not ending in `.app`: macOS's Finder shows a folder named so as an application.
pub const APP_IDENTIFIER: &str = "dev.ccmeter.ccmeter";
pub const DB_FILE_NAME: &str = "ccmeter.db";
/// Overrides the database path when no `--db` is given.
pub const DB_ENV: &str = "CCMETER_DB";

/// `explicit` (from `--db`) wins, then `CCMETER_DB`, then the platform data dir
/// (`~/.local/share/dev.ccmeter.ccmeter/ccmeter.db` on Linux, `~/Library/Application Support/…` on macOS,
/// `%APPDATA%\…` on Windows).
pub fn database_path(explicit: Option<PathBuf>) -> PathBuf {
    explicit
        .or_else(|| std::env::var_os(DB_ENV).filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| app_data_dir().join(DB_FILE_NAME))
}

pub fn app_data_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join(APP_IDENTIFIER)
}
