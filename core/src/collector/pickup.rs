//! What the collector takes in besides OTLP, for the tray app and `ccmeter serve` alike: the snapshots
//! `ccmeter statusline` runs left in the spool while nothing listened on the app's socket, and the folder each
//! session ran in, from Claude Code's transcripts (a session's project when nothing better names one), followed
//! as Claude Code writes them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::Store;

/// How often Claude Code's transcripts are looked at again even without a change seen: the watch may be refused
/// (too many folders for the system's limit) or miss a change (a network folder).
pub const TRANSCRIPTS_READ_EVERY: Duration = Duration::from_secs(300);
/// How long the folder must stay quiet after a change before it is read: Claude Code appends to a transcript a
/// record at a time, in bursts.
pub const TRANSCRIPTS_SETTLE: Duration = Duration::from_millis(700);
/// The longest a change waits to be read while Claude Code keeps writing.
pub const TRANSCRIPTS_MAX_WAIT: Duration = Duration::from_secs(5);
/// How often a transcripts folder that does not exist yet (Claude Code never ran) is looked for.
const ABSENT_FOLDER_EVERY: Duration = Duration::from_secs(30);
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

/// Imports the requests the transcripts under `dir` gained since the last read (`history::import`), when the
/// user keeps following them (`Settings::follow_transcripts`). Returns how many were added.
pub async fn import_transcripts(store: &Store, dir: &Path) -> u64 {
    let following = store.reader().and_then(|conn| crate::store::settings::load(&conn)).map(|s| s.follow_transcripts);
    match following {
        Ok(Some(true)) => {}
        Ok(_) => return 0,
        Err(error) => {
            tracing::warn!(%error, "cannot read whether to follow the transcripts");
            return 0;
        }
    }
    match crate::history::import(store, &[dir.to_owned()], None, |_, _| {}).await {
        Ok(imported) => {
            if imported.added > 0 {
                tracing::info!(requests = imported.added, "requests imported from Claude Code's transcripts");
            }
            imported.added
        }
        Err(error) => {
            tracing::warn!(%error, "cannot import Claude Code's transcripts");
            0
        }
    }
}

/// Follows the transcripts folder `dir` until `cancel`: reads it at once, then within a few seconds of each change
/// Claude Code makes to a transcript (the `notify` crate: inotify on Linux, FSEvents on macOS), and every
/// [`TRANSCRIPTS_READ_EVERY`] in any case. Each read records the sessions' folders and, when the user follows the
/// transcripts, imports their new requests. Calls `read` after each read that recorded something.
pub async fn follow_transcripts(store: Store, dir: PathBuf, cancel: CancellationToken, read: impl Fn() + Send) {
    let (changed, mut changes) = mpsc::unbounded_channel::<()>();
    let mut watcher: Option<notify::RecommendedWatcher> = None;
    loop {
        let folders = read_transcripts(&store, &dir).await;
        let requests = import_transcripts(&store, &dir).await;
        if folders > 0 || requests > 0 {
            read();
        }
        if watcher.is_none() && dir.is_dir() {
            watcher = watch(&dir, changed.clone());
        }
        let idle = if dir.is_dir() { TRANSCRIPTS_READ_EVERY } else { ABSENT_FOLDER_EVERY };
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(idle) => continue,
            Some(()) = changes.recv() => {}
        }
        // A burst of appends is read once: when the folder has been quiet a moment, or after the longest wait.
        let deadline = tokio::time::Instant::now() + TRANSCRIPTS_MAX_WAIT;
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep_until(deadline) => break,
                more = tokio::time::timeout(TRANSCRIPTS_SETTLE, changes.recv()) => match more {
                    Ok(Some(())) => continue,
                    _ => break,
                },
            }
        }
    }
}

/// A recursive watch of `dir` that reports each change to a transcript; `None` (with the reason logged) when the
/// system refuses it, and the periodic reads carry on alone.
fn watch(dir: &Path, changed: mpsc::UnboundedSender<()>) -> Option<notify::RecommendedWatcher> {
    let handler = move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let touches_transcript = event.paths.iter().any(|p| p.extension().is_some_and(|ext| ext == "jsonl"));
        // A new folder counts too: a transcript written into it at once may come before the watch on it, so the
        // folder's own creation is what is seen (the read that follows finds the file).
        let changed_here = match event.kind {
            EventKind::Create(_) => true,
            EventKind::Modify(_) => touches_transcript,
            _ => false,
        };
        if changed_here {
            let _ = changed.send(());
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(watcher) => watcher,
        Err(error) => {
            tracing::warn!(%error, "cannot watch Claude Code's transcripts; reading them every few minutes");
            return None;
        }
    };
    match watcher.watch(dir, RecursiveMode::Recursive) {
        Ok(()) => {
            tracing::debug!(dir = %dir.display(), "watching Claude Code's transcripts");
            Some(watcher)
        }
        Err(error) => {
            tracing::warn!(%error, dir = %dir.display(), "cannot watch Claude Code's transcripts; reading them every few minutes");
            None
        }
    }
}
