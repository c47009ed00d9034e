//! An alert: a budget threshold reached, as the budgets decide it, the store records it and the tray sends it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::words::period::Period;

/// A threshold reached, as recorded (and, unless suppressed, sent as a desktop notification).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Alert {
    pub period: Period,
    pub key: String,
    pub threshold: u32,
    pub at: DateTime<Utc>,
    pub spent_nanos: i64,
    pub limit_nanos: i64,
    /// No notification was sent for it: alerts were off or paused, or a higher threshold of the same
    /// period was reached in the same check and sent instead.
    pub suppressed: bool,
    /// "Daily budget 80 % used"
    pub summary: String,
    /// "$8.04 of $10.00 spent today"
    pub body: String,
}
