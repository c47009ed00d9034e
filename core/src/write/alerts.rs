//! The alert record: each alert once, with the time it was seen, so it is sent once and never again (also
//! after a restart).

use rusqlite::{Transaction, params};

use crate::error::Result;
use crate::words::alert::Alert;
use crate::words::period::Period;
use crate::words::time::ns;

/// Whether an alert for this period key, limit and threshold is recorded already.
pub fn is_recorded(tx: &Transaction, period: Period, key: &str, limit_nanos: i64, threshold: u32) -> Result<bool> {
    let mut known = tx.prepare_cached(
        "SELECT 1 FROM alerts WHERE period = ?1 AND period_key = ?2 AND limit_nanos = ?3 AND threshold = ?4",
    )?;
    Ok(known.exists(params![period.as_str(), key, limit_nanos, threshold])?)
}

/// Records an alert (one already recorded is left as it is).
pub fn record(tx: &Transaction, alert: &Alert) -> Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO alerts (period, period_key, threshold, fired_at_ns, spent_nanos, limit_nanos, suppressed,
                                       summary, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    insert.execute(params![
        alert.period.as_str(),
        alert.key,
        alert.threshold,
        ns(alert.at),
        alert.spent_nanos,
        alert.limit_nanos,
        alert.suppressed,
        alert.summary,
        alert.body
    ])?;
    Ok(())
}
