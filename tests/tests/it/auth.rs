//! The receivers locked down: beyond loopback only with a bearer token, and with a token every export on
//! both protocols must carry it. Nothing here can listen beyond loopback: the refused addresses are the
//! documentation ranges (RFC 5737, RFC 3849), which no interface has, so even a broken check could not
//! bind them.

use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use ccmeter_proto::opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use ccmeter_tests::{Server, http_post, requests};
use prost::Message;

const TOKEN: &str = "ccm-test-7f3a9c2e41b8d605";

fn temp_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    (dir, db)
}

#[test]
fn an_address_beyond_loopback_is_refused_without_a_token_saying_how_to_set_one() {
    let (_dir, db) = temp_db();
    for args in
        [["--grpc", "192.0.2.1:0", "--http", "127.0.0.1:0"], ["--grpc", "127.0.0.1:0", "--http", "[2001:db8::1]:0"]]
    {
        let error = Server::start_with(&db, &args).err().expect("refused");
        assert!(error.contains("refusing to listen for OTLP/"), "{error}");
        assert!(error.contains("without a token"), "{error}");
        assert!(error.contains("--token") && error.contains("CCMETER_TOKEN"), "{error}");
        assert!(error.contains("Authorization=Bearer"), "says what Claude Code must send: {error}");
    }
}

#[test]
fn a_weak_token_is_refused_with_a_reason() {
    let (_dir, db) = temp_db();
    let error = Server::start_with(&db, &["--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--token", "hunter2"])
        .err()
        .expect("refused");
    assert!(error.contains("at least 16"), "{error}");
}

fn logs_export() -> ExportLogsServiceRequest {
    let request =
        requests("claude-code-2.1.197/grpc/success").into_iter().find(|r| r.signal == "logs").expect("a logs export");
    ExportLogsServiceRequest::decode(request.plain_body().as_slice()).expect("decode")
}

fn stored_events(server: &Server) -> i64 {
    let conn = rusqlite::Connection::open(&server.db).expect("open");
    conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_token_both_protocols_take_only_exports_that_carry_it() {
    let (_dir, db) = temp_db();
    let server = Server::start_with(&db, &["--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--token", TOKEN])
        .expect("starts with a token");
    let export = logs_export();
    let records: usize = export.resource_logs.iter().flat_map(|r| &r.scope_logs).map(|s| s.log_records.len()).sum();

    // gRPC: no token, a wrong one, the scheme missing: UNAUTHENTICATED, nothing stored.
    let mut client = LogsServiceClient::connect(server.grpc_url()).await.expect("connect");
    for authorization in [None, Some("Bearer ccm-test-wrong-wrong-wrong"), Some(TOKEN)] {
        let mut request = tonic::Request::new(export.clone());
        if let Some(value) = authorization {
            request.metadata_mut().insert("authorization", value.parse().expect("metadata"));
        }
        let status = client.export(request).await.expect_err("refused");
        assert_eq!(status.code(), tonic::Code::Unauthenticated, "{authorization:?}");
        assert!(status.message().contains("OTEL_EXPORTER_OTLP_HEADERS"), "{}", status.message());
    }
    assert_eq!(stored_events(&server), 0);
    let mut request = tonic::Request::new(export.clone());
    request.metadata_mut().insert("authorization", format!("Bearer {TOKEN}").parse().expect("metadata"));
    client.export(request).await.expect("the right token is let in");
    assert_eq!(stored_events(&server), records as i64);

    // HTTP: 401 with an OTLP status (UNAUTHENTICATED = 16) and WWW-Authenticate; then 200 with the token.
    let body = serde_json::to_vec(&serde_json::json!({"resourceLogs": []})).expect("json");
    let json = [("Content-Type", "application/json")];
    let refused = http_post(server.http, "/v1/logs", &json, &body, false);
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("WWW-Authenticate"), Some("Bearer"));
    assert_eq!(refused.json()["code"], 16);
    let bearer = format!("Bearer {TOKEN}");
    let wrong = http_post(
        server.http,
        "/v1/metrics",
        &[("Content-Type", "application/x-protobuf"), ("Authorization", "Bearer nope-nope-nope-nope")],
        &[],
        false,
    );
    assert_eq!(wrong.status, 401);
    let accepted = http_post(
        server.http,
        "/v1/logs",
        &[("Content-Type", "application/json"), ("Authorization", &bearer)],
        &body,
        false,
    );
    assert_eq!(accepted.status, 200, "{:?}", String::from_utf8_lossy(&accepted.body));
    assert!(server.stop().success());
}

#[test]
fn the_token_can_come_from_the_environment() {
    let (_dir, db) = temp_db();
    let mut child = std::process::Command::new(ccmeter_tests::ccmeter_bin())
        .args(["serve", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env("CCMETER_TOKEN", TOKEN)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().expect("stdout")), &mut line)
        .expect("read");
    let http: std::net::SocketAddr = line
        .split_whitespace()
        .find_map(|field| field.strip_prefix("http="))
        .and_then(|addr| addr.parse().ok())
        .expect("the listening line");
    let answer = http_post(http, "/v1/logs", &[("Content-Type", "application/json")], b"{}", false);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(answer.status, 401, "CCMETER_TOKEN guards the receiver");
}
