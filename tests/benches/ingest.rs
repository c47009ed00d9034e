//! Ingest throughput: Claude Code api_request log records acknowledged per second by `ccmeter serve`, over
//! OTLP/gRPC (tonic's generated OTLP client) and OTLP/HTTP with JSON, in batches of 1, 64 and 512 records
//! with 8 exports in flight. Two baselines measured in the same run (DESIGN.md, "Quality bars"):
//! - bare rusqlite: the same rows inserted into the same schema (ccmeter's migrations, indexes included),
//!   prepared statements, one transaction per 512 rows — what storing costs before any OTLP, rollup or
//!   session bookkeeping;
//! - rotel (a Rust OTLP collector) with its blackhole exporter, fed by the same client and batches — what
//!   receiving costs when nothing is stored.
//!
//! ```text
//! pip install rotel                      # the rotel package ships its binary
//! export ROTEL_BIN=$(python3 -c 'import rotel, os; print(os.path.join(os.path.dirname(rotel.__file__), "rotel-agent"))')
//! cargo build --release -p ccmeter && cargo bench -p ccmeter-tests --bench ingest
//! ```
//! Without `ROTEL_BIN` the rotel rows are left out. Everything listens on 127.0.0.1 only.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use ccmeter_proto::opentelemetry_proto::tonic::common::v1::any_value;
use ccmeter_tests::{Server, api_request_template, requests, with_request_ids};
use serde_json::Value;

const IN_FLIGHT: usize = 8;
const BATCH_SIZES: [usize; 3] = [1, 64, 512];

/// Records sent per measurement: enough for a few seconds at each batch size.
fn records_for(batch: usize) -> usize {
    match batch {
        1 => 8_000,
        64 => 128_000,
        _ => 256_000,
    }
}

/// A gRPC export of `size` records whose request ids (the dedup key) are unique to `run` and `batch`.
fn grpc_batch(template: &ExportLogsServiceRequest, run: &str, batch: usize, size: usize) -> ExportLogsServiceRequest {
    with_request_ids(template, (0..size).map(|i| format!("{run}-{batch}-{i}")))
}

/// The captured OTLP/JSON export holding an api_request record, cut down to it (as JSON).
fn json_template() -> Value {
    for request in requests("claude-code-2.1.197/http-json/interactive").into_iter().filter(|r| r.signal == "logs") {
        let mut body: Value = serde_json::from_slice(&request.plain_body()).expect("JSON");
        let Some(records) = body["resourceLogs"][0]["scopeLogs"][0]["logRecords"].as_array() else { continue };
        let request_record = records.iter().find(|r| {
            r["attributes"].as_array().is_some_and(|a| {
                a.iter().any(|kv| kv["key"] == "event.name" && kv["value"]["stringValue"] == "api_request")
            })
        });
        if let Some(record) = request_record.cloned() {
            body["resourceLogs"] = Value::Array(vec![body["resourceLogs"][0].clone()]);
            body["resourceLogs"][0]["scopeLogs"] = Value::Array(vec![body["resourceLogs"][0]["scopeLogs"][0].clone()]);
            body["resourceLogs"][0]["scopeLogs"][0]["logRecords"] = Value::Array(vec![record]);
            return body;
        }
    }
    panic!("no captured OTLP/JSON api_request export")
}

fn json_batch(template: &Value, run: &str, batch: usize, size: usize) -> Vec<u8> {
    let mut body = template.clone();
    let model = body["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0].clone();
    let records: Vec<Value> = (0..size)
        .map(|i| {
            let mut record = model.clone();
            if let Some(attributes) = record["attributes"].as_array_mut() {
                for kv in attributes.iter_mut().filter(|kv| kv["key"] == "request_id") {
                    kv["value"] = serde_json::json!({ "stringValue": format!("{run}-{batch}-{i}") });
                }
            }
            record
        })
        .collect();
    body["resourceLogs"][0]["scopeLogs"][0]["logRecords"] = Value::Array(records);
    serde_json::to_vec(&body).expect("JSON")
}

/// Sends `total` records in batches of `size`, `IN_FLIGHT` exports at a time; records per second acknowledged.
async fn grpc_rate(addr: SocketAddr, run: &str, size: usize, total: usize) -> f64 {
    let template = Arc::new(api_request_template());
    let batches = total / size;
    // Built before the clock starts: the client's own encoding is not what is measured.
    let prepared: Vec<ExportLogsServiceRequest> = (0..batches).map(|b| grpc_batch(&template, run, b, size)).collect();
    let client = LogsServiceClient::connect(format!("http://{addr}")).await.expect("connect");
    let queue = Arc::new(std::sync::Mutex::new(prepared));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..IN_FLIGHT {
        let (mut client, queue) = (client.clone(), queue.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let Some(batch) = queue.lock().expect("queue").pop() else { return };
                client.export(batch).await.expect("export acknowledged");
            }
        }));
    }
    for task in tasks {
        task.await.expect("sender");
    }
    (batches * size) as f64 / start.elapsed().as_secs_f64()
}

async fn http_rate(addr: SocketAddr, run: &str, size: usize, total: usize) -> f64 {
    let template = json_template();
    let batches = total / size;
    let prepared: Vec<Vec<u8>> = (0..batches).map(|b| json_batch(&template, run, b, size)).collect();
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/v1/logs");
    let queue = Arc::new(std::sync::Mutex::new(prepared));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..IN_FLIGHT {
        let (client, queue, url) = (client.clone(), queue.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let Some(body) = queue.lock().expect("queue").pop() else { return };
                let answer =
                    client.post(&url).header("Content-Type", "application/json").body(body).send().await.expect("POST");
                assert!(answer.status().is_success(), "{}", answer.status());
            }
        }));
    }
    for task in tasks {
        task.await.expect("sender");
    }
    (batches * size) as f64 / start.elapsed().as_secs_f64()
}

/// The baseline store: the rows ccmeter's ingest writes to `events` for these records (the same request ids,
/// batch by batch), inserted with a prepared statement, 512 per transaction, into a fresh database with
/// ccmeter's schema.
fn bare_rusqlite_rate(size: usize, total: usize) -> f64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut conn = rusqlite::Connection::open(dir.path().join("bare.db")).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL").expect("WAL");
    conn.pragma_update(None, "synchronous", "NORMAL").expect("synchronous");
    for sql in [
        include_str!("../../core/migrations/0001_initial.sql"),
        include_str!("../../core/migrations/0002_budgets.sql"),
        include_str!("../../core/migrations/0003_alerts_per_limit.sql"),
        include_str!("../../core/migrations/0004_facet_rollup.sql"),
        include_str!("../../core/migrations/0005_decision_in_event_index.sql"),
    ] {
        conn.execute_batch(sql).expect("schema");
    }
    conn.execute("INSERT INTO resources (hash, attributes) VALUES ('r', '{}')", []).expect("resource");
    let template = api_request_template();
    let record = &template.resource_logs[0].scope_logs[0].log_records[0];
    let attributes: serde_json::Map<String, Value> = record
        .attributes
        .iter()
        .map(|kv| {
            let value = match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                Some(any_value::Value::StringValue(s)) => Value::String(s.clone()),
                Some(any_value::Value::IntValue(i)) => Value::from(*i),
                Some(any_value::Value::DoubleValue(d)) => Value::from(*d),
                Some(any_value::Value::BoolValue(b)) => Value::from(*b),
                _ => Value::Null,
            };
            (kv.key.clone(), value)
        })
        .collect();
    let attributes = serde_json::to_string(&attributes).expect("JSON");
    let rows: Vec<String> =
        (0..total / size).flat_map(|batch| (0..size).map(move |i| format!("req:b{size}-{batch}-{i}"))).collect();
    let start = Instant::now();
    for chunk in rows.chunks(512) {
        let tx = conn.transaction().expect("transaction");
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO events (dedup_key, session_id, time_ns, name, is_claude_code, sequence,
                        prompt_id, request_id, model, model_norm, cost_nanos, cost_from_micros, input_tokens,
                        output_tokens, cache_read_tokens, cache_creation_tokens, duration_ms, success, tool_name,
                        decision, status_code, query_source, resource_id, attributes, body, severity, trace_id,
                        span_id)
                     VALUES (?1, 'b1c9e1f2-0000-4000-8000-000000000001', ?2, 'api_request', 1, ?3, 'p', ?1,
                        'claude-opus-4-8', 'claude-opus-4-8', 21092000, 0, 3, 164, 12045, 1711, 2814, NULL, NULL,
                        NULL, NULL, 'repl_main_thread', 1, ?4, 'claude_code.api_request', NULL, NULL, NULL)",
                )
                .expect("prepare");
            for (i, key) in chunk.iter().enumerate() {
                insert
                    .execute(rusqlite::params![key, 1_790_000_000_000_000_000_i64 + i as i64, i as i64, attributes])
                    .expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    total as f64 / start.elapsed().as_secs_f64()
}

struct Rotel {
    child: Child,
    grpc: SocketAddr,
    http: SocketAddr,
}

impl Drop for Rotel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("address").port()
}

fn start_rotel() -> Option<Rotel> {
    let bin = std::env::var_os("ROTEL_BIN")?;
    let grpc: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("address");
    let http: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("address");
    let child = Command::new(bin)
        .args(["start", "--exporter", "blackhole", "--otlp-grpc-endpoint", &grpc.to_string()])
        .args(["--otlp-http-endpoint", &http.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start rotel");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(grpc).is_err() || std::net::TcpStream::connect(http).is_err() {
        assert!(Instant::now() < deadline, "rotel did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Rotel { child, grpc, http })
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let rotel = start_rotel();
    if rotel.is_none() {
        eprintln!("ROTEL_BIN is not set: the rotel baseline is left out (see the header of this file)");
    }
    println!(
        "| batch | ccmeter gRPC rec/s | ccmeter HTTP/JSON rec/s | bare rusqlite rec/s | rotel gRPC rec/s | rotel HTTP/JSON rec/s | gRPC ÷ rusqlite | gRPC ÷ rotel gRPC | HTTP ÷ rotel HTTP |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for size in BATCH_SIZES {
        let total = records_for(size);
        // A fresh database per batch size, so each run starts from the same state.
        let server = Server::start();
        let grpc = runtime.block_on(grpc_rate(server.grpc, &format!("g{size}"), size, total));
        let http = runtime.block_on(http_rate(server.http, &format!("h{size}"), size, total));
        let stored: i64 = rusqlite::Connection::open(&server.db)
            .and_then(|conn| conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)))
            .expect("count");
        assert_eq!(stored as usize, 2 * (total / size) * size, "every acknowledged record is stored");
        drop(server);
        let bare = bare_rusqlite_rate(size, total);
        let (rotel_grpc, rotel_http) = match &rotel {
            Some(rotel) => (
                Some(runtime.block_on(grpc_rate(rotel.grpc, &format!("rg{size}"), size, total))),
                Some(runtime.block_on(http_rate(rotel.http, &format!("rh{size}"), size, total))),
            ),
            None => (None, None),
        };
        let rate = |r: Option<f64>| r.map_or_else(|| "—".to_owned(), |r| format!("{r:.0}"));
        let ratio = |a: f64, b: Option<f64>| b.map_or_else(|| "—".to_owned(), |b| format!("{:.2}", a / b));
        println!(
            "| {size} | {grpc:.0} | {http:.0} | {bare:.0} | {} | {} | {} | {} | {} |",
            rate(rotel_grpc),
            rate(rotel_http),
            ratio(grpc, Some(bare)),
            ratio(grpc, rotel_grpc),
            ratio(http, rotel_http)
        );
    }
}
