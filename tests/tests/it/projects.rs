//! Every session's project, as a user meets it: Claude Code's real transcripts in its config folder
//! (`fixtures/transcripts-2.1.332/`) and the real telemetry of the same sessions replayed over their own
//! protocols into the running app, a session whose telemetry names its repository, and one with no evidence at
//! all; then `ccmeter report --by project` reads what the app settled, and a project budget set from the CLI
//! reaches the running app's menu and sends its own notification.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ccmeter_tests::desktop::one_at_a_time;
use ccmeter_tests::tray::{
    NotificationMonitor, grpc_address, http_address, label, launch_with, menu_labels, tray_connection, wait_for,
};
use ccmeter_tests::{expected_totals, fixtures_dir, http_post, report, requests, send_fixture_to};
use serde_json::{Value, json};

const TOOL_FLOW: &str = "claude-code-2.1.332/grpc/success";
const RESUME: &str = "claude-code-2.1.332/http-json/resume";
/// Where Claude Code ran the tool flow, as its transcript says (its folder's name says `…-grpc-success-…`).
const TOOL_FLOW_CWD: &str = "/home/dev1/work/grpc/success/tool-flow/repo";
const RESUME_CWD: &str = "/home/dev1/work/http-json/resume/first/repo";

/// Copies a capture's `projects/` folder into `claude/projects`, its working folder moved under `root`.
fn copy_transcripts(capture: &str, claude: &Path, root: &Path, cwd: &str) {
    let from = fixtures_dir().join("transcripts-2.1.332").join(capture).join("projects");
    let moved = format!("{}{cwd}", root.display());
    for entry in walk(&from) {
        let relative = entry.strip_prefix(&from).expect("under the capture");
        let to = claude.join("projects").join(relative);
        std::fs::create_dir_all(to.parent().expect("a folder")).expect("folder");
        let text = std::fs::read_to_string(&entry).expect("a transcript is UTF-8");
        std::fs::write(&to, text.replace(&format!("\"cwd\":\"{cwd}\""), &format!("\"cwd\":\"{moved}\"")))
            .expect("copied");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

/// One api_request of `session` worth `cost_usd`, with the repository attributes Claude Code adds under
/// `OTEL_METRICS_INCLUDE_REPOSITORY=true` (lower-cased, as it sends them) when `repository` is given.
fn api_request(session: &str, request_id: &str, cost_usd: f64, repository: Option<&str>) -> Vec<u8> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos();
    let string = |key: &str, value: &str| json!({"key": key, "value": {"stringValue": value}});
    let mut attributes = vec![
        string("event.name", "api_request"),
        string("session.id", session),
        json!({"key": "event.sequence", "value": {"intValue": 1}}),
        string("request_id", request_id),
        string("model", "claude-opus-4-8"),
        json!({"key": "cost_usd", "value": {"doubleValue": cost_usd}}),
        json!({"key": "input_tokens", "value": {"intValue": 10}}),
        json!({"key": "output_tokens", "value": {"intValue": 100}}),
    ];
    if let Some(url) = repository {
        let (owner, name) = url.trim_start_matches("https://github.com/").split_once('/').expect("owner/name");
        attributes.extend([
            string("vcs.repository.url.full", url),
            string("vcs.owner.name", owner),
            string("vcs.repository.name", name),
            string("vcs.provider.name", "github"),
        ]);
    }
    json!({"resourceLogs": [{"resource": {"attributes": [string("service.name", "claude-code")]},
        "scopeLogs": [{"scope": {"name": "com.anthropic.claude_code.events"}, "logRecords": [{
            "timeUnixNano": now.to_string(), "observedTimeUnixNano": now.to_string(),
            "body": {"stringValue": "claude_code.api_request"}, "attributes": attributes}]}]}]})
    .to_string()
    .into_bytes()
}

fn row<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["rows"].as_array().expect("rows").iter().find(|r| r["key"] == key).unwrap_or_else(|| {
        panic!("a row for {key:?} in {report:#}");
    })
}

#[test]
fn each_session_gets_one_project_from_its_repository_its_git_root_or_its_transcripts_folder() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let claude = dir.path().join("claude");
    let root = dir.path().join("disk");
    // The tool flow ran in a git repository (its root holds `.git`); the resumed session's folder is gone.
    let tool_flow_repo = PathBuf::from(format!("{}{TOOL_FLOW_CWD}", root.display()));
    std::fs::create_dir_all(tool_flow_repo.join(".git")).expect("a repository");
    copy_transcripts("grpc/success/tool-flow", &claude, &root, TOOL_FLOW_CWD);
    copy_transcripts("http-json/resume/first", &claude, &root, RESUME_CWD);
    // A file Claude Code never writes there: skipped, the others still read.
    std::fs::write(claude.join("projects").join("-broken").with_extension("jsonl"), b"not a folder").expect("stray");
    std::fs::create_dir_all(claude.join("projects/-half")).expect("folder");
    std::fs::write(claude.join("projects/-half/5f0c3a53-0000-4000-8000-000000000000.jsonl"), b"{\"type\":\"us")
        .expect("a truncated transcript");

    let monitor = NotificationMonitor::start();
    let app = launch_with(&db, &[("CLAUDE_CONFIG_DIR", &claude), ("CCMETER_TZ", Path::new("UTC"))]);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    let (grpc, http) = (grpc_address(&conn), http_address(&conn));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    for scenario in [TOOL_FLOW, RESUME] {
        for request in requests(scenario) {
            runtime.block_on(send_fixture_to(grpc, http, &request));
        }
    }
    for (session, id, cost, repository) in [
        ("repo-session", "req_repo_1", 2.0, Some("https://github.com/fixture-org/demo-repo")),
        ("loose-session", "req_loose_1", 1.0, None),
    ] {
        let body = api_request(session, id, cost, repository);
        let answer = http_post(http, "/v1/logs", &[("Content-Type", "application/json")], &body, true);
        assert_eq!(answer.status, 200, "{answer:?}");
    }
    let replayed = expected_totals(TOOL_FLOW).cost_nanos + expected_totals(RESUME).cost_nanos;
    let total = (replayed + 3_000_000_000) as f64 / 1e9;
    wait_for("every session stored", Duration::from_secs(20), || {
        let seen = report(&db, &["--since", "2026-01-01"]);
        ((seen["total"]["cost_usd"].as_f64().unwrap_or(0.0) - total).abs() < 1e-9).then_some(())
    });
    assert!(label(&conn).is_some(), "the tray is up");

    let by_project = report(&db, &["--by", "project", "--since", "2026-01-01"]);
    println!("{by_project:#}");
    let usd = |nanos: i64| nanos as f64 / 1e9;
    let tool_flow = row(&by_project, &tool_flow_repo.to_string_lossy());
    assert_eq!(tool_flow["cost_usd"], usd(expected_totals(TOOL_FLOW).cost_nanos), "the git root of its cwd");
    assert_eq!(tool_flow["sessions"], 1);
    // The resumed session's folder is gone from disk: its project is the folder its transcript names.
    let resumed = row(&by_project, &format!("{}{RESUME_CWD}", root.display()));
    assert_eq!(resumed["cost_usd"], usd(expected_totals(RESUME).cost_nanos));
    let repository = row(&by_project, "fixture-org/demo-repo");
    assert_eq!((repository["cost_usd"].as_f64(), repository["sessions"].as_i64()), (Some(2.0), Some(1)));
    // The loose session and the resume's second process (it appended to the first one's transcript) have none.
    let none = row(&by_project, "(no project)");
    assert_eq!((none["cost_usd"].as_f64(), none["sessions"].as_i64()), (Some(1.0), Some(2)));
    let rows = by_project["rows"].as_array().expect("rows");
    assert_eq!(rows.last().expect("a row")["key"], "(no project)", "sessions without a project come last");
    assert_eq!(rows.len(), 4, "one row per project: {by_project:#}");

    // What the table says.
    let output = std::process::Command::new(ccmeter_tests::ccmeter_bin())
        .args(["report", "--by", "project", "--since", "2026-01-01", "--db"])
        .arg(&db)
        .output()
        .expect("ccmeter report");
    let table = String::from_utf8_lossy(&output.stdout);
    println!("{table}");
    assert!(table.contains("PROJECT") && table.contains("fixture-org/demo-repo"), "{table}");

    // A budget of one project, set from a terminal while the app runs: the app takes it at once.
    let set = std::process::Command::new(ccmeter_tests::ccmeter_bin())
        .args(["budget", "set", "--project", "fixture-org/demo-repo", "--period", "day", "--usd", "3"])
        .args(["--thresholds", "80", "--db"])
        .arg(&db)
        .env("CCMETER_TZ", "UTC")
        .output()
        .expect("ccmeter budget set");
    let said = String::from_utf8_lossy(&set.stdout);
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert_eq!(
        said,
        "Daily budget of fixture-org/demo-repo set to $3.00; alerts at 80 % of it. The running app has it.\n"
    );
    let line = |spent: &str, used: &str| format!("fixture-org/demo-repo today {spent} · {used} % of $3.00");
    wait_for("the project budget in the menu", Duration::from_secs(10), || {
        menu_labels(&conn).contains(&line("$2.00", "67")).then_some(())
    });
    assert!(monitor.budget_alerts().is_empty(), "67 % is under the budget's one threshold");
    let more = api_request("repo-session", "req_repo_2", 0.5, Some("https://github.com/fixture-org/demo-repo"));
    assert_eq!(http_post(http, "/v1/logs", &[("Content-Type", "application/json")], &more, true).status, 200);
    wait_for("the project's alert", Duration::from_secs(10), || (!monitor.budget_alerts().is_empty()).then_some(()));
    assert_eq!(
        monitor.budget_alerts(),
        [(
            "fixture-org/demo-repo: daily budget 80 % used".to_owned(),
            "$2.50 of $3.00 spent today on fixture-org/demo-repo".to_owned()
        )]
    );
    wait_for("the menu's new figure", Duration::from_secs(10), || {
        menu_labels(&conn).contains(&line("$2.50", "83")).then_some(())
    });
}

#[test]
fn a_transcript_written_while_the_app_runs_gives_its_session_a_project_within_seconds() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let claude = dir.path().join("claude");
    std::fs::create_dir_all(claude.join("projects")).expect("Claude Code's projects folder");
    let app = launch_with(&db, &[("CLAUDE_CONFIG_DIR", &claude), ("CCMETER_TZ", Path::new("UTC"))]);
    let conn = wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    let (grpc, http) = (grpc_address(&conn), http_address(&conn));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    for request in requests(TOOL_FLOW) {
        runtime.block_on(send_fixture_to(grpc, http, &request));
    }
    let none = wait_for("the session stored, with no project yet", Duration::from_secs(20), || {
        let seen = report(&db, &["--by", "project", "--since", "2026-01-01"]);
        seen["rows"].as_array().filter(|rows| rows.len() == 1).map(|rows| rows[0]["key"].clone())
    });
    assert_eq!(none, "(no project)");

    // Claude Code writes the session's transcript (here all at once) while the app runs.
    let root = dir.path().join("disk");
    let written = std::time::Instant::now();
    copy_transcripts("grpc/success/tool-flow", &claude, &root, TOOL_FLOW_CWD);
    let folder = format!("{}{TOOL_FLOW_CWD}", root.display());
    wait_for("the transcript's folder as the session's project", Duration::from_secs(15), || {
        let seen = report(&db, &["--by", "project", "--since", "2026-01-01"]);
        seen["rows"].as_array().and_then(|rows| rows.iter().find(|r| r["key"] == folder.as_str())).map(|_| ())
    });
    println!("project known {:.1} s after the transcript was written", written.elapsed().as_secs_f64());
    assert!(written.elapsed() < Duration::from_secs(15));
}
