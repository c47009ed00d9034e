//! The single writer: one thread owns the write connection, and every write to the database goes through
//! it — the batches the OTLP receiver hands over, and the other writes (settings, alert state, deletions).
//!
//! Batches queue on a bounded channel; the writer takes every batch waiting (group commit), writes them in
//! one transaction, commits, and only then answers each sender — so an export is acknowledged only once its
//! rows are durable. A full queue answers "busy" at once, which the receiver turns into OTLP "unavailable" so
//! the exporter retries.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ccmeter_proto::{Batch, Sink, SinkError, SinkFuture, Stored};
use rusqlite::Connection;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::error::{Result, StoreError};
use crate::store::open_connection;
use crate::write::daily;
use crate::write::ingest::{self, Privacy, WriteSummary};

/// Batches waiting for the writer before new ones are answered "busy".
const QUEUE_DEPTH: usize = 256;
/// Most batches written in one transaction.
const GROUP_COMMIT: usize = 128;

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
    /// Opens the database and starts its writer thread; the daily aggregates are local to the zone the app
    /// runs in (`words::time::local_zone`).
    pub fn open(path: impl Into<PathBuf>) -> Result<Store> {
        Store::open_in_zone(path, crate::words::time::local_zone())
    }

    /// [`Store::open`] with the daily aggregates local to `zone`.
    pub fn open_in_zone(path: impl Into<PathBuf>, zone: chrono_tz::Tz) -> Result<Store> {
        let path = path.into();
        let mut conn = open_connection(&path)?;
        let privacy = ingest::load_privacy(&conn)?;
        // The daily aggregates follow the zone the app runs in; days still to build are built behind the
        // receiver, while no write waits (see `writer_loop`).
        let tx = conn.transaction()?;
        daily::ensure_zone(&tx, zone)?;
        let filling = daily::fill_pending(&tx)?;
        tx.commit()?;
        let (jobs, receiver) = mpsc::channel(QUEUE_DEPTH);
        let (committed, _) = broadcast::channel(64);
        let notify = committed.clone();
        std::thread::Builder::new()
            .name("ccmeter-writer".into())
            .spawn(move || writer_loop(conn, receiver, notify, privacy, filling))
            .map_err(|_| StoreError::WriterGone)?;
        Ok(Store { path, jobs, committed })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A new read connection (WAL lets readers run beside the writer).
    pub fn reader(&self) -> Result<Connection> {
        crate::store::open_read_only(&self.path)
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
    /// Writes one batch, waiting for room in the writer's queue rather than refusing (`write` answers `Busy`):
    /// for an import, which can wait behind the receiver's batches and need not keep a copy to retry with.
    pub async fn write_queued(&self, batch: Batch) -> std::result::Result<WriteSummary, SinkError> {
        let stopped = || SinkError::Unavailable { reason: "the database writer has stopped".into() };
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job::Ingest { batch, reply }).await.map_err(|_| stopped())?;
        match answer.await {
            Ok(Ok(summary)) => Ok(summary),
            Ok(Err(reason)) => Err(SinkError::Unavailable { reason }),
            Err(_) => Err(stopped()),
        }
    }

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
    mut filling: bool,
) {
    let mut next = None;
    loop {
        let first = match next.take() {
            Some(job) => job,
            None if filling => match jobs.try_recv() {
                Ok(job) => job,
                Err(mpsc::error::TryRecvError::Empty) => {
                    filling = fill_step(&mut conn);
                    continue;
                }
                Err(mpsc::error::TryRecvError::Disconnected) => break,
            },
            None => match jobs.blocking_recv() {
                Some(job) => job,
                None => break,
            },
        };
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

/// One step of building the daily aggregates, in its own transaction; returns whether days remain. A step
/// that fails stops the fill for this run (the queries keep reading the rollup, which stays exact).
fn fill_step(conn: &mut Connection) -> bool {
    let step = (|| {
        let tx = conn.transaction()?;
        let more = daily::fill_step(&tx)?;
        tx.commit()?;
        Ok::<_, StoreError>(more)
    })();
    step.unwrap_or_else(|error| {
        tracing::warn!(%error, "cannot build the daily aggregates; long ranges read the rollup instead");
        false
    })
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
