//! The real Claude Code CLI, pinned, installed from npm into a cache that outlives the test run, and started
//! the way it runs offline: a fresh HOME seeded so it asks nothing, a stand-in for the Anthropic API, and its
//! stock OpenTelemetry exporter pointed wherever the test says.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Claude Code release the end-to-end test runs (the newest one captured under `tests/fixtures/`).
pub const VERSION: &str = "2.1.332";

/// Where the npm package is kept between runs: `$CCMETER_CLAUDE_CODE_CACHE`, else `~/.cache/ccmeter`.
fn cache_dir() -> PathBuf {
    let base = std::env::var_os("CCMETER_CLAUDE_CODE_CACHE").map(PathBuf::from).unwrap_or_else(|| {
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        home.join(".cache/ccmeter")
    });
    base.join(format!("claude-code-{VERSION}"))
}

fn version_of(claude: &Path) -> Option<String> {
    let output = Command::new(claude).arg("--version").output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The pinned `claude` binary, installed with npm when it is not cached yet. `Err` says why it cannot be had
/// (no npm, no registry), for the test to skip with, or, in CI, to fail with.
pub fn installed() -> Result<PathBuf, String> {
    let dir = cache_dir();
    let claude = dir.join("node_modules/.bin/claude");
    if version_of(&claude).is_some_and(|v| v.starts_with(VERSION)) {
        return Ok(claude);
    }
    let npm = Command::new("npm").arg("--version").output();
    if !npm.is_ok_and(|o| o.status.success()) {
        return Err("npm is not installed: Claude Code's CLI comes from the npm registry".into());
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let output = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
        .arg(&dir)
        .arg(format!("@anthropic-ai/claude-code@{VERSION}"))
        .output()
        .map_err(|e| format!("npm install: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "npm install @anthropic-ai/claude-code@{VERSION} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    match version_of(&claude) {
        Some(v) if v.starts_with(VERSION) => Ok(claude),
        found => Err(format!("{} answers {found:?}, not {VERSION}", claude.display())),
    }
}

/// A HOME Claude Code accepts without a question: onboarding done, a fixed user id, no WebFetch preflight
/// (it needs claude.ai), and a working directory.
pub fn prepare_home(root: &Path) -> (PathBuf, PathBuf) {
    let home = root.join("home");
    let work = root.join("work");
    std::fs::create_dir_all(home.join(".claude")).expect("HOME");
    std::fs::create_dir_all(&work).expect("working directory");
    let config = serde_json::json!({"userID": "c0ffee".repeat(10) + "c0ff", "hasCompletedOnboarding": true});
    std::fs::write(home.join(".claude.json"), config.to_string()).expect(".claude.json");
    std::fs::write(home.join(".claude/settings.json"), r#"{"skipWebFetchPreflight": true}"#).expect("settings");
    (home, work)
}

/// `claude -p <prompt>` against `api` (the stand-in's base URL), exporting over `protocol` (`grpc`,
/// `http/protobuf`, `http/json`) to `endpoint`, with a clean environment: nothing of the developer's own
/// Claude Code set-up leaks in.
pub fn print_command(claude: &Path, home: &Path, work: &Path, api: &str, protocol: &str, endpoint: &str) -> Command {
    let mut command = Command::new(claude);
    command
        .args(["-p", "say hello"])
        .current_dir(work)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", home)
        .env("TERM", "xterm")
        .env("LANG", "C.UTF-8")
        .env("SHELL", "/bin/bash")
        .env("TMPDIR", home)
        .env("CLAUDE_CODE_TMPDIR", home)
        .env("ANTHROPIC_BASE_URL", api)
        .env("ANTHROPIC_API_KEY", "sk-ant-test-standin")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL", "1")
        .env("CLAUDE_CODE_ENABLE_TELEMETRY", "1")
        .env("OTEL_METRICS_EXPORTER", "otlp")
        .env("OTEL_LOGS_EXPORTER", "otlp")
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", protocol)
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
        .env("OTEL_METRIC_EXPORT_INTERVAL", "1000")
        .env("OTEL_LOGS_EXPORT_INTERVAL", "1000")
        .stdin(std::process::Stdio::null());
    command
}
