//! `ccmeter connect` on a temp Claude Code config dir: shows the changes, writes only when told to (or
//! asked and answered), keeps the user's other settings, backs up first, and a second run changes nothing.

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
    assert!(stdout(&written).contains("Wrote 5 settings"), "{}", stdout(&written));
    let merged: Value = serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("JSON");
    assert_eq!(merged["model"], "opus");
    assert_eq!(merged["env"]["OTEL_EXPORTER_OTLP_ENDPOINT"], "http://127.0.0.1:14317");
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
