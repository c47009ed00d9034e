//! Recording a statusline snapshot: its limit windows (the highest use of each, and a point each time one
//! rose) and its session's workspace. Snapshots may arrive out of order (those a statusline run kept while
//! no app ran are read at the next start), or a whole other database's at once (`ccmeter import`): every rule
//! here gives the same tables in any order.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::error::Result;
use crate::words::statusline::Snapshot;
use crate::words::time::ns;

/// A window's report kept by its one rule: the highest use, the widest span of reports. Ends an
/// `INSERT INTO limit_windows (kind, resets_at, used_pct, first_ns, last_ns) …`.
const WINDOW_RULE: &str = "
    ON CONFLICT (kind, resets_at) DO UPDATE SET
        used_pct = max(used_pct, excluded.used_pct),
        first_ns = min(first_ns, excluded.first_ns),
        last_ns = max(last_ns, excluded.last_ns)";

const WORKSPACE_COLUMNS: &str =
    "session_id, cwd, project_dir, repo_host, repo, model, version, cost_nanos, first_ns, last_ns";

/// A session's workspace kept by its one rule: the latest report describes it; an older one only widens its
/// first and last times. Ends an `INSERT INTO session_workspaces (WORKSPACE_COLUMNS) …`.
const WORKSPACE_RULE: &str = "
    ON CONFLICT (session_id) DO UPDATE SET
        cwd = CASE WHEN excluded.last_ns >= last_ns THEN excluded.cwd ELSE cwd END,
        project_dir = CASE WHEN excluded.last_ns >= last_ns THEN excluded.project_dir ELSE project_dir END,
        repo_host = CASE WHEN excluded.last_ns >= last_ns THEN excluded.repo_host ELSE repo_host END,
        repo = CASE WHEN excluded.last_ns >= last_ns THEN excluded.repo ELSE repo END,
        model = CASE WHEN excluded.last_ns >= last_ns THEN excluded.model ELSE model END,
        version = CASE WHEN excluded.last_ns >= last_ns THEN excluded.version ELSE version END,
        cost_nanos = CASE WHEN excluded.last_ns >= last_ns THEN excluded.cost_nanos ELSE cost_nanos END,
        first_ns = min(first_ns, excluded.first_ns),
        last_ns = max(last_ns, excluded.last_ns)";

/// Records `snapshot`.
pub fn record(tx: &Transaction, snapshot: &Snapshot) -> Result<()> {
    let at = ns(snapshot.received_at);
    for reading in &snapshot.limits {
        let (kind, resets_at) = (reading.kind.key(), reading.resets_at.timestamp());
        tx.prepare_cached(&format!(
            "INSERT INTO limit_windows (kind, resets_at, used_pct, first_ns, last_ns) VALUES (?1, ?2, ?3, ?4, ?4)
             {WINDOW_RULE}"
        ))?
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
        tx.prepare_cached(&format!(
            "INSERT INTO session_workspaces ({WORKSPACE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
             {WORKSPACE_RULE}"
        ))?
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
        crate::write::projects::settle(tx, session)?;
    }
    Ok(())
}

/// Merges the sessions' workspaces in `table` (with `session_workspaces`' columns) into this database's.
pub(crate) fn merge_workspaces(tx: &Transaction, table: &str) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO main.session_workspaces ({WORKSPACE_COLUMNS})
             SELECT {WORKSPACE_COLUMNS} FROM {table} WHERE true {WORKSPACE_RULE}"
        ),
        [],
    )?;
    Ok(())
}

/// What merging another database's statusline records brought.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MergedReports {
    /// Plan-limit windows this database did not have.
    pub windows_added: i64,
    /// Sessions' workspaces this database did not have.
    pub workspaces_added: i64,
}

/// Merges the statusline records of the database attached as `schema` by the same rules as [`record`]: the
/// result is as if both had received every snapshot. Limit alerts come along (a plan's window is the same on
/// every machine: one notified there need not notify again here).
pub fn merge_from(tx: &Transaction, schema: &str) -> Result<MergedReports> {
    let count = |table: &str| -> Result<i64> {
        Ok(tx.query_row(&format!("SELECT count(*) FROM main.{table}"), [], |r| r.get(0))?)
    };
    let (windows, workspaces) = (count("limit_windows")?, count("session_workspaces")?);
    // `WHERE true`: SQLite's parser needs it before an upsert's ON CONFLICT.
    tx.execute_batch(&format!(
        "INSERT INTO main.limit_windows (kind, resets_at, used_pct, first_ns, last_ns)
             SELECT kind, resets_at, used_pct, first_ns, last_ns FROM {schema}.limit_windows WHERE true {WINDOW_RULE};
         INSERT INTO main.limit_points (kind, resets_at, at_ns, used_pct)
             SELECT kind, resets_at, at_ns, used_pct FROM {schema}.limit_points WHERE true
             ON CONFLICT (kind, resets_at, at_ns) DO UPDATE SET used_pct = max(used_pct, excluded.used_pct);
         DELETE FROM main.limit_points AS p WHERE EXISTS (
             SELECT 1 FROM main.limit_points q
             WHERE q.kind = p.kind AND q.resets_at = p.resets_at AND q.at_ns < p.at_ns AND q.used_pct >= p.used_pct);
         INSERT OR IGNORE INTO main.limit_alerts SELECT * FROM {schema}.limit_alerts;"
    ))?;
    merge_workspaces(tx, &format!("{schema}.session_workspaces"))?;
    Ok(MergedReports {
        windows_added: count("limit_windows")? - windows,
        workspaces_added: count("session_workspaces")? - workspaces,
    })
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

    #[test]
    fn merging_another_database_gives_what_receiving_all_its_snapshots_would() {
        let reports = [snapshot(100, 12.0), snapshot(200, 15.0), snapshot(300, 15.0), snapshot(400, 31.0)];
        let dir = tempfile::tempdir().expect("dir");
        let open = |name: &str, which: &[usize]| {
            let mut conn = crate::store::open_connection(&dir.path().join(name)).expect("db");
            let tx = conn.transaction().expect("tx");
            for i in which {
                record(&tx, &reports[*i]).expect("recorded");
            }
            tx.commit().expect("commit");
            conn
        };
        let all = tables(&open("all.db", &[0, 1, 2, 3]));
        drop(open("other.db", &[1, 3]));
        let mut here = open("here.db", &[0, 2]);
        let other = dir.path().join("other.db");
        here.execute("ATTACH DATABASE ?1 AS other", [other.to_string_lossy()]).expect("attach");
        let tx = here.transaction().expect("tx");
        let merged = merge_from(&tx, "other").expect("merged");
        tx.commit().expect("commit");
        assert_eq!(merged, MergedReports { windows_added: 0, workspaces_added: 0 }, "both knew the window and session");
        assert_eq!(tables(&here), all);
        // Twice changes nothing.
        let tx = here.transaction().expect("tx");
        merge_from(&tx, "other").expect("merged");
        tx.commit().expect("commit");
        assert_eq!(tables(&here), all);
    }
}
