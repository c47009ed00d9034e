//! The dashboard's newer breakdowns against real Claude Code telemetry: cost by effort, events by name,
//! API latency percentiles, tool runs over time, sessions by terminal / project / commit, the tool and
//! API-error logs, and the facet rollup that a version-3 database gets filled in on upgrade.

use std::collections::BTreeMap;
use std::sync::Arc;

use ccmeter_core::read::event_stats::{self, ApiLatency};
use ccmeter_core::read::insights;
use ccmeter_core::read::logs::{self, LogFilter, LogKind};
use ccmeter_core::read::query::{self};
use ccmeter_core::read::session_mix::{self, SessionGroup};
use ccmeter_core::words::range::{Granularity, Range};
use ccmeter_core::{Store, TimeContext};
use ccmeter_proto::{Batch, EventDetail, Resource};
use ccmeter_tests::{expected_totals, requests, scenarios};
use chrono::{TimeZone, Utc};
use rusqlite::Connection;
use serde_json::Value;

use crate::common::temp_store;

async fn store_scenarios(store: &Store, names: &[&str], edit: impl Fn(Batch) -> Batch) {
    for name in names {
        for request in requests(name) {
            store.write(edit(request.decode())).await.expect("batch stored");
        }
    }
}

fn berlin() -> TimeContext {
    // A clock far from the capture: nothing here may depend on "now".
    TimeContext::fixed(
        Utc.with_ymd_and_hms(2031, 6, 1, 0, 0, 0).single().expect("valid"),
        "Europe/Berlin".parse().expect("zone"),
    )
}

/// Every decoded Claude Code event of some scenarios.
fn events_of(names: &[&str]) -> Vec<ccmeter_proto::Event> {
    names
        .iter()
        .flat_map(|name| requests(name))
        .flat_map(|r| r.decode().events)
        .filter(|e| e.name.is_claude_code())
        .collect()
}

/// Nearest-rank percentile, written out again here so the test does not trust the code it checks.
fn nearest_rank(mut values: Vec<i64>, p: usize) -> i64 {
    values.sort_unstable();
    let rank = (p * values.len()).div_ceil(100).max(1);
    values[rank - 1]
}

// ---------------------------------------------------------------------------------------------------
// Cost by effort, events by name
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn cost_by_effort_adds_up_to_the_summary_in_every_fixture() {
    for scenario in scenarios() {
        let (_dir, store) = temp_store();
        store_scenarios(&store, &[&scenario], |b| b).await;
        let conn = store.reader().expect("reader");
        let efforts = insights::cost_by_effort(&conn, Range::ALL).expect("by effort");
        let summary = query::summary(&conn, Range::ALL).expect("summary");
        let cost: i64 = efforts.iter().map(|e| e.cost_nanos).sum();
        let requests: i64 = efforts.iter().map(|e| e.api_requests).sum();
        let tokens: i64 = efforts.iter().map(|e| e.tokens.total()).sum();
        assert_eq!(
            (cost, requests, tokens),
            (summary.usage.cost_nanos, summary.usage.api_requests, summary.usage.tokens.total()),
            "{scenario}"
        );
        assert_eq!(cost, expected_totals(&scenario).cost_nanos, "{scenario}: Claude Code's own total");
        for pair in efforts.windows(2) {
            assert!(pair[0].cost_nanos >= pair[1].cost_nanos, "{scenario}: most expensive first");
        }
    }
}

#[tokio::test]
async fn effort_matches_the_requests_of_the_capture_and_requests_without_one_are_kept_apart() {
    let names = ["claude-code-2.1.197/grpc/success", "claude-code-2.1.197/http-json/interactive"];
    let (_dir, store) = temp_store();
    store_scenarios(&store, &names, |b| b).await;
    let conn = store.reader().expect("reader");
    let mut expected: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for event in events_of(&names) {
        if let EventDetail::ApiRequest(request) = &event.detail {
            let effort = event.attributes.get("effort").and_then(Value::as_str).unwrap_or("").to_owned();
            let entry = expected.entry(effort).or_default();
            entry.0 += 1;
            entry.1 += request.cost.0;
        }
    }
    // Claude Code 2.1.197 sends effort=high with Opus; Haiku (subagents, titles) takes no effort.
    assert_eq!(expected.keys().map(String::as_str).collect::<Vec<_>>(), ["", "high"]);
    let found: BTreeMap<String, (i64, i64)> = insights::cost_by_effort(&conn, Range::ALL)
        .expect("by effort")
        .into_iter()
        .map(|e| (e.value, (e.api_requests, e.cost_nanos)))
        .collect();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn events_by_name_over_time_count_every_claude_code_event_once() {
    let names = [
        "claude-code-2.1.197/grpc/success",
        "claude-code-2.1.197/grpc/api-errors",
        "claude-code-2.1.197/http-json/interactive",
    ];
    let (_dir, store) = temp_store();
    // Sent twice: a retried export must not count again.
    store_scenarios(&store, &names, |b| b).await;
    store_scenarios(&store, &names, |b| b).await;
    let conn = store.reader().expect("reader");
    let ctx = berlin();
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for event in events_of(&names) {
        *expected.entry(event.name.as_str().to_owned()).or_default() += 1;
    }
    for granularity in [Granularity::Hour, Granularity::Day] {
        let points = insights::events_over_time(&conn, &ctx, Range::ALL, granularity).expect("events");
        let mut counted: BTreeMap<String, i64> = BTreeMap::new();
        for point in &points {
            *counted.entry(point.name.clone()).or_default() += point.count;
        }
        assert_eq!(counted, expected, "{granularity:?}");
        assert_eq!(counted, query::event_counts(&conn, Range::ALL).expect("counts"), "the raw events agree");
        for pair in points.windows(2) {
            assert!((pair[0].start, &pair[0].name) < (pair[1].start, &pair[1].name), "time, then name order");
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// API latency, tool runs
// ---------------------------------------------------------------------------------------------------

/// `|estimate − exact| ≤ exact × 1 % + 0.5 ms`, the bound of a percentile read from a duration histogram.
fn within_histogram_bound(estimate: i64, exact: i64) -> bool {
    (estimate - exact).abs() as f64 <= exact as f64 * ccmeter_core::words::histogram::RELATIVE_ERROR + 0.5
}

#[tokio::test]
async fn api_latency_percentiles_match_the_requests_of_the_capture() {
    let names = [
        "claude-code-2.1.197/grpc/success",
        "claude-code-2.1.197/http-json/interactive",
        "claude-code-2.1.197/http-protobuf/oauth-account",
    ];
    let (_dir, store) = temp_store();
    store_scenarios(&store, &names, |b| b).await;
    let conn = store.reader().expect("reader");
    let mut durations: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for event in events_of(&names) {
        if let EventDetail::ApiRequest(request) = &event.detail
            && let Some(duration) = request.duration_ms
        {
            let model = request.model.as_deref().map(ccmeter_proto::normalize_model).unwrap_or("").to_owned();
            durations.entry(model).or_default().push(duration);
        }
    }
    assert!(!durations.is_empty(), "the capture has timed requests");

    let ApiLatency { by_model, series } =
        event_stats::api_latency(&conn, &berlin(), Range::ALL, Granularity::Hour).expect("latency");
    assert_eq!(by_model.len(), durations.len());
    for stat in &by_model {
        let expected = &durations[&stat.model];
        assert!(stat.requests > 0);
        assert_eq!(stat.start, None);
        assert_eq!(stat.requests, expected.len() as i64, "{}", stat.model);
        // From the duration histograms: within the bound words::histogram states of the exact nearest rank.
        for (estimate, p) in [(stat.p50_ms, 50), (stat.p95_ms, 95)] {
            let exact = nearest_rank(expected.clone(), p);
            assert!(within_histogram_bound(estimate, exact), "{} p{p}: {estimate} for {exact}", stat.model);
        }
        assert!(stat.p50_ms <= stat.p95_ms);
    }
    for pair in by_model.windows(2) {
        assert!(pair[0].requests >= pair[1].requests, "most requests first");
    }
    let per_model: BTreeMap<&str, i64> = series.iter().fold(BTreeMap::new(), |mut sums, point| {
        *sums.entry(point.model.as_str()).or_default() += point.requests;
        sums
    });
    for (model, expected) in &durations {
        assert_eq!(per_model[model.as_str()], expected.len() as i64, "every request in one hour");
    }
    assert!(series.iter().all(|p| p.start.is_some() && p.p50_ms <= p.p95_ms));

    let none = event_stats::api_latency(&conn, &berlin(), Range { from_ns: Some(0), to_ns: Some(1) }, Granularity::Day)
        .expect("an empty range");
    assert_eq!(none, ApiLatency::default());
}

#[tokio::test]
async fn tool_runs_over_time_add_up_to_the_tool_table() {
    let names = [
        "claude-code-2.1.197/grpc/success",
        "claude-code-2.1.197/http-json/interactive",
        "claude-code-2.1.197/http-json/traces-beta",
    ];
    let (_dir, store) = temp_store();
    store_scenarios(&store, &names, |b| b).await;
    let conn = store.reader().expect("reader");
    let table = query::tool_stats(&conn, Range::ALL).expect("tools");
    assert!(!table.is_empty(), "the capture ran tools");
    let mut durations: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for event in events_of(&names) {
        if let EventDetail::ToolResult(result) = &event.detail
            && let Some(duration) = result.duration_ms
        {
            durations.entry(result.tool_name.clone().unwrap_or_else(|| "?".into())).or_default().push(duration);
        }
    }
    for granularity in [Granularity::Hour, Granularity::Day] {
        let points = event_stats::tools_over_time(&conn, &berlin(), Range::ALL, granularity).expect("over time");
        let mut sums: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for point in &points {
            let entry = sums.entry(point.tool.clone()).or_default();
            entry.0 += point.calls;
            entry.1 += point.failed;
        }
        let expected: BTreeMap<String, (i64, i64)> =
            table.iter().map(|t| (t.tool.clone(), (t.calls, t.failed))).collect();
        for tool in &table {
            let mean = tool.mean_ms.expect("timed runs");
            let exact = &durations[&tool.tool];
            let exact_mean = exact.iter().sum::<i64>() as f64 / exact.len() as f64;
            assert!((mean - exact_mean).abs() < 1e-9, "{}: mean {mean}, exactly {exact_mean}", tool.tool);
            for (estimate, p) in [(tool.p50_ms, 50), (tool.p95_ms, 95)] {
                let (estimate, exact) = (estimate.expect("timed runs"), nearest_rank(exact.clone(), p));
                assert!(within_histogram_bound(estimate, exact), "{} p{p}: {estimate} for {exact}", tool.tool);
            }
        }
        assert_eq!(sums, expected, "{granularity:?}");
    }
}

// ---------------------------------------------------------------------------------------------------
// Sessions by terminal, project, commit; sessions started
// ---------------------------------------------------------------------------------------------------

/// The batch as if Claude Code ran with `OTEL_RESOURCE_ATTRIBUTES=project=<project>`.
fn tagged(project: &'static str) -> impl Fn(Batch) -> Batch {
    move |mut batch| {
        let tag = |resource: &Arc<Resource>| {
            let mut resource = (**resource).clone();
            resource.attributes.insert("project".into(), Value::String(project.into()));
            Arc::new(resource)
        };
        for event in &mut batch.events {
            event.resource = tag(&event.resource);
        }
        for point in &mut batch.points {
            point.resource = tag(&point.resource);
        }
        for span in &mut batch.spans {
            span.resource = tag(&span.resource);
        }
        batch
    }
}

fn group(groups: &[SessionGroup], value: &str) -> (i64, i64) {
    groups.iter().find(|g| g.value == value).map(|g| (g.sessions, g.cost_nanos)).unwrap_or_default()
}

#[tokio::test]
async fn sessions_group_by_terminal_project_and_commit() {
    let (_dir, store) = temp_store();
    store_scenarios(&store, &["claude-code-2.1.197/grpc/success"], tagged("ccmeter")).await;
    store_scenarios(&store, &["claude-code-2.1.197/http-json/interactive"], tagged("website")).await;
    store_scenarios(&store, &["claude-code-2.1.197/grpc/api-errors"], |b| b).await;
    let conn = store.reader().expect("reader");
    let mix = session_mix::session_mix(&conn, &berlin(), Range::ALL, Granularity::Day).expect("mix");
    let summary = query::summary(&conn, Range::ALL).expect("summary");
    let cost = |name: &str| expected_totals(name).cost_nanos;

    let terminals: i64 = mix.by_terminal.iter().map(|g| g.sessions).sum();
    let terminal_cost: i64 = mix.by_terminal.iter().map(|g| g.cost_nanos).sum();
    assert_eq!((terminals, terminal_cost), (summary.sessions, summary.usage.cost_nanos));
    assert!(mix.by_terminal.iter().all(|g| !g.value.is_empty()), "Claude Code sends terminal.type");

    assert_eq!(mix.by_attribute.len(), 1, "only the user's own attribute: {:?}", mix.by_attribute);
    let project = &mix.by_attribute[0];
    assert_eq!(project.key, "project");
    let sessions_of = |name: &str| expected_totals(name).sessions;
    assert_eq!(
        group(&project.groups, "ccmeter"),
        (sessions_of("claude-code-2.1.197/grpc/success"), cost("claude-code-2.1.197/grpc/success"))
    );
    assert_eq!(
        group(&project.groups, "website"),
        (sessions_of("claude-code-2.1.197/http-json/interactive"), cost("claude-code-2.1.197/http-json/interactive"))
    );
    assert_eq!(
        group(&project.groups, ""),
        (sessions_of("claude-code-2.1.197/grpc/api-errors"), cost("claude-code-2.1.197/grpc/api-errors")),
        "untagged"
    );
    assert_eq!(project.groups.last().map(|g| g.value.as_str()), Some(""), "untagged sessions come last");

    let commits = summary.usage.commits;
    assert!(commits > 0, "the capture commits");
    assert_eq!(mix.with_commit.sessions + mix.without_commit.sessions, summary.sessions);
    assert_eq!(mix.with_commit.cost_nanos + mix.without_commit.cost_nanos, summary.usage.cost_nanos);
    assert!(mix.with_commit.sessions >= 1 && mix.with_commit.sessions <= commits);

    let started: i64 = mix.started.iter().map(|s| s.sessions).sum();
    assert_eq!(started, summary.sessions, "each session started once");
    let before =
        session_mix::session_mix(&conn, &berlin(), Range { from_ns: Some(0), to_ns: Some(1) }, Granularity::Day)
            .expect("nothing");
    assert!(before.by_terminal.is_empty() && before.started.is_empty() && before.with_commit.sessions == 0);
}

// ---------------------------------------------------------------------------------------------------
// The logs
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_tool_log_lists_every_run_newest_first_and_filters() {
    let names = ["claude-code-2.1.197/grpc/success", "claude-code-2.1.197/http-json/interactive"];
    let (_dir, store) = temp_store();
    store_scenarios(&store, &names, |b| b).await;
    let conn = store.reader().expect("reader");
    let runs: Vec<ccmeter_proto::Event> =
        events_of(&names).into_iter().filter(|e| matches!(e.detail, EventDetail::ToolResult(_))).collect();
    assert!(runs.len() >= 2, "the capture ran tools");

    let all = logs::log(&conn, &LogFilter { kind: LogKind::Tools, range: Range::ALL, ..Default::default() })
        .expect("tool log");
    assert_eq!(all.total, runs.len() as i64);
    assert_eq!(all.rows.len(), runs.len());
    assert!(all.rows.windows(2).all(|p| p[0].time >= p[1].time), "newest first");
    assert!(all.rows.iter().all(|r| r.tool_name.is_some() && r.session_id.is_some()));
    assert!(!all.subjects.is_empty() && all.status_codes.is_empty());

    let tool = all.subjects[0].clone();
    let of_tool = logs::log(
        &conn,
        &LogFilter { kind: LogKind::Tools, range: Range::ALL, tool: Some(tool.clone()), ..Default::default() },
    )
    .expect("one tool");
    let expected = runs
        .iter()
        .filter(|e| matches!(&e.detail, EventDetail::ToolResult(t) if t.tool_name.as_deref() == Some(tool.as_str())))
        .count();
    assert_eq!(of_tool.total, expected as i64);
    assert!(of_tool.rows.iter().all(|r| r.tool_name.as_deref() == Some(tool.as_str())));

    let first_page =
        logs::log(&conn, &LogFilter { kind: LogKind::Tools, range: Range::ALL, limit: 1, ..Default::default() })
            .expect("page 1");
    let second_page = logs::log(
        &conn,
        &LogFilter { kind: LogKind::Tools, range: Range::ALL, limit: 1, offset: 1, ..Default::default() },
    )
    .expect("page 2");
    assert_eq!((first_page.total, second_page.total), (all.total, all.total));
    assert_eq!((&first_page.rows[0], &second_page.rows[0]), (&all.rows[0], &all.rows[1]));
    let past_end = logs::log(
        &conn,
        &LogFilter { kind: LogKind::Tools, range: Range::ALL, limit: 10, offset: 10_000, ..Default::default() },
    )
    .expect("past the end");
    assert!(past_end.rows.is_empty());
    assert_eq!(past_end.total, all.total, "the pager can still step back");

    let session = all.rows[0].session_id.clone().expect("a session");
    let by_text = logs::log(
        &conn,
        &LogFilter {
            kind: LogKind::Tools,
            range: Range::ALL,
            text: Some(session.to_uppercase()),
            ..Default::default()
        },
    )
    .expect("search");
    assert!(by_text.total >= 1 && by_text.rows.iter().all(|r| r.session_id.as_deref() == Some(session.as_str())));
    let nothing = logs::log(
        &conn,
        &LogFilter {
            kind: LogKind::Tools,
            range: Range::ALL,
            text: Some("no such text'; --".into()),
            ..Default::default()
        },
    )
    .expect("a hostile search is just text");
    assert_eq!(nothing.total, 0);
}

#[tokio::test]
async fn the_api_error_log_shows_status_model_and_only_the_failed_requests() {
    let (_dir, store) = temp_store();
    store_scenarios(&store, &["claude-code-2.1.197/grpc/api-errors", "claude-code-2.1.197/grpc/success"], |b| b).await;
    let conn = store.reader().expect("reader");
    let failures: Vec<ccmeter_proto::Event> =
        events_of(&["claude-code-2.1.197/grpc/api-errors", "claude-code-2.1.197/grpc/success"])
            .into_iter()
            .filter(|e| matches!(e.detail, EventDetail::ApiError(_)))
            .collect();
    assert!(!failures.is_empty(), "the capture has API errors");
    let page = logs::log(&conn, &LogFilter { kind: LogKind::ApiErrors, range: Range::ALL, ..Default::default() })
        .expect("error log");
    assert_eq!(page.total, failures.len() as i64);
    let by_status = query::errors_by_status(&conn, Range::ALL).expect("by status");
    let statuses: i64 = by_status.iter().map(|e| e.count).sum();
    assert_eq!(page.total, statuses, "the chart and the log agree");
    let mut over_time: BTreeMap<Option<i64>, i64> = BTreeMap::new();
    for point in event_stats::errors_over_time(&conn, &berlin(), Range::ALL, Granularity::Hour).expect("over time") {
        *over_time.entry(point.status_code).or_default() += point.count;
    }
    let expected: BTreeMap<Option<i64>, i64> = by_status.iter().map(|e| (e.status_code, e.count)).collect();
    assert_eq!(over_time, expected, "errors over time add up to errors by status");
    assert!(page.rows.iter().all(|r| r.tool_name.is_none() && r.model.is_some()));
    assert!(!page.subjects.is_empty(), "models to filter by");
    if let Some(&status) = page.status_codes.first() {
        let one = logs::log(
            &conn,
            &LogFilter { kind: LogKind::ApiErrors, range: Range::ALL, status_code: Some(status), ..Default::default() },
        )
        .expect("one status");
        assert!(one.total >= 1 && one.rows.iter().all(|r| r.status_code == Some(status)));
    }
    // Content is not stored by default: the error text says so instead of leaking it.
    for row in &page.rows {
        if let Some(error) = &row.error {
            assert!(error.starts_with("[not stored: "), "{error}");
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The facet rollup: filled on upgrade, emptied by deletion
// ---------------------------------------------------------------------------------------------------

fn facet_dump(conn: &Connection) -> Vec<String> {
    let mut statement =
        conn.prepare("SELECT * FROM facet_rollup ORDER BY facet, bucket, value, session_id").expect("select");
    let columns = statement.column_count();
    let rows = statement
        .query_map([], |r| {
            let mut text = Vec::new();
            for i in 0..columns {
                text.push(format!("{:?}", r.get_ref(i)?));
            }
            Ok(text.join("|"))
        })
        .expect("rows");
    rows.collect::<rusqlite::Result<_>>().expect("read")
}

#[tokio::test]
async fn a_version_3_database_gets_the_same_facets_ingest_would_have_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ccmeter.db");
    let written = {
        let store = Store::open(&path).expect("store");
        let all: Vec<String> = scenarios();
        let names: Vec<&str> = all.iter().map(String::as_str).collect();
        store_scenarios(&store, &names, |b| b).await;
        let conn = store.reader().expect("reader");
        let dump = facet_dump(&conn);
        assert!(dump.len() > 50, "ingest fills the facets");
        dump
    };
    {
        // Back to version 3: no facet table, the old name/time index (versions 5 and 6 widen it again), none of
        // version 6's columns; versions 4 and 6 backfill the facets.
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch(ccmeter_tests::BACK_TO_SCHEMA_3).expect("downgrade");
    }
    let store = Store::open(&path).expect("upgraded");
    let conn = store.reader().expect("reader");
    assert_eq!(facet_dump(&conn), written, "the backfill writes exactly what ingest writes");
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT model_norm, duration_ms, ttft_ms FROM events WHERE name = 'api_request' AND time_ns > 0",
            [],
            |r| r.get(3),
        )
        .expect("plan");
    assert!(plan.contains("COVERING INDEX events_name_time"), "{plan}");
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT tool_name, decision, count(*) FROM events
             WHERE name = 'tool_decision' AND is_claude_code = 1 AND time_ns >= 0 GROUP BY 1, 2",
            [],
            |r| r.get(3),
        )
        .expect("plan");
    assert!(plan.contains("COVERING INDEX events_name_time"), "decisions by tool read the index alone: {plan}");
}

#[tokio::test]
async fn deleting_a_session_or_a_span_takes_its_facets_along() {
    let (_dir, store) = temp_store();
    store_scenarios(&store, &["claude-code-2.1.197/grpc/success", "claude-code-2.1.197/grpc/api-errors"], |b| b).await;
    let conn = store.reader().expect("connection");
    let session =
        query::sessions(&conn, &query::SessionFilter::default()).expect("sessions").rows[0].id.clone().expect("named");
    let id = session.clone();
    store.exec(move |tx| ccmeter_core::write::delete::session(tx, &id)).await.expect("deleted");
    let left: i64 = conn
        .query_row("SELECT count(*) FROM facet_rollup WHERE session_id = ?1", [&session], |r| r.get(0))
        .expect("count");
    assert_eq!(left, 0);
    let summary = query::summary(&conn, Range::ALL).expect("summary");
    let effort: i64 = insights::cost_by_effort(&conn, Range::ALL).expect("effort").iter().map(|e| e.cost_nanos).sum();
    assert_eq!(effort, summary.usage.cost_nanos, "the rest still adds up");

    store.exec(|tx| ccmeter_core::write::delete::range(tx, Range::ALL)).await.expect("everything");
    let left: i64 = conn.query_row("SELECT count(*) FROM facet_rollup", [], |r| r.get(0)).expect("count");
    assert_eq!(left, 0);
}
