//! The alerts recorded so far, for the CLI and the tests.

use rusqlite::Connection;

use crate::error::Result;
use crate::words::alert::Alert;
use crate::words::period::Period;
use crate::words::time::from_ns;

/// The alerts recorded, newest first (`limit` 0: all of them).
pub fn history(conn: &Connection, limit: u32) -> Result<Vec<Alert>> {
    let limit = if limit == 0 { i64::MAX } else { i64::from(limit) };
    let mut statement = conn.prepare_cached(
        "SELECT period, period_key, threshold, fired_at_ns, spent_nanos, limit_nanos, suppressed, summary, body
         FROM alerts ORDER BY fired_at_ns DESC, threshold DESC, period, period_key LIMIT ?1",
    )?;
    let rows = statement.query_map([limit], |row| {
        Ok((
            row.get::<_, String>(0)?,
            Alert {
                period: Period::Day,
                key: row.get(1)?,
                threshold: row.get(2)?,
                at: from_ns(row.get(3)?),
                spent_nanos: row.get(4)?,
                limit_nanos: row.get(5)?,
                suppressed: row.get(6)?,
                summary: row.get(7)?,
                body: row.get(8)?,
            },
        ))
    })?;
    let mut alerts = Vec::new();
    for row in rows {
        let (period, mut alert) = row?;
        // A period a newer ccmeter added is skipped, not an error.
        let Ok(period) = period.parse::<Period>() else { continue };
        alert.period = period;
        alerts.push(alert);
    }
    Ok(alerts)
}
