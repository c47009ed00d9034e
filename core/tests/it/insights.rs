//! The dashboard breakdowns against real Claude Code telemetry: cost by query source, edits by language
//! and the weekday × hour heatmap must add up to the summary of the same range, to the nano-dollar, and
//! agree with figures counted here straight from the decoded fixtures.

use std::collections::{BTreeMap, BTreeSet};

use ccmeter_core::read::insights::{self, HeatCell, LanguageEdits, SourceClass, SourceUsage};
use ccmeter_core::read::query::{self, TokenCounts};
use ccmeter_core::words::range::Range;
use ccmeter_core::{Store, TimeContext};
use ccmeter_proto::{Batch, EventDetail, EventName, MetricName, MetricPoint, PointKind, Signal, Temporality};
use ccmeter_tests::{expected, expected_totals, requests, scenarios, scenarios_of};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;

use crate::common::temp_store;

async fn write_all(store: &Store, batches: Vec<Batch>) {
    for batch in batches {
        assert!(batch.rejected.is_empty(), "fixture records rejected: {:?}", batch.rejected);
        store.write(batch).await.expect("batch stored");
    }
}

fn batches(scenario: &str, keep: impl Fn(Signal) -> bool) -> Vec<Batch> {
    requests(scenario).iter().map(|r| r.decode()).filter(|b| keep(b.signal)).collect()
}

const SECOND: i64 = 1_000_000_000;
const HOUR: i64 = 3600 * SECOND;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("valid time").timestamp_nanos_opt().expect("in range")
}

fn berlin() -> TimeContext {
    // A clock far from the capture: nothing here may depend on "now".
    TimeContext::fixed(
        Utc.with_ymd_and_hms(2031, 6, 1, 0, 0, 0).single().expect("valid"),
        "Europe/Berlin".parse().expect("zone"),
    )
}

// ---------------------------------------------------------------------------------------------------
// Cost by query source
// ---------------------------------------------------------------------------------------------------

/// (cost, tokens, api requests) over all classes, checking on the way that every class is the sum of
/// its raw values and that each raw value belongs to its class.
fn class_totals(classes: &[SourceUsage]) -> (i64, TokenCounts, i64) {
    let mut cost = 0;
    let mut tokens = TokenCounts::default();
    let mut requests = 0;
    for class in classes {
        assert!(!class.raw.is_empty(), "{:?} has no raw values", class.class);
        let raw_cost: i64 = class.raw.iter().map(|r| r.cost_nanos).sum();
        let raw_requests: i64 = class.raw.iter().map(|r| r.api_requests).sum();
        let raw_tokens: i64 = class.raw.iter().map(|r| r.tokens.total()).sum();
        assert_eq!((raw_cost, raw_requests, raw_tokens), (class.cost_nanos, class.api_requests, class.tokens.total()));
        for raw in &class.raw {
            assert_eq!(insights::classify_query_source(&raw.raw), class.class, "{:?}", raw.raw);
        }
        assert_eq!(class.cost_usd, class.cost_nanos as f64 / 1e9);
        cost += class.cost_nanos;
        tokens.input += class.tokens.input;
        tokens.output += class.tokens.output;
        tokens.cache_read += class.tokens.cache_read;
        tokens.cache_creation += class.tokens.cache_creation;
        requests += class.api_requests;
    }
    let order: Vec<SourceClass> = classes.iter().map(|c| c.class).collect();
    let mut sorted = order.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(order, sorted, "one entry per class, main → subagent → auxiliary");
    (cost, tokens, requests)
}

/// The classes of a range must carry exactly the summary's cost, tokens and API requests.
fn assert_classes_match_summary(conn: &Connection, range: Range, what: &str) -> Vec<SourceUsage> {
    let classes = insights::cost_by_source(conn, range).expect("cost by source");
    let summary = query::summary(conn, range).expect("summary");
    assert_eq!(
        class_totals(&classes),
        (summary.usage.cost_nanos, summary.usage.tokens, summary.usage.api_requests),
        "{what}: classes vs summary"
    );
    classes
}

fn raw_of(classes: &[SourceUsage]) -> BTreeMap<String, (i64, i64)> {
    classes.iter().flat_map(|c| &c.raw).map(|r| (r.raw.clone(), (r.cost_nanos, r.api_requests))).collect()
}

/// Cost and count of the api_request events per raw query_source, read from the decoded fixture.
fn events_by_raw_source(scenario: &str) -> BTreeMap<String, (i64, i64)> {
    let mut by_source: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for batch in batches(scenario, |s| s == Signal::Logs) {
        for event in &batch.events {
            if let EventDetail::ApiRequest(request) = &event.detail {
                let entry = by_source.entry(request.query_source.clone().unwrap_or_default()).or_default();
                entry.0 += request.cost.0;
                entry.1 += 1;
            }
        }
    }
    by_source
}

#[tokio::test]
async fn in_every_fixture_the_classes_add_up_to_the_summary_whatever_the_signals_or_order() {
    for scenario in scenarios() {
        let want = expected_totals(&scenario).cost_nanos;
        let orders: [(&str, Vec<Batch>); 3] = [
            ("as sent", batches(&scenario, |_| true)),
            ("metrics only", batches(&scenario, |s| s == Signal::Metrics)),
            (
                "metrics first",
                batches(&scenario, |s| s == Signal::Metrics)
                    .into_iter()
                    .chain(batches(&scenario, |s| s != Signal::Metrics))
                    .collect(),
            ),
        ];
        for (order, input) in orders {
            let (_dir, store) = temp_store();
            write_all(&store, input).await;
            let conn = store.reader().expect("reader");
            let classes = assert_classes_match_summary(&conn, Range::ALL, &format!("{scenario} {order}"));
            assert_eq!(class_totals(&classes).0, want, "{scenario} {order}: Claude Code's own total");
        }
    }
}

#[tokio::test]
async fn with_both_signals_the_classes_come_from_the_events() {
    for scenario in scenarios() {
        let (_dir, store) = temp_store();
        write_all(&store, batches(&scenario, |_| true)).await;
        let conn = store.reader().expect("reader");
        let classes = insights::cost_by_source(&conn, Range::ALL).expect("cost by source");
        let raw = raw_of(&classes);
        // Every raw value is an api_request's, with the events' own cost and count; none is a metric's.
        assert_eq!(raw, events_by_raw_source(&scenario), "{scenario}");
        for metric_value in ["main", "subagent", "auxiliary"] {
            assert!(!raw.contains_key(metric_value), "{scenario}: metric source {metric_value} counted");
        }
        // The counts also match what the fixture's own tooling found in the raw requests.
        let mut counted: BTreeMap<String, i64> = BTreeMap::new();
        for session in expected(&scenario)["sessions"].as_object().expect("sessions").values() {
            if let Some(sources) = session["events"]["api_request"]["query_sources"].as_object() {
                for (source, n) in sources {
                    *counted.entry(source.clone()).or_default() += n.as_i64().expect("count");
                }
            }
        }
        let requests: BTreeMap<String, i64> = raw.iter().map(|(k, v)| (k.clone(), v.1)).collect();
        assert_eq!(requests, counted, "{scenario}");
    }

    // The interactive TUI is the one capture with all three classes.
    let (_dir, store) = temp_store();
    write_all(&store, batches("claude-code-2.1.197/http-json/interactive", |_| true)).await;
    let conn = store.reader().expect("reader");
    let classes = insights::cost_by_source(&conn, Range::ALL).expect("cost by source");
    let figures: Vec<(SourceClass, i64, i64, Vec<&str>)> = classes
        .iter()
        .map(|c| (c.class, c.cost_nanos, c.api_requests, c.raw.iter().map(|r| r.raw.as_str()).collect()))
        .collect();
    assert_eq!(
        figures,
        vec![
            (SourceClass::Main, 210_680_000, 9, vec!["repl_main_thread"]),
            (SourceClass::Subagent, 240_000, 1, vec!["agent:builtin:Explore"]),
            (SourceClass::Auxiliary, 1_200_000, 1, vec!["generate_session_title"]),
        ]
    );
    assert_eq!(classes[1].tokens, TokenCounts { input: 180, output: 12, cache_read: 0, cache_creation: 0 });
    let json = serde_json::to_value(&classes[2]).expect("serialises");
    assert_eq!(json["class"], "auxiliary");
    assert_eq!(json["cost_usd"], 0.0012);
    assert_eq!(json["api_requests"], 1);
    assert_eq!(json["raw"][0]["raw"], "generate_session_title");
}

#[tokio::test]
async fn metric_only_sessions_take_the_metric_class_which_agrees_with_the_events() {
    for scenario in scenarios() {
        let (_dir, events_store) = temp_store();
        write_all(&events_store, batches(&scenario, |_| true)).await;
        let from_events = insights::cost_by_source(&events_store.reader().expect("reader"), Range::ALL).expect("q");

        let (_dir, metrics_store) = temp_store();
        write_all(&metrics_store, batches(&scenario, |s| s == Signal::Metrics)).await;
        let from_metrics = insights::cost_by_source(&metrics_store.reader().expect("reader"), Range::ALL).expect("q");

        for class in &from_metrics {
            assert_eq!(class.api_requests, 0, "{scenario}: metrics carry no request count");
            for raw in &class.raw {
                assert!(["main", "subagent", "auxiliary"].contains(&raw.raw.as_str()), "{scenario}: {:?}", raw.raw);
            }
        }
        // Claude Code's own classification of its metrics is the one applied to its events.
        let figures =
            |classes: &[SourceUsage]| classes.iter().map(|c| (c.class, c.cost_nanos, c.tokens)).collect::<Vec<_>>();
        assert_eq!(figures(&from_metrics), figures(&from_events), "{scenario}");
    }
}

fn without_session_ids(mut batch: Batch) -> Batch {
    for point in &mut batch.points {
        point.attributes.remove("session.id");
        point.session_id = None;
    }
    batch
}

#[tokio::test]
async fn no_session_metrics_count_only_in_buckets_without_api_request_events() {
    // grpc/success (11:27–11:28 UTC) with OTEL_METRICS_INCLUDE_SESSION_ID=false: metrics only, so the
    // cost is there, under the metrics' classes.
    let (_dir, store) = temp_store();
    let stripped =
        || batches("claude-code-2.1.197/grpc/success", |s| s == Signal::Metrics).into_iter().map(without_session_ids);
    write_all(&store, stripped().collect()).await;
    let conn = store.reader().expect("reader");
    let classes = assert_classes_match_summary(&conn, Range::ALL, "no-session metrics");
    assert_eq!(raw_of(&classes).keys().collect::<Vec<_>>(), ["main", "subagent"]);
    assert_eq!(class_totals(&classes).0, 210_920_000);

    // Another session's events in another bucket (http-json/interactive, 11:30 UTC) leave them counted.
    write_all(&store, batches("claude-code-2.1.197/http-json/interactive", |_| true)).await;
    let classes = assert_classes_match_summary(&conn, Range::ALL, "plus events elsewhere");
    assert_eq!(class_totals(&classes).0, 210_920_000 + 212_120_000);
    assert!(raw_of(&classes).contains_key("main"));

    // grpc/success's own events arrive: its cost is counted once, now from them.
    write_all(&store, batches("claude-code-2.1.197/grpc/success", |s| s != Signal::Metrics)).await;
    let classes = assert_classes_match_summary(&conn, Range::ALL, "plus its own events");
    assert_eq!(class_totals(&classes).0, 210_920_000 + 212_120_000);
    let raw = raw_of(&classes);
    assert!(!raw.contains_key("main") && !raw.contains_key("subagent"), "{raw:?}");
    assert_eq!(raw["sdk"], (210_680_000, 9));
}

#[tokio::test]
async fn any_api_request_in_the_bucket_sets_no_session_metrics_aside_as_the_summary_does() {
    // No-session metrics of grpc/success and the events of grpc/api-errors share the 11:15–11:30 UTC
    // bucket: the rule assumes both exporters run, so those metrics are taken to be covered by events.
    let (_dir, store) = temp_store();
    write_all(
        &store,
        batches("claude-code-2.1.197/grpc/success", |s| s == Signal::Metrics)
            .into_iter()
            .map(without_session_ids)
            .collect(),
    )
    .await;
    write_all(&store, batches("claude-code-2.1.197/grpc/api-errors", |_| true)).await;
    let conn = store.reader().expect("reader");
    let classes = assert_classes_match_summary(&conn, Range::ALL, "shared bucket");
    assert_eq!(class_totals(&classes).0, 144_848_000, "only api-errors' own requests");
    assert_eq!(raw_of(&classes).keys().collect::<Vec<_>>(), ["sdk"]);
}

// ---------------------------------------------------------------------------------------------------
// Every breakdown over ranges cut anywhere
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_breakdown_adds_up_to_the_summary_of_any_range() {
    let (_dir, store) = temp_store();
    let mut want = 0;
    // The 2.1.197 captures, whose times the ranges below cut between.
    for scenario in scenarios_of("claude-code-2.1.197") {
        write_all(&store, batches(&scenario, |_| true)).await;
        want += expected_totals(&scenario).cost_nanos;
    }
    let conn = store.reader().expect("reader");
    let ctx = berlin();
    let day = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let split = utc(2026, 11, 24, 11, 30);
    let ranges = [
        ("all", Range::ALL),
        ("before 11:30 UTC", Range { from_ns: None, to_ns: Some(split) }),
        ("from 11:30 UTC", Range { from_ns: Some(split), to_ns: None }),
        ("from 11:29:59.9, a bucket edge away", Range { from_ns: Some(split - SECOND / 10), to_ns: None }),
        ("up to 11:30:40, mid-bucket", Range { from_ns: None, to_ns: Some(split + 40 * SECOND) }),
        ("the local day", Range::local_days(&ctx, Some(day), day.succ_opt())),
        ("the next day", Range::local_days(&ctx, day.succ_opt(), None)),
        ("before 11:15 UTC", Range { from_ns: None, to_ns: Some(split - 15 * 60 * SECOND) }),
    ];
    let mut costs = BTreeMap::new();
    for (what, range) in ranges {
        let summary = query::summary(&conn, range).expect("summary");
        let classes = assert_classes_match_summary(&conn, range, what);
        let edits = insights::edits_by_language(&conn, range).expect("edits");
        assert_eq!(
            (edits.iter().map(|l| l.accepted).sum::<i64>(), edits.iter().map(|l| l.rejected).sum::<i64>()),
            (summary.usage.edits_accepted, summary.usage.edits_rejected),
            "{what}: edits"
        );
        let cells = insights::activity_heatmap(&conn, &ctx, range).expect("heatmap");
        assert_eq!(
            (
                cells.iter().map(|c| c.cost_nanos).sum::<i64>(),
                cells.iter().map(|c| c.api_requests).sum::<i64>(),
                cells.iter().map(|c| c.user_prompts).sum::<i64>()
            ),
            (summary.usage.cost_nanos, summary.usage.api_requests, summary.usage.user_prompts),
            "{what}: heatmap"
        );
        costs.insert(what, class_totals(&classes).0);
    }
    assert_eq!(costs["all"], want);
    assert_eq!(costs["the local day"], want);
    assert_eq!(costs["the next day"], 0);
    assert_eq!(costs["before 11:15 UTC"], 0);
    // grpc/* and http-protobuf/* were captured before 11:30 UTC, http-json/* after.
    assert_eq!(costs["before 11:30 UTC"], 144_848_000 + 210_920_000 + 126_648_000 + 210_920_000);
    assert_eq!(costs["from 11:30 UTC"], 212_120_000 + 210_920_000 + 210_920_000);
    assert_eq!(costs["before 11:30 UTC"] + costs["from 11:30 UTC"], want);
    // A range takes whole 15-minute buckets, as every rollup figure does.
    assert_eq!(costs["from 11:29:59.9, a bucket edge away"], want);
    assert_eq!(costs["up to 11:30:40, mid-bucket"], costs["before 11:30 UTC"]);
}

// ---------------------------------------------------------------------------------------------------
// Edits by language
// ---------------------------------------------------------------------------------------------------

/// Accepted and rejected edits per language counted from the decoded metric points: DELTA points
/// summed, a CUMULATIVE series (attributes + start time) contributing its latest point.
fn edits_in(scenario: &str) -> BTreeMap<String, (i64, i64)> {
    let mut delta: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut latest: BTreeMap<(String, i64), (i64, f64, String, String)> = BTreeMap::new();
    for batch in batches(scenario, |s| s == Signal::Metrics) {
        for point in batch.points.iter().filter(|p| p.metric == MetricName::CodeEditToolDecision) {
            let language = point.attr_str("language").filter(|l| !l.is_empty()).unwrap_or("unknown").to_owned();
            let decision = point.attr_str("decision").unwrap_or("").to_owned();
            match point.temporality {
                Temporality::Cumulative => {
                    let key = (serde_json::to_string(&point.attributes).expect("json"), point.start_ns);
                    let newer = latest.get(&key).is_none_or(|(time, ..)| point.time_ns > *time);
                    if newer {
                        latest.insert(key, (point.time_ns, point.value, language, decision));
                    }
                }
                _ => *delta.entry((language, decision)).or_default() += point.value,
            }
        }
    }
    for (_, value, language, decision) in latest.into_values() {
        *delta.entry((language, decision)).or_default() += value;
    }
    let mut counts: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for ((language, decision), value) in delta {
        let entry = counts.entry(language).or_default();
        match decision.as_str() {
            "accept" => entry.0 += value as i64,
            "reject" => entry.1 += value as i64,
            _ => {}
        }
    }
    counts
}

/// The same from expected.json, which the capture tooling computed from the raw bodies.
fn expected_edits(scenario: &str) -> BTreeMap<String, (i64, i64)> {
    let mut counts: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for session in expected(scenario)["sessions"].as_object().expect("sessions").values() {
        let Some(decisions) = session["metrics"]["code_edit_tool_decision"]["counts"].as_object() else { continue };
        for (key, n) in decisions {
            // tool_name|decision|source|language
            let parts: Vec<&str> = key.split('|').collect();
            let entry = counts.entry(parts[3].to_owned()).or_default();
            match parts[1] {
                "accept" => entry.0 += n.as_i64().expect("count"),
                "reject" => entry.1 += n.as_i64().expect("count"),
                _ => {}
            }
        }
    }
    counts
}

#[tokio::test]
async fn edits_by_language_match_the_fixtures_counted_independently() {
    let mut accepted_by_version: BTreeMap<String, i64> = BTreeMap::new();
    for scenario in scenarios() {
        let (_dir, store) = temp_store();
        write_all(&store, batches(&scenario, |_| true)).await;
        let conn = store.reader().expect("reader");
        let edits = insights::edits_by_language(&conn, Range::ALL).expect("edits");
        let got: BTreeMap<String, (i64, i64)> =
            edits.iter().map(|l| (l.language.clone(), (l.accepted, l.rejected))).collect();
        assert_eq!(got, edits_in(&scenario), "{scenario}: counted from the decoded points");
        assert_eq!(got, expected_edits(&scenario), "{scenario}: expected.json");
        let version = scenario.split('/').next().expect("version").to_owned();
        *accepted_by_version.entry(version).or_default() += edits.iter().map(|l| l.accepted).sum::<i64>();
    }
    // 2.1.197: five captures of the tool flow approve one Write and one Edit of hello.py each; api-errors
    // edits nothing; the cumulative capture's running totals become the same 2. 2.1.332: the tool flow twice
    // (grpc/success, traces-beta), the subagent capture's one Write, and the resumed session's Write and two Edits.
    assert_eq!(accepted_by_version["claude-code-2.1.197"], 12);
    assert_eq!(accepted_by_version["claude-code-2.1.332"], 8);

    let (_dir, store) = temp_store();
    write_all(&store, batches("claude-code-2.1.197/grpc/success", |_| true)).await;
    let edits = insights::edits_by_language(&store.reader().expect("reader"), Range::ALL).expect("edits");
    assert_eq!(edits, vec![LanguageEdits { language: "Python".into(), accepted: 2, rejected: 0 }]);
    let json = serde_json::to_value(&edits).expect("serialises");
    assert_eq!(json, serde_json::json!([{ "language": "Python", "accepted": 2, "rejected": 0 }]));
}

fn edit_point(language: Option<&str>, decision: &str, time_ns: i64, count: f64) -> MetricPoint {
    let mut attributes = serde_json::Map::new();
    attributes.insert("session.id".into(), "edit-session".into());
    attributes.insert("tool_name".into(), "Edit".into());
    attributes.insert("decision".into(), decision.into());
    attributes.insert("source".into(), "config".into());
    if let Some(language) = language {
        attributes.insert("language".into(), language.into());
    }
    MetricPoint {
        metric: MetricName::CodeEditToolDecision,
        kind: PointKind::Sum { monotonic: true },
        temporality: Temporality::Delta,
        unit: String::new(),
        start_ns: time_ns - 60 * SECOND,
        time_ns,
        value: count,
        session_id: Some("edit-session".into()),
        attributes,
        detail: None,
        resource: Default::default(),
    }
}

#[tokio::test]
async fn edits_without_a_language_are_unknown_and_languages_sort_by_decisions() {
    let (_dir, store) = temp_store();
    let t = utc(2026, 11, 24, 9, 0);
    let mut batch = Batch::new(Signal::Metrics);
    batch.points = vec![
        edit_point(Some("TypeScript"), "accept", t, 1.0),
        edit_point(Some("TypeScript"), "reject", t, 2.0),
        edit_point(Some("TypeScript"), "reject", t + 60 * SECOND, 1.0),
        edit_point(None, "accept", t, 2.0),
        edit_point(Some(""), "accept", t, 1.0),
        edit_point(Some("Rust"), "accept", t + 120 * SECOND, 2.0),
        edit_point(Some("Go"), "other", t, 5.0),
    ];
    write_all(&store, vec![batch.clone()]).await;
    write_all(&store, vec![batch]).await; // a retried export counts once
    let conn = store.reader().expect("reader");
    let edits = insights::edits_by_language(&conn, Range::ALL).expect("edits");
    let row = |language: &str, accepted, rejected| LanguageEdits { language: language.into(), accepted, rejected };
    assert_eq!(edits, vec![row("TypeScript", 1, 3), row("unknown", 3, 0), row("Rust", 2, 0)]);
    let summary = query::summary(&conn, Range::ALL).expect("summary");
    assert_eq!((summary.usage.edits_accepted, summary.usage.edits_rejected), (6, 3));
    let first_bucket = Range { from_ns: None, to_ns: Some(t + 15 * 60 * SECOND) };
    assert_eq!(insights::edits_by_language(&conn, first_bucket).expect("edits"), edits);
    let later = Range { from_ns: Some(t + 15 * 60 * SECOND), to_ns: None };
    assert!(insights::edits_by_language(&conn, later).expect("edits").is_empty());
}

// ---------------------------------------------------------------------------------------------------
// Activity heatmap
// ---------------------------------------------------------------------------------------------------

fn cell_of(zone: Tz, time_ns: i64) -> (u8, u8) {
    let local = DateTime::from_timestamp_nanos(time_ns).with_timezone(&zone);
    (local.weekday().num_days_from_monday() as u8, local.hour() as u8)
}

/// The heatmap counted from the decoded events: each api_request's cost and each prompt, placed by
/// the local time of the event itself.
fn heat_from_events(batches: &[Batch], zone: Tz) -> Vec<HeatCell> {
    let mut cells: BTreeMap<(u8, u8), (i64, i64, i64)> = BTreeMap::new();
    for event in batches.iter().flat_map(|b| &b.events) {
        let cell = cells.entry(cell_of(zone, event.time_ns)).or_default();
        match (&event.name, &event.detail) {
            (EventName::ApiRequest, EventDetail::ApiRequest(request)) => {
                cell.0 += request.cost.0;
                cell.1 += 1;
            }
            (EventName::UserPrompt, _) => cell.2 += 1,
            _ => {}
        }
    }
    cells
        .into_iter()
        .filter(|(_, (cost, requests, prompts))| *cost != 0 || *requests != 0 || *prompts != 0)
        .map(|((weekday, hour), (cost_nanos, api_requests, user_prompts))| HeatCell {
            weekday,
            hour,
            cost_nanos,
            cost_usd: cost_nanos as f64 / 1e9,
            api_requests,
            user_prompts,
        })
        .collect()
}

/// The local weekdays (Monday 0) and hours in Berlin a capture was made in: 2.1.197's on Tuesday 2026-11-24
/// between 11:27 and 11:31 UTC (12:xx in Berlin), 2.1.332's on Tuesday 2026-12-01 from 18:59 UTC (19:59,
/// the resumed session's second process at 20:00).
fn captured_in(scenario: &str) -> &'static [(u8, u8)] {
    if scenario.starts_with("claude-code-2.1.197/") { &[(1, 12)] } else { &[(1, 19), (1, 20)] }
}

#[tokio::test]
async fn the_heatmap_puts_each_capture_on_its_local_hour() {
    let ctx = berlin();
    for scenario in scenarios() {
        let input = batches(&scenario, |_| true);
        let want = heat_from_events(&input, ctx.zone);
        let (_dir, store) = temp_store();
        write_all(&store, input).await;
        let conn = store.reader().expect("reader");
        let cells = insights::activity_heatmap(&conn, &ctx, Range::ALL).expect("heatmap");
        assert_eq!(cells, want, "{scenario}");
        let summary = query::summary(&conn, Range::ALL).expect("summary");
        assert_eq!(cells.iter().map(|c| c.cost_nanos).sum::<i64>(), summary.usage.cost_nanos, "{scenario}");
        assert!(cells.iter().all(|c| captured_in(&scenario).contains(&(c.weekday, c.hour))), "{scenario}: {cells:?}");
    }

    let (_dir, store) = temp_store();
    write_all(&store, batches("claude-code-2.1.197/grpc/success", |_| true)).await;
    let conn = store.reader().expect("reader");
    let cells = insights::activity_heatmap(&conn, &ctx, Range::ALL).expect("heatmap");
    assert_eq!(
        cells,
        vec![HeatCell {
            weekday: 1,
            hour: 12,
            cost_nanos: 210_920_000,
            cost_usd: 0.21092,
            api_requests: 10,
            user_prompts: 1
        }]
    );
    let json = serde_json::to_value(&cells[0]).expect("serialises");
    assert_eq!(
        json,
        serde_json::json!({ "weekday": 1, "hour": 12, "cost_usd": 0.21092, "api_requests": 10, "user_prompts": 1 })
    );
    // The same instant is 00:28 on Wednesday in Auckland (UTC+13 in November).
    let auckland = TimeContext::fixed(ctx.now(), "Pacific/Auckland".parse().expect("zone"));
    let cells = insights::activity_heatmap(&conn, &auckland, Range::ALL).expect("heatmap");
    assert_eq!(cells.iter().map(|c| (c.weekday, c.hour, c.cost_nanos)).collect::<Vec<_>>(), [(2, 0, 210_920_000)]);
}

#[tokio::test]
async fn a_metrics_only_heatmap_places_cost_by_the_metric_points() {
    let ctx = berlin();
    for scenario in scenarios() {
        let input = batches(&scenario, |s| s == Signal::Metrics);
        // Where the cost points were made (a cumulative point may add nothing, so cells ⊆ these).
        let mut places: BTreeSet<(u8, u8)> = BTreeSet::new();
        for point in input.iter().flat_map(|b| &b.points) {
            if point.metric == MetricName::CostUsage && point.value > 0.0 {
                places.insert(cell_of(ctx.zone, point.time_ns));
            }
        }
        let (_dir, store) = temp_store();
        write_all(&store, input).await;
        let conn = store.reader().expect("reader");
        let cells = insights::activity_heatmap(&conn, &ctx, Range::ALL).expect("heatmap");
        assert!(cells.iter().all(|c| places.contains(&(c.weekday, c.hour))), "{scenario}: {cells:?} vs {places:?}");
        assert_eq!(cells.iter().map(|c| c.cost_nanos).sum::<i64>(), expected_totals(&scenario).cost_nanos);
        if expected_totals(&scenario).cost_nanos > 0 {
            assert!(places.iter().all(|place| captured_in(&scenario).contains(place)), "{scenario}: {places:?}");
        }
        assert!(cells.iter().all(|c| c.api_requests == 0 && c.user_prompts == 0), "no events were sent");
    }
}

fn shifted(mut batch: Batch, by_ns: i64) -> Batch {
    for event in &mut batch.events {
        event.time_ns += by_ns;
    }
    for point in &mut batch.points {
        point.start_ns += by_ns;
        point.time_ns += by_ns;
    }
    for span in &mut batch.spans {
        span.start_ns += by_ns;
        span.end_ns += by_ns;
    }
    batch
}

#[tokio::test]
async fn the_heatmap_is_dst_safe() {
    let ctx = berlin();
    let (_dir, store) = temp_store();
    // Three captures moved to Berlin's DST changes of 2026 (their clock times kept to the second):
    // grpc/success (11:27:57 UTC) to 00:27:57 UTC on Sunday 25 October, 02:27 CEST, the first 02:00–03:00;
    // http-json/success-gzip (11:30:36 UTC) to 01:30:36 UTC the same day, 02:30 CET, the second one;
    // http-protobuf/oauth-account (11:29:33 UTC) to 01:29:33 UTC on Sunday 29 March, 03:29 CEST, just
    // after the skipped hour.
    let moves = [
        ("claude-code-2.1.197/grpc/success", utc(2026, 10, 25, 0, 27) - utc(2026, 11, 24, 11, 27)),
        ("claude-code-2.1.197/http-json/success-gzip", utc(2026, 10, 25, 1, 30) - utc(2026, 11, 24, 11, 30)),
        ("claude-code-2.1.197/http-protobuf/oauth-account", utc(2026, 3, 29, 1, 29) - utc(2026, 11, 24, 11, 29)),
    ];
    let mut moved = Vec::new();
    for (scenario, by) in moves {
        assert_eq!(by % HOUR, 0, "{scenario}: moved by whole hours");
        moved.extend(batches(scenario, |_| true).into_iter().map(|b| shifted(b, by)));
    }
    let want = heat_from_events(&moved, ctx.zone);
    write_all(&store, moved).await;
    let conn = store.reader().expect("reader");
    let cells = insights::activity_heatmap(&conn, &ctx, Range::ALL).expect("heatmap");
    assert_eq!(cells, want);
    assert_eq!(
        cells.iter().map(|c| (c.weekday, c.hour, c.cost_nanos, c.api_requests, c.user_prompts)).collect::<Vec<_>>(),
        [(6, 2, 2 * 210_920_000, 20, 2), (6, 3, 126_648_000, 10, 1)]
    );
    let summary = query::summary(&conn, Range::ALL).expect("summary");
    assert_eq!(cells.iter().map(|c| c.cost_nanos).sum::<i64>(), summary.usage.cost_nanos);
    assert_eq!(summary.usage.cost_nanos, 2 * 210_920_000 + 126_648_000);
}

// ---------------------------------------------------------------------------------------------------
// Subagents and time to first token (Claude Code 2.1.332)
// ---------------------------------------------------------------------------------------------------

/// (cost, requests) of each subagent's own api_request events by `agent.name`, counted from the decoded capture.
fn subagents_in(batches: &[Batch]) -> BTreeMap<String, (i64, i64)> {
    let mut by_name: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for event in batches.iter().flat_map(|b| &b.events) {
        if let EventDetail::ApiRequest(request) = &event.detail
            && let Some(name) = &request.agent_name
        {
            let entry = by_name.entry(name.clone()).or_default();
            entry.0 += request.cost.0;
            entry.1 += 1;
        }
    }
    by_name
}

#[tokio::test]
async fn subagent_cost_splits_by_agent_name_from_either_signal_and_adds_up_to_the_class_and_the_session() {
    let mut seen = BTreeMap::new();
    for scenario in scenarios_of("claude-code-2.1.332") {
        let input = batches(&scenario, |_| true);
        let want = subagents_in(&input);
        seen.extend(want.clone());
        for (signals, label) in [(None, "both signals"), (Some(Signal::Metrics), "metrics only")] {
            let (_dir, store) = temp_store();
            write_all(&store, batches(&scenario, |s| signals.is_none_or(|only| s == only))).await;
            let conn = store.reader().expect("reader");
            let classes = insights::cost_by_source(&conn, Range::ALL).expect("classes");
            let Some(class) = classes.iter().find(|c| c.class == SourceClass::Subagent) else {
                assert!(want.is_empty(), "{scenario} ({label}): no subagent class");
                continue;
            };
            let agents: BTreeMap<String, i64> = class.agents.iter().map(|a| (a.value.clone(), a.cost_nanos)).collect();
            let named: BTreeMap<String, i64> = want.iter().map(|(name, (cost, _))| (name.clone(), *cost)).collect();
            assert_eq!(agents, named, "{scenario} ({label}): by agent.name, nothing unnamed");
            assert_eq!(class.agents.iter().map(|a| a.cost_nanos).sum::<i64>(), class.cost_nanos, "{scenario}");
            assert_eq!(class.agents.iter().map(|a| a.tokens.total()).sum::<i64>(), class.tokens.total(), "{scenario}");
            if signals.is_none() {
                let requests: BTreeMap<String, i64> =
                    class.agents.iter().map(|a| (a.value.clone(), a.api_requests)).collect();
                assert_eq!(requests, want.iter().map(|(n, (_, r))| (n.clone(), *r)).collect(), "{scenario}");
            }
        }
        // The session's page: one row per agent_id, and the main thread is what is left.
        let (_dir, store) = temp_store();
        write_all(&store, input).await;
        let conn = store.reader().expect("reader");
        for id in expected(&scenario)["sessions"].as_object().expect("sessions").keys() {
            let detail = query::session(&conn, id).expect("query").expect("the session");
            let rows: BTreeMap<String, (i64, i64)> = detail
                .subagents
                .iter()
                .map(|a| (a.name.clone().expect("named"), (a.cost_nanos, a.api_requests)))
                .collect();
            let subagent_cost: i64 = detail.subagents.iter().map(|a| a.cost_nanos).sum();
            assert!(subagent_cost <= detail.session.usage.cost_nanos, "{scenario} {id}");
            if !detail.subagents.is_empty() {
                assert_eq!(rows, want, "{scenario} {id}");
                assert!(detail.subagents.iter().all(|a| a.duration_ms > 0 && a.tool_uses.is_some()), "{scenario}");
            }
        }
    }
    assert_eq!(seen["general-purpose"], (27_842_000, 3), "the subagent capture's own README");
    assert!(seen.contains_key("Explore"), "{seen:?}");
}

#[tokio::test]
async fn time_to_first_token_has_percentiles_beside_duration() {
    let scenario = "claude-code-2.1.332/grpc/success";
    let input = batches(scenario, |_| true);
    let mut ttfts: Vec<i64> = input
        .iter()
        .flat_map(|b| &b.events)
        .filter_map(|e| match &e.detail {
            EventDetail::ApiRequest(r) => r.ttft_ms,
            _ => None,
        })
        .collect();
    ttfts.sort_unstable();
    let nearest_rank = |p: f64| ttfts[((p / 100.0 * ttfts.len() as f64).ceil() as usize).max(1) - 1];
    let (_dir, store) = temp_store();
    write_all(&store, input).await;
    let conn = store.reader().expect("reader");
    let latency = ccmeter_core::read::event_stats::api_latency(
        &conn,
        &berlin(),
        Range::ALL,
        ccmeter_core::words::range::Granularity::Day,
    )
    .expect("latency");
    let stat = &latency.by_model[0];
    assert_eq!(stat.requests, 10);
    // From the histograms: within 1 % + 0.5 ms of the exact nearest rank (words::histogram).
    for (estimate, p) in [(stat.ttft_p50_ms, 50.0), (stat.ttft_p95_ms, 95.0)] {
        let (estimate, exact) = (estimate.expect("ttft"), nearest_rank(p));
        let bound = exact as f64 * ccmeter_core::words::histogram::RELATIVE_ERROR + 0.5;
        assert!((estimate - exact).abs() as f64 <= bound, "ttft p{p}: {estimate} for {exact}");
    }
    assert!(stat.ttft_p95_ms <= Some(stat.p95_ms), "the first token comes before the last");
    // 2.1.197 sent no ttft_ms: no figure rather than a zero.
    let (_dir, store) = temp_store();
    write_all(&store, batches("claude-code-2.1.197/grpc/success", |_| true)).await;
    let old = ccmeter_core::read::event_stats::api_latency(
        &store.reader().expect("reader"),
        &berlin(),
        Range::ALL,
        ccmeter_core::words::range::Granularity::Day,
    )
    .expect("latency");
    assert!(old.by_model.iter().all(|m| m.ttft_p50_ms.is_none() && m.ttft_p95_ms.is_none()));
}
