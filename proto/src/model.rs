//! Typed records decoded from OTLP: what the store keeps and the queries read.
//!
//! Every record keeps all of its attributes (`attributes`) and its resource, so names and attributes that
//! Claude Code adds in later versions are stored even though nothing here knows them yet.

use std::sync::Arc;

use serde_json::{Map, Value};

/// Attributes as a JSON object. `serde_json::Map` is ordered by key, so its serialisation is canonical
/// and can be hashed for identity.
pub type Attributes = Map<String, Value>;

/// Money in integer nano-dollars: `cost_usd` doubles summed as floats drift; integers do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Nanos(pub i64);

impl Nanos {
    pub const PER_USD: i64 = 1_000_000_000;

    /// Converts a dollar amount, rejecting what cannot be a cost (NaN, infinite, negative, absurd).
    pub fn from_usd(usd: f64) -> Result<Self, String> {
        if !usd.is_finite() {
            return Err(format!("cost {usd} is not a finite number"));
        }
        if usd < 0.0 {
            return Err(format!("cost {usd} is negative"));
        }
        // A million dollars in one record is not a Claude Code request; it is corrupt input.
        if usd > 1_000_000.0 {
            return Err(format!("cost {usd} USD is implausibly large"));
        }
        Ok(Nanos((usd * Self::PER_USD as f64).round() as i64))
    }

    pub fn usd(self) -> f64 {
        self.0 as f64 / Self::PER_USD as f64
    }
}

/// The resource a record came from (service.name, os.type, the user's own OTEL_RESOURCE_ATTRIBUTES…).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    pub attributes: Attributes,
}

impl Resource {
    pub fn service_name(&self) -> Option<&str> {
        self.attributes.get("service.name").and_then(Value::as_str)
    }
}

/// Which OTLP signal a request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signal {
    Logs,
    Metrics,
    Traces,
}

impl Signal {
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Logs => "logs",
            Signal::Metrics => "metrics",
            Signal::Traces => "traces",
        }
    }
}

/// One decoded export request. Records that could not be decoded are counted in `rejected`
/// (with reasons) and the rest is kept: the OTLP "partial success" contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub signal: Signal,
    pub events: Vec<Event>,
    pub points: Vec<MetricPoint>,
    pub spans: Vec<Span>,
    pub rejected: Vec<Rejection>,
    /// The export request as the client sent it, in protobuf (its bytes as received over gRPC and
    /// HTTP/protobuf, gzip undone; re-encoded from OTLP/JSON, equal in content): what is forwarded upstream.
    /// Kept only when the sink asks for it ([`crate::Sink::keeps_requests`]).
    pub request: Option<bytes::Bytes>,
}

impl Batch {
    pub fn new(signal: Signal) -> Self {
        Batch { signal, events: Vec::new(), points: Vec::new(), spans: Vec::new(), rejected: Vec::new(), request: None }
    }

    pub fn record_count(&self) -> usize {
        self.events.len() + self.points.len() + self.spans.len()
    }
}

/// Why one record (a log record, a data point or a span) was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: String,
}

/// The log event names Claude Code documents. Anything else is `Other` and kept all the same.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventName {
    UserPrompt,
    AssistantResponse,
    ToolResult,
    ApiRequest,
    ApiError,
    ApiRefusal,
    ApiRequestBody,
    ApiResponseBody,
    ApiRetriesExhausted,
    ToolDecision,
    PermissionModeChanged,
    Auth,
    McpServerConnection,
    InternalError,
    PluginInstalled,
    PluginLoaded,
    SkillActivated,
    AtMention,
    HookRegistered,
    HookExecutionStart,
    HookExecutionComplete,
    HookPluginMetrics,
    Compaction,
    SubagentCompleted,
    FeedbackSurvey,
    RetentionSweep,
    ManagedSettingsResolved,
    SafetyEvent,
    Withdrawn,
    /// A `claude_code.*` event this version does not know yet.
    OtherClaudeCode(String),
    /// A log record that is not a Claude Code event at all (spec-valid OTLP from another program).
    Foreign(String),
}

const KNOWN_EVENTS: &[(&str, EventName)] = &[
    ("user_prompt", EventName::UserPrompt),
    ("assistant_response", EventName::AssistantResponse),
    ("tool_result", EventName::ToolResult),
    ("api_request", EventName::ApiRequest),
    ("api_error", EventName::ApiError),
    ("api_refusal", EventName::ApiRefusal),
    ("api_request_body", EventName::ApiRequestBody),
    ("api_response_body", EventName::ApiResponseBody),
    ("api_retries_exhausted", EventName::ApiRetriesExhausted),
    ("tool_decision", EventName::ToolDecision),
    ("permission_mode_changed", EventName::PermissionModeChanged),
    ("auth", EventName::Auth),
    ("mcp_server_connection", EventName::McpServerConnection),
    ("internal_error", EventName::InternalError),
    ("plugin_installed", EventName::PluginInstalled),
    ("plugin_loaded", EventName::PluginLoaded),
    ("skill_activated", EventName::SkillActivated),
    ("at_mention", EventName::AtMention),
    ("hook_registered", EventName::HookRegistered),
    ("hook_execution_start", EventName::HookExecutionStart),
    ("hook_execution_complete", EventName::HookExecutionComplete),
    ("hook_plugin_metrics", EventName::HookPluginMetrics),
    ("compaction", EventName::Compaction),
    ("subagent_completed", EventName::SubagentCompleted),
    ("feedback_survey", EventName::FeedbackSurvey),
    ("retention_sweep", EventName::RetentionSweep),
    ("managed_settings_resolved", EventName::ManagedSettingsResolved),
    ("safety_event", EventName::SafetyEvent),
    ("withdrawn", EventName::Withdrawn),
];

impl EventName {
    /// `short` is the `event.name` attribute (`api_request`); `is_claude_code` says whether the record
    /// identified itself as a Claude Code event (body `claude_code.<name>`).
    pub fn parse(short: &str, is_claude_code: bool) -> Self {
        if !is_claude_code {
            return EventName::Foreign(short.to_owned());
        }
        KNOWN_EVENTS
            .iter()
            .find(|(name, _)| *name == short)
            .map(|(_, kind)| kind.clone())
            .unwrap_or_else(|| EventName::OtherClaudeCode(short.to_owned()))
    }

    /// The name as stored: the short Claude Code name, or the foreign record's own name.
    pub fn as_str(&self) -> &str {
        match self {
            EventName::OtherClaudeCode(name) | EventName::Foreign(name) => name,
            known => KNOWN_EVENTS.iter().find(|(_, kind)| kind == known).map(|(name, _)| *name).unwrap_or(""),
        }
    }

    pub fn is_claude_code(&self) -> bool {
        !matches!(self, EventName::Foreign(_))
    }
}

/// A log record: a Claude Code event, or any other OTLP log record.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event's own time (UTC ns), or when it arrived if it carried none (see `time_received`).
    pub time_ns: i64,
    /// True when the record carried no time of its own, so `time_ns` is its arrival, which a retried
    /// export does not repeat: such a time cannot tell a record from its retry.
    pub time_received: bool,
    pub name: EventName,
    pub session_id: Option<String>,
    pub sequence: Option<i64>,
    pub prompt_id: Option<String>,
    pub detail: EventDetail,
    /// Every attribute of the record, as sent (numbers that arrived as strings stay strings here).
    pub attributes: Attributes,
    pub body: Option<Value>,
    pub severity: Option<String>,
    pub trace_id: Option<String>,
    pub span_id: Option<String>,
    pub resource: Arc<Resource>,
}

/// The typed figures of the events that feed totals and charts. Other events carry `None`; their
/// attributes are still stored whole.
#[derive(Debug, Clone, PartialEq)]
pub enum EventDetail {
    ApiRequest(ApiRequest),
    ApiError(ApiError),
    ToolResult(ToolResult),
    ToolDecision(ToolDecision),
    UserPrompt(UserPrompt),
    None,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiRequest {
    pub model: Option<String>,
    pub request_id: Option<String>,
    pub cost: Nanos,
    /// True when `cost_usd` was missing and the rounded `cost_usd_micros` had to stand in.
    pub cost_from_micros: bool,
    pub tokens: Tokens,
    pub duration_ms: Option<i64>,
    /// Time to first token (Claude Code ≥ 2.1.3xx).
    pub ttft_ms: Option<i64>,
    /// The cache write split by lifetime, when Claude Code sends it (`cache_creation_tokens` stays the total).
    pub cache_creation_5m: Option<i64>,
    pub cache_creation_1h: Option<i64>,
    pub query_source: Option<String>,
    /// The subagent that made the request (`agent_id`, `agent.name`); `None` on the main thread.
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    /// Whose cost this is: Claude Code's, or (a request read from a transcript) ccmeter's estimate.
    pub cost_kind: CostKind,
}

/// Who priced a request. Telemetry always carries Claude Code's own cost; a transcript carries tokens only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CostKind {
    /// Claude Code's `cost_usd`.
    #[default]
    Reported,
    /// ccmeter's estimate from the best rates it knows.
    Estimated,
    /// No rates are known for the model: costed 0 and counted apart, never shown as $0.
    NoPrice,
}

impl CostKind {
    /// As the `events.estimated` column keeps it.
    pub fn code(self) -> i64 {
        match self {
            CostKind::Reported => 0,
            CostKind::Estimated => 1,
            CostKind::NoPrice => 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tokens {
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    pub cache_creation: i64,
}

impl Tokens {
    pub fn total(&self) -> i64 {
        self.input + self.output + self.cache_read + self.cache_creation
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiError {
    pub model: Option<String>,
    pub status_code: Option<i64>,
    pub duration_ms: Option<i64>,
    pub query_source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToolResult {
    pub tool_name: Option<String>,
    pub success: Option<bool>,
    pub duration_ms: Option<i64>,
    pub decision: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToolDecision {
    pub tool_name: Option<String>,
    pub decision: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserPrompt {
    pub prompt_length: Option<i64>,
}

/// The eight Claude Code metrics, and everything else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MetricName {
    SessionCount,
    LinesOfCode,
    PullRequests,
    Commits,
    CostUsage,
    TokenUsage,
    CodeEditToolDecision,
    ActiveTime,
    OtherClaudeCode(String),
    Foreign(String),
}

const KNOWN_METRICS: &[(&str, MetricName)] = &[
    ("claude_code.session.count", MetricName::SessionCount),
    ("claude_code.lines_of_code.count", MetricName::LinesOfCode),
    ("claude_code.pull_request.count", MetricName::PullRequests),
    ("claude_code.commit.count", MetricName::Commits),
    ("claude_code.cost.usage", MetricName::CostUsage),
    ("claude_code.token.usage", MetricName::TokenUsage),
    ("claude_code.code_edit_tool.decision", MetricName::CodeEditToolDecision),
    ("claude_code.active_time.total", MetricName::ActiveTime),
];

impl MetricName {
    pub fn parse(name: &str) -> Self {
        if let Some((_, kind)) = KNOWN_METRICS.iter().find(|(known, _)| *known == name) {
            return kind.clone();
        }
        if name.starts_with("claude_code.") {
            MetricName::OtherClaudeCode(name.to_owned())
        } else {
            MetricName::Foreign(name.to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            MetricName::OtherClaudeCode(name) | MetricName::Foreign(name) => name,
            known => KNOWN_METRICS.iter().find(|(_, kind)| kind == known).map(|(name, _)| *name).unwrap_or(""),
        }
    }

    pub fn is_claude_code(&self) -> bool {
        !matches!(self, MetricName::Foreign(_))
    }

    /// How many stored integer units one unit of the value is: cost in nano-dollars, active time in
    /// microseconds, counts as they are. Integers make sums exact and cumulative differences reset-safe.
    pub fn scale(&self) -> f64 {
        match self {
            MetricName::CostUsage => Nanos::PER_USD as f64,
            MetricName::ActiveTime => 1_000_000.0,
            _ => 1.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Temporality {
    Delta,
    Cumulative,
    /// Gauges and sums without temporality: a value at a time, never summed across points.
    Unspecified,
}

/// The shape of the OTLP metric a point came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PointKind {
    Sum { monotonic: bool },
    Gauge,
    Histogram,
    ExponentialHistogram,
    Summary,
}

impl PointKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PointKind::Sum { monotonic: true } => "sum",
            PointKind::Sum { monotonic: false } => "updown_sum",
            PointKind::Gauge => "gauge",
            PointKind::Histogram => "histogram",
            PointKind::ExponentialHistogram => "exponential_histogram",
            PointKind::Summary => "summary",
        }
    }
}

/// One metric data point, as sent (temporality conversion happens in the store, which keeps the state).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPoint {
    pub metric: MetricName,
    pub kind: PointKind,
    pub temporality: Temporality,
    pub unit: String,
    pub start_ns: i64,
    pub time_ns: i64,
    /// The value; for histograms and summaries, their sum.
    pub value: f64,
    pub session_id: Option<String>,
    pub attributes: Attributes,
    /// Histogram counts and buckets, kept for non-Claude Code data.
    pub detail: Option<Value>,
    pub resource: Arc<Resource>,
}

impl MetricPoint {
    pub fn attr_str(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).and_then(Value::as_str)
    }
}

/// A span (Claude Code's enhanced-telemetry beta, or anything else that sends traces).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: Option<String>,
    pub name: String,
    pub start_ns: i64,
    pub end_ns: i64,
    pub session_id: Option<String>,
    pub status_code: i32,
    pub status_message: Option<String>,
    pub attributes: Attributes,
    pub resource: Arc<Resource>,
}

/// Model names differ by signal (`claude-opus-4-8[1m]` in metrics, `claude-opus-4-8` in api_request):
/// the normalised name drops the bracketed context-window suffix so both group together.
pub fn normalize_model(raw: &str) -> &str {
    let trimmed = raw.trim();
    match trimmed.find('[') {
        Some(at) if trimmed.ends_with(']') => trimmed[..at].trim_end(),
        _ => trimmed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_window_suffix_is_dropped_from_model_names() {
        assert_eq!(normalize_model("claude-opus-4-8[1m]"), "claude-opus-4-8");
        assert_eq!(normalize_model("claude-opus-4-8"), "claude-opus-4-8");
        assert_eq!(normalize_model("claude-haiku-4-5-20251001"), "claude-haiku-4-5-20251001");
        assert_eq!(normalize_model("odd[name"), "odd[name");
    }

    #[test]
    fn costs_become_exact_nanos_and_garbage_is_refused() {
        assert_eq!(Nanos::from_usd(0.0012000000000000001), Ok(Nanos(1_200_000)));
        assert_eq!(Nanos::from_usd(0.012839999999999999), Ok(Nanos(12_840_000)));
        assert!(Nanos::from_usd(f64::NAN).is_err());
        assert!(Nanos::from_usd(-0.01).is_err());
        assert!(Nanos::from_usd(f64::INFINITY).is_err());
        assert!(Nanos::from_usd(5e6).is_err());
    }

    #[test]
    fn event_names_round_trip_and_unknown_ones_are_kept() {
        assert_eq!(EventName::parse("api_request", true), EventName::ApiRequest);
        assert_eq!(EventName::ApiRequest.as_str(), "api_request");
        let new = EventName::parse("brand_new_event", true);
        assert_eq!(new.as_str(), "brand_new_event");
        assert!(new.is_claude_code());
        assert!(!EventName::parse("api_request", false).is_claude_code());
    }
}
