//! Plan-limit alerts: after each snapshot, the thresholds (`Settings::limit_alerts`) the current windows have
//! newly reached are recorded and, unless alerts are paused, sent — once per window, the highest only when
//! one check finds several.

use rusqlite::{Transaction, params};
use serde::Serialize;

use crate::error::Result;
use crate::store::settings;
use crate::words::time::{TimeContext, ns};

use super::{CurrentLimit, current, percent_words, reset_words};

/// A limit threshold reached, as recorded and (unless suppressed) sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitAlert {
    pub limit: CurrentLimit,
    pub threshold: u32,
    pub suppressed: bool,
    /// "5-hour limit: 95 % used"
    pub summary: String,
    /// "Resets at 14:30"
    pub body: String,
}

/// Records every threshold the current windows newly reached; returns the alerts to send now.
///
/// Run it in the writer's transaction (`Store::exec`): the record and the decision to notify are one step.
pub fn check_and_record(tx: &Transaction, ctx: &TimeContext) -> Result<Vec<LimitAlert>> {
    let settings = settings::load(tx)?;
    let now = ctx.now();
    let silenced = settings.paused_until(now).is_some();
    let mut notify = Vec::new();
    for limit in current(tx, now)? {
        let (kind, resets_at) = (limit.kind.key(), limit.resets_at.timestamp());
        let mut recorded =
            tx.prepare_cached("SELECT 1 FROM limit_alerts WHERE kind = ?1 AND resets_at = ?2 AND threshold = ?3")?;
        let mut new = Vec::new();
        for &threshold in &settings.limit_alerts {
            if limit.used_pct >= f64::from(threshold) && !recorded.exists(params![kind, resets_at, threshold])? {
                new.push(threshold);
            }
        }
        let Some(&highest) = new.iter().max() else { continue };
        for threshold in new {
            let alert = LimitAlert {
                limit,
                threshold,
                suppressed: silenced || threshold != highest,
                summary: format!("{}: {} used", limit.kind.name(), percent_words(limit.used_pct)),
                body: format!("Resets at {}", reset_words(ctx, limit.resets_at)),
            };
            tx.prepare_cached(
                "INSERT OR IGNORE INTO limit_alerts (kind, resets_at, threshold, fired_at_ns, used_pct, suppressed,
                                                     summary, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                kind,
                resets_at,
                threshold,
                ns(now),
                limit.used_pct,
                alert.suppressed,
                alert.summary,
                alert.body
            ])?;
            if !alert.suppressed {
                notify.push(alert);
            }
        }
    }
    Ok(notify)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::statusline::{LimitKind, LimitReading, Snapshot};
    use chrono::{DateTime, Utc};

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).expect("instant")
    }

    fn report(conn: &mut rusqlite::Connection, received: i64, used_pct: f64, resets: i64) -> Vec<LimitAlert> {
        let snapshot = Snapshot {
            received_at: at(received),
            session_id: Some("s".into()),
            limits: vec![LimitReading { kind: LimitKind::FiveHour, used_pct, resets_at: at(resets) }],
            ..Default::default()
        };
        let tx = conn.transaction().expect("tx");
        crate::write::statusline::record(&tx, &snapshot).expect("recorded");
        let ctx = TimeContext::fixed(at(received), chrono_tz::UTC);
        let alerts = check_and_record(&tx, &ctx).expect("checked");
        tx.commit().expect("commit");
        alerts
    }

    #[test]
    fn each_threshold_alerts_once_per_window_and_a_jump_past_two_sends_the_higher() {
        let dir = tempfile::tempdir().expect("dir");
        let mut conn = crate::store::open_connection(&dir.path().join("a.db")).expect("db");
        assert!(report(&mut conn, 100, 79.9, 18_000).is_empty());
        let sent = report(&mut conn, 200, 80.0, 18_000);
        assert_eq!(sent.iter().map(|a| a.summary.as_str()).collect::<Vec<_>>(), ["5-hour limit: 80 % used"]);
        assert_eq!(sent[0].body, "Resets at 05:00");
        assert!(report(&mut conn, 300, 85.0, 18_000).is_empty(), "80 % once per window");
        // The next window jumps from nothing to 96 %: one notification, for 95 %; 80 % recorded as suppressed.
        let sent = report(&mut conn, 400, 96.0, 36_000);
        assert_eq!(sent.iter().map(|a| a.threshold).collect::<Vec<_>>(), [95]);
        let recorded: i64 = conn
            .query_row("SELECT count(*) FROM limit_alerts WHERE resets_at = 36000 AND suppressed", [], |r| r.get(0))
            .expect("count");
        assert_eq!(recorded, 1);
    }
}
