//! Where the database and the app's log files live: used by the CLI and the GUI alike.

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

/// Overrides the log folder.
pub const LOG_DIR_ENV: &str = "CCMETER_LOG_DIR";

/// Where the desktop app writes its log files (a menu-launched app has no terminal): `CCMETER_LOG_DIR`, else
/// the platform's place for them — `$XDG_STATE_HOME/dev.ccmeter.ccmeter/logs` (`~/.local/state/…`) on Linux,
/// `~/Library/Logs/dev.ccmeter.ccmeter` on macOS, `%LOCALAPPDATA%\dev.ccmeter.ccmeter\logs` on Windows.
pub fn log_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(LOG_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    if cfg!(target_os = "macos") {
        return dirs::home_dir().unwrap_or_else(|| PathBuf::from(".")).join("Library/Logs").join(APP_IDENTIFIER);
    }
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(APP_IDENTIFIER)
        .join("logs")
}

/// Claude Code's own folder: `$CLAUDE_CONFIG_DIR` when Claude Code is told to look there, else `~/.claude`.
pub fn claude_config_dir() -> Option<PathBuf> {
    std::env::var_os("CLAUDE_CONFIG_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|home| home.join(".claude")))
}
