//! "Connect Claude Code" on a temp home: the telemetry entries and the status line are merged into
//! settings.json, everything else is kept as written, a backup comes first, a second run changes nothing, a
//! status line of the user's own is chained, a broken file is refused untouched, and undo puts back exactly
//! what was there before.

use ccmeter_core::connect::{self, EnvChange, Wanted};
use chrono::{TimeZone, Utc};

const ENDPOINT: &str = "http://127.0.0.1:4317";
const OURS: &str = "/usr/bin/ccmeter statusline";

fn wanted() -> Wanted {
    Wanted { grpc_endpoint: ENDPOINT.into(), statusline: OURS.into() }
}

/// The entries ccmeter writes: six `env` ones and the status line.
const ENTRIES: usize = 7;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 15, 4, 5).single().expect("instant")
}

#[test]
fn a_missing_file_is_created_with_the_entries_and_no_backup() {
    let home = tempfile::tempdir().expect("temp home");
    let path = home.path().join(".claude/settings.json");
    let plan = connect::plan(&path, &wanted()).expect("plan");
    assert!(!plan.exists);
    assert_eq!(plan.changes.len(), ENTRIES);
    assert!(plan.changes.iter().all(|c| c.before.is_none()));
    let done = connect::apply(&path, &wanted(), now()).expect("connected");
    assert_eq!((done.changed, done.backup), (ENTRIES, None));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("file")).expect("JSON");
    assert_eq!(written["env"]["OTEL_EXPORTER_OTLP_ENDPOINT"], ENDPOINT);
    assert_eq!(written["env"]["CLAUDE_CODE_ENABLE_TELEMETRY"], "1");
    assert_eq!(written["env"]["OTEL_METRICS_INCLUDE_REPOSITORY"], "true");
    assert_eq!(written["statusLine"], serde_json::json!({"type": "command", "command": OURS}));
}

const USERS_FILE: &str = r#"{
  "model": "opus",
  "permissions": {
    "allow": ["Bash(npm run test:*)", "Read(~/.zshrc)"],
    "deny": []
  },
  "env": {
    "ANTHROPIC_LOG": "debug",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"
  },
  "hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "prettier --write \"$FILE\" — ok"}]}]},
  "cleanupPeriodDays": 30
}
"#;

#[test]
fn other_keys_keep_their_place_and_text_a_backup_is_written_and_a_second_run_changes_nothing() {
    let home = tempfile::tempdir().expect("temp home");
    let path = home.path().join("settings.json");
    std::fs::write(&path, USERS_FILE).expect("the user's file");

    let plan = connect::plan(&path, &wanted()).expect("plan");
    assert!(plan.exists);
    let endpoint =
        plan.changes.iter().find(|c| c.key == "env.OTEL_EXPORTER_OTLP_ENDPOINT").expect("the endpoint changes");
    assert_eq!(
        endpoint,
        &EnvChange {
            key: "env.OTEL_EXPORTER_OTLP_ENDPOINT".into(),
            before: Some("\"http://localhost:4317\"".into()),
            after: Some("\"http://127.0.0.1:4317\"".into()),
        }
    );
    assert_eq!(std::fs::read_to_string(&path).expect("file"), USERS_FILE, "planning writes nothing");

    let done = connect::apply(&path, &wanted(), now()).expect("connected");
    assert_eq!(done.changed, ENTRIES);
    let backup = done.backup.expect("a backup");
    assert!(backup.ends_with("settings.json.ccmeter-backup-20261124-150405"), "{backup}");
    assert_eq!(std::fs::read_to_string(&backup).expect("backup"), USERS_FILE, "the backup is the original");

    let merged = std::fs::read_to_string(&path).expect("file");
    // Every other value, byte for byte, in its place.
    for kept in [
        r#"  "model": "opus","#,
        "  \"permissions\": {\n    \"allow\": [\"Bash(npm run test:*)\", \"Read(~/.zshrc)\"],\n    \"deny\": []\n  },",
        r#"  "hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "prettier --write \"$FILE\" — ok"}]}]},"#,
        r#"  "cleanupPeriodDays": 30"#,
        r#"    "ANTHROPIC_LOG": "debug","#,
    ] {
        assert!(merged.contains(kept), "{kept:?} kept in\n{merged}");
    }
    let keys: Vec<String> = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&merged)
        .expect("JSON")
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys.len(), 6, "the five keys and the status line");
    assert!(
        merged.find("\"model\"") < merged.find("\"permissions\"") && merged.find("\"env\"") < merged.find("\"hooks\"")
    );
    let json: serde_json::Value = serde_json::from_str(&merged).expect("JSON");
    assert_eq!(json["env"]["OTEL_EXPORTER_OTLP_ENDPOINT"], ENDPOINT);
    assert_eq!(json["env"]["OTEL_LOGS_EXPORTER"], "otlp");

    // Idempotent: nothing to do, nothing written, no second backup.
    assert!(connect::plan(&path, &wanted()).expect("plan").changes.is_empty());
    let again = connect::apply(&path, &wanted(), now()).expect("again");
    assert_eq!((again.changed, again.backup), (0, None));
    assert_eq!(std::fs::read_to_string(&path).expect("file"), merged);
    assert_eq!(std::fs::read_dir(home.path()).expect("list").count(), 3, "the file, one backup, the record for undo");
}

#[test]
fn a_file_that_is_not_a_settings_object_is_refused_and_left_alone() {
    let home = tempfile::tempdir().expect("temp home");
    let path = home.path().join("settings.json");
    for broken in ["{ \"model\": ", "[1, 2]", "{\"env\": [\"A=1\"]}", "{\"env\": \"x\"}"] {
        std::fs::write(&path, broken).expect("write");
        let error = connect::apply(&path, &wanted(), now()).expect_err(broken).to_string();
        assert!(
            error.contains("not a Claude Code settings file") && error.contains("nothing was changed"),
            "{broken}: {error}"
        );
        assert_eq!(std::fs::read_to_string(&path).expect("file"), broken);
        assert_eq!(std::fs::read_dir(home.path()).expect("list").count(), 1, "no backup for a refused file");
    }
    std::fs::write(&path, "  \n").expect("write");
    assert_eq!(connect::apply(&path, &wanted(), now()).expect("an empty file is a new one").changed, ENTRIES);
}

#[test]
fn a_status_line_of_the_users_own_runs_after_ccmeters_and_a_moved_ccmeter_is_brought_up_to_date() {
    let home = tempfile::tempdir().expect("temp home");
    let path = home.path().join("settings.json");
    std::fs::write(
        &path,
        r#"{"statusLine": {"type": "command", "command": "bash ~/.claude/my line.sh", "padding": 0}}"#,
    )
    .expect("the user's file");
    connect::apply(&path, &wanted(), now()).expect("connected");
    let line = |path: &std::path::Path| -> serde_json::Value {
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(path).expect("file")).expect("JSON")["statusLine"]
            .clone()
    };
    assert_eq!(
        line(&path),
        serde_json::json!({"type": "command", "command": "/usr/bin/ccmeter statusline --then 'bash ~/.claude/my line.sh'", "padding": 0}),
        "theirs chained, quoted for the shell; their other fields kept"
    );
    assert!(connect::plan(&path, &wanted()).expect("plan").changes.is_empty(), "connected twice is connected");
    // Installed elsewhere now (a .deb after a build from source): the command follows, theirs still chained.
    let moved = Wanted { grpc_endpoint: ENDPOINT.into(), statusline: "/opt/cc meter/ccmeter statusline".into() };
    connect::apply(&path, &moved, now()).expect("reconnected");
    assert_eq!(line(&path)["command"], "/opt/cc meter/ccmeter statusline --then 'bash ~/.claude/my line.sh'");
    assert_eq!(connect::shell_quoted("it's"), "'it'\\''s'");
    assert_eq!(
        connect::statusline_command(std::path::Path::new("/usr/bin/ccmeter"), Some(std::path::Path::new("/tmp/my db"))),
        "/usr/bin/ccmeter statusline --db '/tmp/my db'"
    );
}

#[test]
fn undo_puts_back_exactly_what_was_there_before_ccmeter() {
    let home = tempfile::tempdir().expect("temp home");
    let path = home.path().join("settings.json");
    assert!(connect::undo_plan(&path).expect("nothing connected").is_none());
    std::fs::write(&path, USERS_FILE).expect("the user's file");
    let statusline_before =
        r#"{"statusLine": {"type": "command", "command": "~/.claude/statusline.sh"}, "model": "opus"}"#;
    for (original, what) in [(USERS_FILE, "env and no status line"), (statusline_before, "a status line and no env")] {
        std::fs::write(&path, original).expect("the user's file");
        connect::apply(&path, &wanted(), now()).expect("connected");
        // Connected twice (another endpoint): undo still goes back to before the first.
        let elsewhere = Wanted { grpc_endpoint: "http://127.0.0.1:14317".into(), statusline: OURS.into() };
        connect::apply(&path, &elsewhere, now()).expect("connected again");
        let plan = connect::undo_plan(&path).expect("plan").expect("connected");
        assert!(!plan.changes.is_empty(), "{what}");
        assert!(connect::undo_plan(&path).is_ok(), "planning writes nothing");
        let done = connect::undo(&path, now()).expect("undone").expect("connected");
        assert!(done.backup.is_some(), "{what}: a backup before undoing");
        let back: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("file")).expect("JSON");
        let was: serde_json::Value = serde_json::from_str(original).expect("JSON");
        assert_eq!(back, was, "{what}: the same settings as before ccmeter");
        assert!(connect::undo_plan(&path).expect("plan").is_none(), "{what}: nothing left to undo");
    }
}
