//! Bad input gets a clear OTLP error and loses nothing else: the server stays up and what was stored
//! before is intact.

use std::io::Write;

use ccmeter_tests::{Server, expected_totals, http_post, report_totals, requests, send_fixture};
use serde_json::json;

const LOGS: &str = "/v1/logs";
const JSON: (&str, &str) = ("Content-Type", "application/json");
const PROTOBUF: (&str, &str) = ("Content-Type", "application/x-protobuf");

/// A server that already holds the grpc/success fixture, whose totals must survive every attack.
async fn loaded_server() -> Server {
    let server = Server::start();
    for request in requests("claude-code-2.1.197/grpc/success") {
        send_fixture(&server, &request).await;
    }
    server
}

fn assert_intact(server: &Server) {
    assert_eq!(
        report_totals(&server.report(&[])),
        expected_totals("claude-code-2.1.197/grpc/success"),
        "earlier data changed"
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

fn api_request(cost: serde_json::Value, request_id: &str) -> Vec<u8> {
    json!({"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "claude-code"}}]},
        "scopeLogs": [{"logRecords": [{
            "timeUnixNano": "1795519841666767899",
            "body": {"stringValue": "claude_code.api_request"},
            "attributes": [
                {"key": "event.name", "value": {"stringValue": "api_request"}},
                {"key": "session.id", "value": {"stringValue": "hostile-session"}},
                {"key": "request_id", "value": {"stringValue": request_id}},
                {"key": "model", "value": {"stringValue": "claude-opus-4-8"}},
                {"key": "cost_usd", "value": cost},
                {"key": "input_tokens", "value": {"intValue": "5"}}
            ]}]}]}]})
    .to_string()
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_get_400_with_a_reason_and_nothing_else_is_lost() {
    let server = loaded_server().await;
    for (name, headers, body) in [
        ("garbage protobuf", vec![PROTOBUF], b"\xff\xff\xff\xff\x0f garbage".to_vec()),
        ("truncated JSON", vec![JSON], b"{\"resourceLogs\": [".to_vec()),
        ("JSON of the wrong shape", vec![JSON], br#"{"resourceLogs": {"not": "a list"}}"#.to_vec()),
        ("bad UTF-8 in JSON", vec![JSON], b"{\"resourceLogs\": [{\"x\": \"\xc3\x28\"}]}".to_vec()),
        // Field 1 (resource_logs) → field 2 (scope_logs) → … a string field holding invalid UTF-8.
        ("bad UTF-8 in protobuf", vec![PROTOBUF], vec![0x0a, 0x08, 0x12, 0x06, 0x12, 0x04, 0x1a, 0x02, 0xc3, 0x28]),
        ("gzip header over plain bytes", vec![JSON, ("Content-Encoding", "gzip")], b"not gzip at all".to_vec()),
    ] {
        let answer = http_post(server.http, LOGS, &headers, &body, false);
        assert_eq!(answer.status, 400, "{name}: {}", String::from_utf8_lossy(&answer.body));
        if headers.contains(&JSON) {
            let status = answer.json();
            assert_eq!(status["code"], 3, "{name}");
            assert!(!status["message"].as_str().unwrap_or("").is_empty(), "{name}: a reason is given");
        }
    }
    assert_intact(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_content_types_and_encodings_get_415() {
    let server = loaded_server().await;
    let body = api_request(json!({"doubleValue": 0.01}), "req_415");
    for headers in [
        vec![("Content-Type", "text/plain")],
        vec![],
        vec![("Content-Type", "application/json"), ("Content-Encoding", "br")],
    ] {
        let answer = http_post(server.http, LOGS, &headers, &body, false);
        assert_eq!(answer.status, 415, "{headers:?}");
        assert!(String::from_utf8_lossy(&answer.body).contains("Content-"), "the answer names what is wrong");
    }
    assert_eq!(http_post(server.http, "/v1/nothing", &[JSON], &body, false).status, 404);
    assert_intact(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_and_gzip_bombs_get_413() {
    let server = loaded_server().await;
    let huge = vec![b' '; 17 * 1024 * 1024];
    assert_eq!(http_post(server.http, LOGS, &[JSON], &huge, false).status, 413);
    assert_eq!(http_post(server.http, LOGS, &[JSON], &huge, true).status, 413, "chunked too");
    // 80 MiB of zeros gzip to ~80 KiB: small on the wire, too big once inflated.
    let bomb = gzip(&vec![0u8; 80 * 1024 * 1024]);
    assert!(bomb.len() < 1024 * 1024);
    let answer = http_post(server.http, LOGS, &[PROTOBUF, ("Content-Encoding", "gzip")], &bomb, true);
    assert_eq!(answer.status, 413);
    assert_intact(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nan_or_negative_costs_are_rejected_with_a_reason_and_the_rest_of_the_batch_is_kept() {
    let server = loaded_server().await;
    for (cost, id) in [
        (json!({"doubleValue": "NaN"}), "req_nan"),
        (json!({"doubleValue": -1.5}), "req_negative"),
        (json!({"stringValue": "lots"}), "req_text"),
    ] {
        let answer = http_post(server.http, LOGS, &[JSON], &api_request(cost, id), true);
        assert_eq!(answer.status, 200);
        let partial = &answer.json()["partialSuccess"];
        assert_eq!(partial["rejectedLogRecords"], "1", "{id}");
        assert!(partial["errorMessage"].as_str().unwrap_or("").contains("cost"), "{id}: {partial}");
    }
    assert_intact(&server);
    // A valid record in the same shape is stored.
    let answer = http_post(server.http, LOGS, &[JSON], &api_request(json!({"doubleValue": 0.25}), "req_good"), true);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), json!({}));
    let report = server.report(&[]);
    assert_eq!(report["total"]["cost_usd"], 0.46092);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otlp_that_is_not_from_claude_code_is_stored_but_not_counted_as_usage() {
    let server = loaded_server().await;
    let foreign = json!({"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "my-web-app"}}]},
        "scopeLogs": [{"scope": {"name": "my.logger"}, "logRecords": [{
            "timeUnixNano": 1795519841666767899u64, "severityNumber": "SEVERITY_NUMBER_INFO", "severityText": "INFO",
            "body": {"stringValue": "GET /health 200"},
            "attributes": [{"key": "cost_usd", "value": {"doubleValue": 99.0}}]}]}]}]});
    let answer = http_post(server.http, LOGS, &[JSON], foreign.to_string().as_bytes(), false);
    assert_eq!(answer.status, 200);
    let foreign_metric = json!({"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"name": "http.server.duration", "unit": "ms",
        "histogram": {"aggregationTemporality": 2, "dataPoints": [{"timeUnixNano": "1795519841666767899", "count": "3", "sum": 12.5,
            "bucketCounts": ["1", "2"], "explicitBounds": [10.0]}]}}]}]}]});
    let answer = http_post(server.http, "/v1/metrics", &[JSON], foreign_metric.to_string().as_bytes(), false);
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    assert_intact(&server);
    let db =
        rusqlite::Connection::open_with_flags(&server.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open db");
    let foreign_events: i64 = db
        .query_row("SELECT count(*) FROM events WHERE is_claude_code = 0 AND name = 'log'", [], |r| r.get(0))
        .expect("count");
    let foreign_points: i64 = db
        .query_row(
            "SELECT count(*) FROM metric_points WHERE metric = 'http.server.duration' AND kind = 'histogram'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!((foreign_events, foreign_points), (1, 1), "the foreign log record and data point are stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_on_the_grpc_port_does_not_take_the_server_down() {
    let server = loaded_server().await;
    let answer = std::thread::spawn({
        let addr = server.grpc;
        move || {
            let mut stream = std::net::TcpStream::connect(addr).expect("connect");
            let _ = stream.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x04garbage-frames");
        }
    })
    .join();
    assert!(answer.is_ok());
    // Still serving both protocols.
    for request in requests("claude-code-2.1.197/grpc/success").iter().take(2) {
        send_fixture(&server, request).await;
    }
    assert_intact(&server);
}

#[test]
fn a_busy_port_is_a_clear_error_naming_the_port() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("temp dir");
    let error = Server::start_on(&dir.path().join("db.sqlite"), &format!("127.0.0.1:{port}"), "127.0.0.1:0")
        .err()
        .expect("serve refuses to start");
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    assert!(error.contains("already in use"), "{error}");
    assert!(error.contains("--grpc"), "the message says what to do: {error}");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let server = Server::start();
    let status = server.stop();
    assert!(status.success(), "exit status {status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grpc_message_that_does_not_decode_is_invalid_argument() {
    let server = loaded_server().await;
    let channel = tonic::transport::Endpoint::from_shared(server.grpc_url()).expect("url").connect().await.expect("up");
    for service in ["logs.v1.LogsService", "metrics.v1.MetricsService", "trace.v1.TraceService"] {
        let path = format!("/opentelemetry.proto.collector.{service}/Export");
        // A field 1 (resource_*) announced 100 bytes long with 3 present; then a wire type 7, which does not exist.
        for garbage in [vec![0x0a, 100, 1, 2, 3], vec![0x0f, 0xff, 0xff]] {
            let mut client = tonic::client::Grpc::new(channel.clone());
            client.ready().await.expect("ready");
            let status = client
                .unary(tonic::Request::new(garbage), path.parse().expect("path"), ccmeter_tests::raw_grpc::RawCodec)
                .await
                .expect_err("refused");
            assert_eq!(status.code(), tonic::Code::InvalidArgument, "{path}: {status:?}");
            assert!(status.message().contains("invalid OTLP protobuf"), "{path}: {}", status.message());
        }
    }
    assert_intact(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_far_over_the_limit_is_answered_413_and_the_client_reads_it() {
    let server = loaded_server().await;
    let huge = vec![b' '; 64 * 1024 * 1024];
    // A real HTTP client, which (like the exporters) writes the whole body before it reads the answer.
    let client = reqwest::Client::new();
    let answer = client
        .post(server.http_url(LOGS))
        .header("Content-Type", "application/json")
        .body(huge.clone())
        .send()
        .await
        .expect("an answer, not a reset connection");
    assert_eq!(answer.status(), 413);
    assert!(answer.text().await.expect("body").contains("MiB"), "the answer says why");
    // Chunked, with no length to refuse it by.
    let answer = http_post(server.http, LOGS, &[JSON], &huge, true);
    assert_eq!(answer.status, 413);
    // Refused from its headers alone (a content type it does not speak), a body is still read, so the client
    // reads the 415.
    let answer = client
        .post(server.http_url(LOGS))
        .header("Content-Type", "text/plain")
        .body(vec![b'x'; 8 * 1024 * 1024])
        .send()
        .await
        .expect("an answer, not a reset connection");
    assert_eq!(answer.status(), 415);
    // The server takes the next request as before.
    let small = http_post(server.http, LOGS, &[JSON], &api_request(json!({"doubleValue": 0.5}), "req_after"), false);
    assert_eq!(small.status, 200);
    assert_eq!(server.report(&[])["total"]["cost_usd"], 0.71092);
}
