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
use crate::store::usage::session_per;
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
    fn add(&mut self, cost_nanos: i64) {
        self.sessions += 1;
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

pub fn session_mix(conn: &Connection, ctx: &TimeContext, range: Range, granularity: Granularity) -> Result<SessionMix> {
    let (from, to) = range.buckets();
    let totals = crate::read::cover::built(conn)?;
    let sql = format!(
        "{per}
         SELECT per.session_id, per_cost, commits, s.terminal_type, s.resource_id
         FROM per JOIN sessions s ON s.id = per.session_id
         WHERE per.session_id <> ''",
        per = session_per(totals)
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut params: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":from", &from), (":to", &to)];
    if !totals {
        params.push((":session", &None::<String>));
    }
    let rows = statement.query_map(params.as_slice(), |r| {
        Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<String>>(3)?, r.get::<_, Option<i64>>(4)?))
    })?;
    // A handful of resources serve thousands of sessions: each one's attributes are read and parsed once.
    let mut resource = conn.prepare_cached("SELECT attributes FROM resources WHERE id = ?1")?;
    let mut mix = SessionMix {
        with_commit: SessionGroup { value: "with".into(), ..Default::default() },
        without_commit: SessionGroup { value: "without".into(), ..Default::default() },
        ..Default::default()
    };
    let mut terminals: BTreeMap<String, SessionGroup> = BTreeMap::new();
    let mut attributes_of: HashMap<Option<i64>, Vec<(String, String)>> = HashMap::new();
    // Per key: each value's group, and the sessions (with their cost) the key was missing from so far.
    let mut by_key: BTreeMap<String, BTreeMap<String, SessionGroup>> = BTreeMap::new();
    let mut sessions: Vec<(i64, Option<i64>)> = Vec::new();
    for row in rows {
        let (cost, commits, terminal, resource_id) = row?;
        let terminal = terminal.unwrap_or_default();
        terminals
            .entry(terminal.clone())
            .or_insert_with(|| SessionGroup { value: terminal, ..Default::default() })
            .add(cost);
        if commits > 0 {
            mix.with_commit.add(cost)
        } else {
            mix.without_commit.add(cost)
        }
        let attributes = match attributes_of.entry(resource_id) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(new) => {
                let json: Option<String> = match resource_id {
                    Some(id) => resource.query_row([id], |r| r.get(0)).optional()?,
                    None => None,
                };
                new.insert(users_attributes(json.as_deref()))
            }
        };
        for (key, value) in attributes.iter() {
            let groups = by_key.entry(key.clone()).or_default();
            groups
                .entry(value.clone())
                .or_insert_with(|| SessionGroup { value: value.clone(), ..Default::default() })
                .add(cost);
        }
        sessions.push((cost, resource_id));
    }
    // A session without a key the others have is shown under "" for that key.
    for (key, groups) in &mut by_key {
        for (cost, resource_id) in &sessions {
            let has_key = attributes_of.get(resource_id).is_some_and(|a| a.iter().any(|(k, _)| k == key));
            if !has_key {
                groups.entry(String::new()).or_default().add(*cost);
            }
        }
    }
    mix.by_terminal = ranked(terminals);
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
    let mut statement = conn.prepare_cached(
        "SELECT first_ns / :bucket_ns - (first_ns % :bucket_ns < 0) AS bucket, count(*) FROM sessions
         WHERE id <> '' AND bucket >= :from AND bucket < :to GROUP BY 1",
    )?;
    let params = named_params! {":from": from, ":to": to, ":bucket_ns": crate::words::time::BUCKET_NS};
    let rows = statement.query_map(params, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    let mut counts: BTreeMap<DateTime<Utc>, i64> = BTreeMap::new();
    let mut starts = BucketStarts::new(ctx, granularity);
    for row in rows {
        let (bucket, count) = row?;
        *counts.entry(starts.of(bucket)).or_default() += count;
    }
    Ok(counts.into_iter().map(|(start, sessions)| StartCount { start, sessions }).collect())
}
