//! Captures a Claude Code release's telemetry as a fixture folder, the layout `tests/fixtures/README.md`
//! describes: the real CLI (pinned in `tests/src/claude_code.rs`) answers a prompt from the stand-in API over
//! each protocol, and a receiver that stores nothing but keeps every request body byte for byte writes
//! `<out>/<protocol>/<scenario>/` with `raw/`, `manifest.json`, `index.jsonl`, `fake-api.jsonl` and an
//! `expected.json` computed without ccmeter: cost and tokens from the usage the stand-in served at list price,
//! event counts, sessions, lines, commits and active time decoded straight from the bodies.
//!
//! `cargo run -p ccmeter-tests --example capture -- <out folder> [scenario name]`

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::io::Read;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Uri};
use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use ccmeter_proto::opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point};
use ccmeter_tests::claude_code;
use ccmeter_tests::raw_grpc::RawCodec;
use ccmeter_tests::stand_in_api::StandInApi;
use prost::Message;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tonic::codegen::{Body, BoxFuture, Service, StdError, http};
use tonic::server::{Grpc, NamedService, UnaryService};

/// One request as it arrived.
#[derive(Clone)]
struct Captured {
    transport: &'static str,
    signal: String,
    request_path: String,
    content_type: String,
    content_encoding: String,
    body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Captured>>>;

fn signal_of(path: &str) -> String {
    ["logs", "metrics", "trace"]
        .into_iter()
        .find(|s| path.to_ascii_lowercase().contains(s))
        .map_or("unknown", |s| if s == "trace" { "traces" } else { s })
        .to_owned()
}

// ---- gRPC: the three Export methods, their message bytes kept as sent (frame header removed) ----

trait Method: Send + Sync + 'static {
    const NAME: &'static str;
}
struct LogsMethod;
struct MetricsMethod;
struct TracesMethod;
impl Method for LogsMethod {
    const NAME: &'static str = "opentelemetry.proto.collector.logs.v1.LogsService";
}
impl Method for MetricsMethod {
    const NAME: &'static str = "opentelemetry.proto.collector.metrics.v1.MetricsService";
}
impl Method for TracesMethod {
    const NAME: &'static str = "opentelemetry.proto.collector.trace.v1.TraceService";
}

struct Keep {
    log: Log,
    path: String,
}

impl UnaryService<Vec<u8>> for Keep {
    type Response = Vec<u8>;
    type Future = BoxFuture<tonic::Response<Vec<u8>>, tonic::Status>;
    fn call(&mut self, request: tonic::Request<Vec<u8>>) -> Self::Future {
        let encoding = request.metadata().get("grpc-encoding").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        self.log.lock().expect("log").push(Captured {
            transport: "grpc",
            signal: signal_of(&self.path),
            request_path: self.path.clone(),
            content_type: "application/grpc".into(),
            content_encoding: encoding,
            body: request.into_inner(),
        });
        // Every Export*ServiceResponse without a partial success encodes as zero bytes.
        Box::pin(async { Ok(tonic::Response::new(Vec::new())) })
    }
}

struct CaptureService<M> {
    log: Log,
    method: PhantomData<fn() -> M>,
}

impl<M> Clone for CaptureService<M> {
    fn clone(&self) -> Self {
        CaptureService { log: Arc::clone(&self.log), method: PhantomData }
    }
}

impl<M: Method> NamedService for CaptureService<M> {
    const NAME: &'static str = M::NAME;
}

impl<M: Method, B> Service<http::Request<B>> for CaptureService<M>
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let keep = Keep { log: Arc::clone(&self.log), path: request.uri().path().to_owned() };
        Box::pin(async move {
            // The message is kept as the exporter compressed it: accept gzip so tonic takes it, then store it
            // decompressed (a gRPC fixture is the serialized message).
            let mut grpc = Grpc::new(RawCodec)
                .accept_compressed(tonic::codec::CompressionEncoding::Gzip)
                .max_decoding_message_size(64 * 1024 * 1024);
            Ok(grpc.unary(keep, request).await)
        })
    }
}

async fn grpc_receiver(log: Log) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind gRPC");
    let addr = listener.local_addr().expect("address");
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    let router = tonic::transport::Server::builder()
        .add_service(CaptureService::<LogsMethod> { log: Arc::clone(&log), method: PhantomData })
        .add_service(CaptureService::<MetricsMethod> { log: Arc::clone(&log), method: PhantomData })
        .add_service(CaptureService::<TracesMethod> { log, method: PhantomData });
    tokio::spawn(async move { router.serve_with_incoming(incoming).await.expect("gRPC receiver") });
    addr
}

// ---- HTTP: POST /v1/{logs,metrics,traces}, bodies as sent (gzip included) ----

async fn http_receiver(log: Log) -> std::net::SocketAddr {
    let keep = move |uri: Uri, headers: HeaderMap, body: Bytes| {
        let log = Arc::clone(&log);
        async move {
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            let content_type = header("content-type");
            log.lock().expect("log").push(Captured {
                transport: "http",
                signal: signal_of(uri.path()),
                request_path: uri.path().to_owned(),
                content_encoding: header("content-encoding"),
                content_type: content_type.clone(),
                body: body.to_vec(),
            });
            if content_type.contains("json") {
                ([(axum::http::header::CONTENT_TYPE, "application/json")], b"{}".to_vec())
            } else {
                ([(axum::http::header::CONTENT_TYPE, "application/x-protobuf")], Vec::new())
            }
        }
    };
    let app = axum::Router::new().fallback(axum::routing::post(keep));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind HTTP");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("HTTP receiver") });
    addr
}

// ---- expected.json, decoded straight from the bodies (no ccmeter code) ----

fn any_text(value: Option<&AnyValue>) -> Option<String> {
    match value?.value.as_ref()? {
        any_value::Value::StringValue(s) => Some(s.clone()),
        any_value::Value::IntValue(i) => Some(i.to_string()),
        any_value::Value::BoolValue(b) => Some(b.to_string()),
        any_value::Value::DoubleValue(d) => Some(d.to_string()),
        _ => None,
    }
}

fn attr(list: &[KeyValue], key: &str) -> Option<String> {
    list.iter().find(|kv| kv.key == key).and_then(|kv| any_text(kv.value.as_ref()))
}

fn json_attr(list: &Value, key: &str) -> Option<String> {
    let value = &list.as_array()?.iter().find(|kv| kv["key"] == key)?["value"];
    let (_, inner) = value.as_object()?.iter().next()?;
    Some(inner.as_str().map_or_else(|| inner.to_string(), str::to_owned))
}

/// What the bodies say: events by name, session ids, and DELTA metric sums by metric and `type`.
#[derive(Default)]
struct Decoded {
    events: BTreeMap<String, i64>,
    sessions: BTreeSet<String>,
    sums: BTreeMap<(String, String), f64>,
}

fn plain(captured: &Captured) -> Vec<u8> {
    if captured.content_encoding == "gzip" && captured.transport == "http" {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(captured.body.as_slice()).read_to_end(&mut out).expect("gunzip");
        out
    } else {
        captured.body.clone()
    }
}

fn decode_into(decoded: &mut Decoded, captured: &Captured) {
    let body = plain(captured);
    if captured.content_type.contains("json") {
        let value: Value = serde_json::from_slice(&body).expect("OTLP/JSON");
        for record in value["resourceLogs"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["scopeLogs"].as_array().into_iter().flatten())
            .flat_map(|s| s["logRecords"].as_array().into_iter().flatten())
        {
            if let Some(name) = json_attr(&record["attributes"], "event.name") {
                *decoded.events.entry(name).or_default() += 1;
            }
            decoded.sessions.extend(json_attr(&record["attributes"], "session.id"));
        }
        for metric in value["resourceMetrics"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["scopeMetrics"].as_array().into_iter().flatten())
            .flat_map(|s| s["metrics"].as_array().into_iter().flatten())
        {
            let name = metric["name"].as_str().unwrap_or_default().to_owned();
            for point in metric["sum"]["dataPoints"].as_array().into_iter().flatten() {
                let value = point["asDouble"].as_f64().or_else(|| point["asInt"].as_str()?.parse().ok()).unwrap_or(0.0);
                let kind = json_attr(&point["attributes"], "type").unwrap_or_default();
                *decoded.sums.entry((name.clone(), kind)).or_default() += value;
                decoded.sessions.extend(json_attr(&point["attributes"], "session.id"));
            }
        }
        return;
    }
    match captured.signal.as_str() {
        "logs" => {
            let request = ExportLogsServiceRequest::decode(body.as_slice()).expect("logs protobuf");
            for record in request.resource_logs.iter().flat_map(|r| &r.scope_logs).flat_map(|s| &s.log_records) {
                if let Some(name) = attr(&record.attributes, "event.name") {
                    *decoded.events.entry(name).or_default() += 1;
                }
                decoded.sessions.extend(attr(&record.attributes, "session.id"));
            }
        }
        "metrics" => {
            let request = ExportMetricsServiceRequest::decode(body.as_slice()).expect("metrics protobuf");
            for metric in request.resource_metrics.iter().flat_map(|r| &r.scope_metrics).flat_map(|s| &s.metrics) {
                let Some(metric::Data::Sum(sum)) = &metric.data else { continue };
                for point in &sum.data_points {
                    let value = match point.value {
                        Some(number_data_point::Value::AsDouble(d)) => d,
                        Some(number_data_point::Value::AsInt(i)) => i as f64,
                        None => 0.0,
                    };
                    let kind = attr(&point.attributes, "type").unwrap_or_default();
                    *decoded.sums.entry((metric.name.clone(), kind)).or_default() += value;
                    decoded.sessions.extend(attr(&point.attributes, "session.id"));
                }
            }
        }
        _ => {}
    }
}

/// List prices in USD per million tokens (input, output, cache read, cache write) of the models Claude Code
/// defaults to; a capture with another model stops and asks for its price.
fn price(model: &str) -> [f64; 4] {
    match model {
        "claude-opus-5-5" => [4.0, 20.0, 0.2, 5.0],
        "claude-sonnet-5-5" => [2.0, 10.0, 0.1, 2.5],
        "claude-sonnet-4-5" => [3.0, 15.0, 0.3, 3.75],
        "claude-haiku-4-5" | "claude-haiku-4-5-20251001" => [1.0, 5.0, 0.1, 1.25],
        other => panic!("no list price for {other}: add it here and in tests/tests/it/claude_code_cli.rs"),
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().map(std::path::PathBuf::from).expect("usage: capture <out folder> [scenario]");
    let scenario = args.next().unwrap_or_else(|| "hello".into());
    let claude = claude_code::installed().unwrap_or_else(|why| panic!("{why}"));
    for (protocol, folder) in [("grpc", "grpc"), ("http/protobuf", "http-protobuf"), ("http/json", "http-json")] {
        let log: Log = Arc::default();
        let api = StandInApi::start().await;
        let grpc = grpc_receiver(Arc::clone(&log)).await;
        let http = http_receiver(Arc::clone(&log)).await;
        let endpoint = if protocol == "grpc" { format!("http://{grpc}") } else { format!("http://{http}") };
        let dir = tempfile::tempdir().expect("temp dir");
        let (home, work) = claude_code::prepare_home(dir.path());
        let mut command = claude_code::print_command(&claude, &home, &work, &api.base_url(), protocol, &endpoint);
        command
            .env("OTEL_LOG_USER_PROMPTS", "1")
            .env("OTEL_LOG_TOOL_DETAILS", "1")
            .env("OTEL_METRICS_INCLUDE_SESSION_ID", "true")
            .env("OTEL_METRICS_INCLUDE_VERSION", "true");
        let output = tokio::task::spawn_blocking(move || command.output()).await.expect("join").expect("claude");
        assert!(output.status.success(), "{protocol}: {}", String::from_utf8_lossy(&output.stderr));
        // The exporter's last batches leave as the process exits; let them land.
        tokio::time::sleep(Duration::from_millis(1500)).await;

        let target = out.join(folder).join(&scenario);
        let _ = std::fs::remove_dir_all(&target);
        let captured = log.lock().expect("log").clone();
        let mut files = Vec::new();
        let mut index = String::new();
        let mut decoded = Decoded::default();
        for (n, request) in captured.iter().enumerate() {
            let json_body = request.content_type.contains("json");
            let gzip = request.transport == "http" && request.content_encoding == "gzip";
            let name = format!(
                "raw/{:04}-{}-{}.{}{}",
                n + 1,
                request.transport,
                request.signal,
                if json_body { "json" } else { "bin" },
                if gzip { ".gz" } else { "" }
            );
            write(&target.join(&name), &request.body);
            files.push(json!({
                "path": name, "signal": request.signal, "transport": request.transport,
                "request_path": request.request_path, "content_type": request.content_type,
                "content_encoding": if request.transport == "grpc" { "" } else { request.content_encoding.as_str() },
                "encoding": if json_body { "otlp-json" } else { "protobuf" },
                "size": request.body.len(), "sha256": hex::encode(Sha256::digest(&request.body)),
            }));
            index += &format!("{}\n", json!({"seq": n + 1, "path": name, "request_path": request.request_path}));
            decode_into(&mut decoded, request);
        }
        let served = api.served();
        let mut fake_api = String::new();
        let (mut cost, mut tokens) = (0.0, [0i64; 4]);
        for s in &served {
            let usage = [s.usage.input, s.usage.output, s.usage.cache_read, s.usage.cache_creation];
            let prices = price(&s.model);
            cost += usage.iter().zip(prices).map(|(n, p)| *n as f64 * p / 1e6).sum::<f64>();
            tokens.iter_mut().zip(usage).for_each(|(t, n)| *t += n);
            fake_api += &format!(
                "{}\n",
                json!({"served": {"model": s.model, "usage": {"input_tokens": usage[0],
                "output_tokens": usage[1], "cache_read_input_tokens": usage[2], "cache_creation_input_tokens": usage[3]}}})
            );
        }
        let sum =
            |metric: &str, kind: &str| decoded.sums.get(&(metric.to_owned(), kind.to_owned())).copied().unwrap_or(0.0);
        let session_metrics = json!({"metrics": {
            "commits": sum("claude_code.commit.count", ""),
            "pull_requests": sum("claude_code.pull_request.count", ""),
            "active_time_s": {"cli": sum("claude_code.active_time.total", "cli"), "user": sum("claude_code.active_time.total", "user")},
        }});
        let expected = json!({
            "claude_code_version": claude_code::VERSION,
            "protocol": folder,
            "scenario": scenario,
            "how_computed": "cost and tokens: the stand-in API's served usage at list price; the rest decoded from the raw bodies (DELTA sums) without ccmeter",
            "session_count": decoded.sessions.len(),
            "totals_all_sessions": {
                "cost_usd": (cost * 1e9).round() / 1e9,
                "tokens": {"input": tokens[0], "output": tokens[1], "cacheRead": tokens[2], "cacheCreation": tokens[3]},
                "lines_of_code": {"added": sum("claude_code.lines_of_code.count", "added"), "removed": sum("claude_code.lines_of_code.count", "removed")},
                "event_counts": decoded.events,
            },
            // Per-session figures are summed into one entry: the tests read their sum.
            "sessions": {decoded.sessions.iter().next().cloned().unwrap_or_default(): session_metrics},
        });
        write(
            &target.join("manifest.json"),
            serde_json::to_string_pretty(&json!({"files": files})).expect("json").as_bytes(),
        );
        write(&target.join("index.jsonl"), index.as_bytes());
        write(&target.join("fake-api.jsonl"), fake_api.as_bytes());
        write(&target.join("expected.json"), serde_json::to_string_pretty(&expected).expect("json").as_bytes());
        println!(
            "{}: {} requests, {} API answers, events {:?}",
            target.display(),
            captured.len(),
            served.len(),
            decoded.events
        );
    }
}
