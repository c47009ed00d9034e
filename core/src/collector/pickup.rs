//! What the collector takes in besides OTLP, for the tray app and `ccmeter serve` alike: the snapshots
//! `ccmeter statusline` runs left in the spool while nothing listened on the app's socket, and the folder each
//! session ran in, from Claude Code's transcripts (a session's project when nothing better names one).

use std::path::Path;
use std::time::Duration;

use crate::Store;

/// How often Claude Code's transcripts are looked at again for new sessions' folders.
pub const TRANSCRIPTS_READ_EVERY: Duration = Duration::from_secs(300);
/// How often `ccmeter serve`, which has no socket for the status line, takes in what its runs spooled.
pub const SPOOL_TAKEN_EVERY: Duration = Duration::from_secs(10);

/// Records the snapshots waiting in the spool beside `db` in one transaction, then empties it (a failure leaves
/// them for the next try). Returns how many were recorded.
pub async fn take_spool(store: &Store, db: &Path) -> usize {
    let db = db.to_owned();
    let taken = match tokio::task::spawn_blocking(move || crate::spool::take(&db)).await {
        Ok(Ok(Some(taken))) => taken,
        Ok(Ok(None)) => return 0,
        Ok(Err(error)) => {
            tracing::warn!(%error, "cannot read the statusline spool");
            return 0;
        }
        Err(error) => {
            tracing::warn!(%error, "the statusline spool task failed");
            return 0;
        }
    };
    let mut taken = taken;
    let snapshots = std::mem::take(&mut taken.snapshots);
    let count = snapshots.len();
    if taken.unreadable > 0 {
        tracing::warn!(lines = taken.unreadable, "statusline spool lines that are not snapshots were skipped");
    }
    let recorded = store
        .exec(move |tx| snapshots.iter().try_for_each(|snapshot| crate::write::statusline::record(tx, snapshot)))
        .await;
    match recorded.map(|()| taken.done()) {
        Ok(Ok(())) => {
            tracing::info!(snapshots = count, "statusline snapshots taken from the spool");
            count
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "cannot empty the statusline spool; its snapshots are recorded");
            count
        }
        Err(error) => {
            tracing::error!(%error, "cannot record the statusline spool; it is kept for the next try");
            0
        }
    }
}

/// Reads the transcripts under `dir` new or changed since the last read and records each session's folder.
/// Returns how many transcripts were recorded.
pub async fn read_transcripts(store: &Store, dir: &Path) -> usize {
    let known = store.reader().and_then(|conn| crate::write::projects::transcripts_known(&conn));
    let known = known.unwrap_or_else(|error| {
        tracing::warn!(%error, "cannot read which transcripts are known");
        Default::default()
    });
    let folder = dir.to_owned();
    let scan = match tokio::task::spawn_blocking(move || crate::transcripts::scan(&folder, &known)).await {
        Ok(scan) if !scan.seen.is_empty() => scan,
        Ok(_) => return 0,
        Err(error) => {
            tracing::warn!(%error, "the transcript scan failed");
            return 0;
        }
    };
    let count = scan.seen.len();
    match store.exec(move |tx| crate::write::projects::record_transcripts(tx, &scan.seen)).await {
        Ok(_) => {
            tracing::info!(transcripts = count, "sessions' folders read from Claude Code's transcripts");
            count
        }
        Err(error) => {
            tracing::warn!(%error, "cannot record the transcripts' folders");
            0
        }
    }
}
