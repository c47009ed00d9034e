//! The SQLite store: opening and migrating the file, the single writer thread, and the sink the OTLP
//! receiver hands batches to.
//!
//! One thread owns the write connection. Batches queue on a bounded channel; the writer takes every
//! batch waiting (group commit), writes them in one transaction, commits, and only then answers each
//! sender — so an export is acknowledged only once its rows are durable. A full queue answers "busy"
//! at once, which the receiver turns into OTLP "unavailable" so the exporter retries.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ccmeter_proto::{Batch, Sink, SinkError, SinkFuture, Stored};
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::error::{Result, StoreError};
use crate::ingest::{self, Privacy, WriteSummary};

pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_budgets.sql"),
    include_str!("../migrations/0003_alerts_per_limit.sql"),
    include_str!("../migrations/0004_facet_rollup.sql"),
    include_str!("../migrations/0005_decision_in_event_index.sql"),
    include_str!("../migrations/0006_processes_and_subagents.sql"),
];
/// Batches waiting for the writer before new ones are answered "busy".
const QUEUE_DEPTH: usize = 256;
/// Most batches written in one transaction.
const GROUP_COMMIT: usize = 128;

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// Applies the connection settings every ccmeter connection uses.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // WAL + NORMAL: a commit survives a process crash (kill -9); only a power cut may lose the last ones.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted history and erased content are overwritten, not left in free pages of the file.
    conn.pragma_update(None, "secure_delete", "ON")?;
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
    let failed = |reason: String| StoreError::Backup { path: backup.clone(), reason };
    // VACUUM INTO writes a consistent, compact copy (committed WAL content included). It goes to a partial
    // name first: a copy cut short (a full disk) is removed, never counted among the backups.
    let mut partial = backup.clone().into_os_string();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    if let Err(error) = conn.execute("VACUUM INTO ?1", [partial.to_string_lossy()]) {
        let _ = std::fs::remove_file(&partial);
        return Err(failed(error.to_string()));
    }
    restrict_permissions(&partial);
    std::fs::rename(&partial, &backup).map_err(|error| {
        let _ = std::fs::remove_file(&partial);
        failed(error.to_string())
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

/// Sent to listeners after every commit that stored something (the tray, budgets, open windows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub summary: WriteSummary,
}

type Reply = oneshot::Sender<std::result::Result<WriteSummary, String>>;

/// A write that is not a telemetry batch (settings, alert state, deletions), run in its own transaction.
type Exec = Box<dyn FnOnce(&mut Connection) + Send>;

enum Job {
    Ingest { batch: Batch, reply: Reply },
    Exec(Exec),
}

/// A handle to the store: cloneable, cheap, usable from any thread.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    jobs: mpsc::Sender<Job>,
    committed: broadcast::Sender<Committed>,
}

impl Store {
    /// Opens the database and starts its writer thread.
    pub fn open(path: impl Into<PathBuf>) -> Result<Store> {
        let path = path.into();
        let conn = open_connection(&path)?;
        let privacy = ingest::load_privacy(&conn)?;
        let (jobs, receiver) = mpsc::channel(QUEUE_DEPTH);
        let (committed, _) = broadcast::channel(64);
        let notify = committed.clone();
        std::thread::Builder::new()
            .name("ccmeter-writer".into())
            .spawn(move || writer_loop(conn, receiver, notify, privacy))
            .map_err(|_| StoreError::WriterGone)?;
        Ok(Store { path, jobs, committed })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A new read connection (WAL lets readers run beside the writer).
    pub fn reader(&self) -> Result<Connection> {
        let conn =
            Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|source| StoreError::Open { path: self.path.clone(), source })?;
        conn.busy_timeout(Duration::from_secs(5))?;
        Ok(conn)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Committed> {
        self.committed.subscribe()
    }

    /// Writes one batch and waits for its commit.
    pub async fn write(&self, batch: Batch) -> std::result::Result<WriteSummary, SinkError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.try_send(Job::Ingest { batch, reply }).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => SinkError::Busy,
            mpsc::error::TrySendError::Closed(_) => {
                SinkError::Unavailable { reason: "the database writer has stopped".into() }
            }
        })?;
        match answer.await {
            Ok(Ok(summary)) => Ok(summary),
            Ok(Err(reason)) => Err(SinkError::Unavailable { reason }),
            Err(_) => Err(SinkError::Unavailable { reason: "the database writer has stopped".into() }),
        }
    }
}

impl Store {
    /// Runs `write` on the writer thread in one transaction (committed when it returns `Ok`), so every
    /// write to the database goes through the one writer.
    pub async fn exec<T, F>(&self, write: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Exec = Box::new(move |conn: &mut Connection| {
            let result = (|| {
                // Immediate: a read-modify-write (a settings patch) holds the write lock from its read on, so
                // another process's writer (the CLI) waits for it instead of failing it halfway.
                let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let value = write(&tx)?;
                tx.commit()?;
                Ok(value)
            })();
            let _ = reply.send(result);
        });
        self.jobs.send(Job::Exec(job)).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

impl Store {
    /// Copies the WAL into the database and empties it (what `secure_delete` zeroed is then gone from the
    /// WAL too). Best effort: a reader in the middle of a read keeps the frames it needs.
    pub async fn checkpoint(&self) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        let job: Exec = Box::new(move |conn: &mut Connection| {
            let result = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(StoreError::from);
            let _ = reply.send(result);
        });
        self.jobs.send(Job::Exec(job)).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

impl Sink for Store {
    fn ingest(&self, batch: Batch) -> SinkFuture {
        let store = self.clone();
        Box::pin(
            async move { store.write(batch).await.map(|summary| Stored { rejected: summary.rejected, message: None }) },
        )
    }
}

/// A batch waiting in a group commit.
struct Pending {
    batch: Batch,
    reply: Reply,
}

fn writer_loop(
    mut conn: Connection,
    mut jobs: mpsc::Receiver<Job>,
    notify: broadcast::Sender<Committed>,
    mut privacy: Privacy,
) {
    let mut next = None;
    while let Some(first) = next.take().or_else(|| jobs.blocking_recv()) {
        let first = match first {
            Job::Ingest { batch, reply } => Pending { batch, reply },
            Job::Exec(write) => {
                write(&mut conn);
                // Settings may have changed what content is kept.
                match ingest::load_privacy(&conn) {
                    Ok(loaded) => privacy = loaded,
                    Err(error) => tracing::warn!(%error, "cannot reload the privacy settings"),
                }
                continue;
            }
        };
        let mut group = vec![first];
        while group.len() < GROUP_COMMIT {
            match jobs.try_recv() {
                Ok(Job::Ingest { batch, reply }) => group.push(Pending { batch, reply }),
                Ok(exec) => {
                    // Runs right after this group, keeping the order writes were asked in.
                    next = Some(exec);
                    break;
                }
                Err(_) => break,
            }
        }
        let batches: Vec<&Batch> = group.iter().map(|job| &job.batch).collect();
        match ingest::write_batches(&mut conn, &batches, &privacy) {
            Ok(summaries) => {
                let mut total = WriteSummary::default();
                for (job, summary) in group.into_iter().zip(summaries) {
                    total.add(&summary);
                    let _ = job.reply.send(Ok(summary));
                }
                if total.stored() > 0 {
                    let _ = notify.send(Committed { summary: total });
                }
            }
            Err(error) if group.len() > 1 => {
                // One batch must not sink the others: write each on its own to find the one at fault.
                tracing::warn!(%error, batches = group.len(), "group commit failed; retrying batches one by one");
                for job in group {
                    let result = ingest::write_batches(&mut conn, &[&job.batch], &privacy);
                    match result {
                        Ok(mut summaries) => {
                            let summary = summaries.pop().unwrap_or_default();
                            if summary.stored() > 0 {
                                let _ = notify.send(Committed { summary: summary.clone() });
                            }
                            let _ = job.reply.send(Ok(summary));
                        }
                        Err(error) => {
                            tracing::error!(%error, "batch could not be stored");
                            let _ = job.reply.send(Err(unstored_reason(&error)));
                        }
                    }
                }
            }
            Err(error) => {
                tracing::error!(%error, "batch could not be stored");
                let reason = unstored_reason(&error);
                for job in group {
                    let _ = job.reply.send(Err(reason.clone()));
                }
            }
        }
    }
    tracing::debug!("database writer stopped");
}

/// What the exporter is told (with OTLP "unavailable", so it retries) when its batch was not stored. A full
/// disk says so in words a user acts on; the transaction rolled back, so nothing of the batch was kept.
fn unstored_reason(error: &StoreError) -> String {
    match error {
        StoreError::Sql(rusqlite::Error::SqliteFailure(failure, _))
            if failure.code == rusqlite::ErrorCode::DiskFull =>
        {
            "the disk holding the ccmeter database is full: nothing of this batch was stored; free some space and \
             the exporter's retries will store it"
                .into()
        }
        other => other.to_string(),
    }
}

/// The store as the receiver sees it.
pub fn sink(store: &Store) -> Arc<dyn Sink> {
    Arc::new(store.clone())
}
