//! The day and hour aggregates of usage, facets, timings and sessions: every figure read through them equals
//! the one the rollups (and the events) give with the one-source-per-session rule, in zones with 30- and 45-minute offsets and across DST, whatever
//! order the data comes in (metrics before a session's first `api_request`, data without a session before an
//! `api_request` in its bucket), after each way history is changed, and when they are built behind the
//! receiver on a database that had none.

use ccmeter_core::read::query::{self, SeriesPoint, Summary};
use ccmeter_core::read::{event_stats, insights, logs, session_mix};
use ccmeter_core::words::range::{Granularity, Range};
use ccmeter_core::{Store, TimeContext};
use ccmeter_proto::Batch;
use ccmeter_tests::{requests, scenarios};
use chrono::{Days, NaiveDate};
use chrono_tz::Tz;
use rusqlite::Connection;
use serde_json::Value;

const DAY_NS: i64 = 86_400 * 1_000_000_000;

/// Every captured batch of every scenario, decoded.
fn captured() -> Vec<Batch> {
    scenarios().iter().flat_map(|scenario| requests(scenario)).map(|request| request.decode()).collect()
}

/// How a copy of the captures is altered: which session its records take, and what it keeps.
#[derive(Clone, Copy)]
enum Copy {
    /// As captured, under its own session ids.
    Whole,
    /// The metric points only: sessions counted from metrics.
    MetricsOnly,
    /// The events only, later: the same sessions' first `api_request` moves their cost to events.
    EventsOnly,
    /// No session id on anything: data without a session.
    Sessionless,
}

/// The captures moved by `days` (and a few hours, so they cross local midnights), as `copy` says.
fn copy_of(batches: &[Batch], days: i64, hours: i64, copy: Copy, tag: &str) -> Vec<Batch> {
    let shift = days * DAY_NS + hours * 3_600_000_000_000;
    let rename = |id: &Option<String>| match copy {
        Copy::Sessionless => None,
        _ => id.as_ref().map(|id| format!("{tag}-{id}")),
    };
    batches
        .iter()
        .map(|batch| {
            let mut batch = batch.clone();
            batch.spans.clear();
            if matches!(copy, Copy::MetricsOnly) {
                batch.events.clear();
            }
            if matches!(copy, Copy::EventsOnly) {
                batch.points.clear();
            }
            for event in &mut batch.events {
                event.time_ns += shift;
                // A request is stored once by its id: each copy's requests are requests of their own.
                if let ccmeter_proto::EventDetail::ApiRequest(request) = &mut event.detail {
                    request.request_id = request.request_id.as_ref().map(|id| format!("{tag}-{days}-{id}"));
                }
                event.session_id = rename(&event.session_id);
                match &event.session_id {
                    Some(id) => event.attributes.insert("session.id".into(), Value::String(id.clone())),
                    None => event.attributes.remove("session.id"),
                };
            }
            for point in &mut batch.points {
                point.time_ns += shift;
                point.start_ns += shift;
                point.session_id = rename(&point.session_id);
                match &point.session_id {
                    Some(id) => point.attributes.insert("session.id".into(), Value::String(id.clone())),
                    None => point.attributes.remove("session.id"),
                };
            }
            batch
        })
        .collect()
}

/// Days of history in every shape, written in an order that makes the aggregates change their mind: metrics
/// first and a session's events days later, data without a session before the `api_request` in its bucket.
fn history() -> Vec<Batch> {
    let captured = captured();
    let mut all = Vec::new();
    for (n, (days, hours, copy)) in [
        (-40, 3, Copy::Whole),
        (-31, 22, Copy::MetricsOnly),
        (-12, 5, Copy::Sessionless),
        (-3, 11, Copy::Whole),
        (-29, 4, Copy::EventsOnly),
        (-12, 5, Copy::Whole),
        (-150, 23, Copy::Whole),
        (0, 0, Copy::Whole),
    ]
    .into_iter()
    .enumerate()
    {
        // MetricsOnly and EventsOnly are one set of sessions arriving in two parts, on different days.
        let tag =
            if matches!(copy, Copy::MetricsOnly | Copy::EventsOnly) { "split".to_owned() } else { format!("c{n}") };
        all.extend(copy_of(&captured, days, hours, copy, &tag));
    }
    // Around clock changes: the hour Berlin repeats (2026-10-25, 02:00 twice), the hour Adelaide skips
    // (2026-10-04), the half hour St John's repeats (2026-11-01).
    let first = captured.iter().flat_map(|b| b.events.iter().map(|e| e.time_ns)).min().expect("events");
    for (n, at) in [
        "2026-10-25T00:50:00Z",
        "2026-10-25T01:10:00Z",
        "2026-10-03T16:20:00Z",
        "2026-10-03T16:40:00Z",
        "2026-11-01T04:20:00Z",
        "2026-11-01T04:40:00Z",
    ]
    .into_iter()
    .enumerate()
    {
        let at = ccmeter_core::words::time::ns(at.parse().expect("instant"));
        let minutes = (at - first).div_euclid(60_000_000_000);
        all.extend(copy_of(&captured, 0, 0, Copy::Whole, &format!("dst{n}")).into_iter().map(|mut batch| {
            let shift = minutes * 60_000_000_000;
            for event in &mut batch.events {
                event.time_ns += shift;
            }
            for point in &mut batch.points {
                point.time_ns += shift;
                point.start_ns += shift;
            }
            batch
        }));
    }
    all
}

/// What the queries that read the aggregates answer for a range.
#[derive(Debug, PartialEq)]
struct Figures {
    summary: Summary,
    by_model: Vec<query::ModelUsage>,
    days: Vec<SeriesPoint>,
    hours: Vec<SeriesPoint>,
    by_day: Vec<(NaiveDate, query::Usage)>,
    by_source: Vec<insights::SourceUsage>,
    by_effort: Vec<insights::FacetUsage>,
    edits_by_language: Vec<insights::LanguageEdits>,
    events_by_day: Vec<insights::EventCountPoint>,
    events_by_hour: Vec<insights::EventCountPoint>,
    event_counts: std::collections::BTreeMap<String, i64>,
    tools: Vec<query::ToolStat>,
    tools_by_day: Vec<event_stats::ToolPoint>,
    tools_by_hour: Vec<event_stats::ToolPoint>,
    latency_by_day: event_stats::ApiLatency,
    latency_by_hour: event_stats::ApiLatency,
    sessions: query::SessionPage,
    session_mix: session_mix::SessionMix,
    heatmap: Vec<insights::HeatCell>,
    tool_log: logs::LogPage,
    failed_tools: logs::LogPage,
}

fn figures(conn: &Connection, ctx: &TimeContext, range: Range) -> Figures {
    Figures {
        summary: query::summary(conn, range).expect("summary"),
        by_model: query::by_model(conn, range).expect("by model"),
        days: query::over_time(conn, ctx, range, Granularity::Day).expect("days"),
        hours: query::over_time(conn, ctx, range, Granularity::Hour).expect("hours"),
        by_day: query::by_day(conn, ctx, range).expect("by day"),
        by_source: insights::cost_by_source(conn, range).expect("by source"),
        by_effort: insights::cost_by_effort(conn, range).expect("by effort"),
        edits_by_language: insights::edits_by_language(conn, range).expect("edits"),
        events_by_day: insights::events_over_time(conn, ctx, range, Granularity::Day).expect("events by day"),
        events_by_hour: insights::events_over_time(conn, ctx, range, Granularity::Hour).expect("events by hour"),
        event_counts: query::event_counts(conn, range).expect("event counts"),
        tools: query::tool_stats(conn, range).expect("tools"),
        tools_by_day: event_stats::tools_over_time(conn, ctx, range, Granularity::Day).expect("tools by day"),
        tools_by_hour: event_stats::tools_over_time(conn, ctx, range, Granularity::Hour).expect("tools by hour"),
        latency_by_day: event_stats::api_latency(conn, ctx, range, Granularity::Day).expect("latency by day"),
        latency_by_hour: event_stats::api_latency(conn, ctx, range, Granularity::Hour).expect("latency by hour"),
        sessions: query::sessions(
            conn,
            &query::SessionFilter { range, sort: query::SessionSort::Cost, descending: true, ..Default::default() },
        )
        .expect("sessions"),
        session_mix: session_mix::session_mix(conn, ctx, range, Granularity::Day).expect("session mix"),
        heatmap: insights::activity_heatmap(conn, ctx, range).expect("heatmap"),
        tool_log: logs::log(conn, &logs::LogFilter { range, limit: 20, ..Default::default() }).expect("tool log"),
        failed_tools: logs::log(conn, &logs::LogFilter { range, failed_only: true, limit: 20, ..Default::default() })
            .expect("failed tools"),
    }
}

/// The ranges a window or the CLI asks for, and some no window does (instants off the bucket grid).
fn ranges(ctx: &TimeContext) -> Vec<Range> {
    let today = ctx.today();
    let back = |days: u64| today.checked_sub_days(Days::new(days)).expect("a day");
    let mut ranges = vec![Range::ALL, Range::local_days(ctx, Some(back(0)), None)];
    for days in [1, 7, 30, 90, 365] {
        ranges.push(Range::local_days(ctx, Some(back(days)), Some(today.succ_opt().expect("tomorrow"))));
    }
    let now = ccmeter_core::words::time::ns(ctx.now());
    ranges.push(Range { from_ns: Some(now - 45 * DAY_NS + 7_777), to_ns: Some(now - 2 * DAY_NS - 12_345) });
    ranges.push(Range { from_ns: None, to_ns: Some(now - 20 * DAY_NS) });
    ranges
}

/// The figures read from the rollup alone: the aggregates set aside (as while they are being built).
fn from_rollup(path: &std::path::Path, ctx: &TimeContext, range: Range) -> Figures {
    let conn = Connection::open(path).expect("open");
    let saved: (Option<i64>, Option<String>) = conn
        .query_row("SELECT fill_from, sessions_from FROM usage_by_day_state", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("state");
    assert_eq!(saved, (None, None), "the aggregates are built");
    conn.execute("UPDATE usage_by_day_state SET fill_from = 0", []).expect("set aside");
    let figures = figures(&conn, ctx, range);
    conn.execute("UPDATE usage_by_day_state SET fill_from = NULL", []).expect("back");
    figures
}

fn assert_same_figures(path: &std::path::Path, ctx: &TimeContext, what: &str) {
    let conn = Connection::open(path).expect("open");
    let days: i64 = conn.query_row("SELECT count(*) FROM usage_by_day", [], |r| r.get(0)).expect("rows");
    assert!(days > 0, "{what}: the aggregates hold days");
    for table in ["facet_by_day", "timing_by_day", "session_totals", "activity_by_day"] {
        let rows: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).expect("rows");
        assert!(rows > 0, "{what}: {table} holds days");
    }
    for range in ranges(ctx) {
        assert_eq!(figures(&conn, ctx, range), from_rollup(path, ctx, range), "{what}: {range:?} in {}", ctx.zone);
    }
}

fn context(zone: &str) -> TimeContext {
    TimeContext::fixed("2026-11-24T20:00:00Z".parse().expect("instant"), zone.parse::<Tz>().expect("zone"))
}

const ZONES: [&str; 5] = ["UTC", "Europe/Berlin", "Asia/Kathmandu", "Australia/Adelaide", "America/St_Johns"];

#[tokio::test]
async fn every_figure_from_the_daily_aggregates_is_the_rollups_in_every_zone() {
    let history = history();
    for zone in ZONES {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ccmeter.db");
        let store = Store::open_in_zone(&path, zone.parse().expect("zone")).expect("store");
        for batch in &history {
            store.write(batch.clone()).await.expect("stored");
        }
        // Read in the aggregates' own zone (whole days), and in another (days that do not line up with theirs).
        assert_same_figures(&path, &context(zone), zone);
        assert_same_figures(&path, &context("Asia/Kolkata"), &format!("{zone} read in Kolkata"));
    }
}

#[tokio::test]
async fn deleting_pruning_erasing_and_importing_keep_the_aggregates_exact() {
    let zone = "Australia/Adelaide";
    let ctx = context(zone);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ccmeter.db");
    let store = Store::open_in_zone(&path, zone.parse().expect("zone")).expect("store");
    for batch in history() {
        store.write(batch).await.expect("stored");
    }
    assert_same_figures(&path, &ctx, "as written");

    let first: String = store
        .reader()
        .expect("reader")
        .query_row("SELECT id FROM sessions WHERE id LIKE 'split-%' ORDER BY id LIMIT 1", [], |r| r.get(0))
        .expect("a session that came in two parts");
    store.exec(move |tx| ccmeter_core::write::delete::session(tx, &first)).await.expect("deleted");
    assert_same_figures(&path, &ctx, "after deleting a session");
    store.exec(|tx| ccmeter_core::write::delete::session(tx, "")).await.expect("deleted");
    assert_same_figures(&path, &ctx, "after deleting the data without a session");

    let today = ctx.today();
    let span = Range::local_days(&ctx, today.checked_sub_days(Days::new(13)), today.checked_sub_days(Days::new(11)));
    store.exec(move |tx| ccmeter_core::write::delete::range(tx, span)).await.expect("deleted");
    assert_same_figures(&path, &ctx, "after deleting two days");

    let prune_ctx = ctx.clone();
    store
        .exec(move |tx| ccmeter_core::write::delete::prune_details_older_than(tx, &prune_ctx, 20))
        .await
        .expect("pruned");
    assert_same_figures(&path, &ctx, "after the retention pruned details");
    store.exec(ccmeter_core::write::erase::erase_content).await.expect("erased");
    assert_same_figures(&path, &ctx, "after erasing content");

    // An export of another machine's history, imported: its days are read again.
    let other = tempfile::tempdir().expect("temp dir");
    let other_db = other.path().join("ccmeter.db");
    {
        let other_store = Store::open_in_zone(&other_db, "UTC".parse().expect("zone")).expect("store");
        for batch in copy_of(&captured(), -5, 17, Copy::Whole, "other") {
            other_store.write(batch).await.expect("stored");
        }
        for batch in copy_of(&captured(), -6, 2, Copy::Sessionless, "none") {
            other_store.write(batch).await.expect("stored");
        }
    }
    let file = other.path().join("history.ccmeter");
    let conn = ccmeter_core::store::open_connection(&other_db).expect("open");
    ccmeter_core::write::transfer::export(&conn, &other_db, &file).expect("exported");
    drop(store);
    let mut conn = ccmeter_core::store::open_connection(&path).expect("open");
    ccmeter_core::write::transfer::import(&mut conn, &path, &file).expect("imported");
    assert_same_figures(&path, &ctx, "after an import");
}

#[tokio::test]
async fn a_database_without_aggregates_gets_them_built_behind_the_receiver() {
    let zone = "Asia/Kathmandu";
    let ctx = context(zone);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ccmeter.db");
    {
        let store = Store::open_in_zone(&path, zone.parse().expect("zone")).expect("store");
        for batch in history() {
            store.write(batch).await.expect("stored");
        }
    }
    // As schema 6 left it: no aggregates (an upgrade), or aggregates of another zone (the user moved).
    for (undo, what) in [
        (
            "DELETE FROM usage_by_day; DELETE FROM usage_by_hour; DELETE FROM facet_by_day; DELETE FROM facet_by_hour;
             DELETE FROM timing_by_day; DELETE FROM timing_by_hour; DELETE FROM session_totals;
             DELETE FROM activity_by_day;
             DELETE FROM usage_by_day_state;",
            "an upgrade",
        ),
        ("UPDATE usage_by_day_state SET zone = 'Europe/Lisbon'", "a new zone"),
    ] {
        Connection::open(&path).expect("open").execute_batch(undo).expect("undo");
        let store = Store::open_in_zone(&path, zone.parse().expect("zone")).expect("store");
        // Data keeps coming while the days are built; the writer takes it between steps.
        let late = copy_of(&captured(), -1, 9, Copy::Whole, &format!("late-{}", what.len()));
        for batch in late {
            store.write(batch).await.expect("stored while the aggregates are built");
        }
        let conn = store.reader().expect("reader");
        let built = || {
            conn.query_row(
                "SELECT fill_from IS NULL AND sessions_from IS NULL AND zone = ?1 FROM usage_by_day_state",
                [zone],
                |r| r.get(0),
            )
            .unwrap_or(false)
        };
        for _ in 0..400 {
            if built() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert!(built(), "{what}: the aggregates were built behind the receiver");
        assert_same_figures(&path, &ctx, what);
        drop(store);
    }
}

/// Every row of the timing tables, in key order.
fn timing_rows(conn: &Connection) -> Vec<Vec<rusqlite::types::Value>> {
    let mut rows = Vec::new();
    for table in ["timing_by_hour", "timing_by_day"] {
        let mut statement =
            conn.prepare(&format!("SELECT * FROM {table} ORDER BY kind, first_bucket, key")).expect("prepare");
        let count = statement.column_count();
        let read = statement
            .query_map([], |row| (0..count).map(|i| row.get::<_, rusqlite::types::Value>(i)).collect())
            .expect("query");
        rows.extend(read.map(|row| row.expect("row")));
    }
    rows
}

#[tokio::test]
async fn timings_added_commit_by_commit_are_the_events_tallied_again() {
    let zone = "America/St_Johns";
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ccmeter.db");
    let store = Store::open_in_zone(&path, zone.parse().expect("zone")).expect("store");
    // Each batch its own commit, several into the same hours, and a retried one that adds nothing.
    let batches: Vec<Batch> = history().into_iter().chain(copy_of(&captured(), -3, 11, Copy::Whole, "again")).collect();
    for batch in batches.iter().chain(batches.last()) {
        store.write(batch.clone()).await.expect("stored");
    }
    drop(store);
    let mut conn = Connection::open(&path).expect("open");
    let added = timing_rows(&conn);
    assert!(added.len() > 20, "the history has timings: {}", added.len());
    let tx = conn.transaction().expect("tx");
    tx.execute("DELETE FROM usage_by_day_state", []).expect("forget the aggregates");
    ccmeter_core::write::daily::fill_all(&tx, zone.parse().expect("zone")).expect("filled again");
    assert_eq!(timing_rows(&tx), added, "every hour's and day's timings, tallied again from the events");
}

#[tokio::test]
async fn every_page_of_sessions_is_its_slice_of_the_whole_list_in_every_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ccmeter.db");
    let store = Store::open_in_zone(&path, "UTC".parse().expect("zone")).expect("store");
    for batch in history() {
        store.write(batch).await.expect("stored");
    }
    let conn = store.reader().expect("reader");
    use query::SessionSort::*;
    for sort in [Start, End, Cost, Tokens, Duration, Errors] {
        for descending in [false, true] {
            let filter = query::SessionFilter { sort, descending, ..Default::default() };
            let n = assert_pages_are_slices(&conn, &filter);
            assert!(n > 10, "the history has sessions: {n}");
        }
    }
    // Pages sorted by the totals are chosen from them (the sessions a range cuts summed within it), and the
    // whole list is sorted once read: in ranges that cut sessions, at the edges of days and off the bucket grid
    // too.
    for range in ranges(&context("UTC")) {
        for sort in [Start, End, Cost, Tokens, Duration, Errors] {
            for descending in [false, true] {
                assert_pages_are_slices(&conn, &query::SessionFilter { range, sort, descending, ..Default::default() });
            }
        }
    }
}

/// Every page of `filter`'s list is its slice of the whole list, and counts all of it; returns its length.
fn assert_pages_are_slices(conn: &Connection, filter: &query::SessionFilter) -> usize {
    let all = query::sessions(conn, filter).expect("all sessions");
    let n = all.rows.len();
    for limit in [1, 3, 7] {
        for offset in 0..=n + 1 {
            let page_filter = query::SessionFilter { limit, offset: offset as u32, ..filter.clone() };
            let page = query::sessions(conn, &page_filter).expect("a page");
            let slice = &all.rows[offset.min(n)..(offset + limit as usize).min(n)];
            assert_eq!(page.rows, slice, "{filter:?}: {limit} from {offset}");
            assert_eq!(page.total, n as i64, "{filter:?}: the total");
        }
    }
    // The rest of the list from an offset.
    for offset in [1, n / 2, n + 1] {
        let rest = query::sessions(conn, &query::SessionFilter { limit: 0, offset: offset as u32, ..filter.clone() })
            .expect("the rest");
        assert_eq!(rest.rows, &all.rows[offset.min(n)..], "{filter:?}: all from {offset}");
        assert_eq!(rest.total, n as i64, "{filter:?}: the total from {offset}");
    }
    n
}

/// The dashboard reads some tables once for several of its parts (the usage for the series, the summary and
/// the models; the tools' timings for their table and their calls over time; the errors over time for the
/// errors by status): each part is still what its own query gives, from the aggregates and from the rollups.
#[tokio::test]
async fn each_part_of_the_dashboard_is_its_own_query() {
    let history = history();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ccmeter.db");
    let store = Store::open_in_zone(&path, "Asia/Kathmandu".parse().expect("zone")).expect("store");
    for batch in &history {
        store.write(batch.clone()).await.expect("stored");
    }
    let conn = Connection::open(&path).expect("open");
    let mut compared = 0;
    for aside in [false, true] {
        conn.execute("UPDATE usage_by_day_state SET fill_from = ?1", [aside.then_some(0)]).expect("aggregates");
        for ctx in [context("Asia/Kathmandu"), context("America/St_Johns")] {
            let tomorrow = ctx.today().succ_opt().expect("tomorrow");
            for days in [1, 2, 7, 30, 365] {
                let since = tomorrow.checked_sub_days(Days::new(days)).expect("a day");
                let board = ccmeter_core::dashboard::dashboard(&conn, &ctx, since, tomorrow).expect("dashboard");
                let range = Range::local_days(&ctx, Some(since), Some(tomorrow));
                let granularity = board.granularity;
                let series = query::over_time(&conn, &ctx, range, granularity).expect("series");
                let expected = ccmeter_core::dashboard::Dashboard {
                    summary: query::summary(&conn, range).expect("summary"),
                    by_model: query::by_model(&conn, range).expect("by model"),
                    tools: query::tool_stats(&conn, range).expect("tools"),
                    errors: query::errors_by_status(&conn, range).expect("errors"),
                    heatmap: match granularity {
                        Granularity::Hour => insights::heatmap_of(&ctx, &series),
                        Granularity::Day => insights::activity_heatmap(&conn, &ctx, range).expect("heatmap"),
                    },
                    series,
                    tools_over_time: event_stats::tools_over_time(&conn, &ctx, range, granularity).expect("tools"),
                    errors_over_time: event_stats::errors_over_time(&conn, &ctx, range, granularity).expect("errors"),
                    ..board.clone()
                };
                let what = format!("{days} days in {}, aggregates set aside: {aside}", ctx.zone);
                if days == 365 {
                    let held = (board.summary.usage.cost_nanos, board.tools.len(), board.errors.len());
                    assert!(held.0 > 0 && held.1 > 0 && held.2 > 0, "{what}: usage, tools and errors: {held:?}");
                }
                assert_eq!(board, expected, "{what}");
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 20);
}
