//! The one-source-per-session rule as SQL over the usage rollup (DESIGN.md, "Which source, when"): once a
//! session has an `api_request` event, its events own its cost and tokens; a session with metrics only is
//! counted from them; data without a session counts its metrics only in 15-minute buckets where no
//! `api_request` arrived at all. The write path settles it into the daily aggregates (`write::daily`); the
//! read path applies it to the spans those do not cover.

/// The rollup rows of a range, each marked with whether events own its cost and tokens (`ev`).
pub(crate) const OWNED_ROWS: &str = "
WITH r AS (
    SELECT u.*,
        CASE WHEN u.session_id <> '' THEN coalesce(s.has_api_events, 0)
             ELSE EXISTS (SELECT 1 FROM usage_rollup x WHERE x.bucket = u.bucket AND x.api_requests > 0)
        END AS ev
    FROM usage_rollup u LEFT JOIN sessions s ON s.id = u.session_id
    WHERE u.bucket >= :from AND u.bucket < :to AND (:session IS NULL OR u.session_id = :session)
)";

/// The usage sums every grouping selects, in this order (`read::query::Usage::from_row` reads them; the
/// columns of `usage_by_day` hold them in the same order).
pub(crate) const USAGE_COLUMNS: &str = "
    coalesce(sum(CASE WHEN ev THEN ev_cost_nanos ELSE m_cost_nanos END), 0),
    coalesce(sum(CASE WHEN ev THEN ev_input ELSE m_input END), 0),
    coalesce(sum(CASE WHEN ev THEN ev_output ELSE m_output END), 0),
    coalesce(sum(CASE WHEN ev THEN ev_cache_read ELSE m_cache_read END), 0),
    coalesce(sum(CASE WHEN ev THEN ev_cache_creation ELSE m_cache_creation END), 0),
    coalesce(sum(api_requests), 0), coalesce(sum(api_errors), 0), coalesce(sum(user_prompts), 0),
    coalesce(sum(tool_results), 0), coalesce(sum(lines_added), 0), coalesce(sum(lines_removed), 0),
    coalesce(sum(commits), 0), coalesce(sum(pull_requests), 0), coalesce(sum(active_user_us), 0),
    coalesce(sum(active_cli_us), 0), coalesce(sum(edits_accepted), 0), coalesce(sum(edits_rejected), 0),
    coalesce(sum(api_duration_ms), 0)";
pub(crate) const USAGE_COLUMN_COUNT: usize = 18;

/// The facet rollup rows of a range, each marked with whether events own its cost and tokens (`ev`), by
/// the rule [`OWNED_ROWS`] follows: a named session by its `has_api_events`, "no session" data by
/// whether any api_request event arrived in its bucket.
pub(crate) const FACET_ROWS: &str = "
WITH f AS (
    SELECT u.*,
        CASE WHEN u.session_id <> '' THEN coalesce(s.has_api_events, 0)
             ELSE EXISTS (SELECT 1 FROM usage_rollup x WHERE x.bucket = u.bucket AND x.api_requests > 0)
        END AS ev
    FROM facet_rollup u LEFT JOIN sessions s ON s.id = u.session_id
    WHERE u.facet = :facet AND u.bucket >= :from AND u.bucket < :to
)";

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
