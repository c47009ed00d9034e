//! The read side: every figure the tray, the windows and `ccmeter report` show.
//!
//! Cost and tokens come from one source per session (DESIGN.md, "Which source, when"): once a session
//! has an `api_request` event, its events own cost and tokens and its metric figures are set aside;
//! a session with metrics only is counted from metrics. Data without a session id is "no session":
//! its metric cost and tokens count only in 15-minute buckets where no api_request event arrived at
//! all (when both exporters run, the events already carry that cost under their sessions).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, named_params, params};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::error::Result;
use crate::read::cover::{built, cover, series_cover};
use crate::store::timing::{Timing, TimingKind};
use crate::store::usage::{
    CUT_SORT_KEYS, OWNED_ROWS, Sessions, USAGE_COLUMN_COUNT, USAGE_COLUMNS, WHOLE_SORT_KEYS, session_per,
    session_per_of,
};
use crate::words::money::usd;
use crate::words::range::{BucketStarts, Granularity, Range, record_times};
use crate::words::time::BUCKET_NS;
use crate::words::time::{TimeContext, from_ns};

/// Tokens by type, as Claude Code counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct TokenCounts {
    pub input: i64,
    pub output: i64,
    #[serde(rename = "cacheRead")]
    pub cache_read: i64,
    #[serde(rename = "cacheCreation")]
    pub cache_creation: i64,
}

impl TokenCounts {
    /// The fields (as serialised) that [`TokenCounts::total`] adds up: every type. The windows sum the same
    /// ones (`TOKEN_TOTAL_OF` in the generated TypeScript).
    pub const TOTAL_OF: [&'static str; 4] = ["input", "output", "cacheRead", "cacheCreation"];

    pub fn total(&self) -> i64 {
        self.input + self.output + self.cache_read + self.cache_creation
    }

    /// cacheRead ÷ (input + cacheRead + cacheCreation): the share of prompt tokens served from cache.
    pub fn cache_hit_rate(&self) -> Option<f64> {
        let prompt = self.input + self.cache_read + self.cache_creation;
        (prompt > 0).then(|| self.cache_read as f64 / prompt as f64)
    }
}

/// Usage figures summed over some rollup rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct Usage {
    #[serde(skip)]
    pub cost_nanos: i64,
    pub cost_usd: f64,
    pub tokens: TokenCounts,
    pub api_requests: i64,
    pub api_errors: i64,
    pub user_prompts: i64,
    pub tool_results: i64,
    pub lines_added: i64,
    pub lines_removed: i64,
    pub commits: i64,
    pub pull_requests: i64,
    pub active_time_user_s: f64,
    pub active_time_cli_s: f64,
    pub edits_accepted: i64,
    pub edits_rejected: i64,
    /// Mean API request latency, from the api_request events.
    pub api_mean_latency_ms: Option<f64>,
}

impl Usage {
    fn from_row(row: &Row, at: usize) -> rusqlite::Result<Usage> {
        Ok(Sums::from_row(row, at)?.usage())
    }
}

/// The usage sums as `USAGE_COLUMNS` selects them (and `usage_by_day` holds them): exact integers, added
/// before any division, so figures summed from days and from the rollup are the ones one query would give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Sums([i64; USAGE_COLUMN_COUNT]);

impl Sums {
    fn from_row(row: &Row, at: usize) -> rusqlite::Result<Sums> {
        let mut sums = [0; USAGE_COLUMN_COUNT];
        for (i, slot) in sums.iter_mut().enumerate() {
            *slot = row.get(at + i)?;
        }
        Ok(Sums(sums))
    }

    fn add(&mut self, more: &Sums) {
        for (into, more) in self.0.iter_mut().zip(more.0) {
            *into += more;
        }
    }

    fn usage(&self) -> Usage {
        let g = |i: usize| self.0[i];
        let cost_nanos = g(0);
        let api_requests = g(5);
        let duration_ms = g(17);
        Usage {
            cost_nanos,
            cost_usd: usd(cost_nanos),
            tokens: TokenCounts { input: g(1), output: g(2), cache_read: g(3), cache_creation: g(4) },
            api_requests,
            api_errors: g(6),
            user_prompts: g(7),
            tool_results: g(8),
            lines_added: g(9),
            lines_removed: g(10),
            commits: g(11),
            pull_requests: g(12),
            active_time_user_s: g(13) as f64 / 1e6,
            active_time_cli_s: g(14) as f64 / 1e6,
            edits_accepted: g(15),
            edits_rejected: g(16),
            api_mean_latency_ms: (api_requests > 0).then(|| duration_ms as f64 / api_requests as f64),
        }
    }
}

/// The figures of a `usage_by_day` or `usage_by_hour` row, in the order of [`USAGE_COLUMNS`]. The rows are
/// read as they are and added up here, not with SQL's `sum()`: a call of it costs four times reading the value
/// (a year of days by model, 1,460 rows: 3.4 ms summed by SQLite, 0.8 ms read).
const DAY_COLUMNS: &str = "cost_nanos, input, output, cache_read, cache_creation, api_requests, api_errors,
    user_prompts, tool_results, lines_added, lines_removed, commits, pull_requests, active_user_us, active_cli_us,
    edits_accepted, edits_rejected, api_duration_ms";

/// Usage of a range per model (`""`: usage with no model).
pub(crate) fn usage_by_model(conn: &Connection, range: Range) -> Result<BTreeMap<String, Sums>> {
    let (from, to) = range.buckets();
    let sources = cover(conn, "usage_by_day", None, from, to)?;
    let mut by_model: BTreeMap<String, Sums> = BTreeMap::new();
    if let Some((first, end)) = sources.days {
        let sql =
            format!("SELECT model, {DAY_COLUMNS} FROM usage_by_day WHERE first_bucket >= ?1 AND first_bucket < ?2");
        let mut statement = conn.prepare_cached(&sql)?;
        let rows = statement.query_map([first, end], |row| Ok((row.get::<_, String>(0)?, Sums::from_row(row, 1)?)))?;
        for row in rows {
            let (model, sums) = row?;
            by_model.entry(model).or_default().add(&sums);
        }
    }
    let sql = format!("{OWNED_ROWS} SELECT model, {USAGE_COLUMNS} FROM r GROUP BY model");
    let mut statement = conn.prepare_cached(&sql)?;
    for (from, to) in sources.edges {
        let rows = statement
            .query_map(named_params! {":from": from, ":to": to, ":session": None::<String>}, |row| {
                Ok((row.get::<_, String>(0)?, Sums::from_row(row, 1)?))
            })?;
        for row in rows {
            let (model, sums) = row?;
            by_model.entry(model).or_default().add(&sums);
        }
    }
    Ok(by_model)
}

/// The headline figures of a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct Summary {
    #[serde(flatten)]
    pub usage: Usage,
    pub sessions: i64,
    /// cacheRead ÷ (input + cacheRead + cacheCreation).
    pub cache_hit_rate: Option<f64>,
    pub spans: i64,
}

pub fn summary(conn: &Connection, range: Range) -> Result<Summary> {
    summary_of(conn, range, &usage_by_model(conn, range)?)
}

/// [`summary`] of the range's usage by model, already read (the dashboard reads it once for its series too).
pub(crate) fn summary_of(conn: &Connection, range: Range, by_model: &BTreeMap<String, Sums>) -> Result<Summary> {
    let (from, to) = range.buckets();
    let mut total = Sums::default();
    for sums in by_model.values() {
        total.add(sums);
    }
    let usage = total.usage();
    let sessions = if built(conn)? {
        // The sessions the range holds whole, counted from their totals; those it cuts, by a probe of their own
        // rollup rows each.
        conn.prepare_cached(
            "SELECT (SELECT count(*) FROM session_totals
                     WHERE last_bucket >= ?1 AND last_bucket < ?2 AND first_bucket >= ?1)
                  + (SELECT count(*) FROM session_totals t
                     WHERE t.last_bucket >= ?1 AND t.first_bucket < ?2 AND NOT (t.first_bucket >= ?1 AND t.last_bucket < ?2)
                       AND EXISTS (SELECT 1 FROM usage_rollup u
                                   WHERE u.session_id = t.session_id AND u.bucket >= ?1 AND u.bucket < ?2))",
        )?
        .query_row(params![from, to], |r| r.get(0))?
    } else {
        let sql = format!("{OWNED_ROWS} SELECT count(DISTINCT nullif(session_id, '')) FROM r");
        conn.prepare_cached(&sql)?
            .query_row(named_params! {":from": from, ":to": to, ":session": None::<String>}, |r| r.get(0))?
    };
    let (t_from, t_to) = range.times();
    let spans: i64 = conn
        .prepare_cached("SELECT count(*) FROM spans WHERE start_ns >= ?1 AND start_ns < ?2")?
        .query_row([t_from, t_to], |r| r.get(0))?;
    Ok(Summary { cache_hit_rate: usage.tokens.cache_hit_rate(), usage, sessions, spans })
}

/// Cost and tokens per model over a range.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ModelUsage {
    pub model: String,
    pub cost_usd: f64,
    #[serde(skip)]
    pub cost_nanos: i64,
    pub tokens: TokenCounts,
    pub api_requests: i64,
    pub api_errors: i64,
}

pub fn by_model(conn: &Connection, range: Range) -> Result<Vec<ModelUsage>> {
    Ok(by_model_of(usage_by_model(conn, range)?))
}

/// [`by_model`] of the range's usage by model, already read.
pub(crate) fn by_model_of(by_model: BTreeMap<String, Sums>) -> Vec<ModelUsage> {
    let mut rows: Vec<ModelUsage> = by_model
        .into_iter()
        .filter(|(model, _)| !model.is_empty())
        .map(|(model, sums)| {
            let usage = sums.usage();
            ModelUsage {
                model,
                cost_usd: usage.cost_usd,
                cost_nanos: usage.cost_nanos,
                tokens: usage.tokens,
                api_requests: usage.api_requests,
                api_errors: usage.api_errors,
            }
        })
        .collect();
    rows.retain(|m| m.cost_nanos > 0 || m.tokens.total() > 0 || m.api_requests > 0 || m.api_errors > 0);
    rows.sort_by(|a, b| b.cost_nanos.cmp(&a.cost_nanos).then_with(|| a.model.cmp(&b.model)));
    rows
}

/// One bucket of a time series, for one model (`""`: usage that has no model, such as commits).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SeriesPoint {
    /// The local hour or day's first instant, in UTC.
    pub start: DateTime<Utc>,
    pub model: String,
    #[serde(flatten)]
    pub usage: Usage,
}

/// Cost, tokens and activity over time in local hours or days, split by model.
pub fn over_time(
    conn: &Connection,
    ctx: &TimeContext,
    range: Range,
    granularity: Granularity,
) -> Result<Vec<SeriesPoint>> {
    Ok(series_of(&sums_over_time(conn, ctx, range, granularity)?))
}

/// Usage per local hour or day (its first instant) and model: what [`over_time`] shows, as sums.
pub(crate) type UsageOverTime = BTreeMap<(DateTime<Utc>, String), Sums>;

pub(crate) fn series_of(sums: &UsageOverTime) -> Vec<SeriesPoint> {
    sums.iter()
        .map(|((start, model), sums)| SeriesPoint { start: *start, model: model.clone(), usage: sums.usage() })
        .collect()
}

/// The usage by model of the whole span a series covers: what [`usage_by_model`] reads, summed from the series
/// instead (both take the same buckets under the same one-source rule).
pub(crate) fn by_model_over(series: &UsageOverTime) -> BTreeMap<String, Sums> {
    let mut by_model: BTreeMap<String, Sums> = BTreeMap::new();
    for ((_, model), sums) in series {
        match by_model.get_mut(model) {
            Some(into) => into.add(sums),
            None => {
                by_model.insert(model.clone(), *sums);
            }
        }
    }
    by_model
}

pub(crate) fn sums_over_time(
    conn: &Connection,
    ctx: &TimeContext,
    range: Range,
    granularity: Granularity,
) -> Result<UsageOverTime> {
    let (from, to) = range.buckets();
    let table = match granularity {
        Granularity::Day => "usage_by_day",
        Granularity::Hour => "usage_by_hour",
    };
    let sources = series_cover(conn, ctx, table, None, from, to)?;
    let mut merged = UsageOverTime::new();
    if let Some((first, end)) = sources.days {
        let sql = format!(
            "SELECT first_bucket, model, {DAY_COLUMNS} FROM {table} WHERE first_bucket >= ?1 AND first_bucket < ?2"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let rows = statement.query_map([first, end], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, Sums::from_row(row, 2)?))
        })?;
        for row in rows {
            let (first_bucket, model, sums) = row?;
            merged.entry((from_ns(first_bucket * BUCKET_NS), model)).or_default().add(&sums);
        }
    }
    let sql = format!("{OWNED_ROWS} SELECT bucket, model, {USAGE_COLUMNS} FROM r GROUP BY bucket, model");
    let mut statement = conn.prepare_cached(&sql)?;
    let mut starts = BucketStarts::new(ctx, granularity);
    for (from, to) in sources.edges {
        let rows = statement
            .query_map(named_params! {":from": from, ":to": to, ":session": None::<String>}, |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, Sums::from_row(row, 2)?))
            })?;
        for row in rows {
            let (bucket, model, sums) = row?;
            merged.entry((starts.of(bucket), model)).or_default().add(&sums);
        }
    }
    Ok(merged)
}

/// Cost, API requests and prompts of one local weekday and wall-clock hour, summed over a range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlotActivity {
    pub cost_nanos: i64,
    pub api_requests: i64,
    pub user_prompts: i64,
}

/// [`over_time`] in local hours, summed across models into the week's 168 slots, with only the figures the
/// activity heatmap shows: whole local days from their slots (`activity_by_day`, migration 0009), the edges
/// from the rollup.
pub fn activity_by_slot(conn: &Connection, ctx: &TimeContext, range: Range) -> Result<BTreeMap<u8, SlotActivity>> {
    let (from, to) = range.buckets();
    let sources = series_cover(conn, ctx, "activity_by_day", None, from, to)?;
    let mut slots: BTreeMap<u8, SlotActivity> = BTreeMap::new();
    let mut add = |slot: u8, cost: i64, requests: i64, prompts: i64| {
        let cell = slots.entry(slot).or_default();
        cell.cost_nanos += cost;
        cell.api_requests += requests;
        cell.user_prompts += prompts;
    };
    if let Some((first, end)) = sources.days {
        let mut statement = conn.prepare_cached(
            "SELECT slot, cost_nanos, api_requests, user_prompts FROM activity_by_day
             WHERE first_bucket >= ?1 AND first_bucket < ?2",
        )?;
        let rows = statement
            .query_map([first, end], |r| Ok((r.get::<_, u8>(0)?, r.get::<_, i64>(1)?, r.get(2)?, r.get(3)?)))?;
        for row in rows {
            let (slot, cost, requests, prompts) = row?;
            add(slot, cost, requests, prompts);
        }
    }
    let sql = format!(
        "{OWNED_ROWS} SELECT bucket, coalesce(sum(CASE WHEN ev THEN ev_cost_nanos ELSE m_cost_nanos END), 0),
                             coalesce(sum(api_requests), 0), coalesce(sum(user_prompts), 0)
         FROM r GROUP BY bucket"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut starts = BucketStarts::new(ctx, Granularity::Hour);
    for (from, to) in sources.edges {
        let rows = statement.query_map(named_params! {":from": from, ":to": to, ":session": None::<String>}, |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get(2)?, r.get(3)?))
        })?;
        for row in rows {
            let (bucket, cost, requests, prompts) = row?;
            add(crate::words::time::week_slot(ctx, starts.of(bucket)), cost, requests, prompts);
        }
    }
    Ok(slots)
}

fn add_usage(into: &mut Usage, more: &Usage) {
    into.cost_nanos += more.cost_nanos;
    into.cost_usd = usd(into.cost_nanos);
    into.tokens.input += more.tokens.input;
    into.tokens.output += more.tokens.output;
    into.tokens.cache_read += more.tokens.cache_read;
    into.tokens.cache_creation += more.tokens.cache_creation;
    let durations = into.api_mean_latency_ms.unwrap_or(0.0) * into.api_requests as f64
        + more.api_mean_latency_ms.unwrap_or(0.0) * more.api_requests as f64;
    into.api_requests += more.api_requests;
    into.api_mean_latency_ms = (into.api_requests > 0).then(|| durations / into.api_requests as f64);
    into.api_errors += more.api_errors;
    into.user_prompts += more.user_prompts;
    into.tool_results += more.tool_results;
    into.lines_added += more.lines_added;
    into.lines_removed += more.lines_removed;
    into.commits += more.commits;
    into.pull_requests += more.pull_requests;
    into.active_time_user_s += more.active_time_user_s;
    into.active_time_cli_s += more.active_time_cli_s;
    into.edits_accepted += more.edits_accepted;
    into.edits_rejected += more.edits_rejected;
}

/// Usage per local day (all models together).
pub fn by_day(conn: &Connection, ctx: &TimeContext, range: Range) -> Result<Vec<(NaiveDate, Usage)>> {
    let mut days: BTreeMap<NaiveDate, Usage> = BTreeMap::new();
    for point in over_time(conn, ctx, range, Granularity::Day)? {
        add_usage(days.entry(ctx.day_of(point.start)).or_default(), &point.usage);
    }
    Ok(days.into_iter().collect())
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SessionSort {
    #[default]
    Start,
    End,
    Cost,
    Tokens,
    Duration,
    Errors,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    pub range: Range,
    /// A normalised model name the session used.
    pub model: Option<String>,
    /// Matched against the session id, its models, terminal and e-mail.
    pub text: Option<String>,
    pub sort: SessionSort,
    pub descending: bool,
    pub limit: u32,
    pub offset: u32,
    /// Only sessions with an event or metric point at or after this instant (UTC ns).
    pub active_since_ns: Option<i64>,
    /// Only the sessions of this project (`words::project`); `""`: those with none.
    pub project: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SessionRow {
    /// `None` for data that arrived without a session id.
    pub id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub duration_s: f64,
    pub models: Vec<String>,
    pub app_version: Option<String>,
    pub terminal_type: Option<String>,
    pub user_email: Option<String>,
    /// The repository the session worked in (`vcs.repository.url.full`, sent with
    /// `OTEL_METRICS_INCLUDE_REPOSITORY=true`), and the branch and commit of its last `git commit`.
    pub repository: Option<String>,
    pub branch: Option<String>,
    pub commit: Option<String>,
    /// Its project (`words::project`): `owner/name`, or a folder with the home folder as `~`.
    pub project: Option<String>,
    pub cost_source: CostSource,
    /// Of its cost, the part estimated from Claude Code's transcripts (requests telemetry never reported), USD;
    /// and how many of its requests have no known price (their tokens counted, their cost not).
    pub estimated_cost_usd: f64,
    pub unpriced_requests: i64,
    #[serde(flatten)]
    pub usage: Usage,
}

/// Where a session's cost and tokens were taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CostSource {
    Events,
    Metrics,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SessionPage {
    pub total: i64,
    pub rows: Vec<SessionRow>,
}

/// The sessions of `per` (`store::usage::session_per`) that pass the filters, with their own columns.
const SESSION_FILTERED: &str = "
FROM per JOIN sessions s ON s.id = per.session_id LEFT JOIN session_projects p ON p.session_id = per.session_id
WHERE (:project IS NULL OR coalesce(p.project, '') = :project)
  AND (:model IS NULL OR EXISTS (SELECT 1 FROM usage_rollup m WHERE m.session_id = per.session_id AND m.model = :model))
  AND (:active_since IS NULL OR (s.last_ns >= :active_since AND s.id <> ''))
  AND (:text IS NULL OR instr(lower(s.id || ' ' || coalesce(per.models, '') || ' ' || coalesce(s.terminal_type, '')
                                    || ' ' || coalesce(s.user_email, '')), lower(:text)) > 0)";

/// The session list's columns, read by [`session_row`].
const SESSION_COLUMNS: &str = "
SELECT per.*, s.first_ns, s.last_ns, s.app_version, s.terminal_type, s.user_email, s.vcs_repository, s.vcs_branch,
       s.vcs_revision, p.project";

fn session_row(row: &Row) -> rusqlite::Result<SessionRow> {
    let usage = Usage::from_row(row, 3)?;
    // session_id, ev, models, the usage sums, the three sort aliases, then the session's own columns.
    let base = 3 + USAGE_COLUMN_COUNT + 3;
    let id: String = row.get(0)?;
    let first_ns: i64 = row.get(base)?;
    let last_ns: i64 = row.get(base + 1)?;
    let models: Option<String> = row.get(2)?;
    let mut models: Vec<String> = models.map(|m| m.split(',').map(str::to_owned).collect()).unwrap_or_default();
    models.sort();
    Ok(SessionRow {
        id: (!id.is_empty()).then_some(id),
        started_at: from_ns(first_ns),
        ended_at: from_ns(last_ns),
        duration_s: (last_ns - first_ns) as f64 / 1e9,
        models,
        app_version: row.get(base + 2)?,
        terminal_type: row.get(base + 3)?,
        user_email: row.get(base + 4)?,
        repository: row.get(base + 5)?,
        branch: row.get(base + 6)?,
        commit: row.get(base + 7)?,
        project: row.get(base + 8)?,
        cost_source: if row.get::<_, i64>(1)? != 0 { CostSource::Events } else { CostSource::Metrics },
        estimated_cost_usd: 0.0,
        unpriced_requests: 0,
        usage,
    })
}

/// Marks each row's estimated part within `range` (`SessionRow::estimated_cost_usd`): only estimated records
/// are read, through the index on sessions.
fn mark_estimates(conn: &Connection, range: Range, rows: &mut [SessionRow]) -> Result<()> {
    let Some((first, last)) = record_times(range) else { return Ok(()) };
    let mut statement = conn.prepare_cached(
        "SELECT coalesce(sum(cost_nanos), 0), count(*) FILTER (WHERE estimated = 2) FROM events
         WHERE session_id = ?1 AND estimated <> 0 AND time_ns >= ?2 AND time_ns <= ?3",
    )?;
    for row in rows.iter_mut() {
        let id = row.id.as_deref().unwrap_or("");
        let (nanos, unpriced): (i64, i64) =
            statement.query_row(params![id, first, last], |r| Ok((r.get(0)?, r.get(1)?)))?;
        row.estimated_cost_usd = nanos as f64 / 1e9;
        row.unpriced_requests = unpriced;
    }
    Ok(())
}

pub fn sessions(conn: &Connection, filter: &SessionFilter) -> Result<SessionPage> {
    sessions_page(conn, filter, true)
}

/// The filter's page of sessions; `total` is only counted when `count` asks for it (else it is the rows').
pub(crate) fn sessions_page(conn: &Connection, filter: &SessionFilter, count: bool) -> Result<SessionPage> {
    let mut page = sessions_page_unmarked(conn, filter, count)?;
    // One probe of the partial index when nothing was ever imported (most databases).
    let any: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM events WHERE estimated <> 0)")?
        .query_row([], |r| r.get(0))?;
    if any {
        mark_estimates(conn, filter.range, &mut page.rows)?;
    }
    Ok(page)
}

fn sessions_page_unmarked(conn: &Connection, filter: &SessionFilter, count: bool) -> Result<SessionPage> {
    let (from, to) = filter.range.buckets();
    // Fixed column names only: the generated SQL never contains user input.
    let order = match filter.sort {
        SessionSort::Start => "s.first_ns",
        SessionSort::End => "s.last_ns",
        SessionSort::Cost => "per_cost",
        SessionSort::Tokens => "per_tokens",
        SessionSort::Duration => "(s.last_ns - s.first_ns)",
        SessionSort::Errors => "per_errors",
    };
    let totals = crate::read::cover::built(conn)?;
    if totals && let Some(page) = page_by_totals(conn, filter, count)? {
        return Ok(page);
    }
    let per = session_per(totals);
    let limit = if filter.limit == 0 { i64::MAX } else { filter.limit as i64 };
    let text = filter.text.as_deref().filter(|t| !t.is_empty());
    let offset = filter.offset as i64;
    let mut params: Vec<(&str, &dyn rusqlite::ToSql)> = vec![
        (":from", &from),
        (":to", &to),
        (":model", &filter.model),
        (":text", &text),
        (":active_since", &filter.active_since_ns),
        (":project", &filter.project),
    ];
    if !totals {
        params.push((":session", &None::<String>));
    }
    if filter.limit == 0 {
        return whole_list(conn, filter, &per, &params);
    }
    let counted = |conn: &Connection| -> Result<i64> {
        Ok(conn
            .prepare_cached(&format!("{per} SELECT count(*) {SESSION_FILTERED}"))?
            .query_row(params.as_slice(), |r| r.get(0))?)
    };
    // A page past the middle is read from the other end, in the opposite order: the sort then keeps the rows
    // up to the page from that end (the last page of 10,000 sessions: 50 rows, not 10,000). The order is
    // total (ties broken by id), so its reverse is the same rows backwards.
    let known = (offset > 0).then(|| counted(conn)).transpose()?;
    let (mut skip, mut take, mut backwards) = (offset, limit, false);
    if let Some(total) = known {
        let left = (total - offset).clamp(0, limit);
        if total - offset - left < offset {
            (skip, take, backwards) = (total - offset - left, left, true);
        }
    }
    let direction = if filter.descending != backwards { "DESC" } else { "ASC" };
    let ties = if backwards { "DESC" } else { "ASC" };
    let sql = format!(
        "{per}{SESSION_COLUMNS}{SESSION_FILTERED} ORDER BY {order} {direction}, s.id {ties} LIMIT :limit OFFSET :offset"
    );
    let mut paged = params.clone();
    paged.extend([(":limit", &take as &dyn rusqlite::ToSql), (":offset", &skip)]);
    let mut rows = conn
        .prepare_cached(&sql)?
        .query_map(paged.as_slice(), session_row)?
        .collect::<rusqlite::Result<Vec<SessionRow>>>()?;
    if backwards {
        rows.reverse();
    }
    // A page that ends before the limit, having started at the first row, holds every session: no count needed.
    let total = match known {
        Some(total) => total,
        None if !count || (rows.len() as i64) < limit => rows.len() as i64,
        None => counted(conn)?,
    };
    Ok(SessionPage { total, rows })
}

/// Every session the filter passes (from its offset on), as `ORDER BY` would give them but sorted here: SQLite
/// sorts the list's wide rows through a temporary b-tree, which cost about a fifth of a year's report (10,000
/// sessions); the same order of the rows once read is a millisecond.
fn whole_list(
    conn: &Connection,
    filter: &SessionFilter,
    per: &str,
    params: &[(&str, &dyn rusqlite::ToSql)],
) -> Result<SessionPage> {
    let sql = format!("{per}{SESSION_COLUMNS}{SESSION_FILTERED}");
    let mut rows =
        conn.prepare_cached(&sql)?.query_map(params, session_row)?.collect::<rusqlite::Result<Vec<SessionRow>>>()?;
    let total = rows.len() as i64;
    // The keys of `sessions_page`'s ORDER BY, ties by id ascending (no id, the data without a session, first as
    // its "" would be).
    let by_key = |a: &SessionRow, b: &SessionRow| match filter.sort {
        SessionSort::Start => a.started_at.cmp(&b.started_at),
        SessionSort::End => a.ended_at.cmp(&b.ended_at),
        SessionSort::Cost => a.usage.cost_nanos.cmp(&b.usage.cost_nanos),
        SessionSort::Tokens => a.usage.tokens.total().cmp(&b.usage.tokens.total()),
        SessionSort::Duration => (a.ended_at - a.started_at).cmp(&(b.ended_at - b.started_at)),
        SessionSort::Errors => a.usage.api_errors.cmp(&b.usage.api_errors),
    };
    rows.sort_by(|a, b| {
        let key = if filter.descending { by_key(b, a) } else { by_key(a, b) };
        key.then_with(|| a.id.cmp(&b.id))
    });
    rows.drain(..(filter.offset as usize).min(rows.len()));
    Ok(SessionPage { total, rows })
}

/// The deepest page [`page_by_totals`] reads: beyond it, reading every session is as quick.
const PAGE_BY_TOTALS_MAX_ROWS: i64 = 1000;

/// A page sorted by cost, tokens or errors, without a model, text or activity filter, read without reading
/// every session of the range whole: the sessions the range holds whole are ranked by their totals alone, the
/// few it cuts are summed within it, and only the page's sessions are then read whole. The dashboard's most
/// expensive sessions of a year: 5 rows read whole, not 10,000. `None` where this does not apply.
fn page_by_totals(conn: &Connection, filter: &SessionFilter, count: bool) -> Result<Option<SessionPage>> {
    // The key's place in the candidate rows (`session_id`, `per_cost`, `per_tokens`, `per_errors`) and its name.
    let (key, column) = match filter.sort {
        SessionSort::Cost => (1, "per_cost"),
        SessionSort::Tokens => (2, "per_tokens"),
        SessionSort::Errors => (3, "per_errors"),
        SessionSort::Start | SessionSort::End | SessionSort::Duration => return Ok(None),
    };
    let depth = filter.offset as i64 + filter.limit as i64;
    if filter.limit == 0
        || depth > PAGE_BY_TOTALS_MAX_ROWS
        || filter.model.is_some()
        || filter.text.as_deref().is_some_and(|t| !t.is_empty())
        || filter.active_since_ns.is_some()
        || filter.project.is_some()
    {
        return Ok(None);
    }
    let (from, to) = filter.range.buckets();
    let direction = if filter.descending { "DESC" } else { "ASC" };
    let whole = format!("{WHOLE_SORT_KEYS} ORDER BY {column} {direction}, session_id ASC LIMIT :n");
    let mut candidates: Vec<(i64, String)> = conn
        .prepare_cached(&whole)?
        .query_map(named_params! {":from": from, ":to": to, ":n": depth}, |r| Ok((r.get(key)?, r.get(0)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let cut = CUT_SORT_KEYS.replace("{PER_ALIASES}", crate::store::usage::PER_ALIASES);
    let mut statement = conn.prepare_cached(&cut)?;
    let rows = statement.query_map(named_params! {":from": from, ":to": to}, |r| Ok((r.get(key)?, r.get(0)?)))?;
    for row in rows {
        candidates.push(row?);
    }
    // The order of the page read whole below: by the key, ties by id.
    candidates.sort_by(|(a, a_id), (b, b_id)| {
        let by_key = if filter.descending { b.cmp(a) } else { a.cmp(b) };
        by_key.then_with(|| a_id.cmp(b_id))
    });
    let ids: Vec<&String> =
        candidates.iter().skip(filter.offset as usize).take(filter.limit as usize).map(|(_, id)| id).collect();
    let only = Value::Array(ids.iter().map(|id| Value::String((*id).clone())).collect()).to_string();
    let sql = format!(
        "{per}{SESSION_COLUMNS}{SESSION_FILTERED} ORDER BY {column} {direction}, s.id ASC",
        per = session_per_of(true, Sessions::Only)
    );
    let params = named_params! {
        ":from": from, ":to": to, ":model": None::<String>, ":text": None::<String>, ":active_since": None::<i64>,
        ":project": None::<String>,
        ":only": only,
    };
    let rows =
        conn.prepare_cached(&sql)?.query_map(params, session_row)?.collect::<rusqlite::Result<Vec<SessionRow>>>()?;
    // A session with totals but no row of its own would leave a gap in the page: read every session then.
    if rows.len() != ids.len() {
        return Ok(None);
    }
    // As [`sessions_page`] counts: only when asked, and unless the page shows the list's end from its start.
    let total = if !count || (filter.offset == 0 && (rows.len() as i64) < filter.limit as i64) {
        rows.len() as i64
    } else {
        let unfiltered = named_params! {
            ":from": from, ":to": to, ":model": None::<String>, ":text": None::<String>, ":active_since": None::<i64>,
        ":project": None::<String>,
        };
        conn.prepare_cached(&format!("{} SELECT count(*) {SESSION_FILTERED}", session_per(true)))?
            .query_row(unfiltered, |r| r.get(0))?
    };
    Ok(Some(SessionPage { total, rows }))
}

/// One event of a session's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TimelineEvent {
    pub time: DateTime<Utc>,
    pub name: String,
    pub sequence: Option<i64>,
    pub prompt_id: Option<String>,
    pub model: Option<String>,
    #[serde(skip)]
    pub cost_nanos: Option<i64>,
    pub cost_usd: Option<f64>,
    pub tokens: Option<TokenCounts>,
    /// The cache write by lifetime, when Claude Code split it (`tokens.cacheCreation` is their sum).
    pub cache_creation_5m: Option<i64>,
    pub cache_creation_1h: Option<i64>,
    pub duration_ms: Option<i64>,
    /// Time to first token of an API request.
    pub ttft_ms: Option<i64>,
    /// The subagent that made an API request (`agent_id`, `agent.name`).
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    pub success: Option<bool>,
    pub tool_name: Option<String>,
    pub decision: Option<String>,
    pub status_code: Option<i64>,
    /// As sent (`repl_main_thread`, `agent:builtin:Explore`…).
    pub query_source: Option<String>,
    /// `query_source` as main / subagent / auxiliary.
    pub source: Option<crate::words::source::SourceClass>,
    /// An API request read from Claude Code's transcripts (telemetry never reported it): its cost is ccmeter's
    /// estimate, or unknown when no price of its model is known. `None`: Claude Code's own cost, or no cost.
    pub cost_estimate: Option<CostEstimate>,
    pub attributes: Value,
}

/// How an API request read from a transcript is costed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CostEstimate {
    /// At the best rates ccmeter knows (`ccmeter prices` says which).
    Priced,
    /// No price of its model is known: its tokens count, its cost does not (never shown as $0).
    NoPrice,
}

/// One subagent a session ran (one `agent_id`): what its own API requests cost.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SubagentUsage {
    pub agent_id: String,
    /// `agent.name` on its requests, else `agent_type` of its subagent_completed event (`Explore`,
    /// `general-purpose`, a custom agent's name); `None` when neither was sent.
    pub name: Option<String>,
    pub started_at: DateTime<Utc>,
    pub api_requests: i64,
    #[serde(skip)]
    pub cost_nanos: i64,
    pub cost_usd: f64,
    pub tokens: TokenCounts,
    /// From its subagent_completed event; else the sum of its requests' durations.
    pub duration_ms: i64,
    pub tool_uses: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SessionDetail {
    #[serde(flatten)]
    pub session: SessionRow,
    /// In the order they started. Their cost is part of the session's; the rest is the main thread's.
    pub subagents: Vec<SubagentUsage>,
    pub timeline: Vec<TimelineEvent>,
}

/// The subagents of a session, from its api_request events (`agent_id`) and subagent_completed events.
fn subagents(conn: &Connection, id: &str) -> Result<Vec<SubagentUsage>> {
    let mut by_id: BTreeMap<String, SubagentUsage> = BTreeMap::new();
    let mut requests = conn.prepare_cached(
        "SELECT agent_id, max(agent_name), min(time_ns), count(*), sum(coalesce(cost_nanos, 0)),
                sum(coalesce(input_tokens, 0)), sum(coalesce(output_tokens, 0)), sum(coalesce(cache_read_tokens, 0)),
                sum(coalesce(cache_creation_tokens, 0)), sum(coalesce(duration_ms, 0))
         FROM events WHERE session_id = ?1 AND agent_id IS NOT NULL AND name = 'api_request' AND is_claude_code = 1
         GROUP BY agent_id",
    )?;
    let rows = requests.query_map([id], |r| {
        let cost_nanos: i64 = r.get(4)?;
        Ok(SubagentUsage {
            agent_id: r.get(0)?,
            name: r.get(1)?,
            started_at: from_ns(r.get(2)?),
            api_requests: r.get(3)?,
            cost_nanos,
            cost_usd: usd(cost_nanos),
            tokens: TokenCounts {
                input: r.get(5)?,
                output: r.get(6)?,
                cache_read: r.get(7)?,
                cache_creation: r.get(8)?,
            },
            duration_ms: r.get(9)?,
            tool_uses: None,
        })
    })?;
    for row in rows {
        let row = row?;
        by_id.insert(row.agent_id.clone(), row);
    }
    let mut completions = conn.prepare_cached(
        "SELECT CAST(json_extract(attributes, '$.agent_id') AS TEXT), CAST(json_extract(attributes, '$.agent_type') AS TEXT),
                CAST(json_extract(attributes, '$.duration_ms') AS INTEGER),
                CAST(json_extract(attributes, '$.total_tool_uses') AS INTEGER), time_ns
         FROM events WHERE session_id = ?1 AND name = 'subagent_completed' AND is_claude_code = 1",
    )?;
    let rows = completions.query_map([id], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    for row in rows {
        let (Some(agent_id), agent_type, duration_ms, tool_uses, time_ns) = row? else { continue };
        let agent = by_id.entry(agent_id.clone()).or_insert_with(|| SubagentUsage {
            agent_id,
            name: None,
            started_at: from_ns(time_ns),
            api_requests: 0,
            cost_nanos: 0,
            cost_usd: 0.0,
            tokens: TokenCounts::default(),
            duration_ms: 0,
            tool_uses: None,
        });
        agent.name = agent.name.take().or(agent_type);
        agent.duration_ms = duration_ms.unwrap_or(agent.duration_ms);
        agent.tool_uses = tool_uses;
    }
    let mut agents: Vec<SubagentUsage> = by_id.into_values().collect();
    agents.sort_by(|a, b| a.started_at.cmp(&b.started_at).then_with(|| a.agent_id.cmp(&b.agent_id)));
    Ok(agents)
}

/// One session's totals and its events in order. `id` `""` is the "no session" bucket.
pub fn session(conn: &Connection, id: &str) -> Result<Option<SessionDetail>> {
    let sql = format!("{}{SESSION_COLUMNS}{SESSION_FILTERED}", session_per(false));
    let row = conn
        .prepare_cached(&sql)?
        .query_row(
            named_params! {
                ":from": i64::MIN, ":to": i64::MAX, ":session": id, ":model": None::<String>, ":text": None::<String>,
                ":active_since": None::<i64>, ":project": None::<String>,
            },
            session_row,
        )
        .optional()?;
    let Some(mut session) = row else { return Ok(None) };
    mark_estimates(conn, Range::ALL, std::slice::from_mut(&mut session))?;
    let mut statement = conn.prepare_cached(
        "SELECT time_ns, name, sequence, prompt_id, model, cost_nanos, input_tokens, output_tokens, cache_read_tokens,
                cache_creation_tokens, duration_ms, success, tool_name, decision, status_code, query_source, attributes,
                cache_creation_5m_tokens, cache_creation_1h_tokens, ttft_ms, agent_id, agent_name, estimated
         FROM events WHERE session_id = ?1 ORDER BY time_ns, sequence, id",
    )?;
    let timeline = statement
        .query_map([id], |row| {
            let input: Option<i64> = row.get(6)?;
            let attributes: String = row.get(16)?;
            Ok(TimelineEvent {
                time: from_ns(row.get(0)?),
                name: row.get(1)?,
                sequence: row.get(2)?,
                prompt_id: row.get(3)?,
                model: row.get(4)?,
                cost_nanos: row.get(5)?,
                cost_usd: row.get::<_, Option<i64>>(5)?.map(usd),
                tokens: match input {
                    Some(input) => Some(TokenCounts {
                        input,
                        output: row.get::<_, Option<i64>>(7)?.unwrap_or(0),
                        cache_read: row.get::<_, Option<i64>>(8)?.unwrap_or(0),
                        cache_creation: row.get::<_, Option<i64>>(9)?.unwrap_or(0),
                    }),
                    None => None,
                },
                cache_creation_5m: row.get(17)?,
                cache_creation_1h: row.get(18)?,
                duration_ms: row.get(10)?,
                ttft_ms: row.get(19)?,
                agent_id: row.get(20)?,
                agent_name: row.get(21)?,
                success: row.get(11)?,
                tool_name: row.get(12)?,
                decision: row.get(13)?,
                status_code: row.get(14)?,
                source: row.get::<_, Option<String>>(15)?.as_deref().map(crate::words::source::classify_query_source),
                query_source: row.get(15)?,
                cost_estimate: match row.get::<_, i64>(22)? {
                    1 => Some(CostEstimate::Priced),
                    2 => Some(CostEstimate::NoPrice),
                    _ => None,
                },
                attributes: serde_json::from_str(&attributes).unwrap_or(Value::Null),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(SessionDetail { subagents: subagents(conn, id)?, session, timeline }))
}

/// One session's usage per 15-minute bucket (its cost over time), from the session's own source.
pub fn session_series(conn: &Connection, id: &str) -> Result<Vec<SeriesPoint>> {
    let sql =
        format!("{OWNED_ROWS} SELECT bucket, model, {USAGE_COLUMNS} FROM r GROUP BY bucket, model ORDER BY bucket");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(named_params! {":from": i64::MIN, ":to": i64::MAX, ":session": id}, |row| {
        Ok(SeriesPoint {
            start: from_ns(row.get::<_, i64>(0)? * BUCKET_NS),
            model: row.get(1)?,
            usage: Usage::from_row(row, 2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every normalised model seen, most used first: the history's model filter.
pub fn models(conn: &Connection) -> Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT model FROM usage_rollup WHERE model <> '' GROUP BY model ORDER BY sum(api_requests) DESC, model",
    )?;
    let models = statement.query_map([], |row| row.get(0))?;
    Ok(models.collect::<rusqlite::Result<_>>()?)
}

/// The estimated part of a range's cost (requests read from transcripts), by the report's groupings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Estimated {
    pub total: i64,
    /// Requests of a model with no known price.
    pub unpriced: i64,
    pub by_session: HashMap<String, i64>,
    pub by_model: HashMap<String, i64>,
    pub by_day: HashMap<NaiveDate, i64>,
}

/// The estimated part of `range`'s cost (nano-dollars) and its requests with no known price, summed in SQLite.
pub fn estimated_total(conn: &Connection, range: Range) -> Result<(i64, i64)> {
    let Some((first, last)) = record_times(range) else { return Ok((0, 0)) };
    let mut statement = conn.prepare_cached(
        "SELECT coalesce(sum(cost_nanos), 0), count(*) FILTER (WHERE estimated = 2) FROM events
         WHERE estimated <> 0 AND time_ns >= ?1 AND time_ns <= ?2",
    )?;
    Ok(statement.query_row(params![first, last], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The estimated cost of `range`: only the estimated records are read (a partial index holds them alone).
pub fn estimated(conn: &Connection, ctx: &TimeContext, range: Range) -> Result<Estimated> {
    let mut found = Estimated::default();
    let Some((first, last)) = record_times(range) else { return Ok(found) };
    let mut statement = conn.prepare_cached(
        "SELECT session_id, coalesce(model_norm, ''), time_ns, coalesce(cost_nanos, 0), estimated FROM events
         WHERE estimated <> 0 AND time_ns >= ?1 AND time_ns <= ?2",
    )?;
    let rows = statement.query_map(params![first, last], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, i64>(4)?,
        ))
    })?;
    for row in rows {
        let (session, model, time_ns, cost, kind) = row?;
        if kind == ccmeter_proto::CostKind::NoPrice.code() {
            found.unpriced += 1;
        }
        found.total += cost;
        *found.by_session.entry(session).or_default() += cost;
        *found.by_model.entry(model).or_default() += cost;
        *found.by_day.entry(ctx.day_of(from_ns(time_ns))).or_default() += cost;
    }
    Ok(found)
}

/// Every project a session with records has (`words::project`), the most sessions first.
pub fn projects(conn: &Connection) -> Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT p.project FROM session_projects p JOIN sessions s ON s.id = p.session_id
         GROUP BY p.project ORDER BY count(*) DESC, p.project",
    )?;
    let projects = statement.query_map([], |row| row.get(0))?;
    Ok(projects.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ToolStat {
    pub tool: String,
    pub calls: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub success_rate: Option<f64>,
    /// Mean of the runs that reported a duration; their median and 95th percentile (nearest rank, within
    /// 1 % + 0.5 ms).
    pub mean_ms: Option<f64>,
    pub p50_ms: Option<i64>,
    pub p95_ms: Option<i64>,
    pub accepted: i64,
    pub rejected: i64,
}

/// Tool calls, success rate, mean and p50/p95 duration (tool_result events; percentiles within 1 % + 0.5 ms
/// of the exact nearest-rank value) and accept/reject (tool_decision), over whole 15-minute buckets.
pub fn tool_stats(conn: &Connection, range: Range) -> Result<Vec<ToolStat>> {
    let (from, to) = range.buckets();
    Ok(tool_stats_of(crate::read::timings::by_key(conn, TimingKind::Tool, from, to)?))
}

/// [`tool_stats`] of each tool's timing over the range, already read.
pub(crate) fn tool_stats_of(by_tool: BTreeMap<String, Timing>) -> Vec<ToolStat> {
    let mut stats: Vec<ToolStat> = by_tool
        .into_iter()
        .map(|(tool, t)| {
            let judged = t.succeeded + t.failed;
            ToolStat {
                tool,
                calls: t.records,
                succeeded: t.succeeded,
                failed: t.failed,
                success_rate: (judged > 0).then(|| t.succeeded as f64 / judged as f64),
                mean_ms: (t.timed > 0).then(|| t.duration_ms as f64 / t.timed as f64),
                p50_ms: t.durations.percentile(50.0),
                p95_ms: t.durations.percentile(95.0),
                accepted: t.accepted,
                rejected: t.rejected,
            }
        })
        .collect();
    stats.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.tool.cmp(&b.tool)));
    stats
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorCount {
    /// `None` when the request failed without an HTTP status (a connection error).
    pub status_code: Option<i64>,
    pub count: i64,
}

/// API errors (the final failure of a request, as Claude Code reports it) by HTTP status, over whole
/// 15-minute buckets as every other figure of a range; most first.
pub fn errors_by_status(conn: &Connection, range: Range) -> Result<Vec<ErrorCount>> {
    let Some((first, last)) = record_times(range) else { return Ok(Vec::new()) };
    let mut statement = conn.prepare_cached(
        "SELECT status_code, count(*) FROM events
         WHERE name = 'api_error' AND is_claude_code = 1 AND time_ns BETWEEN ?1 AND ?2
         GROUP BY status_code",
    )?;
    let rows = statement.query_map([first, last], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(errors_of(rows.collect::<rusqlite::Result<Vec<_>>>()?))
}

/// [`errors_by_status`] of counts by status (a status may come more than once: they are added).
pub(crate) fn errors_of(counts: impl IntoIterator<Item = (Option<i64>, i64)>) -> Vec<ErrorCount> {
    let mut by_status: BTreeMap<Option<i64>, i64> = BTreeMap::new();
    for (status_code, count) in counts {
        *by_status.entry(status_code).or_default() += count;
    }
    let mut errors: Vec<ErrorCount> =
        by_status.into_iter().map(|(status_code, count)| ErrorCount { status_code, count }).collect();
    // Most first, then by status with "no status" first, as SQL's ORDER BY count DESC, status would.
    errors.sort_by(|a, b| b.count.cmp(&a.count).then(a.status_code.cmp(&b.status_code)));
    errors
}

/// Records of each kind, including what is not Claude Code's (stored, never shown as its usage).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct RecordCounts {
    pub events: i64,
    pub claude_code_events: i64,
    pub metric_points: i64,
    pub spans: i64,
}

pub fn record_counts(conn: &Connection) -> Result<RecordCounts> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM events WHERE is_claude_code = 1),
                (SELECT count(*) FROM metric_points), (SELECT count(*) FROM spans)",
        [],
        |r| {
            Ok(RecordCounts {
                events: r.get(0)?,
                claude_code_events: r.get(1)?,
                metric_points: r.get(2)?,
                spans: r.get(3)?,
            })
        },
    )?)
}

/// Event counts by name within a range.
/// Claude Code events by bare name (`api_request`, `plugin_loaded`, names this version does not know…), each
/// stored record counted once. Read from the event facet of the rollup, which retention keeps when it
/// prunes old records, so the counts cover the same history as every other total.
pub fn event_counts(conn: &Connection, range: Range) -> Result<BTreeMap<String, i64>> {
    let (from, to) = range.buckets();
    Ok(crate::read::facets::by_value(conn, crate::words::facet::Facet::Event, from, to)?
        .into_iter()
        .map(|(name, sums)| (name, sums.records()))
        .filter(|(_, count)| *count > 0)
        .collect())
}
