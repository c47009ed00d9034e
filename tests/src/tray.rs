//! Reading the app's tray item over D-Bus the way a panel does (busctl on the session bus): for the tray
//! tests and the freshness benchmark. Needs a display and a session bus (scripts/test.sh provides both).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The object path the app serves its tray item at (as libayatana-appindicator names its items).
pub const ITEM: &str = "/org/ayatana/NotificationItem/ccmeter";

pub fn busctl(args: &[&str]) -> Option<String> {
    // `timeout`: a connection that does not answer during start-up makes busctl hang for 25 s.
    let output = Command::new("timeout").arg("2").arg("busctl").arg("--user").args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The bus connection of process `pid` that exports the tray item.
pub fn tray_connection(pid: u32) -> Option<String> {
    let list = busctl(&["list", "--no-legend"])?;
    list.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let name = fields.next()?;
            (name.starts_with(':') && fields.next()? == pid.to_string()).then(|| name.to_owned())
        })
        // Other connections of the process (GTK's accessibility bus, the notifications) may answer an
        // introspection of any path with an empty node: the item's is the one with its interface.
        .find(|conn| busctl(&["introspect", conn, ITEM]).is_some_and(|out| out.contains("org.kde.StatusNotifierItem")))
}

/// The label panels show beside the icon.
pub fn label(conn: &str) -> Option<String> {
    let out = busctl(&["--json=short", "get-property", conn, ITEM, "org.kde.StatusNotifierItem", "XAyatanaLabel"])?;
    serde_json::from_str::<Value>(&out).ok()?["data"].as_str().map(str::to_owned)
}

/// Polls `probe` every 100 ms until it answers; panics after `limit`.
pub fn wait_for<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One Claude Code api_request event stamped now, as Claude Code sends it over OTLP/JSON: what the tray
/// tests and the freshness bench spend with.
pub fn api_request_now(session: &str, sequence: i64, request_id: &str, cost_usd: f64) -> Vec<u8> {
    api_request_at(session, sequence, request_id, cost_usd, std::time::SystemTime::now())
}

/// [`api_request_now`] stamped `at`.
pub fn api_request_at(
    session: &str,
    sequence: i64,
    request_id: &str,
    cost_usd: f64,
    at: std::time::SystemTime,
) -> Vec<u8> {
    let now = at.duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos().to_string();
    json!({"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "claude-code"}}]},
        "scopeLogs": [{"scope": {"name": "com.anthropic.claude_code.events"}, "logRecords": [{
            "timeUnixNano": now, "observedTimeUnixNano": now,
            "body": {"stringValue": "claude_code.api_request"},
            "attributes": [
                {"key": "event.name", "value": {"stringValue": "api_request"}},
                {"key": "session.id", "value": {"stringValue": session}},
                {"key": "event.sequence", "value": {"intValue": sequence}},
                {"key": "request_id", "value": {"stringValue": request_id}},
                {"key": "model", "value": {"stringValue": "claude-opus-4-8"}},
                {"key": "cost_usd", "value": {"doubleValue": cost_usd}},
                {"key": "input_tokens", "value": {"intValue": 10}},
                {"key": "output_tokens", "value": {"intValue": 100}}
            ]}]}]}]})
    .to_string()
    .into_bytes()
}

pub fn menu_path(conn: &str) -> String {
    // Retried: a loaded machine (CI builds beside the tests) can make one D-Bus call miss busctl's timeout.
    wait_for("the tray item's menu", Duration::from_secs(10), || {
        busctl(&["--json=short", "get-property", conn, ITEM, "org.kde.StatusNotifierItem", "Menu"])
            .and_then(|out| serde_json::from_str::<Value>(&out).ok())
            .and_then(|v| v["data"].as_str().map(str::to_owned))
    })
}

/// A menu entry as a panel sees it.
pub struct Entry {
    pub id: i64,
    pub label: String,
    /// A check item's state.
    pub checked: Option<bool>,
}

/// Every labelled menu entry, submenus' included, in menu order.
pub fn menu_entries(conn: &str) -> Vec<Entry> {
    let menu = menu_path(conn);
    let layout = wait_for("the menu layout", Duration::from_secs(10), || {
        busctl(&[
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
    });
    let layout: Value = serde_json::from_str(&layout).expect("layout JSON");
    fn walk(node: &Value, entries: &mut Vec<Entry>) {
        for child in node[2].as_array().into_iter().flatten() {
            let node = &child["data"];
            if let (Some(id), Some(label)) = (node[0].as_i64(), node[1]["label"]["data"].as_str()) {
                let checked = node[1]["toggle-state"]["data"].as_i64().map(|state| state == 1);
                entries.push(Entry { id, label: label.to_owned(), checked });
            }
            walk(node, entries);
        }
    }
    let mut entries = Vec::new();
    walk(&layout["data"][1], &mut entries);
    entries
}

pub fn menu_labels(conn: &str) -> Vec<String> {
    menu_entries(conn).into_iter().map(|entry| entry.label).collect()
}

/// Clicks a menu entry the way a panel does (dbusmenu `Event … clicked`). A menu rebuilt between reading
/// its layout and clicking (its alert controls changed) refuses the old id: read it again, as a panel does.
pub fn click(conn: &str, label: &str) {
    let menu = menu_path(conn);
    for _ in 0..5 {
        let entry = menu_entries(conn)
            .into_iter()
            .find(|entry| entry.label == label)
            .unwrap_or_else(|| panic!("no menu entry {label:?}"));
        let id = entry.id.to_string();
        if busctl(&["call", "--", conn, &menu, "com.canonical.dbusmenu", "Event", "isvu", &id, "clicked", "s", "", "0"])
            .is_some()
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("clicking {label:?} failed");
}

/// The menu's "Listening on" line, once the app has drawn its menu (its first refresh follows its start).
fn listening_line(conn: &str) -> String {
    wait_for("the menu to say where it listens", Duration::from_secs(15), || {
        menu_labels(conn).into_iter().find(|l| l.starts_with("Listening on"))
    })
}

/// The HTTP receiver's address, from the menu's "Listening on" line.
pub fn http_address(conn: &str) -> std::net::SocketAddr {
    let listening = listening_line(conn);
    let words: Vec<&str> = listening.split_whitespace().collect();
    words.windows(2).find(|w| w[1] == "(HTTP)").and_then(|w| w[0].parse().ok()).expect("an HTTP address")
}

/// The gRPC receiver's address, from the menu's "Listening on" line.
pub fn grpc_address(conn: &str) -> std::net::SocketAddr {
    let listening = listening_line(conn);
    let words: Vec<&str> = listening.split_whitespace().collect();
    words.windows(2).find(|w| w[1].starts_with("(gRPC")).and_then(|w| w[0].parse().ok()).expect("a gRPC address")
}

/// Every window's title on the display (xwininfo, from x11-utils): what the app opened.
pub fn window_titles() -> String {
    Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// The tray app, launched for a test; killed (if still running) when dropped.
pub struct App(pub Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Launches the tray app on `db` with its receivers on free loopback ports and no welcome window.
pub fn launch(db: &Path) -> App {
    launch_with(db, &[])
}

/// [`launch`], with these environment variables too.
pub fn launch_with(db: &Path, env: &[(&str, &Path)]) -> App {
    assert!(
        std::env::var_os("DISPLAY").is_some() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "the tray test needs a display and a session bus: run it through scripts/test.sh (Xvfb + dbus-run-session)"
    );
    let child = Command::new(crate::ccmeter_bin())
        .arg("--db")
        .arg(db)
        .args(["--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .env("CCMETER_LOG", "warn")
        // The welcome window has its own test; the others measure and click the app without it.
        .env("CCMETER_SKIP_WELCOME", "1")
        // The app's log files go beside the test's database, not into the home folder's log folder.
        .env("CCMETER_LOG_DIR", db.parent().expect("the database's folder").join("logs"))
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // Kept beside the database, for a test to read what a terminal would have shown.
        .stderr(std::fs::File::create(db.with_extension("stderr")).expect("the app's stderr file"))
        .spawn()
        .expect("launch the app");
    App(child)
}

/// Watches the session bus for notifications, as a notification daemon would see them.
pub struct NotificationMonitor {
    child: Child,
    output: std::sync::Arc<std::sync::Mutex<String>>,
}

impl NotificationMonitor {
    pub fn start() -> NotificationMonitor {
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
    pub fn budget_alerts(&self) -> Vec<(String, String)> {
        self.seen().into_iter().filter(|(summary, _)| summary.contains("budget")).collect()
    }

    /// (summary, body) of every notification seen so far.
    pub fn seen(&self) -> Vec<(String, String)> {
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
