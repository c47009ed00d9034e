//! `ccmeter statusline` as Claude Code runs it: the payloads Claude Code 2.1.332 really wrote to a statusLine
//! command's stdin (`fixtures/statusline-2.1.332/`), their reset times moved to today's clock, piped into the
//! real binary; with no app (the line from the payload, the snapshot kept in the spool) and into a running app
//! whose tray label, menu and notifications are read over D-Bus.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccmeter_tests::desktop::one_at_a_time;
use ccmeter_tests::tray::{NotificationMonitor, label, launch_with, menu_labels, tray_connection, wait_for};
use ccmeter_tests::{ccmeter_bin, statusline_captured_at, statusline_moved, statusline_payloads};
use chrono::{DateTime, Utc};

/// What one run printed and how it ended.
struct Run {
    line: String,
    stderr: String,
    success: bool,
}

/// Runs `ccmeter statusline` on `db` with `payload` on its stdin, as Claude Code does (no colours: the
/// colours have their own unit test).
fn statusline(db: &Path, payload: &[u8]) -> Run {
    let mut child = Command::new(ccmeter_bin())
        .args(["statusline", "--db"])
        .arg(db)
        .env("NO_COLOR", "1")
        .env("CCMETER_TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ccmeter statusline");
    // A payload it stops reading (too large) closes the pipe early: that is its answer, not a failure here.
    let _ = child.stdin.take().expect("stdin").write_all(payload);
    let output = child.wait_with_output().expect("ccmeter statusline ran");
    Run {
        line: String::from_utf8(output.stdout).expect("UTF-8").trim_end_matches('\n').to_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        success: output.status.success(),
    }
}

/// A captured case's payloads, moved so that the capture happened now.
fn payloads_now(case: &str) -> (Vec<Vec<u8>>, i64) {
    let moved = Utc::now().timestamp() - statusline_captured_at(case);
    (statusline_payloads(case).iter().map(|p| statusline_moved(p, moved)).collect(), moved)
}

/// A reset time as the menu says it in UTC: `14:30` today, `Mon 09:00` on another day.
fn reset_words(resets_at: i64) -> String {
    clock(DateTime::<Utc>::from_timestamp(resets_at, 0).expect("instant"))
}

/// A time as the menu says it in UTC (the app runs with `CCMETER_TZ=UTC`): `14:30` today, `Mon 09:00` on another
/// day.
fn clock(at: DateTime<Utc>) -> String {
    at.format(if at.date_naive() == Utc::now().date_naive() { "%H:%M" } else { "%a %H:%M" }).to_string()
}

fn spooled_lines(db: &Path) -> usize {
    let mut spool = db.as_os_str().to_owned();
    spool.push(".statusline");
    std::fs::read_to_string(spool).map(|text| text.lines().count()).unwrap_or(0)
}

#[test]
fn with_no_app_each_real_payload_gives_its_line_and_waits_in_the_spool() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (case, last_line) in [
        ("a-api-key", "$0.20"),
        ("b-subscriber", "$0.20 · 5h 31 % · 7d 42 %"),
        // The 5-hour window vanished for three payloads (its reset had passed), then a new one began.
        ("c1-5h-reset-in-past", "$0.20 · 5h 3 % · 7d 42 %"),
    ] {
        let db = dir.path().join(format!("{case}.db"));
        let (payloads, _) = payloads_now(case);
        let mut lines = Vec::new();
        for payload in &payloads {
            let run = statusline(&db, payload);
            assert!(run.success && run.stderr.is_empty(), "{case}: {}", run.stderr);
            lines.push(run.line);
        }
        // The first run, at start-up, knows nothing but a cost of $0.
        assert_eq!(lines[0], "$0.00", "{case}");
        assert_eq!(lines.last().map(String::as_str), Some(last_line), "{case}: {lines:?}");
        if case == "a-api-key" {
            assert!(lines.iter().all(|l| !l.contains('%')), "no window is ever shown as 0 %: {lines:?}");
        }
        assert_eq!(spooled_lines(&db), payloads.len(), "{case}: every snapshot kept for the app");
        assert!(!db.exists(), "no app ran: the database is not created by a statusline run");
    }
}

#[test]
fn hostile_input_gives_a_line_and_exit_0_and_never_blocks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let (payloads, moved) = payloads_now("b-subscriber");
    let last: serde_json::Value = serde_json::from_slice(&payloads[payloads.len() - 1]).expect("JSON");
    let with = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut value = last.clone();
        edit(&mut value);
        serde_json::to_vec(&value).expect("JSON")
    };
    let now = Utc::now().timestamp();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "ccmeter"),
        ("not JSON", b"hello\n".to_vec(), "ccmeter"),
        ("cut short", payloads[3][..200].to_vec(), "ccmeter"),
        ("binary", vec![0xff, 0x00, 0xfe, 0x7b], "ccmeter"),
        ("an array", b"[1,2,3]".to_vec(), "ccmeter"),
        ("huge", vec![b' '; 8 * 1024 * 1024], "ccmeter"),
        ("no fields", b"{}".to_vec(), "ccmeter"),
        ("rate_limits null", with(&|v| v["rate_limits"] = serde_json::Value::Null), "$0.20"),
        ("cost a string", with(&|v| v["cost"]["total_cost_usd"] = "0.2".into()), "5h 31 % · 7d 42 %"),
        ("above 100 %", with(&|v| v["rate_limits"]["five_hour"]["used_percentage"] = 130.into()), "$0.20 · 7d 42 %"),
        ("negative", with(&|v| v["rate_limits"]["seven_day"]["used_percentage"] = (-4).into()), "$0.20 · 5h 31 %"),
        ("reset passed", with(&|v| v["rate_limits"]["five_hour"]["resets_at"] = (now - 60).into()), "$0.20 · 7d 42 %"),
        (
            "two windows, other resets",
            with(&|v| {
                v["rate_limits"]["five_hour"] = serde_json::json!({"used_percentage": 64, "resets_at": now + 600});
                v["rate_limits"]["seven_day"] = serde_json::json!({"used_percentage": 7.5, "resets_at": now + 86_400});
            }),
            "$0.20 · 5h 64 % · 7d 7 %",
        ),
    ];
    assert!(moved > 0);
    for (what, input, expected) in cases {
        let start = Instant::now();
        let run = statusline(&db, &input);
        assert!(run.success, "{what}: {}", run.stderr);
        assert_eq!(run.line, expected, "{what}: {}", run.stderr);
        assert!(start.elapsed() < Duration::from_secs(5), "{what} took {:?}", start.elapsed());
        if expected == "ccmeter" && what != "no fields" {
            assert!(run.stderr.starts_with("ccmeter statusline: "), "{what}: says why: {:?}", run.stderr);
        }
    }
}

#[test]
fn a_subscribers_payloads_reach_the_tray_label_and_menu_and_a_limit_threshold_notifies() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let monitor = NotificationMonitor::start();
    let app = launch_with(&db, &[("CCMETER_TZ", Path::new("UTC"))]);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("today's total", Duration::from_secs(5), || label(&conn).filter(|l| l == "today $0.00"));

    let (payloads, moved) = payloads_now("b-subscriber");
    let mut lines = Vec::new();
    for payload in &payloads {
        let run = statusline(&db, payload);
        assert!(run.success && run.stderr.is_empty(), "{}", run.stderr);
        lines.push(run.line);
    }
    // The app answered each run: today's total (no telemetry in this test) is in every line.
    assert_eq!(lines.last().map(String::as_str), Some("$0.20 · today $0.00 · 5h 31 % · 7d 42 %"), "{lines:?}");
    assert!(lines.iter().all(|l| l.contains("today $0.00")), "{lines:?}");
    assert_eq!(spooled_lines(&db), 0, "handed to the app, not left in the spool");
    wait_for("the label with the 5-hour window", Duration::from_secs(5), || {
        label(&conn).filter(|l| l == "today $0.00 · 5h 31 %")
    });
    let five_hour = reset_words(1_796_166_000 + moved);
    let weekly = reset_words(1_796_500_800 + moved);
    let menu = menu_labels(&conn);
    for line in [format!("5-hour limit 31 % · resets {five_hour}"), format!("Weekly limit 42 % · resets {weekly}")] {
        assert!(menu.contains(&line), "{line:?} in {menu:?}");
    }
    println!("tray label {:?}; menu {:?}", label(&conn), &menu[..menu.len().min(6)]);

    // The window climbs past both thresholds in one response: one notification, for 95 %.
    let mut value: serde_json::Value = serde_json::from_slice(&payloads[payloads.len() - 1]).expect("JSON");
    value["rate_limits"]["five_hour"]["used_percentage"] = 95.5.into();
    let run = statusline(&db, &serde_json::to_vec(&value).expect("JSON"));
    assert_eq!(run.line, "$0.20 · today $0.00 · 5h 95 % · 7d 42 %");
    let limit_alerts = || -> Vec<(String, String)> {
        monitor.seen().into_iter().filter(|(summary, _)| summary.contains("limit")).collect()
    };
    wait_for("the 95 % notification", Duration::from_secs(10), || (!limit_alerts().is_empty()).then_some(()));
    wait_for("the label at 95 %", Duration::from_secs(5), || label(&conn).filter(|l| l == "today $0.00 · 5h 95 %"));
    // A second session reporting the same window lower changes nothing, and says nothing again.
    value["session_id"] = "another-session".into();
    value["rate_limits"]["five_hour"]["used_percentage"] = 90.into();
    statusline(&db, &serde_json::to_vec(&value).expect("JSON"));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(label(&conn).as_deref(), Some("today $0.00 · 5h 95 %"));
    assert_eq!(limit_alerts(), [("5-hour limit: 95 % used".to_owned(), format!("Resets at {five_hour}"))]);
    println!("notification: {:?}", limit_alerts());
}

#[test]
fn snapshots_kept_while_no_app_ran_reach_the_tray_at_its_next_start() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let (payloads, _) = payloads_now("c1-5h-reset-in-past");
    for payload in &payloads {
        assert!(statusline(&db, payload).success);
    }
    assert_eq!(spooled_lines(&db), payloads.len());
    let app = launch_with(&db, &[("CCMETER_TZ", Path::new("UTC"))]);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("the spooled limits in the label", Duration::from_secs(10), || {
        label(&conn).filter(|l| l == "today $0.00 · 5h 3 %")
    });
    let menu = menu_labels(&conn);
    assert!(menu.iter().any(|l| l.starts_with("Weekly limit 42 % · resets ")), "{menu:?}");
    assert_eq!(spooled_lines(&db), 0, "the spool is emptied once its snapshots are recorded");
}

/// The spool's snapshots re-dated: the `i`-th as received at `times[i]` (as if the statusline had run then).
fn redate_spool(db: &Path, times: &[DateTime<Utc>]) {
    let mut spool = db.as_os_str().to_owned();
    spool.push(".statusline");
    let text = std::fs::read_to_string(&spool).expect("the spool");
    let lines: Vec<String> = text
        .lines()
        .zip(times)
        .map(|(line, at)| {
            let mut snapshot: serde_json::Value = serde_json::from_str(line).expect("a spooled snapshot");
            snapshot["received_at"] = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true).into();
            snapshot.to_string()
        })
        .collect();
    assert_eq!(lines.len(), text.lines().count(), "a time for every snapshot");
    std::fs::write(&spool, lines.join("\n") + "\n").expect("the spool rewritten");
}

/// The tray's tooltip text, as a panel reads it.
fn tooltip(conn: &str) -> Option<String> {
    ccmeter_tests::tray::busctl(&[
        "--json=short",
        "get-property",
        conn,
        ccmeter_tests::tray::ITEM,
        "org.kde.StatusNotifierItem",
        "ToolTip",
    ])
}

#[test]
fn a_climbing_window_and_a_days_spend_are_forecast_in_the_menu_from_the_last_hours_pace() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let set = Command::new(ccmeter_bin())
        .args(["budget", "set", "--period", "day", "--usd", "10", "--db"])
        .arg(&db)
        .output()
        .expect("ccmeter budget set");
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    // A subscriber worked 45 minutes with no app running: the real payloads, one every 5 minutes, 5-hour use
    // climbing from 12 % (40 minutes ago) to 31 % (5 minutes ago, and again now).
    let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).expect("now");
    let (payloads, _) = payloads_now("b-subscriber");
    for payload in &payloads {
        assert!(statusline(&db, payload).success);
    }
    let step = chrono::Duration::minutes(5);
    let times: Vec<DateTime<Utc>> =
        (0..payloads.len() as i32).map(|i| now - step * (payloads.len() as i32 - 1 - i)).collect();
    redate_spool(&db, &times);

    let app = launch_with(&db, &[("CCMETER_TZ", Path::new("UTC"))]);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("the spooled window", Duration::from_secs(10), || label(&conn).filter(|l| l.ends_with(" · 5h 31 %")));
    // 12 → 31 % over the 40 minutes from the first report to the last: 28.5 % an hour, 69 % left.
    let first = times[1];
    let pace_per_ms = 19.0 / (now - first).num_milliseconds() as f64;
    let limit_at = now + chrono::Duration::milliseconds((69.0 / pace_per_ms) as i64);
    let limit_line = format!("At this pace the 5-hour limit is reached at {}", clock(limit_at));
    let deadline = Instant::now() + Duration::from_secs(5);
    while !menu_labels(&conn).contains(&limit_line) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let menu = menu_labels(&conn);
    assert!(menu.contains(&limit_line), "{limit_line:?} in {menu:?}");
    assert!(!menu.iter().any(|l| l.contains("weekly limit is reached")), "an hour's pace says nothing of a week");
    let tip = tooltip(&conn).expect("a tooltip");
    assert!(tip.contains(&format!("{limit_line}. Forecast from the pace of the last hour of activity")), "{tip}");
    assert!(tip.contains("+19 % in 40 min"), "{tip}");

    // Five $1 requests over OTLP, 40, 30, 20, 10 and 1 minute ago: $4 over the 39 minutes after the first.
    let http = ccmeter_tests::tray::http_address(&conn);
    let minutes_ago = [40, 30, 20, 10, 1];
    for (i, ago) in minutes_ago.iter().enumerate() {
        let at = std::time::SystemTime::from(now - chrono::Duration::minutes(*ago));
        let body =
            ccmeter_tests::tray::api_request_at("forecast-session", i as i64 + 1, &format!("req_fc_{i}"), 1.0, at);
        let answer = ccmeter_tests::http_post(http, "/v1/logs", &[("Content-Type", "application/json")], &body, true);
        assert_eq!(answer.status, 200);
    }
    let day_start = now.date_naive().and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    if minutes_ago.iter().all(|ago| now - chrono::Duration::minutes(*ago) >= day_start) {
        let last = now - chrono::Duration::minutes(1);
        let per_ms = 4.0 / chrono::Duration::minutes(39).num_milliseconds() as f64;
        let budget_at = last + chrono::Duration::milliseconds((5.0 / per_ms) as i64);
        let menu = wait_for("today's spend", Duration::from_secs(5), || {
            let menu = menu_labels(&conn);
            menu.iter().any(|l| l.starts_with("Today $5.00")).then_some(menu)
        });
        let budget_line = format!("At this pace the daily budget is reached at {}", clock(budget_at));
        if budget_at < day_start + chrono::Duration::days(1) {
            assert!(menu.contains(&budget_line), "{budget_line:?} in {menu:?}");
        } else {
            assert!(!menu.iter().any(|l| l.contains("daily budget")), "reached only tomorrow: {menu:?}");
        }
        println!("menu: {menu:?}");
    }
}

/// `ccmeter <args> --db <db>`: its stdout and stderr together, and whether it succeeded.
fn ccmeter(db: &Path, args: &[&str]) -> (String, bool) {
    let output = Command::new(ccmeter_bin())
        .args(args)
        .arg("--db")
        .arg(db)
        .env("CCMETER_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run ccmeter");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (text, output.status.success())
}

#[test]
fn the_limit_reports_travel_with_an_export_merge_once_on_import_and_show_in_diagnostics() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let (diagnostics, _) = ccmeter(&db, &["diagnostics"]);
    assert!(diagnostics.contains("no database"), "{diagnostics}");
    let (payloads, moved) = payloads_now("b-subscriber");
    for payload in &payloads {
        assert!(statusline(&db, payload).success);
    }
    let app = launch_with(&db, &[("CCMETER_TZ", Path::new("UTC"))]);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("the spooled window", Duration::from_secs(10), || label(&conn).filter(|l| l.ends_with(" · 5h 31 %")));
    let file = dir.path().join("history.ccmeter");
    let (exported, ok) = ccmeter(&db, &["export", "--out", file.to_str().expect("UTF-8 path")]);
    assert!(ok, "{exported}");
    drop(app);

    // Another machine, which saw the same 5-hour window lower and nothing of the weekly one.
    let other = dir.path().join("other").join("ccmeter.db");
    let mut lower: serde_json::Value = serde_json::from_slice(&payloads[2]).expect("JSON");
    lower["session_id"] = "other-machine-session".into();
    lower["rate_limits"].as_object_mut().expect("windows").remove("seven_day");
    assert!(statusline(&other, &serde_json::to_vec(&lower).expect("JSON")).success);
    let (waiting, _) = ccmeter(&other, &["diagnostics"]);
    assert!(waiting.contains("1 waiting for the app"), "{waiting}");
    let app = launch_with(&other, &[("CCMETER_TZ", Path::new("UTC"))]);
    let conn = wait_for("the other tray", Duration::from_secs(20), || tray_connection(app.0.id()));
    wait_for("its lower window", Duration::from_secs(10), || label(&conn).filter(|l| l.ends_with(" · 5h 15 %")));
    drop(app);

    let (imported, ok) = ccmeter(&other, &["import", file.to_str().expect("UTF-8 path")]);
    assert!(ok, "{imported}");
    println!("{}", imported.trim());
    assert!(
        imported.contains("1 plan-limit window, 1 session workspace."),
        "the weekly window and the session: {imported}"
    );
    let five_hour = chrono::DateTime::<Utc>::from_timestamp(1_796_166_000 + moved, 0)
        .expect("instant")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (diagnostics, _) = ccmeter(&other, &["diagnostics"]);
    println!("{diagnostics}");
    assert!(
        diagnostics.contains(&format!("(Claude Code 2.1.332): 5h 31 % (resets {five_hour}), 7d 42 % (resets ")),
        "the higher use of the same window, and the weekly one: {diagnostics}"
    );
    let (again, ok) = ccmeter(&other, &["import", file.to_str().expect("UTF-8 path")]);
    assert!(ok && !again.contains("plan-limit"), "a second import adds nothing: {again}");
}

/// The status line line of `ccmeter diagnostics`.
fn status_line_of(db: &Path) -> String {
    let (diagnostics, _) = ccmeter(db, &["diagnostics"]);
    diagnostics.lines().find(|l| l.starts_with("status line:")).unwrap_or_default().to_owned()
}

#[test]
fn ccmeter_serve_takes_in_what_the_status_line_spools_at_its_start_and_while_it_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let (payloads, _) = payloads_now("b-subscriber");
    assert!(statusline(&db, &payloads[0]).success);
    assert_eq!(spooled_lines(&db), 1, "no collector yet: kept in the spool");

    let server = ccmeter_tests::Server::start_on(&db, "127.0.0.1:0", "127.0.0.1:0").expect("ccmeter serve starts");
    let first = wait_for("the spool taken in at start", Duration::from_secs(10), || {
        Some(status_line_of(&db)).filter(|l| l.contains("last report") && !l.contains("waiting"))
    });
    println!("{first}");
    // No socket answers a headless collector's status line runs: they spool, and serve takes them in shortly.
    for payload in &payloads[1..] {
        let run = statusline(&db, payload);
        assert!(run.success && run.stderr.is_empty(), "{}", run.stderr);
    }
    let last = wait_for("the later runs taken in", Duration::from_secs(30), || {
        Some(status_line_of(&db)).filter(|l| l.contains("5h 31 %") && !l.contains("waiting"))
    });
    println!("{last}");
    assert_eq!(spooled_lines(&db), 0, "the spool is emptied once recorded");
    assert!(server.stop().success());
}
