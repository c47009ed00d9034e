//! The one-source-per-session rule as SQL over the usage rollup (DESIGN.md, "Which source, when"): once a
//! session has an `api_request` event, its events own its cost and tokens; a session with metrics only is
//! counted from them; data without a session counts its metrics only in 15-minute buckets where no
//! `api_request` arrived at all. The usage of every session over a span reads the sessions' totals and the
//! same rows through [`session_per`]. The write path settles it into the daily aggregates (`write::daily`); the
//! read path applies it to the spans those do not cover.

/// Whether events own the cost and tokens of rollup row `u` (joined to its session `s`): the rule itself, once,
/// for every query that applies it.
macro_rules! owned_by_events {
    () => {
        "CASE WHEN u.session_id <> '' THEN coalesce(s.has_api_events, 0)
             ELSE EXISTS (SELECT 1 FROM usage_rollup x WHERE x.bucket = u.bucket AND x.api_requests > 0)
        END AS ev"
    };
}

/// The rollup rows of a range, each marked with whether events own its cost and tokens (`ev`).
pub(crate) const OWNED_ROWS: &str = concat!(
    "
WITH r AS (
    SELECT u.*,
        ",
    owned_by_events!(),
    "
    FROM usage_rollup u LEFT JOIN sessions s ON s.id = u.session_id
    WHERE u.bucket >= :from AND u.bucket < :to AND (:session IS NULL OR u.session_id = :session)
)"
);

/// The sessions a span `[:from, :to)` of buckets holds whole, as a condition on `session_totals`: their totals
/// are their usage within the span.
macro_rules! whole_in_span {
    () => {
        "last_bucket >= :from AND last_bucket < :to AND first_bucket >= :from"
    };
}

/// The rollup rows within `[:from, :to)` of the sessions the span cuts (it holds some of their buckets, not all)
/// and of the data without a session, each marked with whether events own its cost and tokens (`ev`), named `o`
/// (after a `WITH`): what a span reads beside the totals of the sessions it holds whole.
macro_rules! cut_rows {
    () => {
        concat!(
            "
o AS (
    SELECT u.*,
        ",
            owned_by_events!(),
            "
    FROM usage_rollup u LEFT JOIN sessions s ON s.id = u.session_id
    WHERE u.session_id IN (SELECT session_id FROM session_totals
                           WHERE last_bucket >= :from AND first_bucket < :to
                             AND NOT (first_bucket >= :from AND last_bucket < :to)
                           UNION ALL SELECT '')
      AND u.bucket >= :from AND u.bucket < :to
)"
        )
    };
}

/// Every session's usage in buckets `[from, to)`, one row each, named `per` (after a `WITH`), with the columns
/// `session_id`, `ev`, `models`, the sums [`USAGE_COLUMNS`] gives and [`PER_ALIASES`]: a session the range
/// holds whole is its row of `session_totals` (migration 0009); one the range cuts, and the data without a
/// session, are summed from the rollup with the one-source rule, within the range.
pub(crate) const SESSION_SPAN_PER: &str = concat!(
    "
WITH",
    cut_rows!(),
    ",
per AS (
    SELECT session_id, ev, models, cost_nanos, input, output, cache_read, cache_creation, api_requests, api_errors,
           user_prompts, tool_results, lines_added, lines_removed, commits, pull_requests, active_user_us,
           active_cli_us, edits_accepted, edits_rejected, api_duration_ms,
           cost_nanos AS per_cost, input + output + cache_read + cache_creation AS per_tokens, api_errors AS per_errors
    FROM session_totals WHERE ",
    whole_in_span!(),
    " AND {ONLY}
    UNION ALL
    SELECT session_id, max(ev), group_concat(DISTINCT nullif(model, '')), {USAGE_COLUMNS}{PER_ALIASES}
    FROM o WHERE {ONLY} GROUP BY session_id
)"
);

/// The sessions of a span that may be on a page sorted by one of [`PER_ALIASES`], before reading any of them
/// whole: those the span holds whole, first `:n` by their totals (the query appends `ORDER BY`), as rows of
/// `session_id`, `per_cost`, `per_tokens`, `per_errors`.
pub(crate) const WHOLE_SORT_KEYS: &str = concat!(
    "
SELECT session_id, cost_nanos AS per_cost, input + output + cache_read + cache_creation AS per_tokens,
       api_errors AS per_errors
FROM session_totals WHERE ",
    whole_in_span!()
);

/// The same for the sessions the span cuts, and the data without a session: all of them, few in any span.
pub(crate) const CUT_SORT_KEYS: &str =
    concat!("WITH", cut_rows!(), "\nSELECT session_id{PER_ALIASES} FROM o GROUP BY session_id");

/// Each named session of buckets `[:from, :to)` as the session mix groups it: its cost within the span, whether
/// it committed within it (`commits > 0`), its terminal and its resource. The sessions held whole are read from
/// their totals alone, which carry the terminal and resource (migration 0011): a year's 10,000 sessions without
/// a lookup into `sessions` each.
pub(crate) const SESSION_SPAN_MIX: &str = concat!(
    "
WITH",
    cut_rows!(),
    "
SELECT cost_nanos, commits > 0, terminal_type, resource_id, p.project
FROM session_totals t LEFT JOIN session_projects p ON p.session_id = t.session_id WHERE ",
    whole_in_span!(),
    "
UNION ALL
SELECT coalesce(sum(CASE WHEN ev THEN ev_cost_nanos ELSE m_cost_nanos END), 0), coalesce(sum(commits), 0) > 0,
       s.terminal_type, s.resource_id, p.project
FROM o JOIN sessions s ON s.id = o.session_id LEFT JOIN session_projects p ON p.session_id = o.session_id
WHERE o.session_id <> '' GROUP BY o.session_id"
);

/// The same from the rollup alone (while the totals are being built), after [`OWNED_ROWS`].
pub(crate) const ROWS_PER: &str = ",
per AS (
    SELECT session_id, max(ev) AS ev, group_concat(DISTINCT nullif(model, '')) AS models, {USAGE_COLUMNS}{PER_ALIASES}
    FROM r GROUP BY session_id
)";

/// Named copies of the sums the session list sorts by.
pub(crate) const PER_ALIASES: &str = ",
    coalesce(sum(CASE WHEN ev THEN ev_cost_nanos ELSE m_cost_nanos END), 0) AS per_cost,
    coalesce(sum(CASE WHEN ev THEN ev_input + ev_output + ev_cache_read + ev_cache_creation
                      ELSE m_input + m_output + m_cache_read + m_cache_creation END), 0) AS per_tokens,
    coalesce(sum(api_errors), 0) AS per_errors";

/// Which sessions [`session_per`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sessions {
    /// Every session of the span.
    All,
    /// Only those named by `:only`, a JSON array of session ids (a page already chosen, read whole).
    Only,
}

/// [`SESSION_SPAN_PER`] or, while the aggregates are built, [`OWNED_ROWS`] and [`ROWS_PER`], with their
/// placeholders filled: both take `:from` and `:to`, the rollup one `:session` too.
pub(crate) fn session_per(totals: bool) -> String {
    session_per_of(totals, Sessions::All)
}

/// [`session_per`] of some sessions only; [`Sessions::Only`] needs the built totals.
pub(crate) fn session_per_of(totals: bool, sessions: Sessions) -> String {
    let per = if totals { SESSION_SPAN_PER.to_owned() } else { format!("{OWNED_ROWS}{ROWS_PER}") };
    let only = match sessions {
        Sessions::All => "1",
        Sessions::Only => "session_id IN (SELECT value FROM json_each(:only))",
    };
    per.replace("{USAGE_COLUMNS}", USAGE_COLUMNS).replace("{PER_ALIASES}", PER_ALIASES).replace("{ONLY}", only)
}

/// The usage sums every grouping selects, named as the aggregate tables' columns, in this order (`read::query::Usage::from_row` reads them; the
/// columns of `usage_by_day` hold them in the same order).
pub(crate) const USAGE_COLUMNS: &str = "
    coalesce(sum(CASE WHEN ev THEN ev_cost_nanos ELSE m_cost_nanos END), 0) AS cost_nanos,
    coalesce(sum(CASE WHEN ev THEN ev_input ELSE m_input END), 0) AS input,
    coalesce(sum(CASE WHEN ev THEN ev_output ELSE m_output END), 0) AS output,
    coalesce(sum(CASE WHEN ev THEN ev_cache_read ELSE m_cache_read END), 0) AS cache_read,
    coalesce(sum(CASE WHEN ev THEN ev_cache_creation ELSE m_cache_creation END), 0) AS cache_creation,
    coalesce(sum(api_requests), 0) AS api_requests, coalesce(sum(api_errors), 0) AS api_errors,
    coalesce(sum(user_prompts), 0) AS user_prompts, coalesce(sum(tool_results), 0) AS tool_results,
    coalesce(sum(lines_added), 0) AS lines_added, coalesce(sum(lines_removed), 0) AS lines_removed,
    coalesce(sum(commits), 0) AS commits, coalesce(sum(pull_requests), 0) AS pull_requests,
    coalesce(sum(active_user_us), 0) AS active_user_us, coalesce(sum(active_cli_us), 0) AS active_cli_us,
    coalesce(sum(edits_accepted), 0) AS edits_accepted, coalesce(sum(edits_rejected), 0) AS edits_rejected,
    coalesce(sum(api_duration_ms), 0) AS api_duration_ms";
pub(crate) const USAGE_COLUMN_COUNT: usize = 18;

/// The facet rollup rows of a range, each marked with whether events own its cost and tokens (`ev`), by
/// the rule [`OWNED_ROWS`] follows: a named session by its `has_api_events`, "no session" data by
/// whether any api_request event arrived in its bucket.
pub(crate) const FACET_ROWS: &str = concat!(
    "
WITH f AS (
    SELECT u.*,
        ",
    owned_by_events!(),
    "
    FROM facet_rollup u LEFT JOIN sessions s ON s.id = u.session_id
    WHERE u.facet = :facet AND u.bucket >= :from AND u.bucket < :to
)"
);

/// The sums every facet grouping selects from [`FACET_ROWS`], in this order (the columns of `facet_by_hour`
/// and `facet_by_day` hold them in the same order): records, owned cost and tokens, accepted, rejected.
pub(crate) const FACET_COLUMNS: &str = "
    coalesce(sum(records), 0),
    coalesce(sum(CASE WHEN ev THEN ev_cost_nanos ELSE m_cost_nanos END), 0),
    coalesce(sum(CASE WHEN ev THEN ev_input ELSE m_input END), 0),
    coalesce(sum(CASE WHEN ev THEN ev_output ELSE m_output END), 0),
    coalesce(sum(CASE WHEN ev THEN ev_cache_read ELSE m_cache_read END), 0),
    coalesce(sum(CASE WHEN ev THEN ev_cache_creation ELSE m_cache_creation END), 0),
    coalesce(sum(accepted), 0), coalesce(sum(rejected), 0)";
pub(crate) const FACET_COLUMN_COUNT: usize = 8;
