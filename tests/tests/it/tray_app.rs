//! The desktop app, launched for real under a virtual display and a private D-Bus session bus
//! (scripts/test.sh provides both): its tray item is read back over D-Bus the way a panel reads it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccmeter_tests::desktop::one_at_a_time;
use ccmeter_tests::tray::{
    self, App, ITEM, NotificationMonitor, busctl, click, http_address, label, launch, launch_with, menu_entries,
    menu_labels, tray_connection, wait_for, window_titles,
};
use ccmeter_tests::{ccmeter_bin, http_post};
use serde_json::Value;

/// Whether the check item `label` is checked.
fn checked(conn: &str, label: &str) -> Option<bool> {
    menu_entries(conn).into_iter().find(|entry| entry.label == label)?.checked
}

/// The tray icon as the panel loads it: the PNG file the item's `IconName` names, as RGBA.
fn icon(conn: &str) -> Option<(String, Vec<u8>)> {
    let out = busctl(&["--json=short", "get-property", conn, ITEM, "org.kde.StatusNotifierItem", "IconName"])?;
    let path = serde_json::from_str::<Value>(&out).ok()?["data"].as_str()?.to_owned();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).ok()?));
    let mut reader = decoder.read_info().ok()?;
    let mut rgba = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut rgba).ok()?;
    (info.color_type == png::ColorType::Rgba).then(|| (path, rgba[..info.buffer_size()].to_vec()))
}

/// The budget colour the icon shows most of: the gauge's green, amber or red arc (or the amount tile).
fn icon_colour(rgba: &[u8]) -> &'static str {
    let palette: [(&str, [u8; 3]); 6] = [
        ("green", [0x22, 0xc5, 0x5e]),
        ("amber", [0xf5, 0x9e, 0x0b]),
        ("amber", [0xd9, 0x77, 0x06]),
        ("red", [0xef, 0x44, 0x44]),
        ("red", [0xdc, 0x26, 0x26]),
        ("slate", [0x1f, 0x2a, 0x40]),
    ];
    let mut counts = std::collections::HashMap::new();
    for pixel in rgba.chunks(4).filter(|p| p[3] == 255) {
        if let Some((name, _)) = palette.iter().find(|(_, c)| c.iter().zip(pixel).all(|(a, b)| a.abs_diff(*b) <= 8)) {
            *counts.entry(*name).or_insert(0) += 1;
        }
    }
    // The slate background is in every icon: a state colour, when present, is what it says.
    ["red", "amber", "green"].into_iter().find(|c| counts.get(c).copied().unwrap_or(0) > 40).unwrap_or("slate")
}

/// An api_request event timestamped now, in the tray tests' session.
fn api_request_now(cost_usd: f64) -> Vec<u8> {
    tray::api_request_now("tray-test-session", 1, "req_tray_test", cost_usd)
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
        ("About ccmeter", "About ccmeter"),
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

#[test]
fn a_window_process_started_directly_beside_another_leaves_it_its_windows() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let mut app = launch(&db);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    // Two window processes started as a user or a WebDriver starts them, each attached to the app.
    let windows = |window: &str| {
        Command::new(ccmeter_tests::ccmeter_windows_bin())
            .args(["--db"])
            .arg(&db)
            .args(["--window", window])
            .env("CCMETER_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ccmeter-windows")
    };
    let mut first = App(windows("history"));
    wait_for("the history window", Duration::from_secs(15), || {
        window_titles().contains("\"ccmeter — History\"").then_some(())
    });
    let mut second = App(windows("about"));
    wait_for("the about window", Duration::from_secs(15), || {
        window_titles().contains("\"About ccmeter\"").then_some(())
    });
    std::thread::sleep(Duration::from_secs(2));
    assert!(matches!(first.0.try_wait(), Ok(None)), "the first window process is still running");
    assert!(window_titles().contains("\"ccmeter — History\""), "its window is still open");
    // Both quit with the app.
    click(&conn, "Quit");
    for (process, what) in [(&mut first, "the first window process"), (&mut second, "the second")] {
        let status = wait_for(what, Duration::from_secs(15), || process.0.try_wait().ok().flatten());
        assert!(status.success(), "{what}: {status:?}");
    }
    let status = wait_for("the app to quit", Duration::from_secs(10), || app.0.try_wait().ok().flatten());
    assert!(status.success(), "{status:?}");
}

fn spend(http: std::net::SocketAddr, cost_usd: f64, request_id: &str) {
    let body = String::from_utf8(api_request_now(cost_usd)).expect("utf-8").replace("req_tray_test", request_id);
    let answer = http_post(http, "/v1/logs", &[("Content-Type", "application/json")], body.as_bytes(), true);
    assert_eq!(answer.status, 200);
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
    let ids = |conn: &str| menu_entries(conn).into_iter().map(|entry| entry.id).collect::<Vec<_>>();
    let before = ids(&conn);
    spend(http, 2.0, "req_budget_2"); // crosses 100 %
    wait_for("the 100 % alert", Duration::from_secs(10), || (monitor.budget_alerts().len() == 2).then_some(()));
    wait_for("the new total", Duration::from_secs(5), || {
        menu_labels(&conn).iter().any(|l| l == "Today $10.04 · 100 % of $10.00").then_some(())
    });
    assert_eq!(ids(&conn), before, "new figures update the lines in place: an open menu stays open");
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

fn set_day_budget(db: &Path, usd: &str) {
    let set = Command::new(ccmeter_bin())
        .args(["budget", "set", "--period", "day", "--usd", usd, "--db"])
        .arg(db)
        .output()
        .expect("ccmeter budget set");
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
}

fn saved_settings(db: &Path) -> Value {
    let conn = rusqlite::Connection::open(db).expect("open the database");
    let json: String = conn.query_row("SELECT json FROM settings WHERE id = 1", [], |r| r.get(0)).expect("settings");
    serde_json::from_str(&json).expect("settings JSON")
}

#[test]
fn the_icon_follows_the_worst_budget_state_and_can_show_the_amount() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let app = launch(&db);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    let colour = |conn: &str| icon(conn).map(|(_, rgba)| icon_colour(&rgba));
    wait_for("the green gauge", Duration::from_secs(5), || colour(&conn).filter(|c| *c == "green"));
    set_day_budget(&db, "10");

    let http = http_address(&conn);
    spend(http, 6.0, "req_icon_1");
    wait_for("the amber gauge at 60 %", Duration::from_secs(5), || colour(&conn).filter(|c| *c == "amber"));
    spend(http, 5.0, "req_icon_2");
    wait_for("the red gauge at 110 %", Duration::from_secs(5), || colour(&conn).filter(|c| *c == "red"));
    let (gauge_path, gauge) = icon(&conn).expect("the icon");

    assert_eq!(checked(&conn, "Show the amount in the icon"), Some(false));
    click(&conn, "Show the amount in the icon");
    let (tile_path, tile) =
        wait_for("the amount tile", Duration::from_secs(5), || icon(&conn).filter(|(path, _)| *path != gauge_path));
    assert_eq!(icon_colour(&tile), "red", "the tile takes the budget's colour");
    assert_eq!(tile[3], 0, "a rounded tile: its corner is transparent");
    let white = tile.chunks(4).filter(|p| p[..3].iter().all(|c| *c > 240) && p[3] == 255).count();
    assert!(white > 150, "the amount is drawn in white ({white} pixels)");
    assert_eq!(checked(&conn, "Show the amount in the icon"), Some(true));
    assert_eq!(saved_settings(&db)["icon_shows_amount"], true, "the choice is saved");
    assert!(tile_path.contains(&format!("ccmeter-tray-{}", app.0.id())), "the icon is this app's own: {tile_path}");

    click(&conn, "Show the amount in the icon");
    let (_, back) =
        wait_for("the gauge again", Duration::from_secs(5), || icon(&conn).filter(|(path, _)| *path != tile_path));
    assert_eq!(back, gauge, "the same red gauge");
    assert_eq!(checked(&conn, "Show the amount in the icon"), Some(false));
}

#[test]
fn pausing_alerts_from_the_menu_silences_them_until_resumed() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let monitor = NotificationMonitor::start();
    let app = launch(&db);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("the menu", Duration::from_secs(5), || menu_labels(&conn).iter().any(|l| l == "For 1 hour").then_some(()));
    set_day_budget(&db, "10");

    click(&conn, "For 1 hour");
    let paused = wait_for("the pause in the menu", Duration::from_secs(5), || {
        menu_labels(&conn).into_iter().find(|l| l.starts_with("Alerts paused until "))
    });
    let labels = menu_labels(&conn);
    assert!(labels.iter().any(|l| l == "Resume alerts"), "{labels:?}");
    assert!(!labels.iter().any(|l| l == "Pause alerts"), "{labels:?}");
    let until = saved_settings(&db)["alerts_paused_until"].as_str().expect("a pause end saved").to_owned();
    let left = until.parse::<chrono::DateTime<chrono::Utc>>().expect("an instant") - chrono::Utc::now();
    assert!(left.num_seconds() > 3500 && left.num_seconds() <= 3600, "one hour: {left:?} ({paused})");

    let http = http_address(&conn);
    spend(http, 6.0, "req_pause_1"); // 60 %: reached during the pause
    wait_for("the spend", Duration::from_secs(5), || {
        menu_labels(&conn).iter().any(|l| l == "Today $6.00 · 60 % of $10.00").then_some(())
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(monitor.budget_alerts().is_empty(), "paused: {:?}", monitor.budget_alerts());

    click(&conn, "Resume alerts");
    wait_for("the pause to end", Duration::from_secs(5), || {
        menu_labels(&conn).iter().any(|l| l == "Pause alerts").then_some(())
    });
    spend(http, 3.0, "req_pause_2"); // 90 %
    wait_for("the 80 % alert", Duration::from_secs(10), || (!monitor.budget_alerts().is_empty()).then_some(()));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        monitor.budget_alerts(),
        [("Daily budget 80 % used".to_owned(), "$9.00 of $10.00 spent today".to_owned())],
        "what fell in the pause is not sent later"
    );
    let conn = rusqlite::Connection::open(&db).expect("open the database");
    let mut recorded = conn.prepare("SELECT threshold, suppressed FROM alerts ORDER BY threshold").expect("query");
    let recorded: Vec<(u32, bool)> =
        recorded.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("rows").map(Result::unwrap).collect();
    assert_eq!(recorded, [(50, true), (80, false)], "the paused alert is recorded as suppressed");
}

#[test]
fn start_at_login_from_the_menu_writes_and_removes_the_login_item() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let home = tempfile::tempdir().expect("temp home");
    let db = dir.path().join("ccmeter.db");
    let entry = home.path().join(".config/autostart/ccmeter.desktop");
    let mut app = launch_with(&db, &[("HOME", home.path())]);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("the menu", Duration::from_secs(5), || checked(&conn, "Start at login"));
    assert_eq!(checked(&conn, "Start at login"), Some(false));
    assert!(!entry.exists(), "off by default");

    click(&conn, "Start at login");
    wait_for("the login item", Duration::from_secs(5), || entry.exists().then_some(()));
    let text = std::fs::read_to_string(&entry).expect("the desktop entry");
    let exec = format!("Exec={} --db={}", ccmeter_bin().display(), db.display());
    assert!(text.lines().any(|line| line == exec), "{exec:?} in\n{text}");
    wait_for("the check mark", Duration::from_secs(5), || checked(&conn, "Start at login").filter(|c| *c));
    assert_eq!(saved_settings(&db)["start_at_login"], true);

    click(&conn, "Start at login");
    wait_for("the login item removed", Duration::from_secs(5), || (!entry.exists()).then_some(()));
    wait_for("no check mark", Duration::from_secs(5), || checked(&conn, "Start at login").filter(|c| !*c));

    // Turned on while the app is not running (or the entry deleted by hand): the next start writes it.
    click(&conn, "Start at login");
    wait_for("the login item", Duration::from_secs(5), || entry.exists().then_some(()));
    click(&conn, "Quit");
    wait_for("the app to quit", Duration::from_secs(10), || app.0.try_wait().ok().flatten());
    std::fs::remove_file(&entry).expect("remove the entry");
    let app = launch_with(&db, &[("HOME", home.path())]);
    wait_for("the login item written at start", Duration::from_secs(20), || entry.exists().then_some(()));
    drop(app);
}

#[test]
fn the_welcome_window_opens_on_the_first_start_only() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let first_start = [("CCMETER_SKIP_WELCOME", Path::new(""))];
    let welcome = "\"Welcome to ccmeter\"";
    let app = launch_with(&db, &first_start);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("the welcome window", Duration::from_secs(10), || window_titles().contains(welcome).then_some(()));
    click(&conn, "Quit");
    drop(app);
    // The windows are another process: it closes them as the app quits.
    wait_for("the first start's window to close", Duration::from_secs(15), || {
        (!window_titles().contains(welcome)).then_some(())
    });

    let app = launch_with(&db, &first_start);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("the menu", Duration::from_secs(5), || menu_labels(&conn).iter().any(|l| l == "Quit").then_some(()));
    std::thread::sleep(Duration::from_secs(1));
    assert!(!window_titles().contains(welcome), "the welcome window opens once");
    click(&conn, "Quit");
}

#[test]
fn a_database_from_a_newer_ccmeter_stops_the_app_with_a_notification_saying_why() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    rusqlite::Connection::open(&db).expect("open").pragma_update(None, "user_version", 99).expect("a newer schema");
    let monitor = NotificationMonitor::start();
    let mut app = launch(&db);
    let status = wait_for("the app to give up", Duration::from_secs(20), || app.0.try_wait().ok().flatten());
    assert!(!status.success(), "{status:?}");
    let (summary, body) = wait_for("the notification", Duration::from_secs(5), || {
        monitor.seen().into_iter().find(|(summary, _)| summary == "ccmeter could not start")
    });
    assert!(body.contains("newer ccmeter") && body.contains("upgrade ccmeter"), "{summary}: {body}");
    let version: i64 = rusqlite::Connection::open(&db)
        .expect("open")
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, 99, "the database is left as the newer version wrote it");
}

#[test]
fn the_app_logs_to_a_file_in_its_log_folder_and_never_logs_content() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let logs = dir.path().join("app-logs");
    // Content is kept in this database: it reaches the store, and still never the log, even at debug level.
    set_day_budget(&db, "10");
    rusqlite::Connection::open(&db)
        .expect("open")
        .execute("UPDATE settings SET json = json_set(json, '$.store_prompt_text', json('true'))", [])
        .expect("keep content");
    let app = launch_with(&db, &[("CCMETER_LOG_DIR", &logs), ("CCMETER_LOG", Path::new("debug"))]);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    let http = http_address(&conn);
    let record = |name: &str, key: &str, text: &str, sequence: i64| {
        serde_json::json!({"timeUnixNano": format!("{}", chrono::Utc::now().timestamp_nanos_opt().expect("now") + sequence),
            "body": {"stringValue": format!("claude_code.{name}")},
            "attributes": [
                {"key": "event.name", "value": {"stringValue": name}},
                {"key": "session.id", "value": {"stringValue": "log-test-session"}},
                {"key": "event.sequence", "value": {"intValue": sequence}},
                {"key": key, "value": {"stringValue": text}}]})
    };
    let body = serde_json::json!({"resourceLogs": [{"resource": {"attributes": [
            {"key": "service.name", "value": {"stringValue": "claude-code"}}]},
        "scopeLogs": [{"scope": {"name": "com.anthropic.claude_code.events"}, "logRecords": [
            record("user_prompt", "prompt", "the secret prompt 7f3a", 0),
            record("tool_result", "tool_parameters", "the secret tool input 9c2b", 1),
            record("api_error", "error", "the secret error text 5d1e", 2)]}]}]})
    .to_string();
    let answer = http_post(http, "/v1/logs", &[("Content-Type", "application/json")], body.as_bytes(), false);
    assert_eq!(answer.status, 200);
    let stored: i64 = rusqlite::Connection::open(&db)
        .expect("open")
        .query_row("SELECT count(*) FROM events WHERE attributes LIKE '%secret prompt 7f3a%'", [], |r| r.get(0))
        .expect("count");
    assert_eq!(stored, 1, "the content was kept in the database");
    drop(app);

    let files: Vec<_> = std::fs::read_dir(&logs).expect("the log folder exists").flatten().map(|e| e.path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().expect("name").to_string_lossy().into_owned();
    assert!(name.starts_with("ccmeter.") && name.ends_with(".log"), "a dated log file: {name}");
    let log = std::fs::read_to_string(&files[0]).expect("read the log");
    assert!(log.contains("listening"), "the app's start is logged: {log}");
    for secret in ["7f3a", "9c2b", "5d1e"] {
        assert!(!log.contains(secret), "content {secret} in the log file:\n{log}");
    }
    // A first start makes the folder quietly (the appender once complained of it on stderr).
    let stderr = std::fs::read_to_string(db.with_extension("stderr")).expect("the app's stderr");
    assert!(!stderr.contains("Error reading the log"), "{stderr}");
    // `ccmeter diagnostics` (and About, which shows the same) names the folder.
    let diagnostics = Command::new(ccmeter_bin())
        .args(["diagnostics", "--db"])
        .arg(&db)
        .env("CCMETER_LOG_DIR", &logs)
        .output()
        .expect("ccmeter diagnostics");
    let text = String::from_utf8_lossy(&diagnostics.stdout);
    assert!(text.contains(&format!("logs: {}", logs.display())), "{text}");
}
