//! What the tray shows at a glance: the running cost of the active session(s), else today's total,
//! and when that text must next change on its own (a session going idle, local midnight).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Result;
use crate::read::query::{self, SessionFilter, SessionRow, SessionSort, Usage};
use crate::words::money::money;
use crate::words::range::Range;
use crate::words::time::{TimeContext, from_ns, ns};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Glance {
    /// Sessions with an event or metric point within the active window, most recent first.
    pub active: Vec<SessionRow>,
    pub today: Usage,
    /// The tray text: `$1.24`, `$3.10 (2)` or `today $7.80`.
    pub label: String,
    /// The next instant the label changes without new data, if any.
    pub next_change: Option<DateTime<Utc>>,
}

impl Glance {
    /// The amount the label shows: the active sessions' running cost, else today's total.
    pub fn shown_nanos(&self) -> i64 {
        if self.active.is_empty() {
            self.today.cost_nanos
        } else {
            self.active.iter().map(|s| s.usage.cost_nanos).sum()
        }
    }
}

pub fn label(active: &[SessionRow], today_nanos: i64) -> String {
    match active {
        [] => format!("today {}", money(today_nanos)),
        [one] => money(one.usage.cost_nanos),
        many => format!("{} ({})", money(many.iter().map(|s| s.usage.cost_nanos).sum()), many.len()),
    }
}

pub fn glance(conn: &Connection, ctx: &TimeContext, active_window: Duration) -> Result<Glance> {
    let now = ctx.now();
    let today = ctx.today();
    let midnight = ctx.start_of_day(today.succ_opt().unwrap_or(today));
    let today_usage = query::summary(conn, Range::local_days(ctx, Some(today), today.succ_opt()))?.usage;
    let active = query::sessions(
        conn,
        &SessionFilter {
            sort: SessionSort::End,
            descending: true,
            active_since_ns: Some(ns(now - active_window)),
            ..Default::default()
        },
    )?
    .rows;
    // The earliest moment a session leaves the window, or the day turns.
    let idle = active.iter().map(|s| s.ended_at + active_window).filter(|t| *t > now).min();
    let next_change = Some(idle.map_or(midnight, |t| t.min(midnight)));
    Ok(Glance { label: label(&active, today_usage.cost_nanos), active, today: today_usage, next_change })
}

/// How long ago the last record of any kind arrived (by its own time), for "last data N s ago".
pub fn last_data(conn: &Connection) -> Result<Option<DateTime<Utc>>> {
    let last: Option<i64> = conn.query_row("SELECT max(last_ns) FROM sessions", [], |r| r.get(0))?;
    Ok(last.map(from_ns))
}

/// The Claude Code version of the most recently active session: its `app.version` attribute, else its
/// resource's `service.version` (always sent).
pub fn claude_code_version(conn: &Connection) -> Result<Option<String>> {
    let version = conn
        .query_row(
            "SELECT coalesce(s.app_version, json_extract(r.attributes, '$.\"service.version\"'))
             FROM sessions s LEFT JOIN resources r ON r.id = s.resource_id
             WHERE s.id <> '' ORDER BY s.last_ns DESC LIMIT 1",
            [],
            |row| row.get::<_, Option<String>>(0),
        )
        .optional()?;
    Ok(version.flatten())
}
