//! The one error type of the engine, with a variant for each thing that can go wrong and the problems inside
//! typed too, so a caller (the IPC, the CLI) acts on what happened, not on the words.

use std::path::PathBuf;

use chrono::NaiveDate;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("cannot create the folder {path} for the database: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("the database {path} could not be migrated: {source}")]
    Migrate { path: PathBuf, source: rusqlite_migration::Error },
    #[error(
        "the database {path} was written by a newer ccmeter (schema {found}, this version knows {known}); upgrade ccmeter"
    )]
    TooNew { path: PathBuf, found: usize, known: usize },
    #[error("cannot back up the database to {path} before upgrading it (nothing was changed): {source}")]
    Backup { path: PathBuf, source: FileProblem },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the database writer has stopped")]
    WriterGone,
    /// The writer refused a batch of records (what the receiver answers its client).
    #[error("the records could not be written: {0}")]
    Write(String),
    /// `ccmeter import-transcripts`: a folder to read is not there.
    #[error(
        "no transcripts folder at {}: Claude Code writes its transcripts under ~/.claude/projects \
         ($CLAUDE_CONFIG_DIR/projects when that is set); name another folder with --dir",
        dir.display()
    )]
    NoTranscripts { dir: PathBuf },
    #[error("invalid query: {text:?} is not a date: use YYYY-MM-DD, e.g. 2026-11-24")]
    InvalidDate { text: String },
    #[error("invalid query: {0}")]
    InvalidRange(#[from] RangeProblem),
    /// Settings that cannot be saved or read; `problem` says what to change.
    #[error("invalid settings: {problem}")]
    InvalidSettings { field: SettingsField, problem: String },
    #[error("there is no session {id:?} (deleted?)")]
    NoSuchSession { id: String },
    /// A file the user asked for (an export, Claude Code's settings) that could not be written.
    #[error("{0}")]
    WriteFile(#[from] WriteProblem),
    /// Rows or settings that could not be encoded as CSV or JSON (a bug: the values are ccmeter's own).
    #[error("cannot encode the file: {0}")]
    Encode(Box<dyn std::error::Error + Send + Sync>),
    /// Claude Code's settings file cannot be found, read or merged; nothing was changed.
    #[error("{0}")]
    ClaudeConfig(#[from] ClaudeConfigProblem),
    /// `ccmeter export`: the copy of the history could not be made.
    #[error("export failed: {}: {problem}", out.display())]
    Export { out: PathBuf, problem: ExportProblem },
    /// `ccmeter import`: the file was refused or could not be read; the database is as it was.
    #[error("import failed: {}: {problem}", file.display())]
    Import { file: PathBuf, problem: ImportProblem },
}

/// Why a span of time cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeProblem {
    #[error("the period must end after it starts ({since} to {until})")]
    EndsBeforeStart { since: NaiveDate, until: NaiveDate },
    #[error("a period is at most {max} days (got {days})")]
    TooLong { days: i64, max: i64 },
    #[error("the span to delete is empty: it must end after it starts")]
    EmptySpan,
    #[error("--since {since} must be before --until {until} (until is exclusive)")]
    SinceNotBeforeUntil { since: NaiveDate, until: NaiveDate },
}

/// The setting a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsField {
    /// A budget's limit or thresholds.
    Budget,
    /// A budget period that is not one.
    BudgetPeriod,
    ActiveWindow,
    Retention,
    /// The plan-limit alert thresholds.
    LimitAlerts,
    GrpcAddr,
    HttpAddr,
    /// Where the Prometheus endpoint listens.
    MetricsAddr,
    /// A model's price, set by the user.
    PriceOverride,
    /// The stored row as a whole (unreadable, or not encodable).
    Stored,
}

/// A file operation that failed, with the OS's reason.
#[derive(Debug, thiserror::Error)]
pub enum FileProblem {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
}

/// Why a file could not be written where the user asked.
#[derive(Debug, thiserror::Error)]
pub enum WriteProblem {
    #[error("the folder {} does not exist", folder.display())]
    NoFolder { folder: PathBuf },
    #[error("{} is a folder, not a file name", path.display())]
    IsFolder { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// Why Claude Code's settings file cannot be connected.
#[derive(Debug, thiserror::Error)]
pub enum ClaudeConfigProblem {
    #[error("cannot find your home folder to locate ~/.claude/settings.json")]
    NoHome,
    #[error("cannot read {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error(
        "{} is not a Claude Code settings file ({what}: {source}); fix it or move it away, then connect again \
         — nothing was changed",
        path.display()
    )]
    NotSettings { path: PathBuf, what: &'static str, source: serde_json::Error },
    #[error("cannot create {}: {source}", folder.display())]
    CreateFolder { folder: PathBuf, source: std::io::Error },
}

/// Why `ccmeter export` could not write its copy.
#[derive(Debug, thiserror::Error)]
pub enum ExportProblem {
    #[error("there is no database at this path yet: nothing to export")]
    NoDatabase,
    #[error("that is the database ccmeter is using; choose another file")]
    SameAsDatabase,
    #[error("the folder {} does not exist", folder.display())]
    NoFolder { folder: PathBuf },
    #[error("not a file name")]
    NotAFileName,
    #[error("{0}")]
    Copy(#[from] FileProblem),
}

/// Why `ccmeter import` refused a file or could not read it.
#[derive(Debug, thiserror::Error)]
pub enum ImportProblem {
    #[error("that is the database ccmeter is using; there is nothing to import")]
    SameAsDatabase,
    #[error("no such file")]
    NoSuchFile,
    #[error("cannot open it: {0}")]
    CannotOpen(rusqlite::Error),
    #[error("not a ccmeter export (make one with `ccmeter export --out FILE`): not an SQLite database")]
    NotSqlite,
    #[error("not a ccmeter export (make one with `ccmeter export --out FILE`)")]
    NotAnExport,
    #[error("it was exported by a newer ccmeter (schema {found}, this version knows {known}); upgrade ccmeter first")]
    TooNew { found: i64, known: usize },
    #[error("it is damaged: {0}")]
    Unchecked(rusqlite::Error),
    #[error("it is damaged ({0})")]
    Damaged(String),
    #[error("cannot read it: {0}")]
    Unreadable(Box<StoreError>),
}

impl StoreError {
    /// Settings that cannot be used, and what to change.
    pub fn settings(field: SettingsField, problem: impl Into<String>) -> StoreError {
        StoreError::InvalidSettings { field, problem: problem.into() }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
