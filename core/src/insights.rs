//! Dashboard breakdowns beyond the headline figures: cost by query source (the main thread, subagents,
//! helper calls), code edits by language, and activity by weekday and local hour.
//!
//! Every figure here obeys the same rules as [`crate::query`], so that each breakdown adds up to the
//! summary of the same range, to the nano-dollar:
//! - one source of cost and tokens per session (DESIGN.md, "Which source, when"): a session with an
//!   `api_request` event counts from its events, a session with metrics only from its metric points,
//!   and data without a session id from its metrics only in 15-minute buckets where no api_request
//!   event arrived at all;
//! - a range selects whole 15-minute rollup buckets, exactly as the rollup queries do: records count
//!   when their bucket starts in `[bucket_of(from), bucket_of(to))`.

use std::collections::BTreeMap;

use ccmeter_proto::MetricName;
use chrono::{Datelike, Timelike};
use rusqlite::{Connection, named_params};
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::ingest::{BUCKET_NS, bucket_of};
use crate::query::{self, Granularity, Range, TokenCounts};
use crate::time::TimeContext;

/// Money as exact nano-dollars inside, USD (a JSON number) outside.
fn usd(nanos: i64) -> f64 {
    nanos as f64 / 1e9
}

/// The first and last record time (both inclusive) a range covers, `None` when it covers none.
///
/// The rollup queries select `bucket >= bucket_of(from) AND bucket < bucket_of(to)`; comparing raw
/// record times against the start of the first bucket and the instant before the end bucket selects
/// exactly the records those buckets were built from. (Plain bounds, not `:x IS NULL OR …`, so that
/// SQLite can range-scan its time indexes.)
fn record_times(range: Range) -> Option<(i64, i64)> {
    let first = range.from_ns.map_or(i64::MIN, |t| bucket_of(t).saturating_mul(BUCKET_NS));
    let last = match range.to_ns {
        None => i64::MAX,
        // Below i64::MIN: no record is earlier.
        Some(t) => bucket_of(t).checked_mul(BUCKET_NS)?.checked_sub(1)?,
    };
    (first <= last).then_some((first, last))
}

/// Who made an API request, in the three classes Claude Code's own metrics use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SourceClass {
    /// The conversation the user drives (interactive REPL or `claude -p` / the SDK).
    Main,
    /// Agents the main thread started (the Task/Agent tool, built-in or custom).
    Subagent,
    /// Helper calls Claude Code makes on its own: session titles, compaction, summaries, classifiers…
    Auxiliary,
}

/// Maps a raw `query_source` to its class.
///
/// The two signals spell it differently: the cost and token metrics send the class itself (`main`,
/// `subagent`, `auxiliary`), the api_request and api_error events send Claude Code's internal query
/// source. There, the main thread is `repl_main_thread` (interactive; some versions add a suffix such
/// as `repl_main_thread:outputStyle:…`, which Claude Code itself tests by prefix) or `sdk` (`claude -p`
/// and the SDK); subagents are `agent:…` (`agent:builtin:Explore`, `agent:custom`…); any other name is
/// a helper (`generate_session_title`, `compact`…) and auxiliary. An absent value (`""`: versions
/// before the attribute existed) is taken as the main thread, where most of such a session's requests
/// come from, rather than inflating "auxiliary" with everything an old version spent.
pub fn classify_query_source(raw: &str) -> SourceClass {
    match raw {
        "" | "main" | "sdk" => SourceClass::Main,
        "subagent" => SourceClass::Subagent,
        "auxiliary" => SourceClass::Auxiliary,
        _ if raw.starts_with("repl_main_thread") => SourceClass::Main,
        _ if raw.starts_with("agent:") => SourceClass::Subagent,
        _ => SourceClass::Auxiliary,
    }
}

/// Cost, requests and tokens of one raw `query_source` value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct RawSourceUsage {
    /// As sent: `sdk`, `agent:builtin:Explore` (events) or `main`, `subagent` (metrics); `""` when the
    /// record had none.
    pub raw: String,
    #[serde(skip)]
    pub cost_nanos: i64,
    pub cost_usd: f64,
    /// api_request events; metric-only sessions have none.
    pub api_requests: i64,
    pub tokens: TokenCounts,
}

/// Cost, requests and tokens of one source class, with the raw values it was made of.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SourceUsage {
    pub class: SourceClass,
    #[serde(skip)]
    pub cost_nanos: i64,
    pub cost_usd: f64,
    /// api_request events; metric-only sessions have none.
    pub api_requests: i64,
    pub tokens: TokenCounts,
    /// The raw values of this class, most expensive first.
    pub raw: Vec<RawSourceUsage>,
}

fn add_tokens(into: &mut TokenCounts, more: &TokenCounts) {
    into.input += more.input;
    into.output += more.output;
    into.cache_read += more.cache_read;
    into.cache_creation += more.cache_creation;
}

/// The api_request events of a range, by raw query_source.
///
/// Every api_request event is event-owned under the rule of [`query`]'s rollup rows: storing one
/// marks its session `has_api_events`, and a "no session" one adds an api request to its own bucket.
/// So all of them count, and no join is needed to say so (the tests pin this against the summary).
const EVENT_SOURCES: &str = "
SELECT coalesce(query_source, ''), count(*), coalesce(sum(cost_nanos), 0),
       coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
       coalesce(sum(cache_read_tokens), 0), coalesce(sum(cache_creation_tokens), 0)
FROM events
WHERE name = 'api_request' AND is_claude_code = 1
  AND time_ns BETWEEN :first AND :last
GROUP BY 1";

/// The cost and token increments of metric-owned data in a range, by raw query_source, metric and
/// token type. Metric-owned means what it means for the rollup rows:
/// - a named session that never had an api_request event (`has_api_events = 0`); its points are read
///   through the session index, so sessions counted from events (normally nearly all) cost nothing.
///   `first_ns`/`last_ns` span every point that reached the rollup, so they only skip sessions that
///   cannot have a point in the range;
/// - a "no session" point in a 15-minute bucket where no api_request event arrived at all (the bucket
///   is the floor of its time: SQLite's `/` truncates towards zero).
///
/// Increments are summed per series first, so each series' attributes are parsed once.
const METRIC_SOURCES: &str = "
SELECT coalesce(CAST(json_extract(ms.attributes, '$.query_source') AS TEXT), ''), t.metric,
       coalesce(t.type, ''), sum(t.delta)
FROM (
    SELECT p.series_id, p.metric, p.type, sum(p.delta_scaled) AS delta
    FROM sessions s CROSS JOIN metric_points p ON p.session_id = s.id
    WHERE s.id <> '' AND s.has_api_events = 0
      AND s.last_ns >= :first AND s.first_ns <= :last
      AND p.time_ns BETWEEN :first AND :last
      AND p.metric IN (:cost, :tokens) AND p.delta_scaled IS NOT NULL
    GROUP BY p.series_id, p.metric, p.type
    UNION ALL
    SELECT p.series_id, p.metric, p.type, sum(p.delta_scaled)
    FROM metric_points p
    WHERE p.session_id = ''
      AND p.time_ns BETWEEN :first AND :last
      AND p.metric IN (:cost, :tokens) AND p.delta_scaled IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM usage_rollup x
                      WHERE x.bucket = p.time_ns / :bucket_ns - (p.time_ns % :bucket_ns < 0)
                        AND x.api_requests > 0)
    GROUP BY p.series_id, p.metric, p.type
) t JOIN metric_series ms ON ms.id = t.series_id
GROUP BY 1, 2, 3";

/// Cost, API requests and tokens by query source class (main thread, subagents, auxiliary helpers).
///
/// The rollup has no query_source, so this reads the raw records under the same one-source rule as
/// [`query::summary`]: the api_request events of event-owned data (their `query_source` column), and
/// the `claude_code.cost.usage` / `claude_code.token.usage` increments of metric-owned data (their
/// series' `query_source` attribute). The classes of a range therefore add up to the summary's cost,
/// tokens and API requests exactly, and a session is never counted from both signals. Classes with no
/// usage are left out; the rest come in the order main, subagent, auxiliary.
///
/// Cost grows with the api_request events in the range (one row read per event), unlike the rollup
/// queries: fast for days and weeks, slower over all time on a large database.
pub fn cost_by_source(conn: &Connection, range: Range) -> Result<Vec<SourceUsage>> {
    let Some((first, last)) = record_times(range) else { return Ok(Vec::new()) };
    let mut raw: BTreeMap<String, RawSourceUsage> = BTreeMap::new();

    let mut statement = conn.prepare_cached(EVENT_SOURCES)?;
    let rows = statement.query_map(named_params! {":first": first, ":last": last}, |r| {
        Ok(RawSourceUsage {
            raw: r.get(0)?,
            api_requests: r.get(1)?,
            cost_nanos: r.get(2)?,
            cost_usd: 0.0,
            tokens: TokenCounts {
                input: r.get(3)?,
                output: r.get(4)?,
                cache_read: r.get(5)?,
                cache_creation: r.get(6)?,
            },
        })
    })?;
    for row in rows {
        let row = row?;
        raw.insert(row.raw.clone(), row);
    }

    let mut statement = conn.prepare_cached(METRIC_SOURCES)?;
    let params = named_params! {
        ":first": first, ":last": last, ":bucket_ns": BUCKET_NS,
        ":cost": MetricName::CostUsage.as_str(), ":tokens": MetricName::TokenUsage.as_str(),
    };
    let rows = statement.query_map(params, |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
    })?;
    for row in rows {
        let (source, metric, kind, delta) = row?;
        let entry = raw.entry(source.clone()).or_insert_with(|| RawSourceUsage { raw: source, ..Default::default() });
        // The columns the rollup fills: token points of another type count nowhere.
        match (MetricName::parse(&metric), kind.as_str()) {
            (MetricName::CostUsage, _) => entry.cost_nanos += delta,
            (_, "input") => entry.tokens.input += delta,
            (_, "output") => entry.tokens.output += delta,
            (_, "cacheRead") => entry.tokens.cache_read += delta,
            (_, "cacheCreation") => entry.tokens.cache_creation += delta,
            _ => {}
        }
    }

    let mut classes: BTreeMap<SourceClass, SourceUsage> = BTreeMap::new();
    for (_, mut usage) in raw {
        if usage.cost_nanos == 0 && usage.api_requests == 0 && usage.tokens.total() == 0 {
            continue;
        }
        usage.cost_usd = usd(usage.cost_nanos);
        let class = classify_query_source(&usage.raw);
        let entry = classes.entry(class).or_insert_with(|| SourceUsage {
            class,
            cost_nanos: 0,
            cost_usd: 0.0,
            api_requests: 0,
            tokens: TokenCounts::default(),
            raw: Vec::new(),
        });
        entry.cost_nanos += usage.cost_nanos;
        entry.cost_usd = usd(entry.cost_nanos);
        entry.api_requests += usage.api_requests;
        add_tokens(&mut entry.tokens, &usage.tokens);
        entry.raw.push(usage);
    }
    Ok(classes
        .into_values()
        .map(|mut class| {
            class.raw.sort_by(|a, b| b.cost_nanos.cmp(&a.cost_nanos).then_with(|| a.raw.cmp(&b.raw)));
            class
        })
        .collect())
}

/// Code edit decisions (Edit, Write, NotebookEdit permission prompts) for one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LanguageEdits {
    /// As Claude Code names it (`Python`, `TypeScript`…); `unknown` when the point had none.
    pub language: String,
    pub accepted: i64,
    pub rejected: i64,
}

impl LanguageEdits {
    pub fn total(&self) -> i64 {
        self.accepted + self.rejected
    }
}

/// Accepted and rejected code edits by language, most decisions first (ties by name).
///
/// Read from the `claude_code.code_edit_tool.decision` metric, the only signal with a language: its
/// stored increments (cumulative series already turned into deltas at ingest) by the series'
/// `language` and `decision` attributes. Decisions other than accept/reject are not counted, as in
/// the summary's edit figures, which these add up to for the same range. There is no second source
/// to choose from (the tool_decision events carry no language), so no session rule applies.
pub fn edits_by_language(conn: &Connection, range: Range) -> Result<Vec<LanguageEdits>> {
    let Some((first, last)) = record_times(range) else { return Ok(Vec::new()) };
    let mut statement = conn.prepare_cached(
        "SELECT coalesce(nullif(CAST(json_extract(ms.attributes, '$.language') AS TEXT), ''), 'unknown'),
                coalesce(sum(CASE WHEN json_extract(ms.attributes, '$.decision') = 'accept' THEN t.delta END), 0),
                coalesce(sum(CASE WHEN json_extract(ms.attributes, '$.decision') = 'reject' THEN t.delta END), 0)
         FROM (SELECT series_id, sum(delta_scaled) AS delta FROM metric_points
               WHERE metric = :metric AND delta_scaled IS NOT NULL
                 AND time_ns BETWEEN :first AND :last
               GROUP BY series_id) t
         JOIN metric_series ms ON ms.id = t.series_id
         GROUP BY 1",
    )?;
    let params = named_params! {":first": first, ":last": last, ":metric": MetricName::CodeEditToolDecision.as_str()};
    let rows = statement
        .query_map(params, |r| Ok(LanguageEdits { language: r.get(0)?, accepted: r.get(1)?, rejected: r.get(2)? }))?;
    let mut languages: Vec<LanguageEdits> =
        rows.collect::<rusqlite::Result<Vec<_>>>()?.into_iter().filter(|l| l.total() != 0).collect();
    languages.sort_by(|a, b| b.total().cmp(&a.total()).then_with(|| a.language.cmp(&b.language)));
    Ok(languages)
}

/// Activity in one local weekday and hour, summed over every such hour of the range.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct HeatCell {
    /// 0 = Monday … 6 = Sunday, in the user's zone.
    pub weekday: u8,
    /// 0–23, local wall-clock hour.
    pub hour: u8,
    #[serde(skip)]
    pub cost_nanos: i64,
    pub cost_usd: f64,
    pub api_requests: i64,
    pub user_prompts: i64,
}

/// Cost, API requests and prompts by local weekday × hour, only the cells that have any; in weekday
/// then hour order.
///
/// Built on [`query::over_time`] in local hours, so cost follows the one-source rule already. Its
/// rollup buckets are 15 minutes and every zone offset is a whole number of quarter hours, so each
/// bucket lies in one local hour. Each hour is placed by the local wall time of its start, which is
/// DST-safe: when clocks go back, both 02:00–03:00 passes land in hour 2 of that day (over_time gives
/// both the same start, the earlier instant); when they go forward, the skipped hour has no data.
pub fn activity_heatmap(conn: &Connection, ctx: &TimeContext, range: Range) -> Result<Vec<HeatCell>> {
    let mut cells: BTreeMap<(u8, u8), HeatCell> = BTreeMap::new();
    for point in query::over_time(conn, ctx, range, Granularity::Hour)? {
        let local = point.start.with_timezone(&ctx.zone);
        // Both are small by construction: num_days_from_monday() < 7, hour() < 24.
        let weekday = local.weekday().num_days_from_monday() as u8;
        let hour = local.hour() as u8;
        let cell = cells.entry((weekday, hour)).or_insert(HeatCell {
            weekday,
            hour,
            cost_nanos: 0,
            cost_usd: 0.0,
            api_requests: 0,
            user_prompts: 0,
        });
        cell.cost_nanos += point.usage.cost_nanos;
        cell.cost_usd = usd(cell.cost_nanos);
        cell.api_requests += point.usage.api_requests;
        cell.user_prompts += point.usage.user_prompts;
    }
    Ok(cells.into_values().filter(|c| c.cost_nanos != 0 || c.api_requests != 0 || c.user_prompts != 0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_source_in_the_inventory_has_its_class() {
        // Metrics (claude_code.cost.usage, claude_code.token.usage) send the class itself.
        assert_eq!(classify_query_source("main"), SourceClass::Main);
        assert_eq!(classify_query_source("subagent"), SourceClass::Subagent);
        assert_eq!(classify_query_source("auxiliary"), SourceClass::Auxiliary);
        // api_request / assistant_response / api_error / api_retries_exhausted send the internal name.
        assert_eq!(classify_query_source("sdk"), SourceClass::Main);
        assert_eq!(classify_query_source("repl_main_thread"), SourceClass::Main);
        assert_eq!(classify_query_source("agent:builtin:Explore"), SourceClass::Subagent);
        assert_eq!(classify_query_source("generate_session_title"), SourceClass::Auxiliary);
    }

    #[test]
    fn other_query_sources_follow_claude_codes_own_prefixes() {
        assert_eq!(classify_query_source("repl_main_thread:outputStyle:Explanatory"), SourceClass::Main);
        assert_eq!(classify_query_source("agent:custom"), SourceClass::Subagent);
        assert_eq!(classify_query_source("agent:builtin:general-purpose"), SourceClass::Subagent);
        for helper in ["compact", "session_memory", "prompt_suggestion", "hook_agent", "side_question"] {
            assert_eq!(classify_query_source(helper), SourceClass::Auxiliary, "{helper}");
        }
        assert_eq!(classify_query_source(""), SourceClass::Main, "not sent: an old version's main thread");
    }

    #[test]
    fn classes_serialise_in_lowercase() {
        let json = serde_json::to_string(&[SourceClass::Main, SourceClass::Subagent, SourceClass::Auxiliary]);
        assert_eq!(json.ok().as_deref(), Some(r#"["main","subagent","auxiliary"]"#));
    }

    #[test]
    fn a_range_selects_whole_buckets_like_the_rollup() {
        let b = BUCKET_NS;
        let range = Range { from_ns: Some(3 * b + 7), to_ns: Some(5 * b + 1) };
        assert_eq!(record_times(range), Some((3 * b, 5 * b - 1)));
        assert_eq!(record_times(Range { from_ns: Some(-1), to_ns: None }), Some((-b, i64::MAX)), "before 1970");
        assert_eq!(record_times(Range::ALL), Some((i64::MIN, i64::MAX)));
        assert_eq!(
            record_times(Range { from_ns: Some(3 * b + 7), to_ns: Some(3 * b + 9) }),
            None,
            "one bucket's middle"
        );
        assert_eq!(record_times(Range { from_ns: None, to_ns: Some(i64::MIN) }), None);
    }
}
