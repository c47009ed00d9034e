//! The aggregates per local day and per local hour: usage by model (`usage_by_day`, `usage_by_hour`, migration
//! 0007), the facet breakdowns by value (`facet_by_day`, `facet_by_hour`, migration 0008), API requests by
//! model and tool calls by tool with their duration histograms (`timing_by_day`, `timing_by_hour`), and each
//! session's totals (`session_totals`, both migration 0009), with the one-source-per-session rule applied, so
//! a year reads 365 rows a model (or value, tool) and a row per session instead of every session's 15-minute
//! rows or every event.
//!
//! An hour's usage and facet rows are always recomputed whole from `usage_rollup` and `facet_rollup`, a day's from
//! its hours, a session's from its rollup rows, never adjusted by a delta, so they are exact by construction. (An
//! hour's timings, which only the events make, are the one exception: a write adds its new events' tallies to them,
//! which is exact too; see [`Timings`].) Whatever changed them — a batch, a session's first `api_request` moving
//! its cost from metrics to events, a first `api_request` in a bucket that held metrics without a session, a
//! deletion, an import, the retention — they are read again with the rule the queries apply. The writer recomputes
//! every hour and day a write touches; the days no write has touched since the aggregates were created (an upgrade,
//! a new zone) are built by [`fill_step`], which the writer runs while no write is waiting, so the receiver listens
//! from the start and no export waits behind the fill for more than one step.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono_tz::Tz;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::error::Result;
use crate::store::timing::{self, EventsOf, TIMING_COLUMNS, Timing, TimingKind, timing_from_row};
use crate::store::usage::{FACET_COLUMNS, FACET_ROWS, OWNED_ROWS, USAGE_COLUMNS};
use crate::words::facet::Facet;
use crate::words::range::{day_of_bucket, hour_of_bucket};
use crate::words::time::{BUCKET_NS, TimeContext, from_ns};

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
        "DELETE FROM usage_by_day; DELETE FROM usage_by_hour; DELETE FROM facet_by_day; DELETE FROM facet_by_hour;
         DELETE FROM timing_by_day; DELETE FROM timing_by_hour; DELETE FROM activity_by_day;",
    )?;
    let first: Option<i64> = tx.query_row("SELECT min(bucket) FROM usage_rollup", [], |r| r.get(0))?;
    // Session totals do not depend on the zone: a new zone keeps them; a first start (or an upgrade from
    // before the aggregates) builds them too.
    tx.execute(
        "INSERT INTO usage_by_day_state (id, zone, fill_from, sessions_from) VALUES (1, ?1, ?2, '')
         ON CONFLICT(id) DO UPDATE SET zone = excluded.zone, fill_from = excluded.fill_from",
        params![zone.name(), first],
    )?;
    Ok(())
}

/// Whether days or session totals remain for [`fill_step`] to build.
pub fn fill_pending(tx: &Transaction) -> Result<bool> {
    Ok(fill_from(tx)?.is_some() || sessions_from(tx)?.is_some())
}

/// The session id after which session totals remain to be built (`None`: all are).
fn sessions_from(tx: &Transaction) -> Result<Option<String>> {
    let from: Option<Option<String>> =
        tx.query_row("SELECT sessions_from FROM usage_by_day_state WHERE id = 1", [], |r| r.get(0)).optional()?;
    Ok(from.flatten())
}

/// The first bucket of the days the fill has not built yet (`None`: all are built, or there are no aggregates).
fn fill_from(tx: &Transaction) -> Result<Option<i64>> {
    let from: Option<Option<i64>> =
        tx.query_row("SELECT fill_from FROM usage_by_day_state WHERE id = 1", [], |r| r.get(0)).optional()?;
    Ok(from.flatten())
}

/// Sessions totalled per fill step.
const FILL_SESSIONS_PER_STEP: i64 = 500;

/// Builds the next session totals, or once they are all built the next days (and their hours) of the fill;
/// returns whether any remain.
pub fn fill_step(tx: &Transaction) -> Result<bool> {
    let Some(zone) = zone(tx)? else { return Ok(false) };
    if let Some(after) = sessions_from(tx)? {
        let ids: Vec<String> = tx
            .prepare_cached(
                "SELECT DISTINCT session_id FROM usage_rollup WHERE session_id > ?1 ORDER BY session_id LIMIT ?2",
            )?
            .query_map(params![after, FILL_SESSIONS_PER_STEP], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        refresh_sessions(tx, ids.iter().map(String::as_str))?;
        let next = (ids.len() as i64 == FILL_SESSIONS_PER_STEP).then(|| ids.last().cloned()).flatten();
        tx.execute("UPDATE usage_by_day_state SET sessions_from = ?1 WHERE id = 1", [&next])?;
        return Ok(next.is_some() || fill_from(tx)?.is_some());
    }
    let Some(from) = fill_from(tx)? else { return Ok(false) };
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

/// Totals again each named session of `ids` (all of its usage, with the one-source rule, and its terminal and
/// resource as its `sessions` row has them now), or forgets it when it has none left. Data without a session
/// (`""`) is never totalled: the queries read it from the rollup.
pub fn refresh_sessions<'a>(tx: &Transaction, ids: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let mut forget = tx.prepare_cached("DELETE FROM session_totals WHERE session_id = ?1")?;
    // A named session's source is its own (`has_api_events`): its rows alone, through its index.
    let sql = format!(
        "INSERT INTO session_totals (session_id, first_bucket, last_bucket, ev, models, cost_nanos, input, output,
             cache_read, cache_creation, api_requests, api_errors, user_prompts, tool_results, lines_added,
             lines_removed, commits, pull_requests, active_user_us, active_cli_us, edits_accepted, edits_rejected,
             api_duration_ms, terminal_type, resource_id)
         SELECT ?1, min(bucket), max(bucket), max(ev), group_concat(DISTINCT nullif(model, '')), {USAGE_COLUMNS},
                (SELECT terminal_type FROM sessions WHERE id = ?1), (SELECT resource_id FROM sessions WHERE id = ?1)
         FROM (SELECT u.*, coalesce(s.has_api_events, 0) AS ev
               FROM usage_rollup u LEFT JOIN sessions s ON s.id = u.session_id WHERE u.session_id = ?1)
         HAVING count(*) > 0"
    );
    let mut total = tx.prepare_cached(&sql)?;
    for id in ids.into_iter().filter(|id| !id.is_empty()) {
        forget.execute([id])?;
        total.execute([id])?;
    }
    Ok(())
}

/// Builds every day at once (a database written without the store's writer, as the benchmark's is).
pub fn fill_all(tx: &Transaction, zone: Tz) -> Result<()> {
    ensure_zone(tx, zone)?;
    while fill_step(tx)? {}
    Ok(())
}

/// How a refresh treats the API and tool timings of the hours it reads again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timings {
    /// Tallied again from each hour's events: a deletion, an import or the retention changed them.
    Recount,
    /// Each hour's as stored, plus the events stored after the event with this id (the last one when the
    /// write transaction began). A write only adds events, and a busy hour holds tens of thousands that a
    /// recount would read again at every commit. Counts, sums and histogram bins add, so the result is the
    /// recount's, exactly.
    AddedAfter(i64),
}

/// Recomputes the days and hours holding `buckets` (no-op when there are no aggregates yet), timings
/// recounted.
pub fn refresh_buckets(tx: &Transaction, buckets: impl IntoIterator<Item = i64>) -> Result<()> {
    refresh(tx, buckets, Timings::Recount)
}

/// Recomputes the days and hours holding `buckets`, and those of the events `timings` adds.
pub fn refresh(tx: &Transaction, buckets: impl IntoIterator<Item = i64>, timings: Timings) -> Result<()> {
    let Some(zone) = zone(tx)? else { return Ok(()) };
    let ctx = zone_context(zone);
    let mut buckets: BTreeSet<i64> = buckets.into_iter().collect();
    let added = match timings {
        Timings::Recount => None,
        Timings::AddedAfter(id) => Some(timing::tally(tx, &TimingKind::ALL, EventsOf::After(id), Some)?),
    };
    buckets.extend(added.iter().flat_map(|added| added.keys().map(|(_, bucket)| *bucket)));
    let fill_from = fill_from(tx)?;
    // The touched hours, by the day they lie in.
    let mut days: BTreeMap<(i64, i64), Vec<(i64, i64)>> = BTreeMap::new();
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
            rebuild_hours(tx, &ctx, &hours, added.as_ref())?;
            rebuild_day(tx, first, end)?;
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
    let mut stored = tx.prepare_cached(&format!(
        "SELECT first_bucket FROM usage_by_day WHERE end_bucket > ?1 AND first_bucket < ?2
         UNION SELECT first_bucket FROM usage_by_hour WHERE end_bucket > ?1 AND first_bucket < ?2
         UNION SELECT first_bucket FROM facet_by_hour
               WHERE facet IN ({facets}) AND first_bucket < ?2 AND end_bucket > ?1
         UNION SELECT first_bucket FROM timing_by_hour
               WHERE kind IN ('api', 'tool') AND first_bucket < ?2 AND end_bucket > ?1",
        facets = facet_list()
    ))?;
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
    rebuild_hours(tx, ctx, &hours, None)?;
    rebuild_day(tx, first, end)
}

/// The retention pruned the events before `bucket`: the API and tool timings, which only the events make, go
/// with them (as before the aggregates, percentiles and tool figures cover the days whose events are kept),
/// and the hour and day holding `bucket` are read again from what is left.
pub fn forget_timings_before(tx: &Transaction, bucket: i64) -> Result<()> {
    if zone(tx)?.is_none() {
        return Ok(());
    }
    for table in ["timing_by_hour", "timing_by_day"] {
        tx.prepare_cached(&format!(
            "DELETE FROM {table} WHERE kind IN ('api', 'tool') AND first_bucket < ?1 AND end_bucket <= ?1"
        ))?
        .execute([bucket])?;
    }
    refresh_buckets(tx, [bucket.saturating_sub(1), bucket])
}

/// The usage and facet rows of `hours` (each as buckets `[first, end)`, all in one day), read again from the
/// rollups with the one-source rule (one statement per table and facet, the buckets mapped to their hour in
/// a temporary table), and their timings: tallied again from the events, or, given the tallies by bucket
/// of the events a write `added`, those added to the stored ones.
fn rebuild_hours(
    tx: &Transaction,
    ctx: &TimeContext,
    hours: &[(i64, i64)],
    added: Option<&timing::Tallies<i64>>,
) -> Result<()> {
    let (Some(from), Some(to)) = (hours.iter().map(|h| h.0).min(), hours.iter().map(|h| h.1).max()) else {
        return Ok(());
    };
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS day_hours
             (bucket INTEGER PRIMARY KEY, hour_first INTEGER, hour_end INTEGER, slot INTEGER);
         DELETE FROM temp.day_hours;",
    )?;
    let mut map = tx.prepare_cached("INSERT INTO temp.day_hours VALUES (?1, ?2, ?3, ?4)")?;
    let mut clear_usage = tx.prepare_cached("DELETE FROM usage_by_hour WHERE first_bucket = ?1")?;
    // The facet tables' key begins with the facet: each facet's rows of the hour are one seek.
    let mut clear_facets = tx.prepare_cached(&format!(
        "DELETE FROM facet_by_hour WHERE facet IN ({}) AND first_bucket = ?1",
        facet_list()
    ))?;
    for &(first, end) in hours {
        let slot = crate::words::time::week_slot(ctx, from_ns(first.saturating_mul(BUCKET_NS)));
        for bucket in first..end {
            map.execute(params![bucket, first, end, slot])?;
        }
        clear_usage.execute([first])?;
        clear_facets.execute([first])?;
    }
    let sql = format!(
        "{OWNED_ROWS}
         INSERT INTO usage_by_hour (first_bucket, end_bucket, model, cost_nanos, input, output, cache_read,
             cache_creation, api_requests, api_errors, user_prompts, tool_results, lines_added, lines_removed,
             commits, pull_requests, active_user_us, active_cli_us, edits_accepted, edits_rejected, api_duration_ms,
             slot)
         SELECT h.hour_first, h.hour_end, model, {USAGE_COLUMNS}, h.slot
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
    drop(insert);
    let hour_of: HashMap<i64, (i64, i64)> =
        hours.iter().flat_map(|&(first, end)| (first..end).map(move |bucket| (bucket, (first, end)))).collect();
    let Some(added) = added else {
        let mut clear_timings =
            tx.prepare_cached("DELETE FROM timing_by_hour WHERE kind IN ('api', 'tool') AND first_bucket = ?1")?;
        for &(first, _) in hours {
            clear_timings.execute([first])?;
        }
        let tallies =
            timing::tally(tx, &TimingKind::ALL, EventsOf::Buckets(from, to), |bucket| hour_of.get(&bucket).copied())?;
        let mut insert = tx.prepare_cached(&format!(
            "INSERT INTO timing_by_hour (kind, key, first_bucket, end_bucket, {TIMING_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        ))?;
        for ((kind, (first, end)), by_key) in tallies {
            for (key, timing) in by_key {
                insert_timing(&mut insert, kind, &key, first, end, &timing)?;
            }
        }
        return Ok(());
    };
    let mut by_hour: BTreeMap<(TimingKind, (i64, i64), &str), Timing> = BTreeMap::new();
    for ((kind, bucket), by_key) in added {
        let Some(&hour) = hour_of.get(bucket) else { continue };
        for (key, timing) in by_key {
            by_hour.entry((*kind, hour, key.as_str())).or_default().merge(timing);
        }
    }
    let mut stored = tx.prepare_cached(&format!(
        "SELECT {TIMING_COLUMNS} FROM timing_by_hour WHERE kind = ?1 AND first_bucket = ?2 AND key = ?3"
    ))?;
    let mut insert = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO timing_by_hour (kind, key, first_bucket, end_bucket, {TIMING_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))?;
    for ((kind, (first, end), key), more) in by_hour {
        let mut timing = stored
            .query_row(params![kind.as_str(), first, key], |row| timing_from_row(row, 0))
            .optional()?
            .unwrap_or_default();
        timing.merge(&more);
        insert_timing(&mut insert, kind, key, first, end, &timing)?;
    }
    Ok(())
}

fn insert_timing(
    insert: &mut rusqlite::CachedStatement,
    kind: TimingKind,
    key: &str,
    first: i64,
    end: i64,
    timing: &Timing,
) -> Result<()> {
    insert.execute(params![
        kind.as_str(),
        key,
        first,
        end,
        timing.records,
        timing.succeeded,
        timing.failed,
        timing.accepted,
        timing.rejected,
        timing.timed,
        timing.duration_ms,
        timing.durations.to_bytes(),
        timing.ttfts.to_bytes(),
    ])?;
    Ok(())
}

/// A day's rows — usage, facets, timings and its hours' activity by week slot — as the sums of its hours'
/// (every local hour lies in one local day): a day reads at most 24 rows a model instead of its sessions'
/// rollup rows.
fn rebuild_day(tx: &Transaction, first: i64, end: i64) -> Result<()> {
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
    tx.prepare_cached(&format!("DELETE FROM facet_by_day WHERE facet IN ({}) AND first_bucket = ?1", facet_list()))?
        .execute([first])?;
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
    drop(insert);
    tx.prepare_cached("DELETE FROM activity_by_day WHERE first_bucket = ?1")?.execute([first])?;
    tx.prepare_cached(
        "INSERT INTO activity_by_day (first_bucket, slot, end_bucket, cost_nanos, api_requests, user_prompts)
         SELECT ?1, slot, ?2, sum(cost_nanos), sum(api_requests), sum(user_prompts)
         FROM usage_by_hour WHERE first_bucket >= ?1 AND first_bucket < ?2 GROUP BY slot",
    )?
    .execute([first, end])?;
    tx.prepare_cached("DELETE FROM timing_by_day WHERE kind IN ('api', 'tool') AND first_bucket = ?1")?
        .execute([first])?;
    let mut hours = tx.prepare_cached(&format!(
        "SELECT key, {TIMING_COLUMNS} FROM timing_by_hour WHERE kind = ?1 AND first_bucket >= ?2 AND first_bucket < ?3"
    ))?;
    let mut insert = tx.prepare_cached(&format!(
        "INSERT INTO timing_by_day (kind, key, first_bucket, end_bucket, {TIMING_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))?;
    for kind in TimingKind::ALL {
        let mut by_key: BTreeMap<String, Timing> = BTreeMap::new();
        let rows = hours.query_map(params![kind.as_str(), first, end], |row| {
            Ok((row.get::<_, String>(0)?, timing_from_row(row, 1)?))
        })?;
        for row in rows {
            let (key, timing) = row?;
            by_key.entry(key).or_default().merge(&timing);
        }
        for (key, timing) in by_key {
            insert_timing(&mut insert, kind, &key, first, end, &timing)?;
        }
    }
    Ok(())
}

/// Every facet, quoted for an SQL `IN` list (fixed names, never user input).
fn facet_list() -> String {
    Facet::ALL.map(|facet| format!("'{}'", facet.as_str())).join(", ")
}

fn zone_context(zone: Tz) -> TimeContext {
    TimeContext { zone, ..TimeContext::system() }
}
