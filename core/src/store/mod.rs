//! The database file: opening it (created if needed, private to its owner), the connection settings every
//! ccmeter connection uses, the schema's migrations with a backup before each upgrade, read-only opens, the
//! settings row, the one-source-per-session rule as SQL over the rollups (`usage`) and the tally of API
//! requests and tool calls from the events (`timing`), which both paths apply. No figures and no write path: those are `read` and `write`, above this.

pub mod settings;
pub mod timing;
pub mod usage;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::OpenFlags;
pub use rusqlite::{Connection, Transaction};
use rusqlite_migration::{M, Migrations};

use crate::error::{FileProblem, Result, StoreError};

pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_initial.sql"),
    include_str!("../../migrations/0002_budgets.sql"),
    include_str!("../../migrations/0003_alerts_per_limit.sql"),
    include_str!("../../migrations/0004_facet_rollup.sql"),
    include_str!("../../migrations/0005_decision_in_event_index.sql"),
    include_str!("../../migrations/0006_processes_and_subagents.sql"),
    include_str!("../../migrations/0007_usage_by_day_and_hour.sql"),
    include_str!("../../migrations/0008_facets_by_day_and_hour.sql"),
    include_str!("../../migrations/0009_timings_and_session_totals.sql"),
    include_str!("../../migrations/0010_failed_tools_index.sql"),
    include_str!("../../migrations/0011_session_mix.sql"),
    include_str!("../../migrations/0012_session_totals_span.sql"),
    include_str!("../../migrations/0013_statusline.sql"),
    include_str!("../../migrations/0014_projects.sql"),
    include_str!("../../migrations/0015_transcript_history.sql"),
    include_str!("../../migrations/0016_transcript_reads.sql"),
];
pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// Prepared statements kept per connection: a commit (the rollups and every aggregate) and a dashboard
/// refresh each run more distinct statements than rusqlite's default of 16, which then prepared them again
/// every time.
const STATEMENT_CACHE: usize = 128;

/// Applies the connection settings every ccmeter connection uses.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // WAL + NORMAL: a commit survives a process crash (kill -9); only a power cut may lose the last ones.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted history and erased content are overwritten, not left in free pages of the file.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

/// Opens (creating if needed) the database at `path` and brings its schema up to date, backing it up first
/// when a migration is due.
pub fn open_connection(path: &Path) -> Result<Connection> {
    open_and_migrate(path, true)
}

/// Whether to copy a database beside itself before migrating it: the user's own file, always; a scratch copy
/// (an import being staged), never.
pub(crate) fn open_and_migrate(path: &Path, backup: bool) -> Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { path: dir.to_owned(), source })?;
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
    restrict_permissions(path);
    configure(&conn).map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let found = usize::try_from(found).unwrap_or(0);
    if found > MIGRATIONS.len() {
        return Err(StoreError::TooNew { path: path.to_owned(), found, known: MIGRATIONS.len() });
    }
    if backup && found > 0 && found < MIGRATIONS.len() {
        backup_before_migrating(&conn, path, found)?;
    }
    migrations().to_latest(&mut conn).map_err(|source| StoreError::Migrate { path: path.to_owned(), source })?;
    Ok(conn)
}

/// Backups of the schemas older versions left, kept next to the database (the newest ones; older are removed).
const BACKUPS_KEPT: usize = 3;

/// Copies the database, as it stands, beside itself before a migration changes its schema: an upgrade that
/// goes wrong (or a downgrade the user wants back) never costs the history. A backup that cannot be written
/// stops the migration; the database is left untouched.
fn backup_before_migrating(conn: &Connection, path: &Path, schema: usize) -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let backup = backup_dir_of(path).join(format!("{}.schema{schema}-{stamp}.bak", file_name_of(path)));
    let failed = |source: FileProblem| StoreError::Backup { path: backup.clone(), source };
    // VACUUM INTO writes a consistent, compact copy (committed WAL content included). It goes to a partial
    // name first: a copy cut short (a full disk) is removed, never counted among the backups.
    let mut partial = backup.clone().into_os_string();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    if let Err(error) = conn.execute("VACUUM INTO ?1", [partial.to_string_lossy()]) {
        let _ = std::fs::remove_file(&partial);
        return Err(failed(error.into()));
    }
    restrict_permissions(&partial);
    std::fs::rename(&partial, &backup).map_err(|error| {
        let _ = std::fs::remove_file(&partial);
        failed(error.into())
    })?;
    tracing::info!(backup = %backup.display(), schema, "database backed up before its migration");
    prune_backups(path);
    Ok(backup)
}

fn backup_dir_of(path: &Path) -> PathBuf {
    path.parent().filter(|d| !d.as_os_str().is_empty()).map_or_else(|| PathBuf::from("."), Path::to_owned)
}

fn file_name_of(path: &Path) -> String {
    path.file_name().map_or_else(|| "ccmeter.db".into(), |n| n.to_string_lossy().into_owned())
}

/// The migration backups of the database at `path`, oldest first (their names sort by time).
pub fn migration_backups(path: &Path) -> Vec<PathBuf> {
    let prefix = format!("{}.schema", file_name_of(path));
    let mut found: Vec<PathBuf> = std::fs::read_dir(backup_dir_of(path))
        .map(|dir| {
            dir.filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".bak"))
                })
                .collect()
        })
        .unwrap_or_default();
    // Sorted by the timestamp, not by the schema number that precedes it.
    found.sort_by_key(|p| p.file_name().and_then(|n| n.to_str()).and_then(|n| n.rsplit('-').next()).map(str::to_owned));
    found
}

fn prune_backups(path: &Path) {
    let backups = migration_backups(path);
    for old in &backups[..backups.len().saturating_sub(BACKUPS_KEPT)] {
        if let Err(error) = std::fs::remove_file(old) {
            tracing::warn!(backup = %old.display(), %error, "cannot remove an old migration backup");
        }
    }
}

/// The database holds what the user did with Claude Code: readable by its owner only.
pub(crate) fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(error) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            tracing::warn!(path = %path.display(), %error, "cannot make the database private");
        }
    }
}

/// A read connection to the database at `path`, which must exist; nothing is created or migrated (WAL lets
/// readers run beside the writer).
pub fn open_read_only(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}
