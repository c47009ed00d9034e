//! The OpenTelemetry SDK's own OTLP exporter (`opentelemetry-otlp` 0.33), pointed at a running
//! `ccmeter serve` over loopback sockets, gets every Claude Code figure stored exactly: over gRPC,
//! HTTP/protobuf and HTTP/JSON, with DELTA and CUMULATIVE metrics.
//!
//! The numbers are chosen so a double count shows: the metrics of a session that also sends
//! api_request events carry a different cost and different tokens (they must be set aside), and
//! cumulative counters are exported twice with a running total (summing totals would inflate them).

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use ccmeter_tests::{ExpectedTotals, Server, nanos, report_totals};
use opentelemetry::KeyValue;
use opentelemetry::logs::{AnyValue, LogRecord, Logger, LoggerProvider, Severity};
use opentelemetry::metrics::{Counter, MeterProvider};
use opentelemetry_otlp::{LogExporter, MetricExporter, Protocol, WithExportConfig};
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::logs::log_processor_with_async_runtime::BatchLogProcessor as AsyncBatchLogProcessor;
use opentelemetry_sdk::metrics::periodic_reader_with_async_runtime::PeriodicReader as AsyncPeriodicReader;
use opentelemetry_sdk::metrics::{SdkMeterProvider, Temporality};
use opentelemetry_sdk::{Resource, runtime};
use serde_json::Value;

/// Each exporter request gives up after this long.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);
/// A whole client run (build, emit, flush twice, shut down) must be over by then.
const CLIENT_DEADLINE: Duration = Duration::from_secs(40);

const EVENT_MODEL: &str = "claude-opus-4-8";
const METRIC_MODEL: &str = "claude-opus-4-8[1m]";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Wire {
    Grpc,
    HttpProtobuf,
    HttpJson,
}

/// Where the exporters send: owned strings, so a client run can live on its own thread.
#[derive(Clone)]
struct Endpoints {
    grpc: String,
    logs: String,
    metrics: String,
}

impl Endpoints {
    fn of(server: &Server) -> Endpoints {
        Endpoints {
            grpc: server.grpc_url(),
            logs: server.http_url("/v1/logs"),
            metrics: server.http_url("/v1/metrics"),
        }
    }
}

fn resource() -> Resource {
    Resource::builder_empty()
        .with_attributes([
            KeyValue::new("service.name", "claude-code"),
            KeyValue::new("service.version", "2.1.197"),
            KeyValue::new("project", "ccmeter-tests"),
        ])
        .build()
}

fn http_protocol(wire: Wire) -> Protocol {
    if wire == Wire::HttpJson { Protocol::HttpJson } else { Protocol::HttpBinary }
}

fn logger_provider(wire: Wire, to: &Endpoints) -> SdkLoggerProvider {
    let exporter = match wire {
        Wire::Grpc => LogExporter::builder().with_tonic().with_endpoint(&to.grpc).with_timeout(EXPORT_TIMEOUT).build(),
        Wire::HttpProtobuf | Wire::HttpJson => LogExporter::builder()
            .with_http()
            .with_protocol(http_protocol(wire))
            .with_endpoint(&to.logs)
            .with_timeout(EXPORT_TIMEOUT)
            .build(),
    }
    .expect("OTLP log exporter builds");
    let builder = SdkLoggerProvider::builder().with_resource(resource());
    match wire {
        Wire::Grpc => builder.with_batch_exporter(exporter),
        // The default batch processor polls the export on its own thread, outside any Tokio runtime,
        // where the async reqwest client panics ("there is no reactor running"): use the SDK's
        // runtime-driven processor for HTTP.
        Wire::HttpProtobuf | Wire::HttpJson => {
            builder.with_log_processor(AsyncBatchLogProcessor::builder(exporter, runtime::Tokio).build())
        }
    }
    .build()
}

fn meter_provider(wire: Wire, temporality: Temporality, to: &Endpoints) -> SdkMeterProvider {
    let exporter = match wire {
        Wire::Grpc => MetricExporter::builder()
            .with_tonic()
            .with_temporality(temporality)
            .with_endpoint(&to.grpc)
            .with_timeout(EXPORT_TIMEOUT)
            .build(),
        Wire::HttpProtobuf | Wire::HttpJson => MetricExporter::builder()
            .with_http()
            .with_temporality(temporality)
            .with_protocol(http_protocol(wire))
            .with_endpoint(&to.metrics)
            .with_timeout(EXPORT_TIMEOUT)
            .build(),
    }
    .expect("OTLP metric exporter builds");
    // The default interval is 60 s: every export in these tests is a force_flush or the shutdown.
    let builder = SdkMeterProvider::builder().with_resource(resource());
    match wire {
        Wire::Grpc => builder.with_periodic_exporter(exporter),
        // As for logs: the default reader's thread has no Tokio reactor for the async reqwest client.
        Wire::HttpProtobuf | Wire::HttpJson => {
            builder.with_reader(AsyncPeriodicReader::builder(exporter, runtime::Tokio).build())
        }
    }
    .build()
}

/// Claude Code's counters, all doubles like Claude Code sends them.
struct ClaudeCodeMetrics {
    cost: Counter<f64>,
    tokens: Counter<f64>,
    lines: Counter<f64>,
    commits: Counter<f64>,
}

impl ClaudeCodeMetrics {
    fn new(provider: &SdkMeterProvider) -> ClaudeCodeMetrics {
        let meter = provider.meter("com.anthropic.claude_code");
        ClaudeCodeMetrics {
            cost: meter.f64_counter("claude_code.cost.usage").with_unit("USD").build(),
            tokens: meter.f64_counter("claude_code.token.usage").with_unit("tokens").build(),
            lines: meter.f64_counter("claude_code.lines_of_code.count").build(),
            commits: meter.f64_counter("claude_code.commit.count").build(),
        }
    }

    /// Adds one period's worth of usage for a session.
    fn add(&self, session: &str, usage: &MetricUsage) {
        let with = |extra: &[KeyValue]| {
            let mut attributes = vec![KeyValue::new("session.id", session.to_owned())];
            attributes.extend_from_slice(extra);
            attributes
        };
        let model = KeyValue::new("model", METRIC_MODEL);
        self.cost.add(usage.cost_usd, &with(std::slice::from_ref(&model)));
        for (kind, count) in [
            ("input", usage.input),
            ("output", usage.output),
            ("cacheRead", usage.cache_read),
            ("cacheCreation", usage.cache_creation),
        ] {
            self.tokens.add(count, &with(&[KeyValue::new("type", kind), model.clone()]));
        }
        self.lines.add(usage.lines_added, &with(&[KeyValue::new("type", "added"), model.clone()]));
        self.lines.add(usage.lines_removed, &with(&[KeyValue::new("type", "removed"), model.clone()]));
        self.commits.add(usage.commits, &with(&[]));
    }
}

/// What one export period adds to a session's counters.
struct MetricUsage {
    cost_usd: f64,
    input: f64,
    output: f64,
    cache_read: f64,
    cache_creation: f64,
    lines_added: f64,
    lines_removed: f64,
    commits: f64,
}

/// One `claude_code.api_request` event's figures.
struct ApiRequest {
    sequence: i64,
    request_id: &'static str,
    cost_usd: f64,
    cost_usd_micros: i64,
    input: i64,
    output: i64,
    cache_read: i64,
    cache_creation: i64,
    duration_ms: i64,
}

fn record<L: Logger>(logger: &L, session: &str, name: &'static str, sequence: i64) -> L::LogRecord {
    let mut record = logger.create_log_record();
    record.set_timestamp(SystemTime::now());
    record.set_severity_number(Severity::Info);
    record.set_body(AnyValue::from(format!("claude_code.{name}")));
    record.add_attribute("event.name", name);
    record.add_attribute("event.sequence", sequence);
    record.add_attribute("session.id", session.to_owned());
    record.add_attribute("prompt.id", format!("{session}-prompt-1"));
    record
}

fn emit_api_request<L: Logger>(logger: &L, session: &str, request: &ApiRequest) {
    let mut r = record(logger, session, "api_request", request.sequence);
    r.add_attribute("model", EVENT_MODEL);
    r.add_attribute("cost_usd", request.cost_usd);
    r.add_attribute("cost_usd_micros", request.cost_usd_micros);
    r.add_attribute("input_tokens", request.input);
    r.add_attribute("output_tokens", request.output);
    r.add_attribute("cache_read_tokens", request.cache_read);
    r.add_attribute("cache_creation_tokens", request.cache_creation);
    r.add_attribute("duration_ms", request.duration_ms);
    r.add_attribute("request_id", format!("{session}-{}", request.request_id));
    logger.emit(r);
}

fn emit_user_prompt<L: Logger>(logger: &L, session: &str, sequence: i64) {
    let mut r = record(logger, session, "user_prompt", sequence);
    // Claude Code sends the length as a string.
    r.add_attribute("prompt_length", "15");
    logger.emit(r);
}

fn emit_tool_result<L: Logger>(logger: &L, session: &str, sequence: i64) {
    let mut r = record(logger, session, "tool_result", sequence);
    // Numbers and booleans as strings, like Claude Code.
    r.add_attribute("tool_name", "Edit");
    r.add_attribute("success", "true");
    r.add_attribute("duration_ms", "40");
    logger.emit(r);
}

/// Runs one client on its own thread and fails the test if it has not finished by [`CLIENT_DEADLINE`]
/// (the SDK's flushes would otherwise wait without bound on a stuck exporter).
fn within_deadline(what: &str, client: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        client();
        let _ = done.send(());
    });
    match finished.recv_timeout(CLIENT_DEADLINE) {
        Ok(()) => thread.join().expect("client thread"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the client thread ended without reporting"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: the OTLP client did not finish within {CLIENT_DEADLINE:?}")
        }
    }
}

/// A Tokio runtime for the exporters: tonic's channel and the HTTP processors run on it.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime")
}

// The session of the events-and-metrics cases: two api_requests, a prompt and a tool result as events,
// and counters whose cost and tokens differ from the events' (they must be set aside).
const FIRST: ApiRequest = ApiRequest {
    sequence: 2,
    request_id: "req_01",
    cost_usd: 0.0123,
    cost_usd_micros: 12_300,
    input: 100,
    output: 200,
    cache_read: 3_000,
    cache_creation: 400,
    duration_ms: 1_500,
};
const SECOND: ApiRequest = ApiRequest {
    sequence: 4,
    request_id: "req_02",
    cost_usd: 0.0045,
    cost_usd_micros: 4_500,
    input: 10,
    output: 20,
    cache_read: 300,
    cache_creation: 40,
    duration_ms: 500,
};
const EVENT_SESSION_METRICS: [MetricUsage; 2] = [
    MetricUsage {
        cost_usd: 0.02,
        input: 1_000.0,
        output: 2_000.0,
        cache_read: 30_000.0,
        cache_creation: 4_000.0,
        lines_added: 30.0,
        lines_removed: 5.0,
        commits: 1.0,
    },
    MetricUsage {
        cost_usd: 0.01,
        input: 500.0,
        output: 1_000.0,
        cache_read: 15_000.0,
        cache_creation: 2_000.0,
        lines_added: 12.0,
        lines_removed: 3.0,
        commits: 1.0,
    },
];

/// Sends the events-and-metrics session with `wire` and `temporality` and checks every figure.
fn events_and_metrics_case(wire: Wire, temporality: Temporality, session: &'static str) {
    let server = Server::start();
    let to = Endpoints::of(&server);
    within_deadline(&format!("{wire:?} {temporality:?}"), move || {
        let runtime = runtime();
        let _entered = runtime.enter();
        let logs = logger_provider(wire, &to);
        let metrics = meter_provider(wire, temporality, &to);
        let logger = logs.logger("com.anthropic.claude_code.events");
        let counters = ClaudeCodeMetrics::new(&metrics);

        emit_user_prompt(&logger, session, 1);
        emit_api_request(&logger, session, &FIRST);
        counters.add(session, &EVENT_SESSION_METRICS[0]);
        logs.force_flush().expect("first log export acknowledged");
        metrics.force_flush().expect("first metric export acknowledged");

        emit_tool_result(&logger, session, 3);
        emit_api_request(&logger, session, &SECOND);
        counters.add(session, &EVENT_SESSION_METRICS[1]);
        logs.force_flush().expect("second log export acknowledged");
        // Cumulative: this export carries the running total (30 + 12 lines), not the increment.
        metrics.force_flush().expect("second metric export acknowledged");

        logs.shutdown().expect("logger provider shuts down");
        metrics.shutdown().expect("meter provider shuts down");
    });

    let what = format!("{wire:?} {temporality:?}");
    let report = server.report(&[]);
    assert_eq!(
        report_totals(&report),
        ExpectedTotals {
            // Events own the session's cost and tokens: 0.0123 + 0.0045, not the metrics' 0.03.
            cost_nanos: nanos(0.0168),
            input: 110,
            output: 220,
            cache_read: 3_300,
            cache_creation: 440,
            // Lines and commits come from the metrics only: 30 + 12, 5 + 3, 1 + 1.
            lines_added: 42,
            lines_removed: 8,
            sessions: 1,
            commits: 2,
            pull_requests: 0,
            active_cli_us: 0,
            active_user_us: 0,
            event_counts: BTreeMap::from([
                ("api_request".to_owned(), 2),
                ("tool_result".to_owned(), 1),
                ("user_prompt".to_owned(), 1),
            ]),
        },
        "{what}: {report:#}"
    );
    let total = &report["total"];
    assert_eq!(total["api_requests"], 2, "{what}");
    assert_eq!(total["user_prompts"], 1, "{what}");
    assert_eq!(total["tool_results"], 1, "{what}");
    assert_eq!(session_ids(&report), [session], "{what}");
    assert_eq!(report["sessions"][0]["cost_source"], "events", "{what}");
    assert_stored_with_resource(&server, &what);
    assert_temporality(&server, temporality, &what);
}

/// Sends two sessions with metrics only (no logs exporter): one with DELTA, one with CUMULATIVE
/// counters, each exported twice, and checks their cost and tokens are counted from the metrics.
fn metrics_only_case(wire: Wire, delta_session: &'static str, cumulative_session: &'static str) {
    let server = Server::start();
    let to = Endpoints::of(&server);
    within_deadline(&format!("{wire:?} metrics only"), move || {
        let runtime = runtime();
        let _entered = runtime.enter();
        let delta = meter_provider(wire, Temporality::Delta, &to);
        let cumulative = meter_provider(wire, Temporality::Cumulative, &to);
        let (delta_counters, cumulative_counters) =
            (ClaudeCodeMetrics::new(&delta), ClaudeCodeMetrics::new(&cumulative));
        let periods = [
            MetricUsage {
                cost_usd: 0.5,
                input: 1_000.0,
                output: 2_000.0,
                cache_read: 30_000.0,
                cache_creation: 4_000.0,
                lines_added: 10.0,
                lines_removed: 2.0,
                commits: 1.0,
            },
            MetricUsage {
                cost_usd: 0.25,
                input: 500.0,
                output: 1_000.0,
                cache_read: 15_000.0,
                cache_creation: 2_000.0,
                lines_added: 5.0,
                lines_removed: 1.0,
                commits: 0.0,
            },
        ];
        for period in &periods {
            delta_counters.add(delta_session, period);
            cumulative_counters.add(cumulative_session, period);
            delta.force_flush().expect("delta metric export acknowledged");
            cumulative.force_flush().expect("cumulative metric export acknowledged");
        }
        delta.shutdown().expect("delta meter provider shuts down");
        cumulative.shutdown().expect("cumulative meter provider shuts down");
    });

    let what = format!("{wire:?} metrics only");
    let report = server.report(&[]);
    assert_eq!(
        report_totals(&report),
        ExpectedTotals {
            // Two sessions × (0.5 + 0.25).
            cost_nanos: nanos(1.5),
            input: 3_000,
            output: 6_000,
            cache_read: 90_000,
            cache_creation: 12_000,
            lines_added: 30,
            lines_removed: 6,
            sessions: 2,
            commits: 2,
            pull_requests: 0,
            active_cli_us: 0,
            active_user_us: 0,
            event_counts: BTreeMap::new(),
        },
        "{what}: {report:#}"
    );
    assert_eq!(report["total"]["api_requests"], 0, "{what}");
    let mut expected_ids = [delta_session, cumulative_session];
    expected_ids.sort();
    assert_eq!(session_ids(&report), expected_ids, "{what}");
    for session in report["sessions"].as_array().expect("sessions") {
        assert_eq!(session["cost_source"], "metrics", "{what}: {session}");
        assert_eq!(session["cost_usd"], 0.75, "{what}: {session}");
        assert_eq!(session["tokens"]["input"], 1_500, "{what}: {session}");
        assert_eq!(session["lines_added"], 15, "{what}: {session}");
    }
    assert_stored_with_resource(&server, &what);
}

/// The report's session ids, sorted.
fn session_ids(report: &Value) -> Vec<String> {
    let mut ids: Vec<String> = report["sessions"]
        .as_array()
        .expect("sessions array")
        .iter()
        .map(|s| s["id"].as_str().expect("session id").to_owned())
        .collect();
    ids.sort();
    ids
}

fn open(server: &Server) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(&server.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open db")
}

/// Every stored event and metric point keeps its resource, the user's own `project` attribute included.
fn assert_stored_with_resource(server: &Server, what: &str) {
    let db = open(server);
    let mut statement = db
        .prepare(
            "SELECT r.attributes FROM events e JOIN resources r ON r.id = e.resource_id
             UNION ALL
             SELECT r.attributes FROM metric_points p JOIN metric_series s ON s.id = p.series_id
                 JOIN resources r ON r.id = s.resource_id",
        )
        .expect("prepare");
    let resources: Vec<String> =
        statement.query_map([], |row| row.get(0)).expect("query").map(|r| r.expect("row")).collect();
    assert!(!resources.is_empty(), "{what}: nothing stored");
    for text in resources {
        let attributes: Value = serde_json::from_str(&text).expect("resource attributes are JSON");
        assert_eq!(attributes["service.name"], "claude-code", "{what}: {attributes}");
        assert_eq!(attributes["service.version"], "2.1.197", "{what}: {attributes}");
        assert_eq!(attributes["project"], "ccmeter-tests", "{what}: {attributes}");
    }
}

/// The metric points were stored with the temporality the exporter used, as increments.
fn assert_temporality(server: &Server, temporality: Temporality, what: &str) {
    let expected = if temporality == Temporality::Cumulative { "cumulative" } else { "delta" };
    let db = open(server);
    let stored: Vec<String> = db
        .prepare("SELECT DISTINCT temporality FROM metric_points")
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(stored, [expected], "{what}");
    // Lines added as sent and as stored: a cumulative export carries the running total (42), a
    // delta export the increment (at most 30); either way the stored increments add up to 30 + 12.
    let (largest_sent, increments): (f64, i64) = db
        .query_row(
            "SELECT max(value), sum(delta_scaled) FROM metric_points
             WHERE metric = 'claude_code.lines_of_code.count' AND type = 'added'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("lines added points");
    let expected_largest = if temporality == Temporality::Cumulative { 42.0 } else { 30.0 };
    assert_eq!((largest_sent, increments), (expected_largest, 42), "{what}");
}

/// Over gRPC with DELTA counters, event cost/tokens and metric lines/commits add up exactly.
#[test]
fn grpc_delta_events_and_metrics_are_stored_exactly() {
    events_and_metrics_case(Wire::Grpc, Temporality::Delta, "3f2a6c1e-7b4d-4e09-a1c2-000000000001");
}

/// Over gRPC with CUMULATIVE counters, running totals become increments and nothing is double counted.
#[test]
fn grpc_cumulative_events_and_metrics_are_stored_exactly() {
    events_and_metrics_case(Wire::Grpc, Temporality::Cumulative, "3f2a6c1e-7b4d-4e09-a1c2-000000000002");
}

/// Over HTTP/protobuf with DELTA counters, event cost/tokens and metric lines/commits add up exactly.
#[test]
fn http_protobuf_delta_events_and_metrics_are_stored_exactly() {
    events_and_metrics_case(Wire::HttpProtobuf, Temporality::Delta, "3f2a6c1e-7b4d-4e09-a1c2-000000000003");
}

/// Over HTTP/protobuf with CUMULATIVE counters, running totals become increments and nothing is double counted.
#[test]
fn http_protobuf_cumulative_events_and_metrics_are_stored_exactly() {
    events_and_metrics_case(Wire::HttpProtobuf, Temporality::Cumulative, "3f2a6c1e-7b4d-4e09-a1c2-000000000004");
}

/// Over HTTP/JSON with DELTA counters, event cost/tokens and metric lines/commits add up exactly.
#[test]
fn http_json_delta_events_and_metrics_are_stored_exactly() {
    events_and_metrics_case(Wire::HttpJson, Temporality::Delta, "3f2a6c1e-7b4d-4e09-a1c2-000000000005");
}

/// Over HTTP/JSON with CUMULATIVE counters, running totals become increments and nothing is double counted.
#[test]
fn http_json_cumulative_events_and_metrics_are_stored_exactly() {
    events_and_metrics_case(Wire::HttpJson, Temporality::Cumulative, "3f2a6c1e-7b4d-4e09-a1c2-000000000006");
}

/// Over gRPC, sessions that send only metrics (DELTA or CUMULATIVE) are costed from those metrics.
#[test]
fn grpc_metrics_only_sessions_are_costed_from_metrics() {
    metrics_only_case(Wire::Grpc, "9d4e2b7a-1c3f-4a5e-b6d8-000000000001", "9d4e2b7a-1c3f-4a5e-b6d8-000000000002");
}

/// Over HTTP/protobuf, sessions that send only metrics (DELTA or CUMULATIVE) are costed from those metrics.
#[test]
fn http_protobuf_metrics_only_sessions_are_costed_from_metrics() {
    metrics_only_case(
        Wire::HttpProtobuf,
        "9d4e2b7a-1c3f-4a5e-b6d8-000000000003",
        "9d4e2b7a-1c3f-4a5e-b6d8-000000000004",
    );
}

/// Over HTTP/JSON, sessions that send only metrics (DELTA or CUMULATIVE) are costed from those metrics.
#[test]
fn http_json_metrics_only_sessions_are_costed_from_metrics() {
    metrics_only_case(Wire::HttpJson, "9d4e2b7a-1c3f-4a5e-b6d8-000000000005", "9d4e2b7a-1c3f-4a5e-b6d8-000000000006");
}
