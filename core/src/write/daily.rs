//! The aggregates per local day and per local hour: usage by model (`usage_by_day`, `usage_by_hour`, migration
//! 0007) and the facet breakdowns by value (`facet_by_day`, `facet_by_hour`, migration 0008), with the
//! one-source-per-session rule applied, so a year reads 365 rows a model (or value) instead of every
//! session's 15-minute rows.
//!
//! An hour's rows are always recomputed whole from `usage_rollup`, and a day's from its hours (never adjusted
//! by a delta), so they are exact by construction: whatever changed them — a batch, a session's first
//! `api_request` moving its cost from metrics to events, a first `api_request` in a bucket that held metrics
//! without a session, a deletion, an import — they are read again with the rule the queries apply. The
//! writer recomputes every hour and day a write touches; the days no write has touched since the aggregates
//! were created (an upgrade, a new zone) are built by [`fill_step`], which the writer runs while no write is
//! waiting, so the receiver listens from the start and no export waits behind the fill for more than one step.

use std::collections::BTreeSet;

use chrono::Days;
use chrono_tz::Tz;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::error::Result;
use crate::store::usage::{FACET_COLUMNS, FACET_ROWS, OWNED_ROWS, USAGE_COLUMNS};
use crate::words::facet::Facet;
use crate::words::time::{BUCKET_NS, TimeContext, bucket_of, from_ns, ns};

/// Days built per fill step: the longest an export waits behind the fill is one step.
const FILL_DAYS_PER_STEP: u64 = 7;

/// The zone the aggregates' days are local to, when there are aggregates.
pub fn zone(tx: &Transaction) -> Result<Option<Tz>> {
    let name: Option<String> =
        tx.query_row("SELECT zone FROM usage_by_day_state WHERE id = 1", [], |r| r.get(0)).optional()?;
    Ok(name.and_then(|name| name.parse().ok()))
}

/// Makes the aggregates local to `zone`: kept as they are when they already are, else emptied and set to be
/// filled again (by [`fill_step`]) from the first bucket stored. Run it when the store opens.
pub fn ensure_zone(tx: &Transaction, zone: Tz) -> Result<()> {
    if self::zone(tx)? == Some(zone) {
        return Ok(());
    }
    tx.execute_batch(
        "DELETE FROM usage_by_day; DELETE FROM usage_by_hour; DELETE FROM facet_by_day; DELETE FROM facet_by_hour;",
    )?;
    let first: Option<i64> = tx.query_row("SELECT min(bucket) FROM usage_rollup", [], |r| r.get(0))?;
    tx.execute(
        "INSERT INTO usage_by_day_state (id, zone, fill_from) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET zone = excluded.zone, fill_from = excluded.fill_from",
        params![zone.name(), first],
    )?;
    Ok(())
}

/// Whether days remain for [`fill_step`] to build.
pub fn fill_pending(tx: &Transaction) -> Result<bool> {
    Ok(fill_from(tx)?.is_some())
}

/// The first bucket of the days the fill has not built yet (`None`: all are built, or there are no aggregates).
fn fill_from(tx: &Transaction) -> Result<Option<i64>> {
    let from: Option<Option<i64>> =
        tx.query_row("SELECT fill_from FROM usage_by_day_state WHERE id = 1", [], |r| r.get(0)).optional()?;
    Ok(from.flatten())
}

/// Builds the next days (and their hours) of the fill; returns whether days remain.
pub fn fill_step(tx: &Transaction) -> Result<bool> {
    let Some(zone) = zone(tx)? else { return Ok(false) };
    let from: Option<i64> =
        tx.query_row("SELECT fill_from FROM usage_by_day_state WHERE id = 1", [], |r| r.get(0)).optional()?.flatten();
    let Some(from) = from else { return Ok(false) };
    let last: Option<i64> = tx.query_row("SELECT max(bucket) FROM usage_rollup", [], |r| r.get(0))?;
    let ctx = zone_context(zone);
    let (mut first, mut end) = day_of_bucket(&ctx, from);
    for _ in 0..FILL_DAYS_PER_STEP {
        if last.is_none_or(|last| first > last) {
            break;
        }
        recompute_day_and_hours(tx, &ctx, first, end)?;
        (first, end) = day_of_bucket(&ctx, end);
    }
    let done = last.is_none_or(|last| first > last);
    tx.execute("UPDATE usage_by_day_state SET fill_from = ?1 WHERE id = 1", [(!done).then_some(first)])?;
    Ok(!done)
}

/// Builds every day at once (a database written without the store's writer, as the benchmark's is).
pub fn fill_all(tx: &Transaction, zone: Tz) -> Result<()> {
    ensure_zone(tx, zone)?;
    while fill_step(tx)? {}
    Ok(())
}

/// Recomputes the days and hours holding `buckets` (no-op when there are no aggregates yet).
pub fn refresh_buckets(tx: &Transaction, buckets: impl IntoIterator<Item = i64>) -> Result<()> {
    let Some(zone) = zone(tx)? else { return Ok(()) };
    let ctx = zone_context(zone);
    let buckets: BTreeSet<i64> = buckets.into_iter().collect();
    let fill_from = fill_from(tx)?;
    // The touched hours, by the day they lie in.
    let mut days: std::collections::BTreeMap<(i64, i64), Vec<(i64, i64)>> = std::collections::BTreeMap::new();
    for &bucket in &buckets {
        let hours = days.entry(day_of_bucket(&ctx, bucket)).or_default();
        let hour = hour_of_bucket(&ctx, bucket);
        if !hours.contains(&hour) {
            hours.push(hour);
        }
    }
    for ((first, end), hours) in days {
        // A day the fill has not reached yet has none of its hours: all of them are built now.
        if fill_from.is_some_and(|from| end > from) {
            recompute_day_and_hours(tx, &ctx, first, end)?;
        } else {
            rebuild_hours(tx, &hours)?;
            day_from_hours(tx, first, end)?;
        }
    }
    Ok(())
}

/// The buckets a session has usage rows in (the hours and days its cost moves in when it changes source).
pub fn session_buckets(tx: &Transaction, session: &str) -> Result<Vec<i64>> {
    let mut statement = tx.prepare_cached(
        "SELECT bucket FROM usage_rollup WHERE session_id = ?1 UNION SELECT bucket FROM facet_rollup WHERE session_id = ?1",
    )?;
    let buckets = statement.query_map([session], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(buckets)
}

/// Recomputes the days and hours overlapping buckets `[from, to)`, those left without usage included.
pub fn refresh_span(tx: &Transaction, from: i64, to: i64) -> Result<()> {
    if zone(tx)?.is_none() {
        return Ok(());
    }
    let mut stored = tx.prepare_cached(
        "SELECT first_bucket FROM usage_by_day WHERE end_bucket > ?1 AND first_bucket < ?2
         UNION SELECT first_bucket FROM usage_by_hour WHERE end_bucket > ?1 AND first_bucket < ?2
         UNION SELECT first_bucket FROM facet_by_hour WHERE end_bucket > ?1 AND first_bucket < ?2",
    )?;
    let mut buckets: BTreeSet<i64> = stored.query_map([from, to], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    drop(stored);
    let mut rollup =
        tx.prepare_cached("SELECT DISTINCT bucket FROM usage_rollup WHERE bucket >= ?1 AND bucket < ?2")?;
    // (Facet rows lie in buckets that have usage rows: the same records made both.)
    buckets.extend(rollup.query_map([from, to], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?);
    drop(rollup);
    refresh_buckets(tx, buckets)
}

/// The rows of every hour of a day, then the day's from them: what the fill does a day at a time.
fn recompute_day_and_hours(tx: &Transaction, ctx: &TimeContext, first: i64, end: i64) -> Result<()> {
    let mut hours = Vec::new();
    let mut hour = hour_of_bucket(ctx, first);
    while hour.0 < end {
        hours.push(hour);
        hour = hour_of_bucket(ctx, hour.1);
    }
    rebuild_hours(tx, &hours)?;
    day_from_hours(tx, first, end)
}

/// The usage and facet rows of `hours` (each as buckets `[first, end)`, all in one day), read again from the
/// rollups with the one-source rule: one statement per table and facet, the buckets mapped to their hour in
/// a temporary table.
fn rebuild_hours(tx: &Transaction, hours: &[(i64, i64)]) -> Result<()> {
    let (Some(from), Some(to)) = (hours.iter().map(|h| h.0).min(), hours.iter().map(|h| h.1).max()) else {
        return Ok(());
    };
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS day_hours (bucket INTEGER PRIMARY KEY, hour_first INTEGER, hour_end INTEGER);
         DELETE FROM temp.day_hours;",
    )?;
    let mut map = tx.prepare_cached("INSERT INTO temp.day_hours VALUES (?1, ?2, ?3)")?;
    let mut clear_usage = tx.prepare_cached("DELETE FROM usage_by_hour WHERE first_bucket = ?1")?;
    let mut clear_facets = tx.prepare_cached("DELETE FROM facet_by_hour WHERE first_bucket = ?1")?;
    for &(first, end) in hours {
        for bucket in first..end {
            map.execute([bucket, first, end])?;
        }
        clear_usage.execute([first])?;
        clear_facets.execute([first])?;
    }
    let sql = format!(
        "{OWNED_ROWS}
         INSERT INTO usage_by_hour (first_bucket, end_bucket, model, cost_nanos, input, output, cache_read,
             cache_creation, api_requests, api_errors, user_prompts, tool_results, lines_added, lines_removed,
             commits, pull_requests, active_user_us, active_cli_us, edits_accepted, edits_rejected, api_duration_ms)
         SELECT h.hour_first, h.hour_end, model, {USAGE_COLUMNS}
         FROM r JOIN temp.day_hours h ON h.bucket = r.bucket GROUP BY h.hour_first, model"
    );
    tx.prepare_cached(&sql)?.execute(rusqlite::named_params! {":from": from, ":to": to, ":session": None::<String>})?;
    let sql = format!(
        "{FACET_ROWS}
         INSERT INTO facet_by_hour (facet, value, first_bucket, end_bucket, records, cost_nanos, input, output,
             cache_read, cache_creation, accepted, rejected)
         SELECT :facet, value, h.hour_first, h.hour_end, {FACET_COLUMNS}
         FROM f JOIN temp.day_hours h ON h.bucket = f.bucket GROUP BY h.hour_first, value"
    );
    let mut insert = tx.prepare_cached(&sql)?;
    for facet in Facet::ALL {
        insert.execute(rusqlite::named_params! {":facet": facet.as_str(), ":from": from, ":to": to})?;
    }
    Ok(())
}

/// A day's rows as the sums of its hours' (every local hour lies in one local day): a day reads at most 24
/// rows a model instead of its sessions' rollup rows.
fn day_from_hours(tx: &Transaction, first: i64, end: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM usage_by_day WHERE first_bucket = ?1")?.execute([first])?;
    tx.prepare_cached(
        "INSERT INTO usage_by_day (first_bucket, end_bucket, model, cost_nanos, input, output, cache_read,
             cache_creation, api_requests, api_errors, user_prompts, tool_results, lines_added, lines_removed,
             commits, pull_requests, active_user_us, active_cli_us, edits_accepted, edits_rejected, api_duration_ms)
         SELECT ?1, ?2, model, sum(cost_nanos), sum(input), sum(output), sum(cache_read), sum(cache_creation),
             sum(api_requests), sum(api_errors), sum(user_prompts), sum(tool_results), sum(lines_added),
             sum(lines_removed), sum(commits), sum(pull_requests), sum(active_user_us), sum(active_cli_us),
             sum(edits_accepted), sum(edits_rejected), sum(api_duration_ms)
         FROM usage_by_hour WHERE first_bucket >= ?1 AND first_bucket < ?2 GROUP BY model",
    )?
    .execute([first, end])?;
    tx.prepare_cached("DELETE FROM facet_by_day WHERE first_bucket = ?1")?.execute([first])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO facet_by_day (facet, value, first_bucket, end_bucket, records, cost_nanos, input, output,
             cache_read, cache_creation, accepted, rejected)
         SELECT ?3, value, ?1, ?2, sum(records), sum(cost_nanos), sum(input), sum(output), sum(cache_read),
             sum(cache_creation), sum(accepted), sum(rejected)
         FROM facet_by_hour WHERE facet = ?3 AND first_bucket >= ?1 AND first_bucket < ?2 GROUP BY value",
    )?;
    for facet in Facet::ALL {
        insert.execute(params![first, end, facet.as_str()])?;
    }
    Ok(())
}

fn zone_context(zone: Tz) -> TimeContext {
    TimeContext { zone, ..TimeContext::system() }
}

/// The local day a bucket lies in, as buckets `[first, end)` (every zone offset is a whole number of quarter
/// hours, so days begin and end on bucket boundaries; a DST day has 92 or 100 of them).
fn day_of_bucket(ctx: &TimeContext, bucket: i64) -> (i64, i64) {
    let day = ctx.day_of(from_ns(bucket.saturating_mul(BUCKET_NS)));
    let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
    (bucket_of(ns(ctx.start_of_day(day))), bucket_of(ns(ctx.start_of_day(next))))
}

/// The local hour a bucket lies in, as buckets `[first, end)`: the buckets whose local hour begins at the same
/// instant, as the hourly series groups them (in a zone 30 or 45 minutes off UTC its hours begin at :30 or :15
/// UTC, still on bucket boundaries; the hour repeated when clocks go back is one hour of 8 buckets).
fn hour_of_bucket(ctx: &TimeContext, bucket: i64) -> (i64, i64) {
    let start_of = |bucket: i64| ctx.start_of_hour(from_ns(bucket.saturating_mul(BUCKET_NS)));
    let start = start_of(bucket);
    let first = bucket_of(ns(start)).min(bucket);
    let mut end = bucket + 1;
    // At most a few steps: an hour is 4 buckets, 8 when repeated.
    while end - first < 16 && start_of(end) == start {
        end += 1;
    }
    (first, end)
}
