//! What a bug report needs about this install: versions, where the data is and how much of it there is,
//! when data last came. Only counts, sizes, times and versions — never prompt text, e-mail addresses, user or
//! account ids, or the user's own resource attributes — so it can be pasted into a public issue.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::store::settings;
use crate::words::statusline::{LimitKind, LimitReading};
use crate::words::time::from_ns;

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
    /// What Claude Code's status line last reported (`ccmeter statusline`); none before the first report.
    pub status_line: Option<StatusLineReport>,
    /// Status line reports kept beside the database for the app to take in (none while it runs).
    pub status_line_waiting: usize,
    /// What was imported from Claude Code's transcripts.
    pub transcripts: TranscriptsReport,
}

/// The history read from Claude Code's transcripts: whether ccmeter follows them, the files read, the requests
/// kept (estimated, with no known price), and the lines passed over in those files.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct TranscriptsReport {
    /// `Settings::follow_transcripts`: `None` before the user was asked.
    pub following: Option<bool>,
    pub files: i64,
    pub estimated_requests: i64,
    pub unpriced_requests: i64,
    pub lines_too_long: i64,
    pub lines_unreadable: i64,
}

fn transcripts(conn: &Connection, following: Option<bool>) -> Result<TranscriptsReport> {
    let (files, lines_too_long, lines_unreadable) = conn.query_row(
        "SELECT count(*), coalesce(sum(too_long), 0), coalesce(sum(unreadable), 0) FROM transcript_reads",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let (estimated_requests, unpriced_requests) = conn.query_row(
        "SELECT count(*), count(*) FILTER (WHERE estimated = 2) FROM events WHERE estimated <> 0",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(TranscriptsReport { following, files, estimated_requests, unpriced_requests, lines_too_long, lines_unreadable })
}

/// The last status line report as the store kept it: when, from which Claude Code, and the latest window of
/// each kind (past its reset or not: this says what came, not what is current).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StatusLineReport {
    pub at: DateTime<Utc>,
    pub claude_code_version: Option<String>,
    pub limits: Vec<LimitReading>,
}

fn status_line(conn: &Connection) -> Result<Option<StatusLineReport>> {
    let last: Option<i64> = conn.query_row(
        "SELECT max(t) FROM (SELECT max(last_ns) AS t FROM limit_windows UNION ALL SELECT max(last_ns) FROM session_workspaces)",
        [],
        |r| r.get(0),
    )?;
    let Some(last) = last else { return Ok(None) };
    let claude_code_version = conn
        .query_row("SELECT version FROM session_workspaces ORDER BY last_ns DESC LIMIT 1", [], |r| r.get(0))
        .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
    let mut limits = Vec::new();
    let mut latest =
        conn.prepare("SELECT resets_at, used_pct FROM limit_windows WHERE kind = ?1 ORDER BY resets_at DESC LIMIT 1")?;
    for kind in LimitKind::ALL {
        let mut rows = latest.query([kind.key()])?;
        if let Some(row) = rows.next()?
            && let Some(resets_at) = DateTime::from_timestamp(row.get(0)?, 0)
        {
            limits.push(LimitReading { kind, used_pct: row.get(1)?, resets_at });
        }
    }
    Ok(Some(StatusLineReport { at: from_ns(last), claude_code_version, limits }))
}

/// Snapshots waiting in the spool beside `path` (and the file moved aside from it).
fn spooled(path: &Path) -> usize {
    let spool = crate::spool::spool_path(path);
    let mut aside = spool.as_os_str().to_owned();
    aside.push(".1");
    [spool, PathBuf::from(aside)]
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|bytes| bytes.split(|b| *b == b'\n').filter(|line| !line.iter().all(u8::is_ascii_whitespace)).count())
        .sum()
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
        status_line: status_line(conn)?,
        status_line_waiting: spooled(path),
        transcripts: transcripts(conn, settings.follow_transcripts)?,
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
            self.status_line_text(),
            self.transcripts_text(),
        ];
        lines.extend(receivers.iter().map(|r| format!("receiver: {r}")));
        lines.join("\n") + "\n"
    }
}

impl Diagnostics {
    /// `transcripts: followed; 8 files read, 40 requests estimated (0 with no price); passed over: 1 line too long,
    /// 2 unreadable`.
    fn transcripts_text(&self) -> String {
        let t = &self.transcripts;
        let following = match t.following {
            Some(true) => "followed",
            Some(false) => "not followed",
            None => "not imported (ccmeter import-transcripts)",
        };
        format!(
            "transcripts: {following}; {} files read, {} requests estimated ({} with no price); passed over: {} \
             lines too long, {} unreadable",
            t.files, t.estimated_requests, t.unpriced_requests, t.lines_too_long, t.lines_unreadable
        )
    }

    /// `status line: last report 2026-12-02T22:04:17Z (Claude Code 2.1.332): 5h 31 % (resets …), 7d 42 % (…)`.
    fn status_line_text(&self) -> String {
        let waiting = match self.status_line_waiting {
            0 => String::new(),
            n => format!("; {n} waiting for the app"),
        };
        let Some(report) = &self.status_line else {
            return format!("status line: no report yet (ccmeter connect sets it up){waiting}");
        };
        let version = report.claude_code_version.as_deref().map(|v| format!(" (Claude Code {v})")).unwrap_or_default();
        let limits: Vec<String> = report
            .limits
            .iter()
            .map(|l| {
                format!(
                    "{} {} (resets {})",
                    l.kind.short(),
                    crate::words::statusline::percent_words(l.used_pct),
                    l.resets_at.to_rfc3339_opts(SecondsFormat::Secs, true)
                )
            })
            .collect();
        let limits = if limits.is_empty() { "no plan limits (API key)".to_owned() } else { limits.join(", ") };
        format!(
            "status line: last report {}{version}: {limits}{waiting}",
            report.at.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    }
}

/// `ccmeter diagnostics`: the About window's text for the database at `path`, with the receivers as configured
/// (the CLI binds nothing). Read-only: a report must not migrate (or back up) the database it describes.
pub fn of_file(path: &Path, version: &str) -> Result<String> {
    if !path.is_file() {
        let shown = home_relative(path);
        let waiting = match spooled(path) {
            0 => String::new(),
            n => format!("status line: {n} waiting for the app\n"),
        };
        return Ok(format!("ccmeter {version}\nno database at {shown} yet: nothing received\n{waiting}"));
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
