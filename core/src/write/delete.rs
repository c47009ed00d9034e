//! Deleting history: one session, or a span of time, with everything they recorded; and the retention
//! setting's pruning of old records, which keeps what was rolled up from them.
//!
//! Records, their rollup rows (usage and facets) and the sessions they leave empty go together in one
//! transaction, so every total stays consistent. What is kept on purpose: metric series (a cumulative
//! exporter's running totals, without which its next point would count again from zero) and the alerts
//! already shown.
//! A deleted record's deduplication key goes with it: an exporter retrying that very batch would store it
//! again, which only happens within seconds of the export.

use rusqlite::{Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{RangeProblem, Result};
use crate::words::range::Range;
use crate::words::time::TimeContext;
use crate::words::time::{BUCKET_NS, bucket_of};
use crate::write::daily;

/// What a deletion removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Deleted {
    pub events: i64,
    pub metric_points: i64,
    pub spans: i64,
    /// Sessions left with no record at all, removed from the history.
    pub sessions: i64,
}

/// Deletes one session (`""`: the records that came without a session id) and everything it recorded.
pub fn session(tx: &Transaction, id: &str) -> Result<Deleted> {
    let deleted = Deleted {
        events: tx.execute("DELETE FROM events WHERE session_id = ?1", [id])? as i64,
        metric_points: tx.execute("DELETE FROM metric_points WHERE session_id = ?1", [id])? as i64,
        spans: tx.execute("DELETE FROM spans WHERE session_id = ?1", [id])? as i64,
        sessions: tx.execute("DELETE FROM sessions WHERE id = ?1", [id])? as i64,
    };
    // Its workspace and project go with it; the plan's limit windows are the account's, not the session's.
    tx.execute("DELETE FROM session_workspaces WHERE session_id = ?1", [id])?;
    tx.execute("DELETE FROM session_transcripts WHERE session_id = ?1", [id])?;
    tx.execute("DELETE FROM session_projects WHERE session_id = ?1", [id])?;
    let days = daily::session_buckets(tx, id)?;
    tx.execute("DELETE FROM usage_rollup WHERE session_id = ?1", [id])?;
    tx.execute("DELETE FROM facet_rollup WHERE session_id = ?1", [id])?;
    // Its days lose its usage (and data without a session in its buckets may count its metrics again).
    daily::refresh_buckets(tx, days)?;
    daily::refresh_sessions(tx, [id])?;
    Ok(deleted)
}

/// Deletes every record whose time falls in `range`, widened to whole 15-minute buckets (local days and
/// hours always are whole buckets), and the sessions left empty; sessions that keep records get their
/// first and last times, and whether events own their cost, recomputed.
pub fn range(tx: &Transaction, range: Range) -> Result<Deleted> {
    let from_bucket = range.from_ns.map(bucket_of).unwrap_or(i64::MIN / BUCKET_NS);
    let to_bucket = range.to_ns.map(bucket_of).unwrap_or(i64::MAX / BUCKET_NS);
    if from_bucket >= to_bucket {
        return Err(RangeProblem::EmptySpan.into());
    }
    let (from, to) = (from_bucket.saturating_mul(BUCKET_NS), to_bucket.saturating_mul(BUCKET_NS));
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS touched (id TEXT PRIMARY KEY) WITHOUT ROWID; DELETE FROM touched;",
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO touched
         SELECT session_id FROM events WHERE time_ns >= ?1 AND time_ns < ?2
         UNION SELECT session_id FROM metric_points WHERE time_ns >= ?1 AND time_ns < ?2
         UNION SELECT session_id FROM spans WHERE start_ns >= ?1 AND start_ns < ?2
         UNION SELECT session_id FROM usage_rollup WHERE bucket >= ?3 AND bucket < ?4",
        params![from, to, from_bucket, to_bucket],
    )?;
    let mut deleted = Deleted {
        events: tx.execute("DELETE FROM events WHERE time_ns >= ?1 AND time_ns < ?2", params![from, to])? as i64,
        metric_points: tx
            .execute("DELETE FROM metric_points WHERE time_ns >= ?1 AND time_ns < ?2", params![from, to])?
            as i64,
        spans: tx.execute("DELETE FROM spans WHERE start_ns >= ?1 AND start_ns < ?2", params![from, to])? as i64,
        sessions: 0,
    };
    tx.execute("DELETE FROM usage_rollup WHERE bucket >= ?1 AND bucket < ?2", params![from_bucket, to_bucket])?;
    tx.execute("DELETE FROM facet_rollup WHERE bucket >= ?1 AND bucket < ?2", params![from_bucket, to_bucket])?;
    delete_statusline_span(tx, from, to)?;
    tx.execute(
        "UPDATE sessions SET
            first_ns = coalesce(min((SELECT min(time_ns) FROM events e WHERE e.session_id = sessions.id),
                                    (SELECT min(time_ns) FROM metric_points m WHERE m.session_id = sessions.id)),
                                (SELECT min(time_ns) FROM events e WHERE e.session_id = sessions.id),
                                (SELECT min(time_ns) FROM metric_points m WHERE m.session_id = sessions.id), first_ns),
            last_ns = coalesce(max((SELECT max(time_ns) FROM events e WHERE e.session_id = sessions.id),
                                   (SELECT max(time_ns) FROM metric_points m WHERE m.session_id = sessions.id)),
                               (SELECT max(time_ns) FROM events e WHERE e.session_id = sessions.id),
                               (SELECT max(time_ns) FROM metric_points m WHERE m.session_id = sessions.id), last_ns),
            has_api_events = EXISTS (SELECT 1 FROM events e WHERE e.session_id = sessions.id AND e.name = 'api_request')
         WHERE id IN (SELECT id FROM touched)",
        [],
    )?;
    deleted.sessions = tx.execute(
        "DELETE FROM sessions WHERE id IN (SELECT id FROM touched)
           AND NOT EXISTS (SELECT 1 FROM events e WHERE e.session_id = sessions.id)
           AND NOT EXISTS (SELECT 1 FROM metric_points m WHERE m.session_id = sessions.id)
           AND NOT EXISTS (SELECT 1 FROM usage_rollup u WHERE u.session_id = sessions.id)",
        [],
    )? as i64;
    // The days of the span lose their usage; a session that kept records but no `api_request` now counts its
    // metrics again on every day it has usage.
    daily::refresh_span(tx, from_bucket, to_bucket)?;
    let kept: Vec<i64> = tx
        .prepare(
            "SELECT bucket FROM usage_rollup WHERE session_id IN (SELECT id FROM touched)
             UNION SELECT bucket FROM facet_rollup WHERE session_id IN (SELECT id FROM touched)",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    daily::refresh_buckets(tx, kept)?;
    let touched: Vec<String> =
        tx.prepare("SELECT id FROM touched")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    daily::refresh_sessions(tx, touched.iter().map(String::as_str))?;
    tx.execute("DELETE FROM touched", [])?;
    Ok(deleted)
}

/// The statusline's records of `[from, to)`: the limit points in it, the windows (and their alerts) and the
/// workspaces reported only in it; a window reported beyond it keeps the highest use of its points left.
fn delete_statusline_span(tx: &Transaction, from: i64, to: i64) -> Result<()> {
    tx.execute("DELETE FROM limit_points WHERE at_ns >= ?1 AND at_ns < ?2", params![from, to])?;
    tx.execute(
        "DELETE FROM limit_alerts WHERE (kind, resets_at) IN
             (SELECT kind, resets_at FROM limit_windows WHERE first_ns >= ?1 AND last_ns < ?2)",
        params![from, to],
    )?;
    tx.execute("DELETE FROM limit_windows WHERE first_ns >= ?1 AND last_ns < ?2", params![from, to])?;
    tx.execute(
        "UPDATE limit_windows SET used_pct = (SELECT max(p.used_pct) FROM limit_points p
                                              WHERE p.kind = limit_windows.kind AND p.resets_at = limit_windows.resets_at)
         WHERE EXISTS (SELECT 1 FROM limit_points p WHERE p.kind = limit_windows.kind AND p.resets_at = limit_windows.resets_at)",
        [],
    )?;
    tx.execute("DELETE FROM session_workspaces WHERE first_ns >= ?1 AND last_ns < ?2", params![from, to])?;
    Ok(())
}

/// The retention setting: deletes the records (events, metric points, spans) older than `days` local days
/// before today (today is day 0), and keeps what was rolled up from them — usage and facet rollups and the
/// sessions — so totals, charts and budgets still cover every day, while timelines, logs, percentiles and
/// the tool table (which need the records) cover the days kept. Nothing is recomputed: a session's cost source
/// (`has_api_events`) stays what its records made it, so its rollup rows keep counting the same way.
pub fn prune_details_older_than(tx: &Transaction, ctx: &TimeContext, days: u32) -> Result<Deleted> {
    let today = ctx.today();
    let first_kept = today.checked_sub_days(chrono::Days::new(u64::from(days))).unwrap_or(chrono::NaiveDate::MIN);
    // Whole buckets, as every range here: the records of a kept bucket stay with it.
    let cutoff_bucket = bucket_of(crate::words::time::ns(ctx.start_of_day(first_kept)));
    let cutoff = cutoff_bucket.saturating_mul(BUCKET_NS);
    let deleted = Deleted {
        events: tx.execute("DELETE FROM events WHERE time_ns < ?1", [cutoff])? as i64,
        metric_points: tx.execute("DELETE FROM metric_points WHERE time_ns < ?1", [cutoff])? as i64,
        spans: tx.execute("DELETE FROM spans WHERE start_ns < ?1", [cutoff])? as i64,
        sessions: 0,
    };
    if deleted.events > 0 {
        daily::forget_timings_before(tx, cutoff_bucket)?;
    }
    Ok(deleted)
}
