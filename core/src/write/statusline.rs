//! Recording a statusline snapshot: its limit windows (the highest use of each, and a point each time one
//! rose) and its session's workspace. Snapshots may arrive out of order (those a statusline run kept while
//! no app ran are read at the next start): every rule here gives the same tables in any order.

use rusqlite::{OptionalExtension, Transaction, params};

use crate::error::Result;
use crate::words::statusline::Snapshot;
use crate::words::time::ns;

/// Records `snapshot`.
pub fn record(tx: &Transaction, snapshot: &Snapshot) -> Result<()> {
    let at = ns(snapshot.received_at);
    for reading in &snapshot.limits {
        let (kind, resets_at) = (reading.kind.key(), reading.resets_at.timestamp());
        tx.prepare_cached(
            "INSERT INTO limit_windows (kind, resets_at, used_pct, first_ns, last_ns) VALUES (?1, ?2, ?3, ?4, ?4)
             ON CONFLICT (kind, resets_at) DO UPDATE SET
                 used_pct = max(used_pct, excluded.used_pct),
                 first_ns = min(first_ns, excluded.first_ns),
                 last_ns = max(last_ns, excluded.last_ns)",
        )?
        .execute(params![kind, resets_at, reading.used_pct, at])?;
        // A point when this report is above every earlier one of its window (the history is the window's rise);
        // a point it outdoes is no longer a rise.
        let outdone: Option<i64> = tx
            .prepare_cached(
                "SELECT 1 FROM limit_points WHERE kind = ?1 AND resets_at = ?2 AND at_ns <= ?3 AND used_pct >= ?4",
            )?
            .query_row(params![kind, resets_at, at, reading.used_pct], |row| row.get(0))
            .optional()?;
        if outdone.is_none() {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO limit_points (kind, resets_at, at_ns, used_pct) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![kind, resets_at, at, reading.used_pct])?;
            tx.prepare_cached(
                "DELETE FROM limit_points WHERE kind = ?1 AND resets_at = ?2 AND at_ns > ?3 AND used_pct <= ?4",
            )?
            .execute(params![kind, resets_at, at, reading.used_pct])?;
        }
    }
    if let Some(session) = &snapshot.session_id {
        let repo = snapshot.repository.as_ref();
        // The latest report describes the session; an older one only widens its first and last times.
        tx.prepare_cached(
            "INSERT INTO session_workspaces (session_id, cwd, project_dir, repo_host, repo, model, version, cost_nanos,
                                             first_ns, last_ns)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
             ON CONFLICT (session_id) DO UPDATE SET
                 cwd = CASE WHEN excluded.last_ns >= last_ns THEN excluded.cwd ELSE cwd END,
                 project_dir = CASE WHEN excluded.last_ns >= last_ns THEN excluded.project_dir ELSE project_dir END,
                 repo_host = CASE WHEN excluded.last_ns >= last_ns THEN excluded.repo_host ELSE repo_host END,
                 repo = CASE WHEN excluded.last_ns >= last_ns THEN excluded.repo ELSE repo END,
                 model = CASE WHEN excluded.last_ns >= last_ns THEN excluded.model ELSE model END,
                 version = CASE WHEN excluded.last_ns >= last_ns THEN excluded.version ELSE version END,
                 cost_nanos = CASE WHEN excluded.last_ns >= last_ns THEN excluded.cost_nanos ELSE cost_nanos END,
                 first_ns = min(first_ns, excluded.first_ns),
                 last_ns = max(last_ns, excluded.last_ns)",
        )?
        .execute(params![
            session,
            snapshot.cwd,
            snapshot.project_dir,
            repo.and_then(|r| r.host.as_deref()),
            repo.map(|r| r.slug()),
            snapshot.model_id,
            snapshot.version,
            snapshot.session_cost_nanos,
            at
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::statusline::{LimitKind, LimitReading};
    use chrono::{DateTime, Utc};

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).expect("instant")
    }

    fn snapshot(received: i64, five_hour: f64) -> Snapshot {
        Snapshot {
            received_at: at(received),
            session_id: Some("s1".into()),
            cwd: Some(format!("/work/{received}")),
            session_cost_nanos: Some(received),
            limits: vec![LimitReading { kind: LimitKind::FiveHour, used_pct: five_hour, resets_at: at(10_000) }],
            ..Default::default()
        }
    }

    /// The window's points (s, %), its highest use, and the workspace (cwd, cost, first s, last s).
    type Tables = (Vec<(i64, f64)>, f64, (String, i64, i64, i64));

    fn tables(conn: &rusqlite::Connection) -> Tables {
        let points = conn
            .prepare("SELECT at_ns / 1000000000, used_pct FROM limit_points ORDER BY at_ns")
            .expect("points")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("points")
            .collect::<rusqlite::Result<_>>()
            .expect("points");
        let high = conn.query_row("SELECT used_pct FROM limit_windows", [], |r| r.get(0)).expect("window");
        let workspace = conn
            .query_row(
                "SELECT cwd, cost_nanos, first_ns / 1000000000, last_ns / 1000000000 FROM session_workspaces",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .expect("workspace");
        (points, high, workspace)
    }

    #[test]
    fn any_order_of_the_same_snapshots_gives_the_same_windows_points_and_workspace() {
        let reports = [snapshot(100, 12.0), snapshot(200, 15.0), snapshot(300, 15.0), snapshot(400, 31.0)];
        let mut results = Vec::new();
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [1, 3, 0, 2]] {
            let dir = tempfile::tempdir().expect("dir");
            let mut conn = crate::store::open_connection(&dir.path().join("c.db")).expect("db");
            let tx = conn.transaction().expect("tx");
            for i in order {
                record(&tx, &reports[i]).expect("recorded");
                // The same report again (Claude Code repeats itself) changes nothing.
                record(&tx, &reports[i]).expect("recorded");
            }
            tx.commit().expect("commit");
            results.push(tables(&conn));
        }
        let expected = (vec![(100, 12.0), (200, 15.0), (400, 31.0)], 31.0, ("/work/400".to_owned(), 400, 100, 400));
        for result in results {
            assert_eq!(result, expected);
        }
    }
}
