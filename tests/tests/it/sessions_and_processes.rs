//! Real session shapes, over real sockets: a session resumed in a new process (`claude --continue`,
//! `claude --resume <id>`), whose `event.sequence` starts again under the same `session.id`, and several
//! sessions exporting to one endpoint at once. No record may be taken for a retry of another, and a real
//! retry must still change nothing.

use std::collections::BTreeMap;

use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use ccmeter_proto::opentelemetry_proto::tonic::metrics::v1::metric;
use ccmeter_tests::{
    ExpectedTotals, Request, Server, expected, expected_totals, report_totals, requests, send_fixture,
};
use prost::Message;

const HOUR_NS: u64 = 3_600_000_000_000;

fn string(value: &str) -> Option<AnyValue> {
    Some(AnyValue { value: Some(any_value::Value::StringValue(value.to_owned())) })
}

fn text_of(kv: &KeyValue) -> Option<&str> {
    match kv.value.as_ref()?.value.as_ref()? {
        any_value::Value::StringValue(text) => Some(text),
        _ => None,
    }
}

/// What `claude --resume <id>` sends an hour after the captured process: the same session.id, the sequence
/// from 0 again (start-up events without a prompt.id included), new prompt and request ids, later times.
fn resumed_process(original: &[Request]) -> Vec<Request> {
    original
        .iter()
        .map(|request| {
            let body = request.plain_body();
            let mut resumed = request.clone();
            resumed.content_encoding = String::new();
            resumed.body = match request.signal.as_str() {
                "logs" => {
                    let mut message = ExportLogsServiceRequest::decode(body.as_slice()).expect("logs decode");
                    let records = message.resource_logs.iter_mut().flat_map(|r| &mut r.scope_logs);
                    for record in records.flat_map(|s| &mut s.log_records) {
                        record.time_unix_nano += HOUR_NS;
                        if record.observed_time_unix_nano != 0 {
                            record.observed_time_unix_nano += HOUR_NS;
                        }
                        for kv in &mut record.attributes {
                            let Some(text) = text_of(kv).map(str::to_owned) else { continue };
                            match kv.key.as_str() {
                                "prompt.id" | "request_id" => kv.value = string(&format!("{text}-resumed")),
                                "event.timestamp" => {
                                    let time = chrono::DateTime::parse_from_rfc3339(&text).expect("timestamp");
                                    let later = time + chrono::Duration::hours(1);
                                    kv.value = string(&later.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
                                }
                                _ => {}
                            }
                        }
                    }
                    message.encode_to_vec()
                }
                "metrics" => {
                    let mut message = ExportMetricsServiceRequest::decode(body.as_slice()).expect("metrics decode");
                    let metrics = message.resource_metrics.iter_mut().flat_map(|r| &mut r.scope_metrics);
                    for data in metrics.flat_map(|s| &mut s.metrics).filter_map(|m| m.data.as_mut()) {
                        let metric::Data::Sum(sum) = data else { panic!("Claude Code sends sums only") };
                        for point in &mut sum.data_points {
                            point.start_time_unix_nano += HOUR_NS;
                            point.time_unix_nano += HOUR_NS;
                        }
                    }
                    message.encode_to_vec()
                }
                other => panic!("no {other} in this capture"),
            };
            resumed
        })
        .collect()
}

fn doubled(totals: &ExpectedTotals) -> ExpectedTotals {
    ExpectedTotals {
        cost_nanos: totals.cost_nanos * 2,
        input: totals.input * 2,
        output: totals.output * 2,
        cache_read: totals.cache_read * 2,
        cache_creation: totals.cache_creation * 2,
        lines_added: totals.lines_added * 2,
        lines_removed: totals.lines_removed * 2,
        sessions: totals.sessions,
        commits: totals.commits * 2,
        pull_requests: totals.pull_requests * 2,
        active_cli_us: totals.active_cli_us * 2,
        active_user_us: totals.active_user_us * 2,
        event_counts: totals.event_counts.iter().map(|(name, n)| (name.clone(), n * 2)).collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_resumed_with_resume_id_keeps_both_processes_records() {
    let scenario = "claude-code-2.1.332/grpc/success";
    let original = requests(scenario);
    let resumed = resumed_process(&original);
    let server = Server::start();
    for request in original.iter().chain(&resumed) {
        send_fixture(&server, request).await;
    }
    let want = doubled(&expected_totals(scenario));
    let report = server.report(&[]);
    assert_eq!(report_totals(&report), want, "two processes of one session, every record of both");
    assert_eq!(report["sessions"].as_array().expect("sessions").len(), 1, "one session.id");
    println!(
        "--resume <id>: sessions {} · cost ${} · events {}",
        report["total"]["sessions"], report["total"]["cost_usd"], report["total"]["events_by_name"]
    );

    // Each process's exporter retrying everything, in any order, adds nothing.
    for request in resumed.iter().rev().chain(original.iter()) {
        send_fixture(&server, request).await;
    }
    assert_eq!(report_totals(&server.report(&[])), want, "retries of either process");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_continued_in_a_new_process_counts_every_record_and_the_throwaway_id() {
    let scenario = "claude-code-2.1.332/http-json/resume";
    let server = Server::start();
    for request in requests(scenario) {
        send_fixture(&server, &request).await;
    }
    let report = server.report(&["--by", "session"]);
    assert_eq!(report_totals(&report), expected_totals(scenario));
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(ccmeter_tests::fixtures_dir().join(scenario).join("manifest.json")).expect("read"),
    )
    .expect("manifest");
    let resume = &manifest["resume"][0];
    let original = resume["shared_session_ids"][0].as_str().expect("the continued session");
    let (throwaway, startup) = resume["session_ids_only_in_resumed_process"]
        .as_object()
        .expect("start-up session")
        .iter()
        .next()
        .expect("one throw-away id");
    let rows: BTreeMap<&str, &serde_json::Value> =
        report["rows"].as_array().expect("rows").iter().map(|r| (r["key"].as_str().expect("key"), r)).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[throwaway.as_str()]["cost_usd"], 0.0, "the start-up id spends nothing");
    let e = expected(scenario);
    assert_eq!(rows[original]["cost_usd"], e["sessions"][original]["metrics"]["cost_usd"], "both processes' cost");
    // The throw-away id's start-up events are all there, each counted once.
    let events = &report["total"]["events_by_name"];
    let startup_events = startup["event_names"].as_object().expect("names");
    for (name, count) in startup_events {
        let in_original = e["sessions"][original]["events"]["counts"][name].as_i64().unwrap_or(0);
        assert_eq!(events[name].as_i64(), Some(in_original + count.as_i64().expect("count")), "{name}");
    }
}

/// Two captured sessions' exports, interleaved batch by batch and sent concurrently to one endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_exporting_at_once_keep_their_figures_apart() {
    let scenarios = ["claude-code-2.1.332/grpc/success", "claude-code-2.1.197/grpc/success"];
    let server = std::sync::Arc::new(Server::start());
    let mut tasks = Vec::new();
    for scenario in scenarios {
        let server = std::sync::Arc::clone(&server);
        tasks.push(tokio::spawn(async move {
            for request in requests(scenario) {
                send_fixture(&server, &request).await;
                tokio::task::yield_now().await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("sender");
    }
    let report = server.report(&["--by", "session"]);
    let rows: BTreeMap<String, serde_json::Value> = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| (r["key"].as_str().expect("key").to_owned(), r.clone()))
        .collect();
    let mut total = 0;
    for scenario in scenarios {
        let e = expected(scenario);
        for (id, session) in e["sessions"].as_object().expect("sessions") {
            let row = rows.get(id).unwrap_or_else(|| panic!("{scenario}: session {id} missing"));
            assert_eq!(row["cost_usd"], session["metrics"]["cost_usd"], "{scenario} {id}");
            assert_eq!(row["tokens"], session["metrics"]["tokens"], "{scenario} {id}");
            assert_eq!(row["lines_added"], session["metrics"]["lines_of_code"]["added"], "{scenario} {id}");
        }
        total += expected_totals(scenario).cost_nanos;
    }
    assert_eq!(report_totals(&report).cost_nanos, total);
}

/// `safety_event` and `withdrawn` exist only as names in the 2.1.332 binary; a name no version has sent yet is
/// as welcome. Each is stored once with all its attributes and counted under its bare name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_never_seen_yet_are_stored_whole_and_counted_once() {
    let server = Server::start();
    let record = |name: &str, sequence: i64, extra: serde_json::Value| {
        let mut attributes = vec![
            serde_json::json!({"key": "event.name", "value": {"stringValue": name}}),
            serde_json::json!({"key": "session.id", "value": {"stringValue": "future-session"}}),
            serde_json::json!({"key": "event.sequence", "value": {"intValue": sequence}}),
            serde_json::json!({"key": "event.timestamp", "value": {"stringValue": "2026-12-01T19:00:00.000Z"}}),
        ];
        attributes.extend(extra.as_array().cloned().unwrap_or_default());
        serde_json::json!({"timeUnixNano": format!("{}", 1_796_151_600_000_000_000i64 + sequence),
            "body": {"stringValue": format!("claude_code.{name}")}, "attributes": attributes})
    };
    let body = serde_json::json!({"resourceLogs": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "claude-code"}},
                                {"key": "service.version", "value": {"stringValue": "2.1.400"}}]},
    "scopeLogs": [{"scope": {"name": "com.anthropic.claude_code.events"}, "logRecords": [
        record("safety_event", 0, serde_json::json!([{"key": "category", "value": {"stringValue": "cyber"}},
                                                    {"key": "blocked", "value": {"boolValue": true}}])),
        record("withdrawn", 1, serde_json::json!([{"key": "reason", "value": {"stringValue": "user"}}])),
        record("brand_new_thing", 2, serde_json::json!([])),
    ]}]}]})
    .to_string();
    for _ in 0..2 {
        let answer = ccmeter_tests::http_post(
            server.http,
            "/v1/logs",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
            false,
        );
        assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    }
    let report = server.report(&[]);
    assert_eq!(
        report["total"]["events_by_name"],
        serde_json::json!({"brand_new_thing": 1, "safety_event": 1, "withdrawn": 1}),
        "each once, though sent twice"
    );
    assert_eq!(report["sessions"][0]["app_version"], "2.1.400", "the version from the resource");
    let conn = rusqlite::Connection::open(&server.db).expect("open");
    let stored: Vec<(String, String)> = conn
        .prepare("SELECT name, attributes FROM events ORDER BY sequence")
        .expect("query")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("read");
    assert_eq!(stored.len(), 3);
    assert!(stored[0].1.contains(r#""blocked":true"#), "attributes kept whole: {}", stored[0].1);
}
