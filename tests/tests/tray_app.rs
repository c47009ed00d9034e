//! The desktop app, launched for real under a virtual display and a private D-Bus session bus
//! (scripts/test.sh provides both): its tray item is read back over D-Bus the way a panel reads it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ccmeter_tests::{ccmeter_bin, http_post};
use serde_json::{Value, json};

const ITEM: &str = "/org/ayatana/NotificationItem/tray_icon_tray_app_main";

struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn busctl(args: &[&str]) -> Option<String> {
    // `timeout`: a connection that does not answer during start-up makes busctl hang for 25 s.
    let output = Command::new("timeout").arg("2").arg("busctl").arg("--user").args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The app's own bus connection that exports the tray item.
fn tray_connection(pid: u32) -> Option<String> {
    let list = busctl(&["list", "--no-legend"])?;
    list.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let name = fields.next()?;
            (name.starts_with(':') && fields.next()? == pid.to_string()).then(|| name.to_owned())
        })
        .find(|conn| busctl(&["introspect", conn, ITEM]).is_some())
}

fn label(conn: &str) -> Option<String> {
    let out = busctl(&["--json=short", "get-property", conn, ITEM, "org.kde.StatusNotifierItem", "XAyatanaLabel"])?;
    serde_json::from_str::<Value>(&out).ok()?["data"].as_str().map(str::to_owned)
}

fn menu_labels(conn: &str) -> Vec<String> {
    let menu = busctl(&["--json=short", "get-property", conn, ITEM, "org.kde.StatusNotifierItem", "Menu"])
        .and_then(|out| serde_json::from_str::<Value>(&out).ok())
        .and_then(|v| v["data"].as_str().map(str::to_owned))
        .expect("the tray item has a menu");
    let layout = busctl(&[
        "--json=short",
        "call",
        "--",
        conn,
        &menu,
        "com.canonical.dbusmenu",
        "GetLayout",
        "iias",
        "0",
        "-1",
        "0",
    ])
    .expect("GetLayout answers");
    let layout: Value = serde_json::from_str(&layout).expect("layout JSON");
    layout["data"][1][2]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|child| child["data"][1]["label"]["data"].as_str().map(str::to_owned))
        .collect()
}

fn wait_for<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn launch(db: &Path) -> App {
    assert!(
        std::env::var_os("DISPLAY").is_some() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "the tray test needs a display and a session bus: run it through scripts/test.sh (Xvfb + dbus-run-session)"
    );
    let child = Command::new(ccmeter_bin())
        .arg("--db")
        .arg(db)
        .args(["--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .env("CCMETER_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("launch the app");
    App(child)
}

/// An api_request event timestamped now, as Claude Code sends it over OTLP/JSON.
fn api_request_now(cost_usd: f64) -> Vec<u8> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos().to_string();
    json!({"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "claude-code"}}]},
        "scopeLogs": [{"scope": {"name": "com.anthropic.claude_code.events"}, "logRecords": [{
            "timeUnixNano": now, "observedTimeUnixNano": now,
            "body": {"stringValue": "claude_code.api_request"},
            "attributes": [
                {"key": "event.name", "value": {"stringValue": "api_request"}},
                {"key": "session.id", "value": {"stringValue": "tray-test-session"}},
                {"key": "event.sequence", "value": {"intValue": 1}},
                {"key": "request_id", "value": {"stringValue": "req_tray_test"}},
                {"key": "model", "value": {"stringValue": "claude-opus-4-8"}},
                {"key": "cost_usd", "value": {"doubleValue": cost_usd}},
                {"key": "input_tokens", "value": {"intValue": 10}},
                {"key": "output_tokens", "value": {"intValue": 100}}
            ]}]}]}]})
    .to_string()
    .into_bytes()
}

#[test]
fn the_tray_shows_todays_total_and_updates_when_telemetry_arrives() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = launch(&dir.path().join("ccmeter.db"));
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    assert_eq!(wait_for("the tray label", Duration::from_secs(5), || label(&conn)), "today $0.00");

    let labels = menu_labels(&conn);
    let listening = labels.iter().find(|l| l.starts_with("Listening on")).expect("the menu says where it listens");
    let http: std::net::SocketAddr = listening
        .split_whitespace()
        .zip(listening.split_whitespace().skip(1))
        .find(|(_, next)| *next == "(HTTP)")
        .and_then(|(addr, _)| addr.parse().ok())
        .unwrap_or_else(|| panic!("an HTTP address in {listening:?}"));
    assert!(labels.iter().any(|l| l == "Quit"), "{labels:?}");

    let answer = http_post(http, "/v1/logs", &[("Content-Type", "application/json")], &api_request_now(1.24), true);
    assert_eq!(answer.status, 200);
    // The label follows the commit, not a timer: well within a second.
    let start = Instant::now();
    wait_for("the label to show the new cost", Duration::from_secs(2), || label(&conn).filter(|l| l == "today $1.24"));
    println!("tray label updated {:?} after the acknowledgement", start.elapsed());
}
