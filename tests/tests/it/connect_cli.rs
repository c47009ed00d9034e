//! `ccmeter connect` on a temp Claude Code config dir: shows the changes, writes only when told to (or
//! asked and answered), keeps the user's other settings, backs up first, and a second run changes nothing;
//! the status line it sets runs as Claude Code runs it, with the user's own chained; `--undo` puts it all back.

use std::process::{Command, Output, Stdio};

use ccmeter_tests::ccmeter_bin;
use serde_json::Value;

fn connect(config: &std::path::Path, args: &[&str]) -> Output {
    Command::new(ccmeter_bin())
        .arg("connect")
        .args(args)
        .arg("--db")
        .arg(config.join("no-such.db"))
        .env("CLAUDE_CONFIG_DIR", config)
        .stdin(Stdio::null())
        .output()
        .expect("ccmeter connect")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn connect_shows_then_writes_only_when_told_and_keeps_the_users_settings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = dir.path().join("settings.json");
    std::fs::write(
        &settings,
        "{\n  \"model\": \"opus\",\n  \"env\": {\"OTEL_EXPORTER_OTLP_PROTOCOL\": \"http/json\"}\n}\n",
    )
    .expect("settings.json");
    let original = std::fs::read_to_string(&settings).expect("read");

    let dry = connect(dir.path(), &["--dry-run", "--grpc", "127.0.0.1:14317"]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    let text = stdout(&dry);
    assert!(text.contains("env.OTEL_EXPORTER_OTLP_PROTOCOL") && text.contains("\"http/json\" -> \"grpc\""), "{text}");
    assert!(text.contains("\"http://127.0.0.1:14317\"") && text.contains("Nothing was written (--dry-run)"), "{text}");
    assert_eq!(std::fs::read_to_string(&settings).expect("read"), original);

    // No terminal to ask in, no --yes: it says how, and writes nothing.
    let unasked = connect(dir.path(), &[]);
    assert!(unasked.status.success());
    assert!(stdout(&unasked).contains("run `ccmeter connect --yes`"), "{}", stdout(&unasked));
    assert_eq!(std::fs::read_to_string(&settings).expect("read"), original);

    let written = connect(dir.path(), &["--yes", "--grpc", "127.0.0.1:14317"]);
    assert!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
    assert!(stdout(&written).contains("Wrote 7 settings"), "{}", stdout(&written));
    let merged: Value = serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("JSON");
    assert_eq!(merged["model"], "opus");
    assert_eq!(merged["env"]["OTEL_EXPORTER_OTLP_ENDPOINT"], "http://127.0.0.1:14317");
    assert_eq!(merged["env"]["OTEL_METRICS_INCLUDE_REPOSITORY"], "true");
    let command = merged["statusLine"]["command"].as_str().expect("a status line command");
    let binary = std::fs::canonicalize(ccmeter_bin()).expect("the binary");
    let db = std::path::absolute(dir.path().join("no-such.db")).expect("absolute");
    assert_eq!(
        command,
        format!("{} statusline --db {}", binary.display(), db.display()),
        "absolute paths: no PATH needed"
    );
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("settings.json.ccmeter-backup-"))
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(std::fs::read_to_string(backups[0].path()).expect("backup"), original);

    let again = connect(dir.path(), &["--yes", "--grpc", "127.0.0.1:14317"]);
    assert!(stdout(&again).contains("already set up"), "{}", stdout(&again));
    assert!(!dir.path().join("no-such.db").exists(), "connect does not create a database");
}

#[test]
fn a_broken_settings_file_is_refused_with_exit_code_1_and_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = dir.path().join("settings.json");
    std::fs::write(&settings, "{ \"model\": ").expect("settings.json");
    let output = connect(dir.path(), &["--yes"]);
    assert_eq!(output.status.code(), Some(1));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("is not a Claude Code settings file") && error.contains("nothing was changed"), "{error}");
    assert_eq!(std::fs::read_to_string(&settings).expect("read"), "{ \"model\": ");
}

#[test]
fn the_status_line_runs_as_claude_code_runs_it_with_the_users_own_and_undo_puts_theirs_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = dir.path().join("settings.json");
    let script = dir.path().join("my status.sh");
    // A user's own status line: reads the payload too (its model) and prints one line.
    std::fs::write(
        &script,
        "#!/bin/sh\nmodel=$(sed -n 's/.*\"display_name\":\"\\([^\"]*\\)\".*/\\1/p')\necho \"[$model] ~/repo\"\n",
    )
    .expect("script");
    let original = format!(
        "{{\n  \"statusLine\": {{\"type\": \"command\", \"command\": {}}},\n  \"model\": \"opus\"\n}}\n",
        serde_json::to_string(&format!("sh '{}'", script.display())).expect("JSON")
    );
    std::fs::write(&settings, &original).expect("settings.json");
    let written = connect(dir.path(), &["--yes"]);
    assert!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
    let merged: Value = serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("JSON");
    let command = merged["statusLine"]["command"].as_str().expect("command").to_owned();
    assert!(command.contains(" statusline --db ") && command.contains(" --then "), "{command}");

    // Run through a shell with a real payload on stdin, as Claude Code does.
    let case = "b-subscriber";
    let moved = chrono::Utc::now().timestamp() - ccmeter_tests::statusline_captured_at(case);
    let payload =
        ccmeter_tests::statusline_moved(ccmeter_tests::statusline_payloads(case).last().expect("payload"), moved);
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&command)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the status line command");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &payload).expect("payload");
    let output = child.wait_with_output().expect("ran");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout(&output), "[Opus 5.5] ~/repo │ $0.20 · 5h 31 % · 7d 42 %\n");

    let dry = connect(dir.path(), &["--undo", "--dry-run"]);
    assert!(stdout(&dry).contains("statusLine") && stdout(&dry).contains("(removed)"), "{}", stdout(&dry));
    let undone = connect(dir.path(), &["--undo", "--yes"]);
    assert!(undone.status.success(), "{}", String::from_utf8_lossy(&undone.stderr));
    let back: Value = serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("JSON");
    assert_eq!(back, serde_json::from_str::<Value>(&original).expect("JSON"), "{}", stdout(&undone));
    let again = connect(dir.path(), &["--undo", "--yes"]);
    assert!(stdout(&again).contains("nothing to undo"), "{}", stdout(&again));
}
