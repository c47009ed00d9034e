//! What a bug report needs about this install: versions, where the data is and how much of it there is,
//! when data last came. Only counts, sizes, times and versions — never prompt text, e-mail addresses, user or
//! account ids, or the user's own resource attributes — so it can be pasted into a public issue.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::store::settings;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Diagnostics {
    pub version: String,
    /// `linux x86_64`, `macos aarch64`…
    pub platform: String,
    /// The database file, with the home folder written `~`.
    pub database: String,
    pub data_dir: String,
    /// Where the desktop app writes its log files (one a day), with the home folder written `~`.
    pub log_dir: String,
    /// The database with its write-ahead log, in bytes.
    pub database_bytes: u64,
    pub schema: i64,
    pub sessions: i64,
    pub events: i64,
    pub metric_points: i64,
    pub spans: i64,
    pub first_data: Option<DateTime<Utc>>,
    pub last_data: Option<DateTime<Utc>>,
    pub claude_code_version: Option<String>,
    pub migration_backups: usize,
    pub store_prompt_text: bool,
    pub retention_days: Option<u32>,
    pub budgets: usize,
    pub alerts_enabled: bool,
}

/// Reads the diagnostics of the database at `path` through `conn`; `version` is the app's.
pub fn collect(conn: &Connection, path: &Path, version: &str) -> Result<Diagnostics> {
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    let schema = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let (first, last): (Option<i64>, Option<i64>) =
        conn.query_row("SELECT min(first_ns), max(last_ns) FROM sessions", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let settings = settings::load(conn).unwrap_or_default();
    let budgets = [&settings.budgets.day, &settings.budgets.week, &settings.budgets.month, &settings.budgets.session]
        .into_iter()
        .filter(|b| b.is_some())
        .count();
    let size = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    Ok(Diagnostics {
        version: version.to_owned(),
        platform: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        database: home_relative(path),
        data_dir: home_relative(path.parent().unwrap_or(Path::new("."))),
        log_dir: home_relative(&crate::paths::log_dir()),
        database_bytes: size(path.to_owned()) + size(PathBuf::from(wal)),
        schema,
        sessions: count("SELECT count(*) FROM sessions WHERE id <> ''")?,
        events: count("SELECT count(*) FROM events")?,
        metric_points: count("SELECT count(*) FROM metric_points")?,
        spans: count("SELECT count(*) FROM spans")?,
        first_data: first.map(DateTime::from_timestamp_nanos),
        last_data: last.map(DateTime::from_timestamp_nanos),
        claude_code_version: crate::read::glance::claude_code_version(conn)?,
        migration_backups: crate::store::migration_backups(path).len(),
        store_prompt_text: settings.store_prompt_text,
        retention_days: settings.retention_days,
        budgets,
        alerts_enabled: settings.alerts_enabled,
    })
}

impl Diagnostics {
    /// The plain-text block "copy diagnostics" puts on the clipboard; `receivers` says where the app listens.
    pub fn text(&self, receivers: &[String]) -> String {
        let time = |t: Option<DateTime<Utc>>| t.map_or_else(|| "never".to_owned(), |t| t.to_rfc3339());
        let mut lines = vec![
            format!("ccmeter {} ({})", self.version, self.platform),
            format!(
                "database: {} ({:.1} MB, schema {}, migration backups: {})",
                self.database,
                self.database_bytes as f64 / 1e6,
                self.schema,
                self.migration_backups
            ),
            format!("logs: {}", self.log_dir),
            format!(
                "stored: {} sessions, {} events, {} metric points, {} spans",
                self.sessions, self.events, self.metric_points, self.spans
            ),
            format!(
                "data: first {}, last {}, Claude Code {}",
                time(self.first_data),
                time(self.last_data),
                self.claude_code_version.as_deref().unwrap_or("not seen")
            ),
            format!(
                "settings: prompt text {}, retention {}, {} budgets, alerts {}",
                if self.store_prompt_text { "kept" } else { "not kept" },
                self.retention_days.map_or_else(|| "off".to_owned(), |d| format!("{d} days")),
                self.budgets,
                if self.alerts_enabled { "on" } else { "off" }
            ),
        ];
        lines.extend(receivers.iter().map(|r| format!("receiver: {r}")));
        lines.join("\n") + "\n"
    }
}

/// `ccmeter diagnostics`: the About window's text for the database at `path`, with the receivers as configured
/// (the CLI binds nothing). Read-only: a report must not migrate (or back up) the database it describes.
pub fn of_file(path: &Path, version: &str) -> Result<String> {
    if !path.is_file() {
        let shown = home_relative(path);
        return Ok(format!("ccmeter {version}\nno database at {shown} yet: nothing received\n"));
    }
    let conn = crate::store::open_read_only(path)?;
    let settings = settings::load(&conn).unwrap_or_default();
    let receivers =
        [format!("gRPC {} (configured)", settings.grpc_addr), format!("HTTP {} (configured)", settings.http_addr)];
    Ok(collect(&conn, path, version)?.text(&receivers))
}

/// `path` with the home folder written `~`: the user name stays out of a pasted report.
pub fn home_relative(path: &Path) -> String {
    match dirs::home_dir().and_then(|home| path.strip_prefix(home).ok().map(Path::to_owned)) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}
