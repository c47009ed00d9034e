//! The real app's windows, end to end: tauri-driver + WebKitWebDriver under Xvfb (scripts/test.sh), the window
//! program started with a temp database and `--window dashboard` (it starts the tray app on that database),
//! Claude Code telemetry sent over OTLP, and the dashboard read back through WebDriver.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ccmeter_tests::webdriver::{connect, eventually, start_driver};
use ccmeter_tests::{
    ccmeter_bin, ccmeter_windows_bin, expected_totals, requests, send_fixture_to, statusline_captured_at,
    statusline_moved, statusline_payloads,
};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

async fn text(client: &Client, css: &str) -> Option<String> {
    client.find(Locator::Css(css)).await.ok()?.text().await.ok()
}

/// "Waiting for Claude Code on 127.0.0.1:41645 (gRPC) and 127.0.0.1:33617 (HTTP)" → both addresses.
fn addresses(status: &str) -> Option<(SocketAddr, SocketAddr)> {
    let words: Vec<&str> = status.split_whitespace().collect();
    let find = |label: &str| words.windows(2).find(|w| w[1] == label).and_then(|w| w[0].parse().ok());
    Some((find("(gRPC)")?, find("(HTTP)")?))
}

/// The value of the KPI card `label` (its DOM text: WebKitWebDriver's visible-text algorithm returns ""
/// for the cards' single-line, ellipsis-clipped values).
async fn kpi(client: &Client, label: &str) -> Option<String> {
    let value = client
        .execute(
            "const card = document.querySelector(`section.kpi[aria-label='${arguments[0]}'] .kpi__value`);
             return card ? card.textContent.trim() : null;",
            vec![json!(label)],
        )
        .await
        .ok()?;
    value.as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(
    clippy::await_holding_lock,
    reason = "the desktop lock serialises whole tests across threads; each test has its own runtime"
)]
async fn the_dashboard_shows_what_claude_code_sent_and_updates_live() {
    let _desktop = ccmeter_tests::desktop::one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    // Claude Code's settings of a user who already has some: "Connect Claude Code" must keep them.
    let claude = dir.path().join("claude");
    std::fs::create_dir_all(&claude).expect("claude config dir");
    std::fs::write(claude.join("settings.json"), "{\n  \"model\": \"opus\"\n}\n").expect("settings.json");
    let claude_dir = claude.display().to_string();
    let logs = dir.path().join("logs").display().to_string();
    // UTC for the app and its web view, so the fixture's day is the same day for both.
    let (_driver, port) = start_driver(&[
        ("CCMETER_TZ", "UTC"),
        ("TZ", "UTC"),
        ("CCMETER_LOG", "warn"),
        // The session drives the dashboard window; the welcome window has its own test (tray_app.rs).
        ("CCMETER_SKIP_WELCOME", "1"),
        ("CLAUDE_CONFIG_DIR", &claude_dir),
        ("CCMETER_LOG_DIR", &logs),
    ]);
    // The window program, launched directly, starts the tray app on the database first.
    let args: Vec<String> =
        ["--db", &db.display().to_string(), "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--window", "dashboard"]
            .map(str::to_owned)
            .to_vec();
    let _quit = ccmeter_tests::QuitOnDrop(db.clone());
    let client = connect(port, &ccmeter_windows_bin(), &args).await;

    // Nothing has arrived: the window says where to send it.
    let (grpc, http) =
        eventually("the receiver addresses", || async { addresses(&text(&client, ".status").await?) }).await;
    assert!(text(&client, "#connect-title").await.is_some(), "the empty state shows how to connect Claude Code");

    // "Connect Claude Code" writes the app's own gRPC address into Claude Code's settings, once.
    // Locked down: the web view reaches the app's commands and events, not Tauri's window or path APIs.
    for (command, args) in [
        ("plugin:window|title", json!({ "label": "dashboard" })),
        ("plugin:path|resolve_directory", json!({ "directory": 1 })),
    ] {
        let denied = invoke(&client, command, args).await;
        assert!(denied.as_ref().is_err_and(|e| e.contains("not allowed")), "{command}: {denied:?}");
    }
    let plan = invoke(&client, "connect_plan", json!({})).await.expect("the plan");
    // Six telemetry entries and the status line.
    assert_eq!(plan["changes"].as_array().map(Vec::len), Some(7));
    let connected = invoke(&client, "connect_apply", json!({})).await.expect("connected");
    assert_eq!(connected["changed"], json!(7));
    assert!(connected["backup"].as_str().is_some_and(|b| b.contains("settings.json.ccmeter-backup-")));
    let merged: Value =
        serde_json::from_str(&std::fs::read_to_string(claude.join("settings.json")).expect("merged")).expect("JSON");
    assert_eq!(merged["model"], "opus", "the user's own setting is kept");
    assert_eq!(merged["env"]["OTEL_EXPORTER_OTLP_ENDPOINT"], format!("http://{grpc}"));
    // The status line runs the `ccmeter` beside the window program, on this test's database.
    let command = merged["statusLine"]["command"].as_str().expect("a status line command");
    assert!(command.contains("/ccmeter statusline --db "), "{command}");
    let again = invoke(&client, "connect_apply", json!({})).await.expect("again");
    assert_eq!(again["changed"], json!(0), "a second run changes nothing");

    let scenario = "claude-code-2.1.197/grpc/success";
    let captured = requests(scenario);
    for request in &captured {
        send_fixture_to(grpc, http, request).await;
    }
    let day = captured.iter().flat_map(|r| r.decode().events).map(|e| e.time_ns).min().expect("events");
    let day = chrono::DateTime::from_timestamp_nanos(day).date_naive().to_string();

    // The dashboard leaves the empty state by itself (a commit event); then pick the capture's day.
    pick_day(&client, &day).await;

    let expected = expected_totals(scenario);
    let cost = format!("${:.2}", expected.cost_nanos as f64 / 1e9);
    let start = Instant::now();
    let shown = loop {
        let shown = kpi(&client, "Cost").await;
        if shown.as_deref() == Some(cost.as_str()) || start.elapsed() > Duration::from_secs(20) {
            break shown;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    if shown.as_deref() != Some(cost.as_str()) {
        save_screenshot(&client, "e2e-failure").await;
        panic!("the dashboard shows {shown:?}, not {cost}");
    }
    assert_eq!(shown.as_deref(), Some("$0.21"));
    assert_eq!(kpi(&client, "Sessions").await.as_deref(), Some("1"));
    assert_eq!(kpi(&client, "Commits").await.as_deref(), Some("1"));
    let bars = eventually("the cost chart", || async {
        let chart = client.find(Locator::Css("[aria-label='Cost over time, stacked by model'] svg")).await.ok()?;
        let paths = chart.find_all(Locator::Css("path")).await.ok()?.len();
        (paths > 3).then_some(paths)
    })
    .await;
    assert!(bars > 3);
    for chart in [
        "Claude Code events over time by name",
        "API request latency p95 over time by model",
        "Cost by reasoning effort",
    ] {
        // A chart is made when it first comes near the view, as a user scrolls to it.
        client
            .execute(&format!("document.querySelector(\"[aria-label='{chart}']\").scrollIntoView();"), vec![])
            .await
            .expect("scroll to the chart");
        let css = format!("[aria-label='{chart}'] svg");
        eventually(chart, || async {
            let paths = client.find(Locator::Css(&css)).await.ok()?.find_all(Locator::Css("path")).await.ok()?.len();
            (paths > 1).then_some(paths)
        })
        .await;
    }

    // A subscriber's status line reports its plan limits (Claude Code 2.1.332's payloads, moved to now, piped into
    // the real `ccmeter statusline`): the dashboard shows the windows without being asked.
    let moved = chrono::Utc::now().timestamp() - statusline_captured_at("b-subscriber");
    for payload in statusline_payloads("b-subscriber") {
        let mut run = std::process::Command::new(ccmeter_bin())
            .args(["statusline", "--db"])
            .arg(&db)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("ccmeter statusline");
        std::io::Write::write_all(&mut run.stdin.take().expect("stdin"), &statusline_moved(&payload, moved))
            .expect("the payload");
        assert!(run.wait().expect("ccmeter statusline ran").success());
    }
    let limits = eventually("the plan limits", || async {
        let panel = text(&client, "[aria-labelledby='limits-title']").await?;
        (panel.contains("5-hour limit") && panel.contains("31 %") && panel.contains("42 %")).then_some(panel)
    })
    .await;
    assert!(limits.contains("resets "), "{limits}");

    client.execute("window.scrollTo(0, 0);", vec![]).await.expect("back to the top");
    // Charts animate in: let them settle before the picture.
    tokio::time::sleep(Duration::from_millis(800)).await;
    save_screenshot(&client, "e2e-dashboard").await;

    // The history window, opened the way the dashboard's code does it, then the session in it.
    let dashboard = client.window().await.expect("the dashboard's handle");
    invoke(&client, "open_window", json!({ "kind": "history" })).await.expect("open history");
    let history = eventually("the history window", || async {
        client.windows().await.ok()?.into_iter().find(|handle| *handle != dashboard)
    })
    .await;
    client.switch_to_window(history).await.expect("switch to history");
    // The history opens on the last 30 days; the capture's day is picked like on the dashboard.
    pick_day(&client, &day).await;
    let row = eventually("the session's row", || async {
        let rows = client.find_all(Locator::Css(".sessions tbody tr[tabindex]")).await.ok()?;
        (rows.len() == 1).then(|| rows.into_iter().next()).flatten()
    })
    .await;
    let session_id = captured.iter().flat_map(|r| r.decode().events).find_map(|e| e.session_id).expect("a session id");
    assert!(row.text().await.unwrap_or_default().contains(&session_id[..8]), "the row names the session");
    // WebKitWebDriver counts a table row as not interactable: the row's own click handler, from the page.
    client
        .execute("document.querySelector('.sessions tbody tr[tabindex]').click();", vec![])
        .await
        .expect("open the session");
    let events: usize = captured.iter().map(|r| r.decode().events.len()).sum();
    let shown = eventually("the timeline", || async {
        let rows = client.find_all(Locator::Css(".timeline tbody tr.timeline__row")).await.ok()?;
        (rows.len() == events).then_some(rows.len())
    })
    .await;
    assert_eq!(shown, events, "every event of the capture is on the timeline");
    let timeline = text(&client, ".timeline tbody").await.unwrap_or_default();
    assert!(timeline.contains("API request") && timeline.contains("Tool result"), "{timeline}");
    tokio::time::sleep(Duration::from_millis(2000)).await;
    save_screenshot(&client, "e2e-session").await;

    // The tool-execution log lists every tool the capture ran.
    client
        .find(Locator::XPath("//button[contains(., 'All sessions')]"))
        .await
        .expect("back")
        .click()
        .await
        .expect("back");
    client.find(Locator::Css("#tab-tools")).await.expect("the Tool runs tab").click().await.expect("open the log");
    let runs = captured
        .iter()
        .flat_map(|r| r.decode().events)
        .filter(|e| matches!(e.detail, ccmeter_proto::EventDetail::ToolResult(_)))
        .count();
    assert!(runs > 0, "the capture ran tools");
    eventually("the tool log", || async {
        let rows = client.find_all(Locator::Css(".log tbody tr")).await.ok()?;
        let first = text(&client, ".log tbody tr").await.unwrap_or_default();
        (rows.len() == runs && !first.contains("Loading")).then_some(())
    })
    .await;
    let page = invoke(
        &client,
        "log",
        json!({ "query": { "kind": "tools", "since": day, "until": null, "tool": null,
        "model": null, "status_code": null, "failed_only": false, "text": null, "limit": 50, "offset": 0 } }),
    )
    .await
    .expect("the tool log");
    assert_eq!(page["total"], json!(runs));
    save_screenshot(&client, "e2e-tool-log").await;

    // Exports, called the way the window calls them after its save dialog: the CSV adds up.
    let csv_path = dir.path().join("sessions.csv");
    let query = json!({ "since": day, "until": null, "model": null, "text": null, "sort": "start",
                        "descending": true, "limit": 0, "offset": 0 });
    let written = invoke(&client, "export_sessions", json!({ "query": query, "path": csv_path, "format": "csv" }))
        .await
        .expect("export the sessions");
    assert_eq!(written, json!(1));
    let csv = std::fs::read_to_string(&csv_path).expect("the CSV");
    let header: Vec<&str> = csv.lines().next().expect("a header").split(',').collect();
    let cost_column = header.iter().position(|h| *h == "cost_usd").expect("a cost column");
    let exported: i64 =
        csv.lines().skip(1).map(|line| usd_nanos(line.split(',').nth(cost_column).expect("a cost"))).sum();
    assert_eq!(exported, expected.cost_nanos, "the CSV's cost sums to the capture's total");

    let timeline_path = dir.path().join("session.csv");
    let written =
        invoke(&client, "export_session", json!({ "id": session_id, "path": timeline_path, "format": "csv" }))
            .await
            .expect("export the session");
    assert_eq!(written, json!(events));
    let missing =
        invoke(&client, "export_session", json!({ "id": "no-such-session", "path": timeline_path, "format": "csv" }))
            .await;
    assert!(
        missing.is_err_and(|e| e.contains("there is no session") && e.contains(r#""kind":"no_such_session""#)),
        "a clear, typed error for a missing session"
    );

    // Settings saved by the Settings window are the ones the CLI reads; a bad one is refused with its reason.
    let mut settings = invoke(&client, "settings", json!({})).await.expect("the settings");
    settings["budgets"]["day"] = json!({ "limit_usd": 12.5, "thresholds": [50, 100] });
    let saved =
        invoke(&client, "save_settings", json!({ "patch": { "budgets": { "day": settings["budgets"]["day"] } } }))
            .await
            .expect("saved");
    assert_eq!(saved, settings, "the whole settings come back, the patch applied");
    let list = std::process::Command::new(ccmeter_bin())
        .args(["budget", "list", "--json", "--db"])
        .arg(&db)
        .output()
        .expect("ccmeter budget list");
    let list: Value = serde_json::from_slice(&list.stdout).expect("budget list JSON");
    assert_eq!(list["budgets"]["day"], json!({ "limit_usd": 12.5, "thresholds": [50, 100] }));
    let refused = invoke(&client, "save_settings", json!({ "patch": { "grpc_addr": "nowhere" } })).await;
    assert!(
        refused
            .is_err_and(|e| e.contains("must be an IP address and port") && e.contains(r#""kind":"invalid_settings""#)),
        "the CLI's validation, typed"
    );

    // Deleting the session takes its cost out of every figure.
    let deleted = invoke(&client, "delete_session", json!({ "id": session_id })).await.expect("deleted");
    assert_eq!(deleted["sessions"], json!(1));
    let report = ccmeter_tests::report(&db, &[]);
    assert_eq!(ccmeter_tests::report_totals(&report).cost_nanos, 0, "nothing left after the deletion");
    client.close().await.expect("end the session");
}

/// Calls an app command through the window's own IPC; `Err` carries the error: Tauri's own as text, the app's `{kind, message}` as JSON.
async fn invoke(client: &Client, command: &str, args: Value) -> Result<Value, String> {
    let answer = client
        .execute_async(
            "const [command, args, done] = arguments;
             window.__TAURI_INTERNALS__.invoke(command, args).then(
               (value) => done({ ok: value === undefined ? null : value }),
               (error) => done({ error: typeof error === 'string' ? error : JSON.stringify(error) }));",
            vec![json!(command), args],
        )
        .await
        .map_err(|error| error.to_string())?;
    match answer.get("error") {
        Some(error) => Err(error.as_str().unwrap_or_default().to_owned()),
        None => Ok(answer["ok"].clone()),
    }
}

/// Sets the custom period of the window's picker to one local day and applies it.
async fn pick_day(client: &Client, day: &str) {
    eventually("the period picker", || async { client.find(Locator::Css("input[aria-label='First day']")).await.ok() })
        .await;
    client
        .execute(
            "for (const [label, value] of [['First day', arguments[0]], ['Last day', arguments[0]]]) {
               const input = document.querySelector(`input[aria-label='${label}']`);
               input.value = value;
               input.dispatchEvent(new Event('input', { bubbles: true }));
             }
             document.querySelector('.picker__custom button[type=submit]').click();",
            vec![json!(day)],
        )
        .await
        .expect("pick the day");
}

/// "0.210920000" → nano-dollars.
fn usd_nanos(text: &str) -> i64 {
    let (whole, fraction) = text.split_once('.').expect("a decimal");
    whole.parse::<i64>().expect("dollars") * 1_000_000_000 + fraction.parse::<i64>().expect("nano-dollars")
}

/// Saves what the window shows to ui/test-results/screenshots/<name>.png, for review.
async fn save_screenshot(client: &Client, name: &str) {
    let shot = client.screenshot().await.expect("screenshot");
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/test-results/screenshots");
    std::fs::create_dir_all(&folder).expect("screenshot folder");
    std::fs::write(folder.join(format!("{name}.png")), shot).expect("save the screenshot");
}

/// The lost update: the Settings window is open, the user changes a budget in it, pauses alerts from the tray
/// meanwhile, then saves. Both changes are kept (the window used to save the whole record it read on opening,
/// and undid the pause).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(
    clippy::await_holding_lock,
    reason = "the desktop lock serialises whole tests across threads; each test has its own runtime"
)]
async fn saving_the_settings_window_keeps_a_pause_made_from_the_tray_meanwhile() {
    let _desktop = ccmeter_tests::desktop::one_at_a_time();
    use ccmeter_tests::tray::{click, menu_labels, tray_connection, wait_for};
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let logs = dir.path().join("logs").display().to_string();
    let (_driver, port) =
        start_driver(&[("CCMETER_LOG", "warn"), ("CCMETER_SKIP_WELCOME", "1"), ("CCMETER_LOG_DIR", &logs)]);
    let args: Vec<String> =
        ["--db", &db.display().to_string(), "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--window", "settings"]
            .map(str::to_owned)
            .to_vec();
    let _quit = ccmeter_tests::QuitOnDrop(db.clone());
    let client = connect(port, &ccmeter_windows_bin(), &args).await;

    // The user edits the weekly budget in the open window…
    let weekly = eventually("the settings form", || async {
        client.find(Locator::Css("input[aria-label='Weekly limit in USD']")).await.ok()
    })
    .await;
    client
        .find(Locator::XPath("//label[contains(., 'Weekly')]/input[@type='checkbox']"))
        .await
        .expect("the Weekly checkbox")
        .click()
        .await
        .expect("tick Weekly");
    weekly.send_keys("40").await.expect("type the weekly limit");

    // …and meanwhile pauses alerts from the tray.
    // The tray app the window program started (not the window program itself).
    let pid = std::process::Command::new("pgrep")
        .args(["-n", "-f", &format!("ccmeter --db {}", db.display())])
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse::<u32>().ok())
        .expect("the app's process");
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(pid));
    wait_for("the menu", Duration::from_secs(5), || menu_labels(&conn).iter().any(|l| l == "For 1 hour").then_some(()));
    click(&conn, "For 1 hour");
    let stored = || -> Value {
        let conn = rusqlite::Connection::open(&db).expect("open the database");
        conn.query_row("SELECT json FROM settings WHERE id = 1", [], |r| r.get::<_, String>(0))
            .ok()
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or(Value::Null)
    };
    wait_for("the pause saved", Duration::from_secs(5), || stored()["alerts_paused_until"].as_str().map(str::to_owned));

    client
        .find(Locator::XPath("//button[@type='submit']"))
        .await
        .expect("the Save button")
        .click()
        .await
        .expect("save");
    eventually("the window to say it saved", || async {
        // Every status line: the window's own (receiving or not) comes first, the save's notice after it.
        let notes = client
            .execute(
                "return Array.from(document.querySelectorAll('[role=status]'), e => e.textContent).join(' | ');",
                vec![],
            )
            .await
            .ok()?;
        notes.as_str().filter(|t| t.contains("Saved.")).map(str::to_owned)
    })
    .await;
    let settings = stored();
    assert_eq!(
        settings["budgets"]["week"],
        json!({ "limit_usd": 40.0, "thresholds": [50, 80, 100] }),
        "the window's change"
    );
    assert!(settings["alerts_paused_until"].as_str().is_some(), "the tray's pause is kept: {settings}");
    client.close().await.expect("end the session");
}
