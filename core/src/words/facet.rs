//! The breakdowns of the facet rollup (`facet_rollup`): the write path fills them, the read path sums them.

/// The breakdowns kept in `facet_rollup` (migration 0004 says what each holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    /// api_request events and cost/token metrics by raw `query_source`.
    QuerySource,
    /// The same records by `effort`.
    Effort,
    /// Code edit decisions by `language`.
    Language,
    /// Every Claude Code event by name.
    Event,
    /// A subagent's api_request events (those with `agent_id`) and the cost/token metrics of
    /// `query_source=subagent`, by `agent.name` (`""` when none was sent); migration 0006.
    Agent,
}

impl Facet {
    pub const ALL: [Facet; 5] = [Facet::QuerySource, Facet::Effort, Facet::Language, Facet::Event, Facet::Agent];

    pub fn as_str(self) -> &'static str {
        match self {
            Facet::QuerySource => "query_source",
            Facet::Effort => "effort",
            Facet::Language => "language",
            Facet::Event => "event",
            Facet::Agent => "agent",
        }
    }
}
