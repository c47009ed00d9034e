//! Test kit shared by the end-to-end tests and the store's tests: the captured Claude Code telemetry committed
//! under `tests/fixtures/` (its README says how it was captured) and what it should add up to.

pub mod claude_code;
pub mod corpus;
pub mod desktop;
pub mod raw_grpc;
pub mod stand_in_api;
pub mod tray;
pub mod webdriver;

use std::io::Read;
use std::path::{Path, PathBuf};

use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use ccmeter_proto::{Batch, decode, json};
use prost::Message;
use serde::Deserialize;
use serde_json::Value;

/// The Claude Code versions captured, oldest first: one folder each under [`fixtures_dir`].
pub const CLAUDE_CODE_VERSIONS: [&str; 2] = ["claude-code-2.1.197", "claude-code-2.1.332"];

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every captured scenario of every version, as `claude-code-<version>/<protocol>/<scenario>`.
pub fn scenarios() -> Vec<String> {
    CLAUDE_CODE_VERSIONS.iter().flat_map(|version| scenarios_of(version)).collect()
}

/// One version's captured scenarios, as `claude-code-<version>/<protocol>/<scenario>`.
pub fn scenarios_of(version: &str) -> Vec<String> {
    let mut found = Vec::new();
    for protocol in ["grpc", "http-protobuf", "http-json"] {
        let Ok(entries) = std::fs::read_dir(fixtures_dir().join(version).join(protocol)) else { continue };
        for entry in entries.flatten() {
            if entry.path().join("manifest.json").exists() {
                found.push(format!("{version}/{protocol}/{}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found.sort();
    assert!(!found.is_empty(), "no fixtures under {}", fixtures_dir().join(version).display());
    found
}

/// Undoes schema 6's columns, their index and the record's time in the event keys (the columns' indexes must
/// be gone first: `events_name_time` holds `ttft_ms`).
macro_rules! undo_schema_6 {
    () => {
        "
    DROP INDEX events_session_agent;
    ALTER TABLE events DROP COLUMN ttft_ms;
    ALTER TABLE events DROP COLUMN cache_creation_5m_tokens;
    ALTER TABLE events DROP COLUMN cache_creation_1h_tokens;
    ALTER TABLE events DROP COLUMN agent_id;
    ALTER TABLE events DROP COLUMN agent_name;
    ALTER TABLE sessions DROP COLUMN vcs_repository;
    ALTER TABLE sessions DROP COLUMN vcs_branch;
    ALTER TABLE sessions DROP COLUMN vcs_revision;
    UPDATE events SET dedup_key = substr(dedup_key, 1, length(dedup_key) - length(':' || time_ns))
        WHERE dedup_key LIKE 'seq:%';"
    };
}

/// Schema 7's, 8's and 9's day and hour aggregates, schema 10's index of failed tool runs, schema 11's index
/// of session starts (11's columns and 12's index went with `session_totals`), schema 13's statusline tables and
/// schema 14's projects, schema 15's transcript history and schema 16's read progress gone.
macro_rules! undo_schema_7 {
    () => {
        "
    DROP TABLE estimate_rates;
    DROP TABLE transcript_reads;
    DROP TABLE transcript_requests;
    DROP INDEX events_estimated;
    ALTER TABLE events DROP COLUMN estimated;
    DROP TABLE session_projects;
    DROP TABLE session_transcripts;
    DROP TABLE limit_windows;
    DROP TABLE limit_points;
    DROP TABLE limit_alerts;
    DROP TABLE session_workspaces;
    DROP INDEX sessions_first;
    DROP INDEX events_failed_tools;
    DROP TABLE timing_by_day;
    DROP TABLE timing_by_hour;
    DROP TABLE session_totals;
    DROP TABLE activity_by_day;
    DROP TABLE facet_by_day;
    DROP TABLE facet_by_hour;
    DROP TABLE usage_by_day;
    DROP TABLE usage_by_hour;
    DROP TABLE usage_by_day_state;"
    };
}

/// SQL that turns a database of the current schema back into what schema 5 left (none of schema 6's columns,
/// index or facet, and the event keys without the record's time): an upgrade test's "older ccmeter".
pub const BACK_TO_SCHEMA_5: &str = concat!(
    undo_schema_7!(),
    "
    DELETE FROM facet_rollup WHERE facet = 'agent';
    DROP INDEX events_name_time;
    CREATE INDEX events_name_time ON events(name, time_ns, is_claude_code, model_norm, duration_ms, tool_name, success,
                                            status_code, decision);",
    undo_schema_6!(),
    "
    PRAGMA user_version = 5;"
);

/// The same back to schema 3: also no facet rollup and the narrower event index.
pub const BACK_TO_SCHEMA_3: &str = concat!(
    undo_schema_7!(),
    "
    DROP INDEX events_name_time; CREATE INDEX events_name_time ON events(name, time_ns);
    DROP TABLE facet_rollup;",
    undo_schema_6!(),
    "
    PRAGMA user_version = 3;"
);

/// One request exactly as Claude Code sent it.
#[derive(Debug, Clone, Deserialize)]
pub struct Request {
    pub path: String,
    pub signal: String,
    pub transport: String,
    pub request_path: String,
    pub content_type: String,
    pub content_encoding: String,
    pub encoding: String,
    #[serde(skip)]
    pub body: Vec<u8>,
}

impl Request {
    /// The body with any gzip undone.
    pub fn plain_body(&self) -> Vec<u8> {
        if self.content_encoding == "gzip" {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(self.body.as_slice()).read_to_end(&mut out).expect("fixture gunzips");
            out
        } else {
            self.body.clone()
        }
    }

    /// Decodes the request in-process, the way the receiver does.
    pub fn decode(&self) -> Batch {
        let body = self.plain_body();
        let json = self.encoding == "otlp-json";
        match self.signal.as_str() {
            "logs" => {
                let request = if json {
                    json::logs_request(&body).expect("fixture JSON decodes")
                } else {
                    ExportLogsServiceRequest::decode(body.as_slice()).expect("fixture protobuf decodes")
                };
                decode::decode_logs(&request, 0)
            }
            "metrics" => {
                let request = if json {
                    json::metrics_request(&body).expect("fixture JSON decodes")
                } else {
                    ExportMetricsServiceRequest::decode(body.as_slice()).expect("fixture protobuf decodes")
                };
                decode::decode_metrics(&request)
            }
            "traces" => {
                let request = if json {
                    json::traces_request(&body).expect("fixture JSON decodes")
                } else {
                    ExportTraceServiceRequest::decode(body.as_slice()).expect("fixture protobuf decodes")
                };
                decode::decode_traces(&request)
            }
            other => panic!("unknown signal {other}"),
        }
    }
}

#[derive(Deserialize)]
struct Manifest {
    files: Vec<Request>,
}

/// A scenario's requests in the order they were sent (order matters for cumulative metrics).
/// The captured `grpc/success` logs export cut down to one resource, one scope and its first api_request
/// record: the template of tests and benchmarks that need many distinct requests (see [`with_request_ids`]).
pub fn api_request_template() -> ExportLogsServiceRequest {
    use ccmeter_proto::opentelemetry_proto::tonic::common::v1::{AnyValue, any_value};
    use ccmeter_proto::opentelemetry_proto::tonic::logs::v1::LogRecord;
    let is_request = |record: &LogRecord| {
        record.attributes.iter().any(|kv| {
            kv.key == "event.name"
                && matches!(&kv.value, Some(AnyValue { value: Some(any_value::Value::StringValue(v)) }) if v == "api_request")
        })
    };
    let mut message = requests("claude-code-2.1.197/grpc/success")
        .into_iter()
        .filter(|r| r.signal == "logs")
        .map(|r| ExportLogsServiceRequest::decode(r.plain_body().as_slice()).expect("decode"))
        .find(|m| m.resource_logs.iter().flat_map(|r| &r.scope_logs).flat_map(|s| &s.log_records).any(is_request))
        .expect("a captured api_request export");
    message.resource_logs.truncate(1);
    let scopes = &mut message.resource_logs[0].scope_logs;
    scopes.retain(|s| s.log_records.iter().any(is_request));
    scopes.truncate(1);
    scopes[0].log_records.retain(is_request);
    scopes[0].log_records.truncate(1);
    message
}

/// The template's record repeated once per id, each copy with that `request_id` (the record's dedup key).
pub fn with_request_ids(
    template: &ExportLogsServiceRequest,
    ids: impl IntoIterator<Item = String>,
) -> ExportLogsServiceRequest {
    use ccmeter_proto::opentelemetry_proto::tonic::common::v1::{AnyValue, any_value};
    let mut message = template.clone();
    let scope = &mut message.resource_logs[0].scope_logs[0];
    let model = scope.log_records[0].clone();
    scope.log_records = ids
        .into_iter()
        .map(|id| {
            let mut record = model.clone();
            for kv in record.attributes.iter_mut().filter(|kv| kv.key == "request_id") {
                kv.value = Some(AnyValue { value: Some(any_value::Value::StringValue(id.clone())) });
            }
            record
        })
        .collect();
    message
}

pub fn requests(scenario: &str) -> Vec<Request> {
    let dir = fixtures_dir().join(scenario);
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json readable");
    let manifest: Manifest = serde_json::from_str(&text).expect("manifest.json parses");
    manifest
        .files
        .into_iter()
        .map(|mut request| {
            request.body = std::fs::read(dir.join(&request.path)).expect("raw fixture readable");
            request
        })
        .collect()
}

pub fn expected(scenario: &str) -> Value {
    let text = std::fs::read_to_string(fixtures_dir().join(scenario).join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json parses")
}

/// Dollars → nano-dollars, the unit ccmeter sums in.
pub fn nanos(usd: f64) -> i64 {
    (usd * 1e9).round() as i64
}

/// The totals a scenario must add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedTotals {
    pub cost_nanos: i64,
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    pub cache_creation: i64,
    pub lines_added: i64,
    pub lines_removed: i64,
    pub sessions: i64,
    pub commits: i64,
    pub pull_requests: i64,
    pub active_cli_us: i64,
    pub active_user_us: i64,
    pub event_counts: std::collections::BTreeMap<String, i64>,
}

pub fn expected_totals(scenario: &str) -> ExpectedTotals {
    let e = expected(scenario);
    let t = &e["totals_all_sessions"];
    let int = |v: &Value| v.as_i64().unwrap_or_else(|| v.as_f64().unwrap_or(0.0) as i64);
    let mut commits = 0;
    let mut pull_requests = 0;
    let mut active_cli_us = 0;
    let mut active_user_us = 0;
    for session in e["sessions"].as_object().expect("sessions").values() {
        let m = &session["metrics"];
        commits += int(&m["commits"]);
        pull_requests += int(&m["pull_requests"]);
        active_cli_us += (m["active_time_s"]["cli"].as_f64().unwrap_or(0.0) * 1e6).round() as i64;
        active_user_us += (m["active_time_s"]["user"].as_f64().unwrap_or(0.0) * 1e6).round() as i64;
    }
    ExpectedTotals {
        cost_nanos: nanos(t["cost_usd"].as_f64().expect("cost_usd")),
        input: int(&t["tokens"]["input"]),
        output: int(&t["tokens"]["output"]),
        cache_read: int(&t["tokens"]["cacheRead"]),
        cache_creation: int(&t["tokens"]["cacheCreation"]),
        lines_added: int(&t["lines_of_code"]["added"]),
        lines_removed: int(&t["lines_of_code"]["removed"]),
        sessions: int(&e["session_count"]),
        commits,
        pull_requests,
        active_cli_us,
        active_user_us,
        event_counts: t["event_counts"]
            .as_object()
            .expect("event_counts")
            .iter()
            .map(|(k, v)| (k.clone(), int(v)))
            .collect(),
    }
}

/// The `ccmeter` binary under test: `$CCMETER_BIN`, else the one cargo built beside this test.
/// The window program, `ccmeter-windows`, beside [`ccmeter_bin`] (or `CCMETER_WINDOWS_BIN`).
pub fn ccmeter_windows_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("CCMETER_WINDOWS_BIN") {
        return PathBuf::from(bin);
    }
    let bin = ccmeter_bin().with_file_name(format!("ccmeter-windows{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} not built: run `cargo build -p ccmeter` first (scripts/test.sh does)", bin.display());
    bin
}

/// Quits the app running on `db` when dropped (`ccmeter quit`): a test that started the app through its window
/// program leaves no tray app behind.
pub struct QuitOnDrop(pub PathBuf);

impl Drop for QuitOnDrop {
    fn drop(&mut self) {
        let _ = std::process::Command::new(ccmeter_bin()).arg("quit").arg("--db").arg(&self.0).output();
    }
}

pub fn ccmeter_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("CCMETER_BIN") {
        return PathBuf::from(bin);
    }
    // Test executables live in target/<profile>/deps; the binary one level up.
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let bin = profile_dir.join(format!("ccmeter{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} not built: run `cargo build -p ccmeter` first (scripts/test.sh does)", bin.display());
    bin
}

/// A `ccmeter serve` process on ephemeral loopback ports with its own database, stopped on drop.
pub struct Server {
    pub child: std::process::Child,
    pub grpc: std::net::SocketAddr,
    pub http: std::net::SocketAddr,
    /// The Prometheus endpoint, when started with `--metrics`.
    pub metrics: Option<std::net::SocketAddr>,
    pub db: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    pub fn start() -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("ccmeter.db");
        let mut server = Server::start_on(&db, "127.0.0.1:0", "127.0.0.1:0").expect("ccmeter serve starts");
        server._dir = Some(dir);
        server
    }

    /// Starts `ccmeter serve` and waits for its "listening" line; on failure returns what it printed.
    pub fn start_on(db: &Path, grpc: &str, http: &str) -> Result<Server, String> {
        Server::start_with(db, &["--grpc", grpc, "--http", http])
    }

    /// `ccmeter serve --db <db> <args>`; the error is what it printed on stderr.
    pub fn start_with(db: &Path, args: &[&str]) -> Result<Server, String> {
        Server::start_with_binary(&ccmeter_bin(), db, args)
    }

    /// `<ccmeter> serve --db <db> <args>` with a `ccmeter` binary of the test's choosing.
    pub fn start_with_binary(ccmeter: &Path, db: &Path, args: &[&str]) -> Result<Server, String> {
        use std::io::BufRead;
        let mut child = std::process::Command::new(ccmeter)
            .args(["serve", "--db"])
            .arg(db)
            .args(args)
            .env("CCMETER_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn ccmeter serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).expect("read stdout");
        if line.is_empty() {
            let output = child.wait_with_output().expect("wait");
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        let field = |name: &str| -> std::net::SocketAddr {
            let start = line.find(&format!("{name}=")).expect("address in listening line") + name.len() + 1;
            line[start..].split_whitespace().next().expect("address").parse().expect("socket address")
        };
        let metrics = line.contains(" metrics=").then(|| field("metrics"));
        Ok(Server { grpc: field("grpc"), http: field("http"), metrics, db: db.to_owned(), child, _dir: None })
    }

    pub fn http_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.http)
    }

    pub fn grpc_url(&self) -> String {
        format!("http://{}", self.grpc)
    }

    /// `ccmeter report --json` on this server's database, parsed.
    pub fn report(&self, extra: &[&str]) -> Value {
        report(&self.db, extra)
    }

    /// Sends SIGTERM and waits; returns the exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        #[cfg(unix)]
        {
            let _ = std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        }
        #[cfg(not(unix))]
        let _ = self.child.kill();
        self.child.wait().expect("wait for ccmeter")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `ccmeter report --json --db DB …`, parsed.
pub fn report(db: &Path, extra: &[&str]) -> Value {
    let output = std::process::Command::new(ccmeter_bin())
        .args(["report", "--json", "--db"])
        .arg(db)
        .args(extra)
        .env("CCMETER_TZ", "Europe/Berlin")
        .output()
        .expect("run ccmeter report");
    assert!(output.status.success(), "report failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("report prints JSON")
}

/// The report's totals in the same shape as [`expected_totals`].
pub fn report_totals(report: &Value) -> ExpectedTotals {
    let t = &report["total"];
    let int = |v: &Value| v.as_i64().unwrap_or(0);
    ExpectedTotals {
        cost_nanos: nanos(t["cost_usd"].as_f64().expect("cost_usd")),
        input: int(&t["tokens"]["input"]),
        output: int(&t["tokens"]["output"]),
        cache_read: int(&t["tokens"]["cacheRead"]),
        cache_creation: int(&t["tokens"]["cacheCreation"]),
        lines_added: int(&t["lines_added"]),
        lines_removed: int(&t["lines_removed"]),
        sessions: int(&t["sessions"]),
        commits: int(&t["commits"]),
        pull_requests: int(&t["pull_requests"]),
        active_cli_us: (t["active_time_cli_s"].as_f64().unwrap_or(0.0) * 1e6).round() as i64,
        active_user_us: (t["active_time_user_s"].as_f64().unwrap_or(0.0) * 1e6).round() as i64,
        event_counts: t["events_by_name"]
            .as_object()
            .expect("total.events_by_name")
            .iter()
            .map(|(k, v)| (k.clone(), int(v)))
            .collect(),
    }
}

/// A raw HTTP/1.1 answer.
#[derive(Debug)]
pub struct HttpAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpAnswer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("JSON answer, got {:?}", String::from_utf8_lossy(&self.body)))
    }
}

/// POSTs over a plain socket, the way exporters do: `Transfer-Encoding: chunked` when `chunked`.
/// Written by hand so tests control every byte (the hostile cases need that).
pub fn http_post(
    addr: std::net::SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    chunked: bool,
) -> HttpAnswer {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).expect("timeout");
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if chunked {
        request.push_str("Transfer-Encoding: chunked\r\n\r\n");
    } else {
        request.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    }
    // The server may answer (413) and close before the whole body is sent: a write error is fine then.
    let mut send = || -> std::io::Result<()> {
        stream.write_all(request.as_bytes())?;
        if chunked {
            for chunk in body.chunks(16 * 1024) {
                stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                stream.write_all(chunk)?;
                stream.write_all(b"\r\n")?;
            }
            stream.write_all(b"0\r\n\r\n")?;
        } else {
            stream.write_all(body)?;
        }
        stream.flush()
    };
    let _ = send();
    let mut raw = Vec::new();
    let _ = std::io::Read::read_to_end(&mut stream, &mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("HTTP answer has headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status");
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))).collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        body = dechunk(&body);
    }
    HttpAnswer { status, headers, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

/// Sends one captured request to the server with the protocol it was captured with.
pub async fn send_fixture(server: &Server, request: &Request) {
    send_fixture_to(server.grpc, server.http, request).await;
}

/// Sends one captured request with the protocol it was captured with, to whichever receiver that is.
pub async fn send_fixture_to(grpc: std::net::SocketAddr, http: std::net::SocketAddr, request: &Request) {
    use ccmeter_proto::opentelemetry_proto::tonic::collector::{
        logs::v1::logs_service_client::LogsServiceClient, metrics::v1::metrics_service_client::MetricsServiceClient,
        trace::v1::trace_service_client::TraceServiceClient,
    };
    if request.transport == "grpc" {
        let body = request.plain_body();
        let url = format!("http://{grpc}");
        match request.signal.as_str() {
            "logs" => {
                let message = ExportLogsServiceRequest::decode(body.as_slice()).expect("decode");
                let mut client = LogsServiceClient::connect(url).await.expect("connect");
                let answer = client.export(message).await.expect("gRPC export accepted").into_inner();
                assert!(answer.partial_success.is_none(), "{answer:?}");
            }
            "metrics" => {
                let message = ExportMetricsServiceRequest::decode(body.as_slice()).expect("decode");
                let mut client = MetricsServiceClient::connect(url).await.expect("connect");
                let answer = client.export(message).await.expect("gRPC export accepted").into_inner();
                assert!(answer.partial_success.is_none(), "{answer:?}");
            }
            _ => {
                let message = ExportTraceServiceRequest::decode(body.as_slice()).expect("decode");
                let mut client = TraceServiceClient::connect(url).await.expect("connect");
                let answer = client.export(message).await.expect("gRPC export accepted").into_inner();
                assert!(answer.partial_success.is_none(), "{answer:?}");
            }
        }
    } else {
        let mut headers = vec![("Content-Type", request.content_type.as_str())];
        if !request.content_encoding.is_empty() && request.content_encoding != "identity" {
            headers.push(("Content-Encoding", request.content_encoding.as_str()));
        }
        let addr = http;
        let (path, body) = (request.request_path.clone(), request.body.clone());
        let owned: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let answer = tokio::task::spawn_blocking(move || {
            let headers: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            http_post(addr, &path, &headers, &body, true)
        })
        .await
        .expect("HTTP post");
        assert_eq!(answer.status, 200, "{}: {}", request.path, String::from_utf8_lossy(&answer.body));
    }
}

/// What Claude Code 2.1.332 wrote to a statusLine command's stdin (`fixtures/statusline-2.1.332/`, its
/// README says how): one case's payloads, byte for byte, in the order written.
pub fn statusline_payloads(case: &str) -> Vec<Vec<u8>> {
    let path = fixtures_dir().join("statusline-2.1.332").join(case).join("stdin.raw.jsonl");
    let raw = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    raw.split_inclusive(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
}

/// When a statusline case was captured (its `session.json`'s `t0`), in Unix seconds.
pub fn statusline_captured_at(case: &str) -> i64 {
    let path = fixtures_dir().join("statusline-2.1.332").join(case).join("session.json");
    let session: Value = serde_json::from_slice(&std::fs::read(&path).expect("session.json")).expect("JSON");
    session["t0"].as_f64().expect("t0") as i64
}

/// A payload as if captured `seconds` later: its reset times move with it (the rest is as Claude Code wrote it),
/// so windows that were ahead at the capture are ahead of the clock a test runs by.
pub fn statusline_moved(payload: &[u8], seconds: i64) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(payload).expect("a captured payload");
    if let Some(windows) = value.get_mut("rate_limits").and_then(Value::as_object_mut) {
        for window in windows.values_mut() {
            if let Some(resets) = window["resets_at"].as_i64() {
                window["resets_at"] = Value::from(resets + seconds);
            }
        }
    }
    let mut moved = serde_json::to_vec(&value).expect("JSON");
    moved.push(b'\n');
    moved
}
