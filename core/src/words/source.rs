//! Who made an API request: the main thread, a subagent, or a helper call. A word the queries, the dashboard
//! breakdowns and the timeline share.

use serde::Serialize;
use ts_rs::TS;

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
