//! Moving history between machines: `ccmeter export` writes a copy of the database, `ccmeter import` merges
//! such a copy into the database in use.
//!
//! An export is a complete, consistent SQLite file (the user can open it with `sqlite3`). An import takes
//! history only — sessions with their records and rollups — never the other machine's settings, budgets or
//! alerts. Merging follows one rule per session, so importing the same file twice, or a newer export of the
//! same machine, changes nothing it should not:
//! - a session this database lacks is added with everything it recorded;
//! - a session both have is taken from whichever saw it last (its `last_ns`), whole, never summed;
//! - records that came without a session id (`""`) are merged per 15-minute bucket: a bucket this database
//!   holds nothing of is copied, one it already holds is left alone, so no total counts twice.
//!
//! Rows are copied column by column as `main`'s schema names them, so a migration that adds a column needs
//! nothing here. The file is staged as a private copy first (migrated forward when an older ccmeter wrote
//! it), and everything goes in one transaction: a failed import leaves the database as it was.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, Transaction};
use serde::Serialize;

use crate::error::{ExportProblem, FileProblem, ImportProblem, Result, StoreError};
use crate::store::{self, MIGRATIONS};
use crate::words::time::BUCKET_NS;
use crate::write::ingest;

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exported {
    pub path: PathBuf,
    pub bytes: u64,
    pub sessions: i64,
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// Sessions this database did not have.
    pub sessions_added: i64,
    /// Sessions the file had seen further than this database, taken from the file.
    pub sessions_updated: i64,
    /// Sessions this database already had as far as the file (or further): left alone.
    pub sessions_unchanged: i64,
    pub events: i64,
    pub metric_points: i64,
    pub spans: i64,
    /// Plan-limit windows and sessions' workspaces (from the status line) this database did not have.
    pub reports: crate::write::statusline::MergedReports,
}

/// Writes a consistent copy of the database behind `conn` (a reader is enough) to `out`. The copy is made
/// beside `out` and renamed into place, so `out` is never half written; an existing `out` is replaced.
pub fn export(conn: &Connection, database: &Path, out: &Path) -> Result<Exported> {
    let failed = |problem: ExportProblem| StoreError::Export { out: out.to_owned(), problem };
    if same_file(database, out) {
        return Err(failed(ExportProblem::SameAsDatabase));
    }
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(failed(ExportProblem::NoFolder { folder: dir.to_owned() }));
    }
    let name = out.file_name().ok_or_else(|| failed(ExportProblem::NotAFileName))?.to_string_lossy();
    let partial = dir.join(format!(".{name}.{}.partial", std::process::id()));
    let _ = std::fs::remove_file(&partial);
    let cleanup = RemoveOnDrop(partial.clone());
    // VACUUM INTO reads one snapshot (WAL content committed so far included) and writes it compactly.
    conn.execute("VACUUM INTO ?1", [partial.to_string_lossy()]).map_err(|e| failed(FileProblem::from(e).into()))?;
    store::restrict_permissions(&partial);
    std::fs::rename(&partial, out).map_err(|e| failed(FileProblem::from(e).into()))?;
    drop(cleanup);
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    let sessions = conn.query_row("SELECT count(*) FROM sessions WHERE id <> ''", [], |r| r.get(0))?;
    Ok(Exported { path: out.to_owned(), bytes, sessions })
}

/// Merges the history in the export `file` into the database behind `conn` (see the module's rules). The
/// database's own privacy setting applies: with prompt text off, imported content is erased as it lands.
pub fn import(conn: &mut Connection, database: &Path, file: &Path) -> Result<Imported> {
    let failed = |problem: ImportProblem| StoreError::Import { file: file.to_owned(), problem };
    if same_file(database, file) {
        return Err(failed(ImportProblem::SameAsDatabase));
    }
    if !file.is_file() {
        return Err(failed(ImportProblem::NoSuchFile));
    }
    check_export(file).map_err(failed)?;

    let privacy = ingest::load_privacy(conn)?;
    let staged = stage(database, file, privacy).map_err(|error| failed(ImportProblem::Unreadable(Box::new(error))))?;
    conn.execute("ATTACH DATABASE ?1 AS src", [staged.0.to_string_lossy()])?;
    let merged = (|| -> Result<Imported> {
        let tx = conn.transaction()?;
        let imported = merge(&tx)?;
        tx.commit()?;
        Ok(imported)
    })();
    let detached = conn.execute("DETACH DATABASE src", []);
    let imported = merged?;
    detached?;
    Ok(imported)
}

/// Why `file` is not something to import, in the user's words.
fn check_export(file: &Path) -> std::result::Result<(), ImportProblem> {
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(ImportProblem::CannotOpen)?;
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'
               AND name IN ('sessions', 'events', 'metric_points', 'spans', 'usage_rollup', 'resources')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => ImportProblem::NotSqlite,
            _ => ImportProblem::Unreadable(Box::new(e.into())),
        })?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| ImportProblem::Unreadable(Box::new(e.into())))?;
    if tables < 6 || version < 1 {
        return Err(ImportProblem::NotAnExport);
    }
    if version as usize > MIGRATIONS.len() {
        return Err(ImportProblem::TooNew { found: version, known: MIGRATIONS.len() });
    }
    let integrity: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(ImportProblem::Unchecked)?;
    if integrity != "ok" {
        return Err(ImportProblem::Damaged(integrity));
    }
    Ok(())
}

const STAGED_PREFIX: &str = ".ccmeter-import-";

/// A staged copy this old was left by an import that was killed (one running now is younger).
const STALE_STAGED: std::time::Duration = std::time::Duration::from_secs(3600);

/// A private copy of `file` beside the database, migrated to this version's schema and, when this database
/// keeps no content, with its content erased (so the text never reaches this database's pages); removed when
/// dropped. Copies left by an import that was killed are removed first.
fn stage(database: &Path, file: &Path, privacy: ingest::Privacy) -> Result<RemoveOnDrop> {
    let dir = database.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age > STALE_STAGED);
            if stale && entry.file_name().to_string_lossy().starts_with(STAGED_PREFIX) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let staged = RemoveOnDrop(dir.join(format!("{STAGED_PREFIX}{}.db", std::process::id())));
    let source = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    source.execute("VACUUM INTO ?1", [staged.0.to_string_lossy()])?;
    drop(source);
    store::restrict_permissions(&staged.0);
    let mut copy = store::open_and_migrate(&staged.0, false)?;
    if !privacy.store_content {
        let tx = copy.transaction()?;
        crate::write::erase::erase_content(&tx)?;
        tx.commit()?;
    }
    Ok(staged)
}

fn merge(tx: &Transaction) -> Result<Imported> {
    let mut imported = Imported::default();
    tx.execute_batch(
        "CREATE TEMP TABLE res_map (src_id INTEGER PRIMARY KEY, main_id INTEGER NOT NULL);
         CREATE TEMP TABLE series_map (src_id INTEGER PRIMARY KEY, main_id INTEGER NOT NULL);
         CREATE TEMP TABLE taken (id TEXT PRIMARY KEY) WITHOUT ROWID;
         CREATE TEMP TABLE free_buckets (bucket INTEGER PRIMARY KEY);
         CREATE TEMP TABLE kept_workspaces AS SELECT * FROM main.session_workspaces WHERE false;

         INSERT OR IGNORE INTO main.resources (hash, attributes) SELECT hash, attributes FROM src.resources;
         INSERT INTO res_map SELECT r.id, m.id FROM src.resources r JOIN main.resources m ON m.hash = r.hash;",
    )?;
    // A series key hashes in its database's own resource id, which means another resource here: imported
    // series are keyed by their resource's content instead (the same on every import of the same file).
    copy_rows(tx, "metric_series", "TRUE", "OR IGNORE")?;
    tx.execute_batch(&format!(
        "INSERT INTO series_map SELECT s.id, m.id FROM src.metric_series s JOIN main.metric_series m
         ON m.key = {IMPORTED_SERIES_KEY};"
    ))?;

    // Sessions: new ones, and the ones the file saw further (whose rows here give way to the file's).
    imported.sessions_added = tx.execute(
        "INSERT INTO taken SELECT id FROM src.sessions s
         WHERE id <> '' AND NOT EXISTS (SELECT 1 FROM main.sessions m WHERE m.id = s.id)",
        [],
    )? as i64;
    let updated: Vec<String> = tx
        .prepare(
            "SELECT s.id FROM src.sessions s JOIN main.sessions m ON m.id = s.id
             WHERE s.id <> '' AND s.last_ns > m.last_ns",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &updated {
        // What the status line said of the session here stays: it merges with the file's below.
        tx.execute("INSERT INTO kept_workspaces SELECT * FROM main.session_workspaces WHERE session_id = ?1", [id])?;
        crate::write::delete::session(tx, id)?;
        tx.execute("INSERT INTO taken VALUES (?1)", [id])?;
    }
    imported.sessions_updated = updated.len() as i64;
    let shared: i64 = tx.query_row("SELECT count(*) FROM src.sessions WHERE id <> ''", [], |r| r.get(0))?;
    imported.sessions_unchanged = shared - imported.sessions_added - imported.sessions_updated;
    copy_rows(tx, "sessions", "t.id IN (SELECT id FROM temp.taken)", "")?;

    // Records without a session: only the buckets this database holds nothing of.
    let buckets_of = |schema: &str| {
        format!(
            "SELECT time_ns / {BUCKET_NS} FROM {schema}.events WHERE session_id = ''
             UNION SELECT time_ns / {BUCKET_NS} FROM {schema}.metric_points WHERE session_id = ''
             UNION SELECT start_ns / {BUCKET_NS} FROM {schema}.spans WHERE session_id = ''
             UNION SELECT bucket FROM {schema}.usage_rollup WHERE session_id = ''
             UNION SELECT bucket FROM {schema}.facet_rollup WHERE session_id = ''"
        )
    };
    let free = tx.execute(
        &format!(
            "INSERT INTO free_buckets SELECT * FROM ({}) EXCEPT SELECT * FROM ({})",
            buckets_of("src"),
            buckets_of("main")
        ),
        [],
    )?;

    let chosen = |bucket: &str| {
        format!(
            "(t.session_id IN (SELECT id FROM temp.taken)
              OR (t.session_id = '' AND {bucket} IN (SELECT bucket FROM temp.free_buckets)))"
        )
    };
    let record_bucket = |time: &str| chosen(&format!("t.{time} / {BUCKET_NS}"));
    imported.events = copy_rows(tx, "events", &record_bucket("time_ns"), "OR IGNORE")?;
    imported.metric_points = copy_rows(tx, "metric_points", &record_bucket("time_ns"), "OR IGNORE")?;
    imported.spans = copy_rows(tx, "spans", &record_bucket("start_ns"), "OR IGNORE")?;
    copy_rows(tx, "usage_rollup", &chosen("t.bucket"), "")?;
    copy_rows(tx, "facet_rollup", &chosen("t.bucket"), "")?;
    if free > 0 {
        merge_sessionless_row(tx)?;
    }
    // The days the imported usage lies in are read again (sessions added or replaced, free buckets).
    let imported_buckets: Vec<i64> = tx
        .prepare(
            "SELECT bucket FROM main.usage_rollup WHERE session_id IN (SELECT id FROM temp.taken)
             UNION SELECT bucket FROM main.facet_rollup WHERE session_id IN (SELECT id FROM temp.taken)
             UNION SELECT bucket FROM temp.free_buckets",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    crate::write::daily::refresh_buckets(tx, imported_buckets)?;
    let taken: Vec<String> =
        tx.prepare("SELECT id FROM temp.taken")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    crate::write::daily::refresh_sessions(tx, taken.iter().map(String::as_str))?;
    crate::write::statusline::merge_workspaces(tx, "temp.kept_workspaces")?;
    imported.reports = crate::write::statusline::merge_from(tx, "src")?;
    // The file's transcripts and projects for sessions this database knows none of; then those whose project
    // does not depend on this machine's disk (a repository, a project folder) are settled again from the merge.
    // The requests the file once read from transcripts come along (each event keeps its estimated mark), so
    // none is read again here; how far this disk's transcripts were read stays this database's own.
    tx.execute_batch(
        "INSERT OR IGNORE INTO main.session_transcripts SELECT * FROM src.session_transcripts;
         INSERT OR IGNORE INTO main.session_projects SELECT * FROM src.session_projects;
         INSERT OR IGNORE INTO main.transcript_requests SELECT key FROM src.transcript_requests;",
    )?;
    crate::write::projects::settle_portable(tx)?;

    tx.execute_batch(
        "DROP TABLE temp.res_map; DROP TABLE temp.series_map; DROP TABLE temp.taken; DROP TABLE temp.free_buckets;
         DROP TABLE temp.kept_workspaces;",
    )?;
    Ok(imported)
}

/// The `""` session's row spans what both databases recorded without a session id.
fn merge_sessionless_row(tx: &Transaction) -> Result<()> {
    copy_rows(tx, "sessions", "t.id = '' AND NOT EXISTS (SELECT 1 FROM main.sessions WHERE id = '')", "")?;
    tx.execute(
        "UPDATE main.sessions SET
            first_ns = min(first_ns, (SELECT first_ns FROM src.sessions WHERE id = '')),
            last_ns = max(last_ns, (SELECT last_ns FROM src.sessions WHERE id = ''))
         WHERE id = '' AND EXISTS (SELECT 1 FROM src.sessions WHERE id = '')",
        [],
    )?;
    Ok(())
}

/// An imported series' key, from the file's series `s`: its key and its resource's content hash.
const IMPORTED_SERIES_KEY: &str =
    "('import:' || (SELECT hash FROM src.resources WHERE id = s.resource_id) || ':' || s.key)";

/// Copies the rows of `src.<table>` aliased `t` that `filter` selects into `main.<table>`, column by column
/// as `main` names them: a rowid `id` is left to `main`, resource and series ids are translated.
fn copy_rows(tx: &Transaction, table: &str, filter: &str, conflict: &str) -> Result<i64> {
    let mut columns = Vec::new();
    let mut values = Vec::new();
    let mut info = tx.prepare(&format!("PRAGMA main.table_info({table})"))?;
    let rows = info.query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(5)?)))?;
    for row in rows {
        let (name, kind, primary_key) = row?;
        if name == "id" && primary_key == 1 && kind.eq_ignore_ascii_case("INTEGER") {
            continue;
        }
        let value = match name.as_str() {
            "key" if table == "metric_series" => IMPORTED_SERIES_KEY.replace("s.", "t."),
            "resource_id" => "(SELECT main_id FROM temp.res_map WHERE src_id = t.resource_id)".to_owned(),
            "series_id" => "(SELECT main_id FROM temp.series_map WHERE src_id = t.series_id)".to_owned(),
            _ => format!("t.\"{name}\""),
        };
        columns.push(format!("\"{name}\""));
        values.push(value);
    }
    let sql = format!(
        "INSERT {conflict} INTO main.{table} ({}) SELECT {} FROM src.{table} t WHERE {filter}",
        columns.join(", "),
        values.join(", ")
    );
    Ok(tx.execute(&sql, [])? as i64)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A scratch file that goes away with the operation that made it, however that ends.
struct RemoveOnDrop(PathBuf);

impl RemoveOnDrop {
    fn remove(&self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        self.remove();
        for suffix in ["-wal", "-shm"] {
            let mut side = self.0.clone().into_os_string();
            side.push(suffix);
            let _ = std::fs::remove_file(side);
        }
    }
}
