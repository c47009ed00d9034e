//! `ccmeter import-transcripts` as a user runs it: Claude Code's real transcripts in its config folder, imported
//! into a fresh database, then again, then with the same sessions' real telemetry arriving after, over a real
//! OTLP socket into `ccmeter serve`; and the folders a user's disk really holds (broken files among them).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use ccmeter_tests::desktop::one_at_a_time;
use ccmeter_tests::tray::{launch_with, tray_connection, wait_for};
use ccmeter_tests::{Server, ccmeter_bin, expected_totals, fixtures_dir, report, requests, send_fixture_to};
use serde_json::Value;

const CAPTURES: [&str; 4] = ["grpc/success", "http-json/resume", "http-protobuf/subagent", "http-protobuf/traces-beta"];

/// Every capture's transcripts in one `projects` folder under `claude`, as Claude Code's config folder holds them.
fn claude_folder(claude: &Path) -> PathBuf {
    let projects = claude.join("projects");
    for capture in CAPTURES {
        let root = fixtures_dir().join("transcripts-2.1.332").join(capture);
        for run in std::fs::read_dir(&root).expect("runs").flatten() {
            copy_tree(&run.path().join("projects"), &projects);
        }
    }
    projects
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("readable").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copied");
        }
    }
}

fn import(db: &Path, claude: &Path, args: &[&str]) -> Output {
    let output = Command::new(ccmeter_bin())
        .args(["import-transcripts", "--db"])
        .arg(db)
        .args(args)
        .env("CLAUDE_CONFIG_DIR", claude)
        .env("CCMETER_TZ", "UTC")
        .env("CCMETER_LOG", "warn")
        .output()
        .expect("ccmeter import-transcripts");
    println!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    output
}

fn said(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn telemetry_cost_usd() -> f64 {
    CAPTURES.iter().map(|c| expected_totals(&format!("claude-code-2.1.332/{c}")).cost_nanos).sum::<i64>() as f64 / 1e9
}

#[test]
fn the_transcripts_give_the_history_from_before_telemetry_once_and_telemetry_then_takes_its_place() {
    let dir = tempfile::tempdir().expect("dir");
    let (db, claude) = (dir.path().join("ccmeter.db"), dir.path().join("claude"));
    claude_folder(&claude);
    let first = said(&import(&db, &claude, &[]));
    assert!(first.starts_with("Read 8 transcript files (4 sessions, 40 API responses).\n"), "{first}");
    assert!(first.contains("Added 40 requests, estimated at $0.60."), "{first}");
    assert!(
        first.contains("0 from rates learned from your telemetry, 40 from the bundled table (genai-prices"),
        "{first}"
    );

    let seen = report(&db, &[]);
    let total = &seen["total"];
    let cost = total["cost_usd"].as_f64().expect("cost");
    assert!((cost - telemetry_cost_usd()).abs() < 1e-9, "{cost} against Claude Code's {}", telemetry_cost_usd());
    assert_eq!(total["estimated_cost_usd"], total["cost_usd"], "all of it estimated");
    assert_eq!((total["api_requests"].as_i64(), total["sessions"].as_i64()), (Some(40), Some(4)));
    let table = String::from_utf8_lossy(
        &Command::new(ccmeter_bin()).args(["report", "--db"]).arg(&db).output().expect("report").stdout,
    )
    .into_owned();
    assert!(table.contains("$0.60  (estimated: read from Claude Code's transcripts)"), "{table}");

    let again = said(&import(&db, &claude, &[]));
    assert_eq!(again, "Nothing new: 8 transcript files, unchanged since the last import.\n");

    // Telemetry for one session arrives later: Claude Code's own cost takes the estimate's place.
    let server = Server::start_on(&db, "127.0.0.1:0", "127.0.0.1:0").expect("ccmeter serve");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    for request in requests("claude-code-2.1.332/grpc/success") {
        runtime.block_on(send_fixture_to(server.grpc, server.http, &request));
    }
    let tool_flow = expected_totals("claude-code-2.1.332/grpc/success").cost_nanos as f64 / 1e9;
    let after = wait_for("the session's own cost", Duration::from_secs(20), || {
        let seen = server.report(&[]);
        let estimated = seen["total"]["estimated_cost_usd"].as_f64()?;
        ((estimated - (telemetry_cost_usd() - tool_flow)).abs() < 1e-9).then_some(seen)
    });
    assert_eq!(after["total"]["api_requests"], 40, "each request once");
    assert!((after["total"]["cost_usd"].as_f64().expect("cost") - telemetry_cost_usd()).abs() < 1e-9);
    assert!(server.stop().success());
}

#[test]
fn bad_folders_and_files_are_refused_or_counted_and_the_rest_is_imported() {
    let dir = tempfile::tempdir().expect("dir");
    let (db, claude) = (dir.path().join("ccmeter.db"), dir.path().join("claude"));
    let missing = import(&db, &claude, &[]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no transcripts folder at"), "{missing:?}");
    assert!(!db.exists(), "a refused import creates no database");
    let bad_day = import(&db, &claude, &["--dir", ".", "--since", "yesterday"]);
    assert_eq!(bad_day.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_day.stderr).contains("use YYYY-MM-DD"));

    let projects = claude_folder(&claude);
    let folder = projects.join("-home-dev1-broken");
    std::fs::create_dir_all(&folder).expect("folder");
    let mut hostile = Vec::new();
    hostile.extend_from_slice(
        b"not json\n{\"type\":\"assistant\",\"sessionId\":\"\xff\"}\n{\"type\":\"file-history-snapshot\",\"s\":\"",
    );
    hostile.extend(std::iter::repeat_n(b'x', 9 * 1024 * 1024));
    hostile.extend_from_slice(b"\"}\n{\"type\":\"assistant\",\"message\":{\"id\":\"msg_cut\",\"usa");
    std::fs::write(folder.join("5f0c3a53-0000-4000-8000-00000000dead.jsonl"), hostile).expect("written");
    // A second folder named on the command line, comma-separated.
    let other = dir.path().join("elsewhere");
    copy_tree(&fixtures_dir().join("transcripts-2.1.332/grpc/success/tool-flow/projects"), &other);
    let list = format!("{},{}", projects.display(), other.display());
    let out = said(&import(&db, &claude, &["--dir", &list, "--since", "2026-01-01"]));
    assert!(out.contains("Added 40 requests"), "the copy in the second folder is the same sessions: {out}");
    assert!(
        out.contains("Passed over: 0 files that could not be opened, 1 line too long to hold usage, 2 unreadable, 1 still being written."),
        "{out}"
    );
    let future = said(&import(&dir.path().join("other.db"), &claude, &["--since", "2099-01-01"]));
    assert!(future.contains("40 responses before --since left out.") && future.contains("Nothing new."), "{future}");
    let _ = Value::Null;
}

#[test]
fn once_imported_a_session_whose_telemetry_is_off_shows_up_in_the_running_app_from_its_transcript() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("dir");
    let (db, claude) = (dir.path().join("ccmeter.db"), dir.path().join("claude"));
    std::fs::create_dir_all(claude.join("projects")).expect("Claude Code's projects folder");
    let first = said(&import(&db, &claude, &[]));
    assert!(first.contains("From now on ccmeter imports what Claude Code adds to its transcripts"), "{first}");

    let app = launch_with(&db, &[("CLAUDE_CONFIG_DIR", &claude), ("CCMETER_TZ", Path::new("UTC"))]);
    wait_for("the tray item on D-Bus", Duration::from_secs(20), || tray_connection(app.0.id()));
    // Claude Code, its telemetry off, writes a session's transcripts while the app runs.
    let written = std::time::Instant::now();
    copy_tree(&fixtures_dir().join("transcripts-2.1.332/grpc/success/tool-flow/projects"), &claude.join("projects"));
    let expected = expected_totals("claude-code-2.1.332/grpc/success");
    let seen = wait_for("the session's requests from its transcript", Duration::from_secs(20), || {
        let seen = report(&db, &[]);
        (seen["total"]["api_requests"] == expected.event_counts["api_request"]).then_some(seen)
    });
    println!("imported {:.1} s after the transcript was written", written.elapsed().as_secs_f64());
    let total = &seen["total"];
    assert_eq!(total["tokens"]["output"], expected.output, "Claude Code's own tokens");
    assert_eq!(total["estimated_cost_usd"], total["cost_usd"]);
    assert!((total["cost_usd"].as_f64().expect("cost") - expected.cost_nanos as f64 / 1e9).abs() < 1e-9);
}

#[test]
fn a_synthetic_folder_of_copied_sessions_long_files_and_huge_snapshot_lines_gives_exactly_its_tokens() {
    use ccmeter_tests::corpus::{Shape, build};
    let dir = tempfile::tempdir().expect("dir");
    let (db, claude) = (dir.path().join("ccmeter.db"), dir.path().join("claude"));
    // The transcripts bench's corpus, small: four copies, one long, two opening with a 9 MiB snapshot line.
    let shape = Shape {
        target_bytes: 20 * 1024 * 1024,
        long_every: 3,
        long_repeats: 3,
        snapshot_every: 3,
        snapshot_bytes: 9 * 1024 * 1024,
        folders: 3,
    };
    let corpus = build(&claude, &shape);
    println!("{corpus:?}");
    assert_eq!((corpus.copies, corpus.sessions), (4, 16));
    let first = said(&import(&db, &claude, &["--dir", &claude.join("projects").to_string_lossy()]));
    assert!(first.contains(&format!("Read {} transcript files (16 sessions,", corpus.files)), "{first}");
    assert!(first.contains("2 lines too long to hold usage"), "{first}");
    let seen = report(&db, &[]);
    let total = &seen["total"];
    assert_eq!(total["api_requests"], corpus.requests);
    let tokens = &total["tokens"];
    assert_eq!(
        (tokens["input"].as_i64(), tokens["output"].as_i64(), tokens["cacheRead"].as_i64()),
        (Some(corpus.input), Some(corpus.output), Some(corpus.cache_read))
    );
    assert_eq!(tokens["cacheCreation"], corpus.cache_creation);
    let again = said(&import(&db, &claude, &["--dir", &claude.join("projects").to_string_lossy()]));
    assert_eq!(again, format!("Nothing new: {} transcript files, unchanged since the last import.\n", corpus.files));
}

fn prices(db: &Path, args: &[&str]) -> Output {
    let output = Command::new(ccmeter_bin())
        .arg("prices")
        .args(args)
        .arg("--db")
        .arg(db)
        .env("CCMETER_TZ", "UTC")
        .env("CCMETER_LOG", "warn")
        .output()
        .expect("ccmeter prices");
    println!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    output
}

#[test]
fn a_model_without_a_price_is_listed_first_and_the_price_the_user_sets_costs_its_requests_at_once() {
    let dir = tempfile::tempdir().expect("dir");
    let (db, claude) = (dir.path().join("ccmeter.db"), dir.path().join("claude"));
    let projects = claude_folder(&claude);
    // A model released after the bundled table, in a session of its own.
    let folder = projects.join("-home-dev1-next");
    std::fs::create_dir_all(&folder).expect("folder");
    let line = |n: u32, output: u32| {
        format!(
            r#"{{"type":"assistant","sessionId":"5e55a000-0000-4000-8000-0000000000f9","cwd":"/home/dev1/next","version":"2.1.332","timestamp":"2026-11-30T10:0{n}:00Z","requestId":"req_next{n}","message":{{"id":"msg_next{n}","model":"claude-future-9","stop_reason":"end_turn","usage":{{"input_tokens":10,"output_tokens":{output},"cache_read_input_tokens":1000,"cache_creation_input_tokens":100}}}}}}"#
        ) + "\n"
    };
    std::fs::write(folder.join("5e55a000-0000-4000-8000-0000000000f9.jsonl"), line(1, 40) + &line(2, 960))
        .expect("written");
    let out = said(&import(&db, &claude, &[]));
    assert!(out.contains("2 requests of a model with no known price"), "{out}");

    let listed = said(&prices(&db, &[]));
    let first = listed.lines().nth(1).expect("a model");
    assert!(first.starts_with("claude-future-9") && first.contains("no price"), "{listed}");
    assert!(listed.contains("bundled table"), "{listed}");
    let before = report(&db, &[])["total"]["cost_usd"].as_f64().expect("cost");
    assert!((before - telemetry_cost_usd()).abs() < 1e-9, "no price is no cost: {before}");

    // Refused, with the reason, and nothing changed.
    for (bad, reason) in [
        (vec!["set", "claude-future-9", "--input", "-1", "--output", "20"], "US dollars per million tokens"),
        (vec!["set", "claude-future-9", "--input", "four", "--output", "20"], "(got \"four\")"),
        (vec!["set", "claude-future-9", "--input", "0.0000001", "--output", "20"], "at most six decimals"),
        (vec!["set", "claude-future-9", "--input", "20000", "--output", "20"], "from 0 to 10000"),
        (vec!["set", " ", "--input", "4", "--output", "20"], "needs the model's name"),
    ] {
        let refused = prices(&db, &bad);
        assert_eq!(refused.status.code(), Some(1), "{bad:?}");
        assert!(String::from_utf8_lossy(&refused.stderr).contains(reason), "{bad:?}: {refused:?}");
    }
    assert_eq!(report(&db, &[])["total"]["cost_usd"].as_f64(), Some(before));

    let set = said(&prices(&db, &["set", "Claude-Future-9", "--input", "4", "--output", "$20", "--cache-read", "0.4"]));
    assert!(set.contains("Claude-Future-9 priced at your rates"), "{set}");
    // 20 in at $4, 1,000 out at $20, 2,000 cache reads at $0.40, 200 written at 1.25 × $4 per million tokens.
    let expected = (20.0 * 4.0 + 1_000.0 * 20.0 + 2_000.0 * 0.4 + 200.0 * 5.0) / 1e6;
    let after = report(&db, &[]);
    let cost = after["total"]["cost_usd"].as_f64().expect("cost");
    assert!((cost - before - expected).abs() < 1e-9, "{cost} - {before} should be {expected}");
    let json: Value = serde_json::from_str(&said(&prices(&db, &["--json"]))).expect("json");
    let future = json.as_array().expect("list").iter().find(|m| m["model"] == "claude-future-9").expect("listed");
    assert_eq!((&future["source"], &future["estimated_requests"]), (&Value::from("override"), &Value::from(2)));
    assert_eq!(future["per_million"]["cache_write_5m"], 5.0);

    let cleared = said(&prices(&db, &["clear", "claude-future-9"]));
    assert!(cleared.contains("is removed"), "{cleared}");
    assert_eq!(report(&db, &[])["total"]["cost_usd"].as_f64(), Some(before));
    assert!(said(&prices(&db, &["clear", "claude-future-9"])).contains("nothing changed"));
}
