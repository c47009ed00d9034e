//! Statusline snapshots kept for the app while none runs: `ccmeter statusline` appends each to a file beside
//! the database (JSON lines, under an exclusive file lock), and the app takes them into the database at its
//! next start, after it listens on its socket (from then on snapshots reach it directly); `ccmeter serve`, which
//! has no such socket, takes them every few seconds (`collector::pickup`). The collector's writer stays the
//! database's one writer.
//!
//! The file never grows past [`MAX_SPOOL_BYTES`]: a full one is moved aside (`.1`, replacing an older one)
//! and the app reads both. A file is only ever emptied, never removed, so a run waiting for its lock never
//! writes into a file nobody will read.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, Write};
use std::path::{Path, PathBuf};

use crate::words::statusline::Snapshot;

/// About 8,000 snapshots: weeks of Claude Code use with no app running.
pub const MAX_SPOOL_BYTES: u64 = 4 * 1024 * 1024;

/// The spool beside `db`: `ccmeter.db.statusline`.
pub fn spool_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "ccmeter.db".into());
    name.push(".statusline");
    db.with_file_name(name)
}

fn moved_aside(spool: &Path) -> PathBuf {
    let mut name = spool.as_os_str().to_owned();
    name.push(".1");
    PathBuf::from(name)
}

fn open_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Appends `snapshot` to the spool beside `db`.
pub fn append(db: &Path, snapshot: &Snapshot) -> std::io::Result<()> {
    let path = spool_path(db);
    let mut line = serde_json::to_vec(snapshot).map_err(std::io::Error::other)?;
    line.push(b'\n');
    // The data folder may not exist yet: Claude Code can run the status line before the app's first start.
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)?;
    }
    let mut file = open_private(&path)?;
    file.lock()?;
    if file.metadata()?.len() + line.len() as u64 > MAX_SPOOL_BYTES {
        // Runs waiting for the lock on this file append to it under its new name, which the app reads too.
        std::fs::rename(&path, moved_aside(&path))?;
        file = open_private(&path)?;
        file.lock()?;
    }
    file.write_all(&line)
}

/// The snapshots waiting in the spool, the files locked until [`Taken::done`] empties them.
pub struct Taken {
    pub snapshots: Vec<Snapshot>,
    /// Lines that were not a snapshot (a torn write, another program's), counted and skipped.
    pub unreadable: usize,
    files: Vec<File>,
}

impl Taken {
    /// The snapshots are in the database: empties the spool and lets waiting runs append again.
    pub fn done(self) -> std::io::Result<()> {
        for file in &self.files {
            file.set_len(0)?;
        }
        Ok(())
    }
}

/// Takes the spool beside `db` (the file moved aside first, as it holds the older snapshots); `None` when
/// there is none or it is empty.
pub fn take(db: &Path) -> std::io::Result<Option<Taken>> {
    let path = spool_path(db);
    let mut taken = Taken { snapshots: Vec::new(), unreadable: 0, files: Vec::new() };
    for path in [moved_aside(&path), path] {
        let mut file = match OpenOptions::new().read(true).write(true).open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
            Err(error) => return Err(error),
        };
        file.lock()?;
        file.rewind()?;
        for line in BufReader::new(&file).split(b'\n') {
            let line = line?;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<Snapshot>(&line) {
                Ok(snapshot) => taken.snapshots.push(snapshot),
                Err(_) => taken.unreadable += 1,
            }
        }
        taken.files.push(file);
    }
    Ok((!taken.snapshots.is_empty() || taken.unreadable > 0).then_some(taken))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn snapshot(received: i64) -> Snapshot {
        Snapshot {
            received_at: DateTime::from_timestamp(received, 0).expect("instant"),
            session_id: Some(format!("s{received}")),
            limits: Vec::new(),
            ..Default::default()
        }
    }

    #[test]
    fn snapshots_wait_in_order_and_are_taken_once() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("not yet made").join("c.db");
        assert!(take(&db).expect("nothing").is_none());
        for i in 0..3 {
            append(&db, &snapshot(i)).expect("appended");
        }
        // A torn line (a run killed mid-write) costs that line only.
        std::fs::OpenOptions::new()
            .append(true)
            .open(spool_path(&db))
            .expect("spool")
            .write_all(b"{\"recei")
            .expect("torn");
        append(&db, &snapshot(3)).expect("appended");
        let taken = take(&db).expect("taken").expect("some");
        assert_eq!(taken.snapshots.iter().map(|s| s.received_at.timestamp()).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(taken.unreadable, 1, "the torn line and the one glued to it");
        taken.done().expect("emptied");
        assert!(take(&db).expect("empty").is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(spool_path(&db)).expect("spool").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_full_spool_is_moved_aside_and_both_are_read_oldest_first() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("c.db");
        let line = serde_json::to_vec(&snapshot(0)).expect("json").len() as u64 + 1;
        let fill = MAX_SPOOL_BYTES / line;
        for i in 0..fill + 5 {
            append(&db, &snapshot(i as i64)).expect("appended");
        }
        assert!(std::fs::metadata(spool_path(&db)).expect("spool").len() <= MAX_SPOOL_BYTES);
        let taken = take(&db).expect("taken").expect("some");
        let times: Vec<i64> = taken.snapshots.iter().map(|s| s.received_at.timestamp()).collect();
        assert_eq!(times.len() as u64, fill + 5, "nothing lost");
        assert!(times.windows(2).all(|w| w[0] < w[1]), "oldest first");
    }
}
