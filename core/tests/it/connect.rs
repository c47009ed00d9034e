//! "Connect Claude Code" on a temp home: the telemetry entries are merged into settings.json, everything
//! else is kept as written, a backup comes first, a second run changes nothing, and a broken file is
//! refused untouched.

use ccmeter_core::connect::{self, EnvChange};
use chrono::{TimeZone, Utc};

const ENDPOINT: &str = "http://127.0.0.1:4317";

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 15, 4, 5).single().expect("instant")
}

#[test]
fn a_missing_file_is_created_with_the_entries_and_no_backup() {
    let home = tempfile::tempdir().expect("temp home");
    let path = home.path().join(".claude/settings.json");
    let plan = connect::plan(&path, ENDPOINT).expect("plan");
    assert!(!plan.exists);
    assert_eq!(plan.changes.len(), 5);
    assert!(plan.changes.iter().all(|c| c.before.is_none()));
    let done = connect::apply(&path, ENDPOINT, now()).expect("connected");
    assert_eq!((done.changed, done.backup), (5, None));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("file")).expect("JSON");
    assert_eq!(written["env"]["OTEL_EXPORTER_OTLP_ENDPOINT"], ENDPOINT);
    assert_eq!(written["env"]["CLAUDE_CODE_ENABLE_TELEMETRY"], "1");
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

    let plan = connect::plan(&path, ENDPOINT).expect("plan");
    assert!(plan.exists);
    let endpoint = plan.changes.iter().find(|c| c.key == "OTEL_EXPORTER_OTLP_ENDPOINT").expect("the endpoint changes");
    assert_eq!(
        endpoint,
        &EnvChange {
            key: "OTEL_EXPORTER_OTLP_ENDPOINT".into(),
            before: Some("\"http://localhost:4317\"".into()),
            after: "\"http://127.0.0.1:4317\"".into(),
        }
    );
    assert_eq!(std::fs::read_to_string(&path).expect("file"), USERS_FILE, "planning writes nothing");

    let done = connect::apply(&path, ENDPOINT, now()).expect("connected");
    assert_eq!(done.changed, 5);
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
    assert_eq!(keys.len(), 5);
    assert!(
        merged.find("\"model\"") < merged.find("\"permissions\"") && merged.find("\"env\"") < merged.find("\"hooks\"")
    );
    let json: serde_json::Value = serde_json::from_str(&merged).expect("JSON");
    assert_eq!(json["env"]["OTEL_EXPORTER_OTLP_ENDPOINT"], ENDPOINT);
    assert_eq!(json["env"]["OTEL_LOGS_EXPORTER"], "otlp");

    // Idempotent: nothing to do, nothing written, no second backup.
    assert!(connect::plan(&path, ENDPOINT).expect("plan").changes.is_empty());
    let again = connect::apply(&path, ENDPOINT, now()).expect("again");
    assert_eq!((again.changed, again.backup), (0, None));
    assert_eq!(std::fs::read_to_string(&path).expect("file"), merged);
    assert_eq!(std::fs::read_dir(home.path()).expect("list").count(), 2, "the file and one backup");
}

#[test]
fn a_file_that_is_not_a_settings_object_is_refused_and_left_alone() {
    let home = tempfile::tempdir().expect("temp home");
    let path = home.path().join("settings.json");
    for broken in ["{ \"model\": ", "[1, 2]", "{\"env\": [\"A=1\"]}", "{\"env\": \"x\"}"] {
        std::fs::write(&path, broken).expect("write");
        let error = connect::apply(&path, ENDPOINT, now()).expect_err(broken).to_string();
        assert!(
            error.contains("not a Claude Code settings file") && error.contains("nothing was changed"),
            "{broken}: {error}"
        );
        assert_eq!(std::fs::read_to_string(&path).expect("file"), broken);
        assert_eq!(std::fs::read_dir(home.path()).expect("list").count(), 1, "no backup for a refused file");
    }
    std::fs::write(&path, "  \n").expect("write");
    assert_eq!(connect::apply(&path, ENDPOINT, now()).expect("an empty file is a new one").changed, 5);
}
