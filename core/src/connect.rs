//! "Connect Claude Code": merges the telemetry settings into Claude Code's `~/.claude/settings.json`.
//!
//! Only the `env` entries ccmeter needs are added or changed. Every other key keeps its place, its value and
//! its formatting (values are carried as raw JSON text), a backup of the file is written first, and a file
//! that already has the entries is not touched. A file that is not a JSON object is refused, unchanged.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use ts_rs::TS;

use crate::error::{ClaudeConfigProblem, Result, StoreError};

/// `~/.claude/settings.json`, or `$CLAUDE_CONFIG_DIR/settings.json` when Claude Code is told to look there.
pub fn settings_path() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CLAUDE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("settings.json"));
    }
    std::env::home_dir()
        .map(|home| home.join(".claude").join("settings.json"))
        .ok_or(StoreError::ClaudeConfig(ClaudeConfigProblem::NoHome))
}

/// The `env` entries that send Claude Code's metrics and events to ccmeter's gRPC receiver.
pub fn wanted_env(grpc_endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("CLAUDE_CODE_ENABLE_TELEMETRY", "1".into()),
        ("OTEL_METRICS_EXPORTER", "otlp".into()),
        ("OTEL_LOGS_EXPORTER", "otlp".into()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc".into()),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", grpc_endpoint.into()),
    ]
}

/// One `env` entry the merge adds or changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EnvChange {
    pub key: String,
    /// The value there now (as JSON text), `None` when the key is missing.
    pub before: Option<String>,
    pub after: String,
}

/// What connecting would do to the file: shown to the user before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectPlan {
    pub path: String,
    pub exists: bool,
    /// Empty when Claude Code is already connected.
    pub changes: Vec<EnvChange>,
}

/// What connecting did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Connected {
    pub path: String,
    /// Where the previous file was copied; `None` when there was no file or nothing changed.
    pub backup: Option<String>,
    pub changed: usize,
}

/// A JSON object's entries in file order, values as written.
struct Entries(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Entries, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

fn parse(text: &str, what: &'static str, path: &Path) -> Result<Entries> {
    serde_json::from_str(text).map_err(|source| {
        StoreError::ClaudeConfig(ClaudeConfigProblem::NotSettings { path: path.to_owned(), what, source })
    })
}

fn raw(json: String) -> Result<Box<RawValue>> {
    RawValue::from_string(json).map_err(|error| StoreError::Encode(error.into()))
}

/// The merged file and the changes it makes.
fn merge(path: &Path, text: Option<&str>, grpc_endpoint: &str) -> Result<(String, Vec<EnvChange>)> {
    let mut root = match text.filter(|t| !t.trim().is_empty()) {
        Some(text) => parse(text, "the file must be an object", path)?.0,
        None => Vec::new(),
    };
    let mut env = match root.iter().find(|(key, _)| key == "env") {
        Some((_, value)) => parse(value.get(), "\"env\" must be an object", path)?.0,
        None => Vec::new(),
    };
    let mut changes = Vec::new();
    for (key, value) in wanted_env(grpc_endpoint) {
        let after = serde_json::Value::String(value).to_string();
        match env.iter_mut().find(|(k, _)| k == key) {
            Some((_, current)) if current.get() == after => {}
            Some((_, current)) => {
                changes.push(EnvChange {
                    key: key.into(),
                    before: Some(current.get().to_owned()),
                    after: after.clone(),
                });
                *current = raw(after)?;
            }
            None => {
                changes.push(EnvChange { key: key.into(), before: None, after: after.clone() });
                env.push((key.into(), raw(after)?));
            }
        }
    }
    let env_json = raw(write_object(&env, 1))?;
    match root.iter_mut().find(|(key, _)| key == "env") {
        Some((_, value)) => *value = env_json,
        None => root.push(("env".into(), env_json)),
    }
    Ok((write_object(&root, 0) + "\n", changes))
}

/// An object with two-space indentation at `depth`; values are written as they came.
fn write_object(entries: &[(String, Box<RawValue>)], depth: usize) -> String {
    if entries.is_empty() {
        return "{}".into();
    }
    let indent = "  ".repeat(depth + 1);
    let lines: Vec<String> = entries
        .iter()
        .map(|(key, value)| format!("{indent}{}: {}", serde_json::Value::String(key.clone()), value.get()))
        .collect();
    format!("{{\n{}\n{}}}", lines.join(",\n"), "  ".repeat(depth))
}

fn read(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ClaudeConfigProblem::Unreadable { path: path.to_owned(), source }.into()),
    }
}

/// What connecting would change in `path`, without writing anything.
pub fn plan(path: &Path, grpc_endpoint: &str) -> Result<ConnectPlan> {
    let text = read(path)?;
    let (_, changes) = merge(path, text.as_deref(), grpc_endpoint)?;
    Ok(ConnectPlan { path: path.display().to_string(), exists: text.is_some(), changes })
}

/// Merges the entries into `path`: a backup first (`settings.json.ccmeter-backup-<time>`), then the new
/// file, written whole. Nothing is written when the entries are already there.
pub fn apply(path: &Path, grpc_endpoint: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Connected> {
    let text = read(path)?;
    let (merged, changes) = merge(path, text.as_deref(), grpc_endpoint)?;
    let shown = path.display().to_string();
    if changes.is_empty() {
        return Ok(Connected { path: shown, backup: None, changed: 0 });
    }
    let mut backup = None;
    if let Some(original) = &text {
        let name = format!(
            "{}.ccmeter-backup-{}",
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "settings.json".into()),
            now.format("%Y%m%d-%H%M%S")
        );
        let target = path.with_file_name(name);
        crate::fs::write_file(&target, original.as_bytes())?;
        backup = Some(target.display().to_string());
    } else if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|source| ClaudeConfigProblem::CreateFolder { folder: folder.to_owned(), source })?;
    }
    crate::fs::write_file(path, merged.as_bytes())?;
    Ok(Connected { path: shown, backup, changed: changes.len() })
}
