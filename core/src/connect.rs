//! "Connect Claude Code": merges the telemetry settings and the `statusLine` command into Claude Code's
//! `~/.claude/settings.json`, and takes them out again (`undo`).
//!
//! Only the `env` entries ccmeter needs and `statusLine` are added or changed. Every other key keeps its place,
//! its value and its formatting (values are carried as raw JSON text), a backup of the file is written first,
//! and a file that already has the entries is not touched. A file that is not a JSON object is refused,
//! unchanged. A `statusLine` command the user had is kept: ccmeter's runs it (`--then`) and shows its output.
//! What each entry was before ccmeter is kept beside the file (`<file>.ccmeter-before`), so `undo` puts back
//! exactly that.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use ts_rs::TS;

use crate::error::{ClaudeConfigProblem, Result, StoreError};

/// `~/.claude/settings.json`, or `$CLAUDE_CONFIG_DIR/settings.json` when Claude Code is told to look there.
pub fn settings_path() -> Result<PathBuf> {
    crate::paths::claude_config_dir()
        .map(|dir| dir.join("settings.json"))
        .ok_or(StoreError::ClaudeConfig(ClaudeConfigProblem::NoHome))
}

/// The `env` entries that send Claude Code's metrics and events to ccmeter's gRPC receiver, with the
/// repository each session works in (`vcs.repository.*`, Claude Code ≥ 2.1.269: a session's project).
pub fn wanted_env(grpc_endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("CLAUDE_CODE_ENABLE_TELEMETRY", "1".into()),
        ("OTEL_METRICS_EXPORTER", "otlp".into()),
        ("OTEL_LOGS_EXPORTER", "otlp".into()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc".into()),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", grpc_endpoint.into()),
        ("OTEL_METRICS_INCLUDE_REPOSITORY", "true".into()),
    ]
}

/// The top-level key of Claude Code's status line command.
const STATUS_LINE: &str = "statusLine";

/// What connecting sets: where telemetry goes, and the command Claude Code runs for its status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// `http://127.0.0.1:4317`
    pub grpc_endpoint: String,
    /// `/usr/bin/ccmeter statusline` ([`statusline_command`]).
    pub statusline: String,
}

/// The status line command for the `ccmeter` binary at `ccmeter` (absolute: Claude Code may run it without
/// the user's `PATH`), on `db` when that is not the default database.
pub fn statusline_command(ccmeter: &Path, db: Option<&Path>) -> String {
    let mut command = format!("{} statusline", shell_quoted(&ccmeter.to_string_lossy()));
    if let Some(db) = db {
        command.push_str(&format!(" --db {}", shell_quoted(&db.to_string_lossy())));
    }
    command
}

/// `text` as one word for `sh` (Claude Code runs the command through a shell).
pub fn shell_quoted(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ':' | '=' | '@' | ',' | '%')
        });
    if plain { text.to_owned() } else { format!("'{}'", text.replace('\'', "'\\''")) }
}

/// Whether a status line command is ccmeter's (`…/ccmeter statusline …`, wherever it was installed).
fn is_ccmeter_statusline(command: &str) -> bool {
    let mut words = command.split_whitespace();
    let program = words.next().unwrap_or_default().trim_matches('\'');
    program.rsplit('/').next() == Some("ccmeter") && words.next() == Some("statusline")
}

/// One entry the merge adds, changes or (undoing) removes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EnvChange {
    /// `env.OTEL_METRICS_EXPORTER`, `statusLine`.
    pub key: String,
    /// The value there now (as JSON text), `None` when the key is missing.
    pub before: Option<String>,
    /// The value it gets (as JSON text), `None` when undoing removes it.
    pub after: Option<String>,
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
type Object = Vec<(String, Box<RawValue>)>;

/// An [`Object`] read from JSON text.
struct Entries(Object);

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

/// What each entry ccmeter changed was before ccmeter (raw JSON text; `None`: it was not there), kept beside
/// the file until `undo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Before {
    env: Vec<(String, Option<String>)>,
    /// `Some(None)`: there was none (written as `null`, told from "not recorded" when read back).
    #[serde(rename = "statusLine", default, deserialize_with = "recorded")]
    status_line: Option<Option<String>>,
    /// The file had no `env` object: undoing removes the one ccmeter added, if it is left empty.
    env_created: bool,
}

impl Before {
    /// Adds what `changes` replaced, keeping what is recorded already: that is what came before ccmeter.
    fn add(&mut self, changes: &[EnvChange], env_created: bool) {
        if self.env.is_empty() && self.status_line.is_none() {
            self.env_created = env_created;
        }
        for change in changes {
            if change.key == STATUS_LINE {
                self.status_line.get_or_insert_with(|| change.before.clone());
            } else if let Some(key) = change.key.strip_prefix("env.")
                && !self.env.iter().any(|(k, _)| k == key)
            {
                self.env.push((key.to_owned(), change.before.clone()));
            }
        }
    }
}

/// A recorded value, `null` included: present is `Some`, absent (`#[serde(default)]`) is `None`.
fn recorded<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

fn before_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".ccmeter-before");
    PathBuf::from(name)
}

/// The file's entries, and its `env` object's (an error for a file that is not a settings object).
fn entries(path: &Path, text: Option<&str>) -> Result<(Object, Option<Object>)> {
    let root = match text.filter(|t| !t.trim().is_empty()) {
        Some(text) => parse(text, "the file must be an object", path)?.0,
        None => Vec::new(),
    };
    let env = match root.iter().find(|(key, _)| key == "env") {
        Some((_, value)) => Some(parse(value.get(), "\"env\" must be an object", path)?.0),
        None => None,
    };
    Ok((root, env))
}

/// Sets (or, with `None`, removes) `key` in `entries`, recording the change; an equal value is left alone.
fn set(
    entries: &mut Vec<(String, Box<RawValue>)>,
    key: &str,
    shown: String,
    value: Option<String>,
    changes: &mut Vec<EnvChange>,
) -> Result<()> {
    let position = entries.iter().position(|(k, _)| k == key);
    let before = position.map(|i| entries[i].1.get().to_owned());
    if before == value {
        return Ok(());
    }
    match (position, &value) {
        (Some(i), Some(after)) => entries[i].1 = raw(after.clone())?,
        (Some(i), None) => {
            entries.remove(i);
        }
        (None, Some(after)) => entries.push((key.to_owned(), raw(after.clone())?)),
        (None, None) => {}
    }
    changes.push(EnvChange { key: shown, before, after: value });
    Ok(())
}

/// The status line entry ccmeter wants, given the one there now: a user's own command is chained after
/// ccmeter's (`--then`), ccmeter's own (perhaps from another install path) is brought up to date.
fn wanted_status_line(current: Option<&str>, statusline: &str) -> String {
    let current: Option<serde_json::Value> = current.and_then(|text| serde_json::from_str(text).ok());
    let mut entry = match current {
        Some(serde_json::Value::Object(entry)) => entry,
        _ => serde_json::Map::new(),
    };
    let command = match entry.get("command").and_then(serde_json::Value::as_str) {
        Some(theirs) if is_ccmeter_statusline(theirs) => match theirs.find(" --then ") {
            Some(at) => format!("{statusline}{}", &theirs[at..]),
            None => statusline.to_owned(),
        },
        Some(theirs) if !theirs.trim().is_empty() => format!("{statusline} --then {}", shell_quoted(theirs)),
        _ => statusline.to_owned(),
    };
    entry.insert("type".into(), "command".into());
    entry.insert("command".into(), command.into());
    serde_json::Value::Object(entry).to_string()
}

/// The merged file, the changes it makes, and whether it adds the `env` object.
fn merge(path: &Path, text: Option<&str>, wanted: &Wanted) -> Result<(String, Vec<EnvChange>, bool)> {
    let (mut root, env) = entries(path, text)?;
    let env_created = env.is_none();
    let mut env = env.unwrap_or_default();
    let mut changes = Vec::new();
    for (key, value) in wanted_env(&wanted.grpc_endpoint) {
        let after = serde_json::Value::String(value).to_string();
        set(&mut env, key, format!("env.{key}"), Some(after), &mut changes)?;
    }
    let env_json = write_object(&env, 1);
    let current_env = root.iter().find(|(key, _)| key == "env").map(|(_, v)| v.get().to_owned());
    if current_env.as_deref() != Some(env_json.as_str()) {
        let mut ignored = Vec::new();
        set(&mut root, "env", "env".into(), Some(env_json), &mut ignored)?;
    }
    let current_line = root.iter().find(|(key, _)| key == STATUS_LINE).map(|(_, v)| v.get().to_owned());
    let line = wanted_status_line(current_line.as_deref(), &wanted.statusline);
    // Compared as JSON: the user's spacing of an entry that is already right is no change.
    let same = current_line.as_deref().and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
        == serde_json::from_str::<serde_json::Value>(&line).ok();
    if !same {
        set(&mut root, STATUS_LINE, STATUS_LINE.into(), Some(line), &mut changes)?;
    }
    Ok((write_object(&root, 0) + "\n", changes, env_created))
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
pub fn plan(path: &Path, wanted: &Wanted) -> Result<ConnectPlan> {
    let text = read(path)?;
    let (_, changes, _) = merge(path, text.as_deref(), wanted)?;
    Ok(ConnectPlan { path: path.display().to_string(), exists: text.is_some(), changes })
}

/// Merges the entries into `path`: a backup first (`settings.json.ccmeter-backup-<time>`), then the new
/// file, written whole, and beside it what the entries were before. Nothing is written when the entries are
/// already there.
pub fn apply(path: &Path, wanted: &Wanted, now: chrono::DateTime<chrono::Utc>) -> Result<Connected> {
    let text = read(path)?;
    let (merged, changes, env_created) = merge(path, text.as_deref(), wanted)?;
    let shown = path.display().to_string();
    if changes.is_empty() {
        return Ok(Connected { path: shown, backup: None, changed: 0 });
    }
    let mut before = read_before(path)?.unwrap_or_default();
    before.add(&changes, env_created);
    let backup = write_with_backup(path, text.as_deref(), &merged, now)?;
    let record = serde_json::to_vec_pretty(&before).map_err(|error| StoreError::Encode(error.into()))?;
    crate::fs::write_file(&before_path(path), &record)?;
    Ok(Connected { path: shown, backup, changed: changes.len() })
}

/// A backup of `original` (when there is one) beside `path`, then `contents` in its place; the backup's path.
fn write_with_backup(
    path: &Path,
    original: Option<&str>,
    contents: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<String>> {
    let mut backup = None;
    if let Some(original) = original {
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
    crate::fs::write_file(path, contents.as_bytes())?;
    Ok(backup)
}

fn read_before(path: &Path) -> Result<Option<Before>> {
    let at = before_path(path);
    match read(&at)? {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text).map(Some).map_err(|source| {
            StoreError::ClaudeConfig(ClaudeConfigProblem::NotSettings {
                path: at,
                what: "ccmeter's record of the entries before it is not readable",
                source,
            })
        }),
    }
}

/// The file as it is, as it will be once restored, and the changes between them.
struct Restored {
    text: Option<String>,
    contents: String,
    changes: Vec<EnvChange>,
}

/// The file with every entry ccmeter set put back as it was before ccmeter, and the changes that makes;
/// `None` when ccmeter has not connected this file.
fn restored(path: &Path) -> Result<Option<Restored>> {
    let Some(before) = read_before(path)? else { return Ok(None) };
    let text = read(path)?;
    let (mut root, env) = entries(path, text.as_deref())?;
    let mut changes = Vec::new();
    if let Some(mut env) = env {
        for (key, value) in &before.env {
            set(&mut env, key, format!("env.{key}"), value.clone(), &mut changes)?;
        }
        let mut ignored = Vec::new();
        let env_json = (!(env.is_empty() && before.env_created)).then(|| write_object(&env, 1));
        set(&mut root, "env", "env".into(), env_json, &mut ignored)?;
    }
    if let Some(value) = &before.status_line {
        set(&mut root, STATUS_LINE, STATUS_LINE.into(), value.clone(), &mut changes)?;
    }
    Ok(Some(Restored { text, contents: write_object(&root, 0) + "\n", changes }))
}

/// What `undo` would change in `path`; `None` when ccmeter has not connected it.
pub fn undo_plan(path: &Path) -> Result<Option<ConnectPlan>> {
    Ok(restored(path)?.map(|restored| ConnectPlan {
        path: path.display().to_string(),
        exists: restored.text.is_some(),
        changes: restored.changes,
    }))
}

/// Puts back every entry ccmeter set as it was before ccmeter (a backup of the file first) and forgets the
/// record of them; `None` when ccmeter has not connected the file.
pub fn undo(path: &Path, now: chrono::DateTime<chrono::Utc>) -> Result<Option<Connected>> {
    let Some(Restored { text, contents, changes }) = restored(path)? else { return Ok(None) };
    let backup = if changes.is_empty() { None } else { write_with_backup(path, text.as_deref(), &contents, now)? };
    let record = before_path(path);
    std::fs::remove_file(&record).map_err(|source| ClaudeConfigProblem::Unreadable { path: record, source })?;
    Ok(Some(Connected { path: path.display().to_string(), backup, changed: changes.len() }))
}
