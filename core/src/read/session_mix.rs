//! Sessions by what they were: where they ran (terminal), what they were for (the user's own resource
//! attributes, such as `project`), whether they ended in a commit, and how many began each hour or day.
//!
//! A session's cost here is its cost within the range, from its one source (DESIGN.md, "Which source,
//! when"), so each grouping adds up to the summary's cost minus what arrived without a session id.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, named_params};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::Result;
use crate::store::usage::{SESSION_SPAN_MIX, session_per};
use crate::words::money::usd;
use crate::words::range::{BucketStarts, Granularity, Range};
use crate::words::time::TimeContext;

/// Sessions sharing one value, and what they cost in the range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct SessionGroup {
    /// `""` when the sessions did not say.
    pub value: String,
    pub sessions: i64,
    #[serde(skip)]
    pub cost_nanos: i64,
    pub cost_usd: f64,
}

impl SessionGroup {
    fn add(&mut self, sessions: i64, cost_nanos: i64) {
        self.sessions += sessions;
        self.cost_nanos += cost_nanos;
        self.cost_usd = usd(self.cost_nanos);
    }
}

/// Sessions grouped by one resource attribute the user set (`OTEL_RESOURCE_ATTRIBUTES=project=…`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AttributeGroups {
    pub key: String,
    /// Most expensive first; sessions without the attribute come last, as `""`.
    pub groups: Vec<SessionGroup>,
}

/// Sessions started in one local hour or day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StartCount {
    pub start: DateTime<Utc>,
    pub sessions: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct SessionMix {
    /// By `terminal.type` (vscode, iTerm.app, tmux…), most expensive first.
    pub by_terminal: Vec<SessionGroup>,
    /// By project (`words::project`: the repository, else the project folder), most expensive first; sessions
    /// without one last, as `""`.
    pub by_project: Vec<SessionGroup>,
    /// One entry per attribute key the user added to the resource, most sessions first.
    pub by_attribute: Vec<AttributeGroups>,
    /// Sessions with at least one commit in the range (`value` "with"), and the rest ("without").
    pub with_commit: SessionGroup,
    pub without_commit: SessionGroup,
    /// Sessions whose first record falls in each local hour or day of the range.
    pub started: Vec<StartCount>,
}

/// Resource attributes Claude Code and the OpenTelemetry SDK set themselves; anything else came from the
/// user's `OTEL_RESOURCE_ATTRIBUTES`.
fn is_users_attribute(key: &str) -> bool {
    const BUILT_IN: &[&str] = &["service.", "os.", "host.", "telemetry.", "process.", "wsl.", "container."];
    !BUILT_IN.iter().any(|prefix| key.starts_with(prefix))
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The user's own attributes of a resource, parsed once per resource.
fn users_attributes(json: Option<&str>) -> Vec<(String, String)> {
    let Some(Ok(Value::Object(map))) = json.map(serde_json::from_str::<Value>) else { return Vec::new() };
    let map: Map<String, Value> = map;
    map.iter().filter(|(key, _)| is_users_attribute(key)).map(|(key, value)| (key.clone(), text_of(value))).collect()
}

/// Most expensive first, the sessions that did not say last.
fn ranked(groups: BTreeMap<String, SessionGroup>) -> Vec<SessionGroup> {
    let mut groups: Vec<SessionGroup> = groups.into_values().collect();
    groups.sort_by(|a, b| {
        (a.value.is_empty(), b.cost_nanos, b.sessions, &a.value).cmp(&(
            b.value.is_empty(),
            a.cost_nanos,
            a.sessions,
            &b.value,
        ))
    });
    groups
}

/// Sessions alike in all the mix tells apart: their terminal, their resource, whether they committed, their
/// project.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Kind {
    terminal: String,
    resource_id: Option<i64>,
    with_commit: bool,
    project: String,
}

/// A [`Kind`] with its terminal and project kept by number while the rows are counted: (terminal, resource,
/// committed, project).
type NumberedKind = (usize, Option<i64>, bool, usize);

/// How many sessions of each [`Kind`] the range has, and their cost within it.
fn kinds(conn: &Connection, range: Range) -> Result<HashMap<Kind, (i64, i64)>> {
    let (from, to) = range.buckets();
    // A year holds 10,000 sessions and a handful of terminals: each terminal is kept once, by number, rather
    // than copied out of every row.
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut counts: HashMap<NumberedKind, (i64, i64)> = HashMap::new();
    let mut add = |row: &rusqlite::Row| -> rusqlite::Result<()> {
        let mut number = |at: usize| -> rusqlite::Result<usize> {
            let name = row.get_ref(at)?.as_str_or_null()?.unwrap_or_default();
            let next = names.len();
            Ok(match names.get(name) {
                Some(&known) => known,
                None => *names.entry(name.to_owned()).or_insert(next),
            })
        };
        let (terminal, project) = (number(2)?, number(4)?);
        let (sessions, cost) = counts.entry((terminal, row.get(3)?, row.get(1)?, project)).or_default();
        *sessions += 1;
        *cost += row.get::<_, i64>(0)?;
        Ok(())
    };
    if crate::read::cover::built(conn)? {
        let mut statement = conn.prepare_cached(SESSION_SPAN_MIX)?;
        let mut rows = statement.query(named_params! {":from": from, ":to": to})?;
        while let Some(row) = rows.next()? {
            add(row)?;
        }
    } else {
        let sql = format!(
            "{per}
             SELECT per_cost, commits > 0, s.terminal_type, s.resource_id, p.project
             FROM per JOIN sessions s ON s.id = per.session_id LEFT JOIN session_projects p ON p.session_id = per.session_id
             WHERE per.session_id <> ''",
            per = session_per(false)
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let mut rows = statement.query(named_params! {":from": from, ":to": to, ":session": None::<String>})?;
        while let Some(row) = rows.next()? {
            add(row)?;
        }
    }
    let mut texts = vec![String::new(); names.len()];
    for (name, number) in names {
        texts[number] = name;
    }
    Ok(counts
        .into_iter()
        .map(|((terminal, resource_id, with_commit, project), counted)| {
            let kind =
                Kind { terminal: texts[terminal].clone(), resource_id, with_commit, project: texts[project].clone() };
            (kind, counted)
        })
        .collect())
}

/// What each project's sessions cost within the range (`words::project`; sessions without one are left out),
/// as the project budgets read it: the same pass as the mix's breakdown by project.
pub(crate) fn cost_by_project(conn: &Connection, range: Range) -> Result<HashMap<String, i64>> {
    let mut costs: HashMap<String, i64> = HashMap::new();
    for (kind, (_, cost)) in kinds(conn, range)? {
        if !kind.project.is_empty() {
            *costs.entry(kind.project).or_default() += cost;
        }
    }
    Ok(costs)
}

pub fn session_mix(conn: &Connection, ctx: &TimeContext, range: Range, granularity: Granularity) -> Result<SessionMix> {
    let kinds = kinds(conn, range)?;
    // A handful of resources serve thousands of sessions: each one's attributes are read and parsed once.
    let mut resource = conn.prepare_cached("SELECT attributes FROM resources WHERE id = ?1")?;
    let mut attributes_of: HashMap<Option<i64>, Vec<(String, String)>> = HashMap::new();
    for kind in kinds.keys() {
        if let std::collections::hash_map::Entry::Vacant(new) = attributes_of.entry(kind.resource_id) {
            let json: Option<String> = match kind.resource_id {
                Some(id) => resource.query_row([id], |r| r.get(0)).optional()?,
                None => None,
            };
            new.insert(users_attributes(json.as_deref()));
        }
    }
    let mut mix = SessionMix {
        with_commit: SessionGroup { value: "with".into(), ..Default::default() },
        without_commit: SessionGroup { value: "without".into(), ..Default::default() },
        ..Default::default()
    };
    let mut terminals: BTreeMap<String, SessionGroup> = BTreeMap::new();
    let mut projects: BTreeMap<String, SessionGroup> = BTreeMap::new();
    let mut by_key: BTreeMap<String, BTreeMap<String, SessionGroup>> = BTreeMap::new();
    for (kind, &(sessions, cost)) in &kinds {
        terminals
            .entry(kind.terminal.clone())
            .or_insert_with(|| SessionGroup { value: kind.terminal.clone(), ..Default::default() })
            .add(sessions, cost);
        projects
            .entry(kind.project.clone())
            .or_insert_with(|| SessionGroup { value: kind.project.clone(), ..Default::default() })
            .add(sessions, cost);
        if kind.with_commit {
            mix.with_commit.add(sessions, cost)
        } else {
            mix.without_commit.add(sessions, cost)
        }
        for (key, value) in &attributes_of[&kind.resource_id] {
            by_key
                .entry(key.clone())
                .or_default()
                .entry(value.clone())
                .or_insert_with(|| SessionGroup { value: value.clone(), ..Default::default() })
                .add(sessions, cost);
        }
    }
    // A session without a key the others have is shown under "" for that key.
    for (key, groups) in &mut by_key {
        for (kind, &(sessions, cost)) in &kinds {
            if !attributes_of[&kind.resource_id].iter().any(|(k, _)| k == key) {
                groups.entry(String::new()).or_default().add(sessions, cost);
            }
        }
    }
    mix.by_terminal = ranked(terminals);
    mix.by_project = ranked(projects);
    let mut by_attribute: Vec<AttributeGroups> =
        by_key.into_iter().map(|(key, groups)| AttributeGroups { key, groups: ranked(groups) }).collect();
    let tagged = |a: &AttributeGroups| a.groups.iter().filter(|g| !g.value.is_empty()).map(|g| g.sessions).sum::<i64>();
    by_attribute.sort_by(|a, b| tagged(b).cmp(&tagged(a)).then_with(|| a.key.cmp(&b.key)));
    mix.by_attribute = by_attribute;
    mix.started = sessions_started(conn, ctx, range, granularity)?;
    Ok(mix)
}

/// Sessions whose first record (event or metric point) lies in each local hour or day of the range.
fn sessions_started(
    conn: &Connection,
    ctx: &TimeContext,
    range: Range,
    granularity: Granularity,
) -> Result<Vec<StartCount>> {
    let (from, to) = range.buckets();
    // By their first instant, through its index (migration 0011): in order, so each local hour or day of the
    // range is converted once.
    let mut statement = conn.prepare_cached(
        "SELECT first_ns FROM sessions WHERE first_ns >= :from_ns AND first_ns < :to_ns AND id <> '' ORDER BY first_ns",
    )?;
    let bucket_ns = crate::words::time::BUCKET_NS;
    let params = named_params! {":from_ns": from.saturating_mul(bucket_ns), ":to_ns": to.saturating_mul(bucket_ns)};
    let mut rows = statement.query(params)?;
    let mut counts: BTreeMap<DateTime<Utc>, i64> = BTreeMap::new();
    let mut starts = BucketStarts::new(ctx, granularity);
    while let Some(row) = rows.next()? {
        *counts.entry(starts.of(crate::words::time::bucket_of(row.get(0)?))).or_default() += 1;
    }
    Ok(counts.into_iter().map(|(start, sessions)| StartCount { start, sessions }).collect())
}
