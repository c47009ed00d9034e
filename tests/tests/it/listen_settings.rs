//! Where the receivers listen: `--grpc` / `--http` when given, else the addresses saved in the settings
//! (what the Settings window edits), else the OTLP standard ports.

use ccmeter_tests::Server;

/// Saves receiver addresses in the settings record, as the app does.
fn save_addresses(db: &std::path::Path, grpc: &str, http: &str) {
    // `budget list` creates the database with its schema, like any first run.
    let list = std::process::Command::new(ccmeter_tests::ccmeter_bin())
        .args(["budget", "list", "--db"])
        .arg(db)
        .output()
        .expect("ccmeter budget list");
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    let conn = rusqlite::Connection::open(db).expect("open the database");
    let json = serde_json::json!({ "grpc_addr": grpc, "http_addr": http }).to_string();
    conn.execute("INSERT OR REPLACE INTO settings (id, json) VALUES (1, ?1)", [json]).expect("save settings");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

#[test]
fn serve_listens_on_the_saved_addresses_unless_a_flag_says_otherwise() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let (grpc, http) = (free_port(), free_port());
    save_addresses(&db, &format!("127.0.0.1:{grpc}"), &format!("127.0.0.1:{http}"));

    let server = Server::start_with(&db, &[]).expect("serve starts on the saved addresses");
    assert_eq!((server.grpc.port(), server.http.port()), (grpc, http));
    assert!(server.stop().success());

    let flagged = free_port();
    let server = Server::start_with(&db, &["--http", &format!("127.0.0.1:{flagged}")]).expect("serve starts");
    assert_eq!((server.grpc.port(), server.http.port()), (grpc, flagged), "the flag wins for its receiver only");
    assert!(server.stop().success());
}

#[test]
fn the_prometheus_endpoint_is_served_where_the_settings_say_and_not_at_all_by_default() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let loopback = ["--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"];
    let server = Server::start_with(&db, &loopback).expect("serve starts");
    assert_eq!(server.metrics, None, "off unless asked for");
    assert!(server.stop().success());

    let port = free_port();
    let conn = rusqlite::Connection::open(&db).expect("open the database");
    let json = serde_json::json!({ "metrics_addr": format!("127.0.0.1:{port}") }).to_string();
    conn.execute("INSERT OR REPLACE INTO settings (id, json) VALUES (1, ?1)", [json]).expect("save settings");
    let server = Server::start_with(&db, &loopback).expect("serve starts");
    assert_eq!(server.metrics.map(|addr| addr.port()), Some(port));
    assert!(server.stop().success());

    let flagged = free_port();
    let server = Server::start_with(&db, &[&loopback[..], &["--metrics", &format!("127.0.0.1:{flagged}")]].concat())
        .expect("serve starts");
    assert_eq!(server.metrics.map(|addr| addr.port()), Some(flagged), "the flag wins");
    assert!(server.stop().success());
}
