//! `ccmeter export --out FILE` and `ccmeter import FILE`: the history moved between machines (the rules are
//! in `ccmeter_core::write::transfer`).

use std::path::Path;

use ccmeter_core::StoreError;
use ccmeter_core::error::ExportProblem;
use ccmeter_core::store::open_connection;
use ccmeter_core::write::transfer;

use crate::report::plural;

pub fn export(db: &Path, out: &Path) -> Result<String, StoreError> {
    if !db.is_file() {
        return Err(StoreError::Export { out: db.to_owned(), problem: ExportProblem::NoDatabase });
    }
    let conn = open_connection(db)?;
    let exported = transfer::export(&conn, db, out)?;
    Ok(format!(
        "Exported {} to {} ({}). `ccmeter import {}` adds it to another machine's history.\n",
        plural(exported.sessions, "session"),
        exported.path.display(),
        size(exported.bytes),
        exported.path.display()
    ))
}

pub fn import(db: &Path, file: &Path) -> Result<String, StoreError> {
    let mut conn = open_connection(db)?;
    let imported = transfer::import(&mut conn, db, file)?;
    drop(conn);
    let reached = match crate::instance::send(db, crate::instance::Request::HistoryChanged) {
        Ok(true) => " The running app shows it.",
        Ok(false) => "",
        Err(error) => {
            tracing::warn!(%error, "could not reach the running app; it shows the import after its next data");
            ""
        }
    };
    let mut sessions = vec![format!("{} added", plural(imported.sessions_added, "session"))];
    if imported.sessions_updated > 0 {
        sessions.push(format!("{} brought up to date", imported.sessions_updated));
    }
    if imported.sessions_unchanged > 0 {
        sessions.push(format!("{} already here", imported.sessions_unchanged));
    }
    let mut records = vec![
        plural(imported.events, "event"),
        plural(imported.metric_points, "metric point"),
        plural(imported.spans, "span"),
    ];
    if imported.reports.windows_added > 0 {
        records.push(plural(imported.reports.windows_added, "plan-limit window"));
    }
    if imported.reports.workspaces_added > 0 {
        records.push(plural(imported.reports.workspaces_added, "session workspace"));
    }
    Ok(format!("Imported {}: {}; {}.{reached}\n", file.display(), sessions.join(", "), records.join(", ")))
}

/// A file size as people read it: `812 KB`, `3.4 MB`.
fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} KB", bytes / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_counts_read_naturally() {
        assert_eq!(size(512), "512 bytes");
        assert_eq!(size(81_200), "81 KB");
        assert_eq!(size(3_400_000), "3.4 MB");
        assert_eq!(plural(1, "session"), "1 session");
        assert_eq!(plural(0, "span"), "0 spans");
    }
}
