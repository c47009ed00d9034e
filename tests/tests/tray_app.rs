//! The desktop app, launched for real under a virtual display and a private D-Bus session bus
//! (scripts/test.sh provides both): its tray item is read back over D-Bus the way a panel reads it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ccmeter_tests::{ccmeter_bin, http_post};
use serde_json::{Value, json};

const ITEM: &str = "/org/ayatana/NotificationItem/tray_icon_tray_app_main";

/// The apps under test share one display, one session bus and two cores: one at a time keeps each test's
/// timing its own (and each test's notifications its own).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

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

fn menu_path(conn: &str) -> String {
    busctl(&["--json=short", "get-property", conn, ITEM, "org.kde.StatusNotifierItem", "Menu"])
        .and_then(|out| serde_json::from_str::<Value>(&out).ok())
        .and_then(|v| v["data"].as_str().map(str::to_owned))
        .expect("the tray item has a menu")
}

/// The top-level menu entries as (dbusmenu id, label).
fn menu_entries(conn: &str) -> Vec<(i64, String)> {
    let menu = menu_path(conn);
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
        .filter_map(|child| {
            let node = &child["data"];
            Some((node[0].as_i64()?, node[1]["label"]["data"].as_str()?.to_owned()))
        })
        .collect()
}

fn menu_labels(conn: &str) -> Vec<String> {
    menu_entries(conn).into_iter().map(|(_, label)| label).collect()
}

/// Clicks a menu entry the way a panel does (dbusmenu `Event … clicked`).
fn click(conn: &str, label: &str) {
    let (id, _) =
        menu_entries(conn).into_iter().find(|(_, l)| l == label).unwrap_or_else(|| panic!("no menu entry {label:?}"));
    let menu = menu_path(conn);
    let id = id.to_string();
    busctl(&["call", "--", conn, &menu, "com.canonical.dbusmenu", "Event", "isvu", &id, "clicked", "s", "", "0"])
        .unwrap_or_else(|| panic!("clicking {label:?} failed"));
}

/// The window tree of the display, with every window's title.
fn window_titles() -> String {
    Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
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
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let app = launch(&dir.path().join("ccmeter.db"));
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("the label to show today's total", Duration::from_secs(5), || label(&conn).filter(|l| l == "today $0.00"));

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
    // The session is active (its event is from just now): the label is its running cost. It follows the
    // commit, not a timer: well within a second.
    let start = Instant::now();
    wait_for("the label to show the session's cost", Duration::from_secs(2), || label(&conn).filter(|l| l == "$1.24"));
    let labels = menu_labels(&conn);
    assert!(labels.iter().any(|l| l.starts_with("Active session tray-tes · $1.24 · claude-opus-4-8")), "{labels:?}");
    assert!(labels.iter().any(|l| l == "Today $1.24"), "{labels:?}");
    println!("tray label updated {:?} after the acknowledgement", start.elapsed());
}

#[test]
fn the_menu_opens_each_window_once_and_quit_quits() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = launch(&dir.path().join("ccmeter.db"));
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("the menu", Duration::from_secs(5), || menu_labels(&conn).iter().any(|l| l == "Quit").then_some(()));
    for (entry, title) in [
        ("Open dashboard", "ccmeter — Dashboard"),
        ("Open history", "ccmeter — History"),
        ("Settings…", "ccmeter — Settings"),
    ] {
        click(&conn, entry);
        wait_for(title, Duration::from_secs(10), || window_titles().contains(title).then_some(()));
        // A second click focuses the open window instead of opening another.
        click(&conn, entry);
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(window_titles().matches(&format!("\"{title}\"")).count(), 1, "{title} opened twice");
    }
    click(&conn, "Quit");
    let status = wait_for("the app to quit", Duration::from_secs(10), || app.0.try_wait().ok().flatten());
    assert!(status.success(), "{status:?}");
}

/// Watches the session bus for notifications, as a notification daemon would see them.
struct NotificationMonitor {
    child: Child,
    output: std::sync::Arc<std::sync::Mutex<String>>,
}

impl NotificationMonitor {
    fn start() -> NotificationMonitor {
        let mut child = Command::new("dbus-monitor")
            .args(["--session", "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-monitor");
        let stdout = child.stdout.take().expect("stdout");
        let output = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = std::sync::Arc::clone(&output);
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().expect("monitor output").push_str(&(line + "\n"));
            }
        });
        std::thread::sleep(Duration::from_millis(500));
        NotificationMonitor { child, output }
    }

    /// (summary, body) of every budget notification seen so far (other tests share the bus).
    fn budget_alerts(&self) -> Vec<(String, String)> {
        self.seen().into_iter().filter(|(summary, _)| summary.contains("budget")).collect()
    }

    /// (summary, body) of every notification seen so far.
    fn seen(&self) -> Vec<(String, String)> {
        let text = self.output.lock().expect("monitor output").clone();
        text.split("member=Notify")
            .skip(1)
            .map(|call| {
                // Notify(app_name, replaces_id, icon, summary, body, …): the 2nd to 4th strings after the app name.
                let strings: Vec<String> = call
                    .lines()
                    .filter_map(|l| {
                        l.trim().strip_prefix("string \"").and_then(|s| s.strip_suffix('"')).map(str::to_owned)
                    })
                    .collect();
                (strings.get(2).cloned().unwrap_or_default(), strings.get(3).cloned().unwrap_or_default())
            })
            .collect()
    }
}

impl Drop for NotificationMonitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spend(http: std::net::SocketAddr, cost_usd: f64, request_id: &str) {
    let body = String::from_utf8(api_request_now(cost_usd)).expect("utf-8").replace("req_tray_test", request_id);
    let answer = http_post(http, "/v1/logs", &[("Content-Type", "application/json")], body.as_bytes(), true);
    assert_eq!(answer.status, 200);
}

fn http_address(conn: &str) -> std::net::SocketAddr {
    let labels = menu_labels(conn);
    let listening = labels.iter().find(|l| l.starts_with("Listening on")).expect("the menu says where it listens");
    let words: Vec<&str> = listening.split_whitespace().collect();
    words.windows(2).find(|w| w[1] == "(HTTP)").and_then(|w| w[0].parse().ok()).expect("an HTTP address")
}

#[test]
fn crossing_a_budget_notifies_once_per_threshold_even_after_a_restart() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let monitor = NotificationMonitor::start();
    let mut app = launch(&db);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("the menu", Duration::from_secs(5), || menu_labels(&conn).iter().any(|l| l == "Quit").then_some(()));
    let set = Command::new(ccmeter_bin())
        .args(["budget", "set", "--period", "day", "--usd", "10", "--db"])
        .arg(&db)
        .output()
        .expect("ccmeter budget set");
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert!(String::from_utf8_lossy(&set.stdout).contains("The running app has it"), "reached the running app");

    let http = http_address(&conn);
    spend(http, 8.04, "req_budget_1"); // crosses 50 % and 80 % in one batch: one notification, for 80 %
    wait_for("the 80 % alert", Duration::from_secs(10), || (monitor.budget_alerts().len() == 1).then_some(()));
    spend(http, 2.0, "req_budget_2"); // crosses 100 %
    wait_for("the 100 % alert", Duration::from_secs(10), || (monitor.budget_alerts().len() == 2).then_some(()));
    let labels = menu_labels(&conn);
    assert!(labels.iter().any(|l| l == "Today $10.04 · 100 % of $10.00"), "{labels:?}");
    assert_eq!(
        monitor.budget_alerts(),
        [
            ("Daily budget 80 % used".to_owned(), "$8.04 of $10.00 spent today".to_owned()),
            ("Daily budget 100 % used".to_owned(), "$10.04 of $10.00 spent today".to_owned()),
        ]
    );
    println!("notifications captured: {:?}", monitor.budget_alerts());
    click(&conn, "Quit");
    wait_for("the app to quit", Duration::from_secs(10), || app.0.try_wait().ok().flatten());

    // A restart on the same database remembers what it already said.
    let app = launch(&db);
    let conn = wait_for("the tray item again", Duration::from_secs(20), || tray_connection(app.0.id()));
    spend(http_address(&conn), 0.5, "req_budget_3");
    wait_for("the new spend", Duration::from_secs(5), || {
        menu_labels(&conn).iter().any(|l| l.starts_with("Today $10.54")).then_some(())
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(monitor.budget_alerts().len(), 2, "no alert repeated after the restart: {:?}", monitor.budget_alerts());
}

#[test]
fn a_taken_grpc_port_leaves_the_app_up_saying_why_in_the_menu_and_a_notification() {
    let _serial = one_at_a_time();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("temp dir");
    let monitor = NotificationMonitor::start();
    let app = App(Command::new(ccmeter_bin())
        .arg("--db")
        .arg(dir.path().join("ccmeter.db"))
        .args(["--grpc", &format!("127.0.0.1:{port}"), "--http", "127.0.0.1:0"])
        .env("CCMETER_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("launch the app"));
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    let status = wait_for("the receiver status", Duration::from_secs(5), || {
        menu_labels(&conn).into_iter().find(|l| l.starts_with("Listening on"))
    });
    assert!(status.ends_with(&format!("(HTTP) only — gRPC: port {port} is in use")), "{status}");
    let (summary, body) = wait_for("the notification", Duration::from_secs(5), || {
        monitor.seen().into_iter().find(|(s, _)| s.contains("not receiving"))
    });
    assert_eq!(summary, "ccmeter is not receiving telemetry");
    assert!(body.contains(&format!("127.0.0.1:{port}")) && body.contains("already in use"), "{body}");
    drop(taken);
}
