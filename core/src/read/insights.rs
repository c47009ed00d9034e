//! Dashboard breakdowns beyond the headline figures: cost by query source (the main thread, subagents,
//! helper calls), code edits by language, and activity by weekday and local hour.
//!
//! Every figure here obeys the same rules as [`crate::read::query`], so that each breakdown adds up to the
//! summary of the same range, to the nano-dollar:
//! - one source of cost and tokens per session (DESIGN.md, "Which source, when"): a session with an
//!   `api_request` event counts from its events, a session with metrics only from its metric points,
//!   and data without a session id from its metrics only in 15-minute buckets where no api_request
//!   event arrived at all;
//! - a range selects whole 15-minute rollup buckets, exactly as the rollup queries do: records count
//!   when their bucket starts in `[bucket_of(from), bucket_of(to))`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::read::facets;
use crate::read::query::{self, TokenCounts};
use crate::words::facet::Facet;
use crate::words::money::usd;
use crate::words::range::{Granularity, Range};
use crate::words::time::TimeContext;

pub use crate::words::source::{SourceClass, classify_query_source};

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
    /// Subagents only: the class split by `agent.name` (`Explore`, `general-purpose`, a custom agent…), most
    /// expensive first; `""` holds what arrived without a name (versions before the attribute), so the
    /// split adds up to the class.
    pub agents: Vec<FacetUsage>,
}

fn add_tokens(into: &mut TokenCounts, more: &TokenCounts) {
    into.input += more.input;
    into.output += more.output;
    into.cache_read += more.cache_read;
    into.cache_creation += more.cache_creation;
}

/// Cost, API requests and tokens of one value of a record attribute.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct FacetUsage {
    /// As sent; `""` when the records had none.
    pub value: String,
    #[serde(skip)]
    pub cost_nanos: i64,
    pub cost_usd: f64,
    /// api_request events; metric-only sessions have none.
    pub api_requests: i64,
    pub tokens: TokenCounts,
}

/// Usage by the raw values of a facet that carries cost (query_source, effort), most expensive first,
/// values with no usage left out. Each session counts from one source, so the values add up to the
/// summary of the same range.
fn facet_usage(conn: &Connection, range: Range, facet: Facet) -> Result<Vec<FacetUsage>> {
    let (from, to) = range.buckets();
    let rows = facets::by_value(conn, facet, from, to)?.into_iter().map(|(value, sums)| {
        let [records, cost_nanos, input, output, cache_read, cache_creation, _, _] = sums.0;
        FacetUsage {
            value,
            api_requests: records,
            cost_nanos,
            cost_usd: usd(cost_nanos),
            tokens: TokenCounts { input, output, cache_read, cache_creation },
        }
    });
    let mut values: Vec<FacetUsage> =
        rows.filter(|v| v.cost_nanos != 0 || v.api_requests != 0 || v.tokens.total() != 0).collect();
    values.sort_by(|a, b| b.cost_nanos.cmp(&a.cost_nanos).then_with(|| a.value.cmp(&b.value)));
    Ok(values)
}

/// Cost, API requests and tokens by query source class (main thread, subagents, auxiliary helpers).
///
/// Read from the facet rollup under the same one-source rule as [`query::summary`]: the api_request
/// events of event-owned data (their `query_source`), and the `claude_code.cost.usage` /
/// `claude_code.token.usage` increments of metric-owned data (their `query_source` attribute). The
/// classes of a range therefore add up to the summary's cost, tokens and API requests exactly, and a
/// session is never counted from both signals. Classes with no usage are left out; the rest come in the
/// order main, subagent, auxiliary.
pub fn cost_by_source(conn: &Connection, range: Range) -> Result<Vec<SourceUsage>> {
    let mut classes: BTreeMap<SourceClass, SourceUsage> = BTreeMap::new();
    for value in facet_usage(conn, range, Facet::QuerySource)? {
        let class = classify_query_source(&value.value);
        let entry = classes.entry(class).or_insert_with(|| SourceUsage {
            class,
            cost_nanos: 0,
            cost_usd: 0.0,
            api_requests: 0,
            tokens: TokenCounts::default(),
            raw: Vec::new(),
            agents: Vec::new(),
        });
        entry.cost_nanos += value.cost_nanos;
        entry.cost_usd = usd(entry.cost_nanos);
        entry.api_requests += value.api_requests;
        add_tokens(&mut entry.tokens, &value.tokens);
        // facet_usage's order (most expensive first) carries over to each class's raw values.
        entry.raw.push(RawSourceUsage {
            raw: value.value,
            cost_nanos: value.cost_nanos,
            cost_usd: value.cost_usd,
            api_requests: value.api_requests,
            tokens: value.tokens,
        });
    }
    if let Some(subagents) = classes.get_mut(&SourceClass::Subagent) {
        subagents.agents = split_by_agent(conn, range, subagents)?;
    }
    Ok(classes.into_values().collect())
}

/// The subagent class by `agent.name`, with the unnamed rest as `""`. The agent facet holds subagent records
/// alone (migration 0006), so the rest is what arrived without a name and the split adds up to the class.
fn split_by_agent(conn: &Connection, range: Range, class: &SourceUsage) -> Result<Vec<FacetUsage>> {
    let mut agents: Vec<FacetUsage> =
        facet_usage(conn, range, Facet::Agent)?.into_iter().filter(|agent| !agent.value.is_empty()).collect();
    let mut rest = FacetUsage {
        value: String::new(),
        cost_nanos: class.cost_nanos,
        cost_usd: 0.0,
        api_requests: class.api_requests,
        tokens: class.tokens,
    };
    for agent in &agents {
        rest.cost_nanos -= agent.cost_nanos;
        rest.api_requests -= agent.api_requests;
        rest.tokens.input -= agent.tokens.input;
        rest.tokens.output -= agent.tokens.output;
        rest.tokens.cache_read -= agent.tokens.cache_read;
        rest.tokens.cache_creation -= agent.tokens.cache_creation;
    }
    rest.cost_usd = usd(rest.cost_nanos);
    if rest.cost_nanos != 0 || rest.api_requests != 0 || rest.tokens.total() != 0 {
        agents.push(rest);
    }
    Ok(agents)
}

/// Cost, API requests and tokens by the request's reasoning `effort` (`low`, `medium`, `high`…; `""`
/// for versions and models that send none), most expensive first. Adds up to the summary like
/// [`cost_by_source`].
pub fn cost_by_effort(conn: &Connection, range: Range) -> Result<Vec<FacetUsage>> {
    facet_usage(conn, range, Facet::Effort)
}

/// How many Claude Code events of one name arrived in a local hour or day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EventCountPoint {
    /// The local hour or day's first instant, in UTC.
    pub start: DateTime<Utc>,
    pub name: String,
    pub count: i64,
}

/// Claude Code events by name over time (user_prompt, api_request, tool_result, tool_decision,
/// api_error…), in time then name order.
pub fn events_over_time(
    conn: &Connection,
    ctx: &TimeContext,
    range: Range,
    granularity: Granularity,
) -> Result<Vec<EventCountPoint>> {
    let (from, to) = range.buckets();
    let merged = facets::over_time(conn, ctx, Facet::Event, from, to, granularity)?;
    let merged = merged.into_iter().map(|(key, sums)| (key, sums.records()));
    Ok(merged.map(|((start, name), count)| EventCountPoint { start, name, count }).collect())
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
/// Read from the `claude_code.code_edit_tool.decision` metric, the only signal with a language (its
/// increments by the points' `language`, rolled up at ingest). Decisions other than accept/reject are
/// not counted, as in the summary's edit figures, which these add up to for the same range. There is no
/// second source to choose from (the tool_decision events carry no language), so no session rule applies.
pub fn edits_by_language(conn: &Connection, range: Range) -> Result<Vec<LanguageEdits>> {
    let (from, to) = range.buckets();
    let mut by_language: BTreeMap<String, LanguageEdits> = BTreeMap::new();
    for (value, sums) in facets::by_value(conn, Facet::Language, from, to)? {
        let language = if value.is_empty() { "unknown".to_owned() } else { value };
        let entry = by_language.entry(language.clone()).or_insert(LanguageEdits { language, accepted: 0, rejected: 0 });
        entry.accepted += sums.0[6];
        entry.rejected += sums.0[7];
    }
    let mut languages: Vec<LanguageEdits> = by_language.into_values().filter(|l| l.total() != 0).collect();
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
/// Built on [`query::activity_by_slot`] (local hours), so cost follows the one-source rule already. Its
/// rollup buckets are 15 minutes and every zone offset is a whole number of quarter hours, so each
/// bucket lies in one local hour. Each hour is placed by the local wall time of its start, which is
/// DST-safe: when clocks go back, both 02:00–03:00 passes land in hour 2 of that day (over_time gives
/// both the same start, the earlier instant); when they go forward, the skipped hour has no data.
pub fn activity_heatmap(conn: &Connection, ctx: &TimeContext, range: Range) -> Result<Vec<HeatCell>> {
    let slots = query::activity_by_slot(conn, ctx, range)?;
    Ok(cells_of(slots.into_iter().map(|(slot, a)| (slot, a.cost_nanos, a.api_requests, a.user_prompts))))
}

/// [`activity_heatmap`] of points already read by the hour (the dashboard of a day or two reads them once for
/// both its hourly series and this).
pub fn heatmap_of(ctx: &TimeContext, hourly: &[query::SeriesPoint]) -> Vec<HeatCell> {
    let mut slots: BTreeMap<u8, (i64, i64, i64)> = BTreeMap::new();
    for point in hourly {
        let slot = slots.entry(crate::words::time::week_slot(ctx, point.start)).or_default();
        slot.0 += point.usage.cost_nanos;
        slot.1 += point.usage.api_requests;
        slot.2 += point.usage.user_prompts;
    }
    cells_of(slots.into_iter().map(|(slot, (cost, requests, prompts))| (slot, cost, requests, prompts)))
}

/// The non-empty cells of the week's slots (weekday × 24 + hour), given with their cost, API requests and
/// prompts in slot order.
fn cells_of(slots: impl Iterator<Item = (u8, i64, i64, i64)>) -> Vec<HeatCell> {
    slots
        .filter(|(_, cost, requests, prompts)| *cost != 0 || *requests != 0 || *prompts != 0)
        .map(|(slot, cost_nanos, api_requests, user_prompts)| HeatCell {
            weekday: slot / 24,
            hour: slot % 24,
            cost_nanos,
            cost_usd: usd(cost_nanos),
            api_requests,
            user_prompts,
        })
        .collect()
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
}
