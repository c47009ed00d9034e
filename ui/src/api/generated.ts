// Generated from the Rust side by ts-rs and `src-tauri/src/windows/ipc/mod.rs`: do not edit. Regenerate with
// `UPDATE_BINDINGS=1 cargo test -p ccmeter bindings` (CI checks it is current).

import { invoke } from "@tauri-apps/api/core";

/** A budget's alert thresholds when none are given, in percent. */
export const DEFAULT_THRESHOLDS = [50,80,100] as const;

/** Every window's label. */
export const WINDOW_KINDS = ["dashboard","history","settings","welcome","about"] as const;

/** The `env` entries that point Claude Code at ccmeter; the endpoint's value is the gRPC receiver's URL. */
export const CLAUDE_CODE_ENV = [["CLAUDE_CODE_ENABLE_TELEMETRY","1"],["OTEL_METRICS_EXPORTER","otlp"],["OTEL_LOGS_EXPORTER","otlp"],["OTEL_EXPORTER_OTLP_PROTOCOL","grpc"],["OTEL_EXPORTER_OTLP_ENDPOINT",""],["OTEL_METRICS_INCLUDE_REPOSITORY","true"]] as const;

/** The budget periods with their names: in sentences, in a list of budgets, and while they run. */
export const PERIODS = [{"adjective":"daily","current":"Today","id":"day","label":"Daily"},{"adjective":"weekly","current":"This week","id":"week","label":"Weekly"},{"adjective":"monthly","current":"This month","id":"month","label":"Monthly"},{"adjective":"session","current":"Session","id":"session","label":"Per session"}] as const;

/** The event an import of the transcripts sends as it goes: `{read, all}`, files read of files found. */
export const IMPORT_PROGRESS_EVENT = "transcripts-import-progress" as const;

/** The event the app emits after each committed batch. */
export const STORE_COMMITTED_EVENT = "store-committed" as const;

/** The longest span (days) whose plan-limit history lists every rise; longer ones have each day's peak. */
export const LIMIT_RISES_UP_TO_DAYS = 7 as const;

/** The token types a total adds up, as `TokenCounts` names them. */
export const TOKEN_TOTAL_OF = ["input","output","cacheRead","cacheCreation"] as const;

/** Where the OTLP/HTTP receiver listens unless set otherwise. */
export const DEFAULT_HTTP_ADDR = "127.0.0.1:4318" as const;

/** Where the OTLP/gRPC receiver listens unless set otherwise. */
export const DEFAULT_GRPC_ADDR = "127.0.0.1:4317" as const;

/** Where the Prometheus endpoint listens when turned on without another address. */
export const DEFAULT_METRICS_ADDR = "127.0.0.1:9466" as const;

export type About = { diagnostics: Diagnostics, 
/**
 * Where each receiver listens, or why it does not.
 */
receivers: Array<string>, text: string, };

export type ApiLatency = { 
/**
 * Most requests first.
 */
by_model: Array<LatencyStat>, 
/**
 * In time, then model order.
 */
series: Array<LatencyStat>, };

export type AttributeGroups = { key: string, 
/**
 * Most expensive first; sessions without the attribute come last, as `""`.
 */
groups: Array<SessionGroup>, };

export type Budget = { limit_usd: number, 
/**
 * Percent of the limit at which to alert: ascending, unique, 1..=1000.
 */
thresholds: Array<number>, };

export type BudgetState = "ok" | "warning" | "over";

export type BudgetStatus = { period: Period, 
/**
 * The window's key, or the session id for a session budget.
 */
key: string, 
/**
 * The project whose spend this budget limits (`words::project`); `None`: every project's.
 */
project: string | null, 
/**
 * Exact, for the CLI's JSON and the checks; the windows read the USD figures, like every other amount.
 */
spent_nanos: number, limit_nanos: number, spent_usd: number, limit_usd: number, 
/**
 * spent ÷ limit (1.0 = the whole budget).
 */
used: number, 
/**
 * The highest threshold reached, in percent.
 */
reached: number | null, state: BudgetState, };

export type Budgets = { day: Budget | null, week: Budget | null, month: Budget | null, session: Budget | null, 
/**
 * Budgets of one project's spend (`words::project`) in a day, week or month, in the order they were set.
 */
projects: Array<ProjectBudget>, };

export type BudgetsPatch = { day?: Budget | null, week?: Budget | null, month?: Budget | null, session?: Budget | null, 
/**
 * Every project budget, replacing the stored list (sent only when the list was changed, so a budget the CLI
 * sets meanwhile is kept otherwise).
 */
projects?: Array<ProjectBudget>, };

export type ConnectPlan = { path: string, exists: boolean, 
/**
 * Empty when Claude Code is already connected.
 */
changes: Array<EnvChange>, };

export type Connected = { path: string, 
/**
 * Where the previous file was copied; `None` when there was no file or nothing changed.
 */
backup: string | null, changed: number, };

export type CostEstimate = "priced" | "no_price";

export type CostSource = "events" | "metrics";

export type CurrentLimit = { kind: LimitKind, used_pct: number, resets_at: string, reported_at: string, };

export type Dashboard = { 
/**
 * The first local day shown.
 */
since: string, 
/**
 * The first local day not shown.
 */
until: string, 
/**
 * Hours for spans of up to two days, days beyond.
 */
granularity: Granularity, summary: Summary, 
/**
 * Where each budget stands now (the current day, week, month and active sessions).
 */
budgets: Array<BudgetStatus>, 
/**
 * A subscriber's current plan-limit windows, 5-hour first (none for API-key users).
 */
limits: Array<CurrentLimit>, 
/**
 * Where the 5-hour window and the daily budget are heading at the last hour's pace.
 */
forecasts: Array<Forecast>, 
/**
 * How the plan-limit windows rose over the period.
 */
limit_history: LimitHistory, 
/**
 * The plan-limit alert thresholds (percent): a window past the first is a warning, past the last alarming.
 */
limit_alerts: Array<number>, 
/**
 * Usage per bucket and model, buckets in the user's zone.
 */
series: Array<SeriesPoint>, by_model: Array<ModelUsage>, tools: Array<ToolStat>, errors: Array<ErrorCount>, 
/**
 * Cost by main thread / subagents / auxiliary calls (titles, compaction…), with the raw names.
 */
by_source: Array<SourceUsage>, edits_by_language: Array<LanguageEdits>, 
/**
 * Non-empty cells of the weekday × local hour grid.
 */
heatmap: Array<HeatCell>, 
/**
 * Cost by the requests' reasoning effort.
 */
by_effort: Array<FacetUsage>, 
/**
 * API latency p50/p95 by model, over the period and per bucket.
 */
latency: ApiLatency, 
/**
 * Tool calls and failures by tool, per bucket.
 */
tools_over_time: Array<ToolPoint>, 
/**
 * API errors by HTTP status, per bucket.
 */
errors_over_time: Array<ErrorPoint>, 
/**
 * Claude Code events by name, per bucket.
 */
events_over_time: Array<EventCountPoint>, 
/**
 * Sessions by terminal, by the user's resource attributes (project…), with or without a commit, and
 * started per bucket.
 */
sessions: SessionMix, 
/**
 * The period's most expensive sessions (their cost within the period).
 */
top_sessions: Array<SessionRow>, 
/**
 * Of the period's cost, the part estimated from Claude Code's transcripts (USD), and the requests read
 * there of a model with no known price.
 */
estimated_cost_usd: number, unpriced_requests: number, };

export type Deleted = { events: number, metric_points: number, spans: number, 
/**
 * Sessions left with no record at all, removed from the history.
 */
sessions: number, };

export type Diagnostics = { version: string, 
/**
 * `linux x86_64`, `macos aarch64`…
 */
platform: string, 
/**
 * The database file, with the home folder written `~`.
 */
database: string, data_dir: string, 
/**
 * Where the desktop app writes its log files (one a day), with the home folder written `~`.
 */
log_dir: string, 
/**
 * The database with its write-ahead log, in bytes.
 */
database_bytes: number, schema: number, sessions: number, events: number, metric_points: number, spans: number, first_data: string | null, last_data: string | null, claude_code_version: string | null, migration_backups: number, store_prompt_text: boolean, retention_days: number | null, budgets: number, alerts_enabled: boolean, 
/**
 * What Claude Code's status line last reported (`ccmeter statusline`); none before the first report.
 */
status_line: StatusLineReport | null, 
/**
 * Status line reports kept beside the database for the app to take in (none while it runs).
 */
status_line_waiting: number, 
/**
 * What was imported from Claude Code's transcripts.
 */
transcripts: TranscriptsReport, };

export type EnvChange = { 
/**
 * `env.OTEL_METRICS_EXPORTER`, `statusLine`.
 */
key: string, 
/**
 * The value there now (as JSON text), `None` when the key is missing.
 */
before: string | null, 
/**
 * The value it gets (as JSON text), `None` when undoing removes it.
 */
after: string | null, };

export type ErrorCount = { 
/**
 * `None` when the request failed without an HTTP status (a connection error).
 */
status_code: number | null, count: number, };

export type ErrorKind = "database" | "too_new" | "invalid_range" | "invalid_settings" | "no_such_session" | "write_file" | "claude_config" | "transfer" | "internal";

export type ErrorPoint = { 
/**
 * The local hour or day's first instant, in UTC.
 */
start: string, 
/**
 * `None` when the request failed without an HTTP status (a connection error).
 */
status_code: number | null, count: number, };

export type EventCountPoint = { 
/**
 * The local hour or day's first instant, in UTC.
 */
start: string, name: string, count: number, };

export type FacetUsage = { 
/**
 * As sent; `""` when the records had none.
 */
value: string, cost_usd: number, 
/**
 * api_request events; metric-only sessions have none.
 */
api_requests: number, tokens: TokenCounts, };

export type Forecast = { target: Target, outlook: Outlook, 
/**
 * The figures behind it, once there is a pace.
 */
pace: Pace | null, 
/**
 * When the window ends: the reset, or the end of the day.
 */
ends_at: string, 
/**
 * The method and its figures in a sentence, for a tooltip.
 */
method: string, };

export type Format = "csv" | "json";

export type Granularity = "hour" | "day";

export type HeatCell = { 
/**
 * 0 = Monday … 6 = Sunday, in the user's zone.
 */
weekday: number, 
/**
 * 0–23, local wall-clock hour.
 */
hour: number, cost_usd: number, api_requests: number, user_prompts: number, };

export type IpcError = { kind: ErrorKind, 
/**
 * In words, ready to show.
 */
message: string, };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type LanguageEdits = { 
/**
 * As Claude Code names it (`Python`, `TypeScript`…); `unknown` when the point had none.
 */
language: string, accepted: number, rejected: number, };

export type LatencyStat = { 
/**
 * The local hour or day's first instant, in UTC; `None` for the whole range.
 */
start: string | null, 
/**
 * Normalised model name; `""` for requests that named none.
 */
model: string, 
/**
 * api_request events with a duration.
 */
requests: number, 
/**
 * Nearest-rank percentiles of the durations, within 1 % + 0.5 ms.
 */
p50_ms: number, p95_ms: number, 
/**
 * Time to first token (Claude Code ≥ 2.1.3xx sends `ttft_ms`); `None` when no request carried it.
 */
ttft_p50_ms: number | null, ttft_p95_ms: number | null, };

export type LimitDay = { day: string, kind: LimitKind, peak_pct: number, };

export type LimitHistory = { 
/**
 * Every rise in the span, by kind and time; empty past [`RISES_UP_TO_DAYS`].
 */
rises: Array<LimitRise>, 
/**
 * Per local day and kind, the highest use reached that day, in day order.
 */
by_day: Array<LimitDay>, };

export type LimitKind = "five_hour" | "seven_day";

export type LimitReading = { kind: LimitKind, 
/**
 * 0–100, as Claude Code rounds it (one decimal).
 */
used_pct: number, 
/**
 * When the window resets: its identity (every report of one window carries the same).
 */
resets_at: string, };

export type LimitRise = { kind: LimitKind, 
/**
 * The window it belongs to, by its reset time.
 */
resets_at: string, at: string, used_pct: number, };

export type LogKind = "tools" | "api_errors";

export type LogPage = { 
/**
 * Rows matching the filter, over all pages.
 */
total: number, rows: Array<LogRow>, 
/**
 * What the filters can offer for the range: tool names (tools) or models (API errors), most frequent
 * first.
 */
subjects: Array<string>, 
/**
 * HTTP statuses of the range's API errors, most frequent first (empty for tools).
 */
status_codes: Array<number>, };

export type LogQuery = { kind: LogKind, 
/**
 * First local day (`YYYY-MM-DD`), or from the beginning.
 */
since: string | null, 
/**
 * First local day not included, or up to now.
 */
until: string | null, 
/**
 * Only this tool (tool log).
 */
tool: string | null, 
/**
 * Only this normalised model (API-error log).
 */
model: string | null, 
/**
 * Only this HTTP status (API-error log).
 */
status_code: number | null, 
/**
 * Only failed tool runs.
 */
failed_only: boolean, 
/**
 * Searched in the session id and the stored attributes.
 */
text: string | null, limit: number, offset: number, };

export type LogRow = { time: string, 
/**
 * `None` for events that came without a session id.
 */
session_id: string | null, tool_name: string | null, model: string | null, success: boolean | null, duration_ms: number | null, status_code: number | null, 
/**
 * The `error` attribute: the message, or `[not stored: N characters]` when content is not kept.
 */
error: string | null, 
/**
 * Every stored attribute of the event.
 */
attributes: JsonValue, };

export type ModelPrice = { 
/**
 * The model's name as Claude Code reports it, without a `[1m]` suffix.
 */
model: string, 
/**
 * Where its rates come from; `None`: no price is known, its requests are costed apart.
 */
source: RateSource | null, 
/**
 * Its rates in USD per million tokens (for a prompt below any long-context tier).
 */
per_million: PerMillion | null, 
/**
 * The telemetry requests its rates were learned from (0 unless learned).
 */
learned_from: number, 
/**
 * Requests read from transcripts priced at these rates, and those of this model without a price.
 */
estimated_requests: number, unpriced_requests: number, };

export type ModelUsage = { model: string, cost_usd: number, tokens: TokenCounts, api_requests: number, api_errors: number, };

export type Outlook = { "outlook": "gathering", points: number, minutes: number, } | { "outlook": "reached", at: string, } | { "outlook": "holds" } | { "outlook": "quiet" } | { "outlook": "over" };

export type Pace = { from: string, to: string, points: number, rise: number, per_hour: number, };

export type PerMillion = { input: number, output: number, cache_read: number, cache_write_5m: number, cache_write_1h: number, };

export type Period = "day" | "week" | "month" | "session";

export type PriceFields = { model: string, input: string, output: string, cache_read: string, cache_write_5m: string, cache_write_1h: string, };

export type PriceOverride = { 
/**
 * The model's name as Claude Code reports it (`claude-opus-5-5`); a `[1m]` suffix and letter case do not
 * matter.
 */
model: string, input: number, output: number, 
/**
 * Cache reads; when not given, a tenth of the input price (Anthropic's rule for most models).
 */
cache_read?: number, 
/**
 * Cache writes kept five minutes; when not given, 1.25 times the input price.
 */
cache_write_5m?: number, 
/**
 * Cache writes kept an hour; when not given, twice the input price.
 */
cache_write_1h?: number, };

export type ProjectBudget = { 
/**
 * As `words::project` names it: `owner/name`, or a folder with the home folder as `~`.
 */
project: string, 
/**
 * Day, week or month: a session belongs to one project, so the per-session budget already covers it.
 */
period: Period, budget: Budget, };

export type RateSource = "learned" | "override" | "table";

export type RawSourceUsage = { 
/**
 * As sent: `sdk`, `agent:builtin:Explore` (events) or `main`, `subagent` (metrics); `""` when the
 * record had none.
 */
raw: string, cost_usd: number, 
/**
 * api_request events; metric-only sessions have none.
 */
api_requests: number, tokens: TokenCounts, };

export type SeriesPoint = { 
/**
 * The local hour or day's first instant, in UTC.
 */
start: string, model: string, cost_usd: number, tokens: TokenCounts, api_requests: number, api_errors: number, user_prompts: number, tool_results: number, lines_added: number, lines_removed: number, commits: number, pull_requests: number, active_time_user_s: number, active_time_cli_s: number, edits_accepted: number, edits_rejected: number, 
/**
 * Mean API request latency, from the api_request events.
 */
api_mean_latency_ms: number | null, };

export type SessionDetail = { 
/**
 * In the order they started. Their cost is part of the session's; the rest is the main thread's.
 */
subagents: Array<SubagentUsage>, timeline: Array<TimelineEvent>, 
/**
 * `None` for data that arrived without a session id.
 */
id: string | null, started_at: string, ended_at: string, duration_s: number, models: Array<string>, app_version: string | null, terminal_type: string | null, user_email: string | null, 
/**
 * The repository the session worked in (`vcs.repository.url.full`, sent with
 * `OTEL_METRICS_INCLUDE_REPOSITORY=true`), and the branch and commit of its last `git commit`.
 */
repository: string | null, branch: string | null, commit: string | null, 
/**
 * Its project (`words::project`): `owner/name`, or a folder with the home folder as `~`.
 */
project: string | null, cost_source: CostSource, 
/**
 * Of its cost, the part estimated from Claude Code's transcripts (requests telemetry never reported), USD;
 * and how many of its requests have no known price (their tokens counted, their cost not).
 */
estimated_cost_usd: number, unpriced_requests: number, cost_usd: number, tokens: TokenCounts, api_requests: number, api_errors: number, user_prompts: number, tool_results: number, lines_added: number, lines_removed: number, commits: number, pull_requests: number, active_time_user_s: number, active_time_cli_s: number, edits_accepted: number, edits_rejected: number, 
/**
 * Mean API request latency, from the api_request events.
 */
api_mean_latency_ms: number | null, };

export type SessionGroup = { 
/**
 * `""` when the sessions did not say.
 */
value: string, sessions: number, cost_usd: number, };

export type SessionMix = { 
/**
 * By `terminal.type` (vscode, iTerm.app, tmux…), most expensive first.
 */
by_terminal: Array<SessionGroup>, 
/**
 * By project (`words::project`: the repository, else the project folder), most expensive first; sessions
 * without one last, as `""`.
 */
by_project: Array<SessionGroup>, 
/**
 * One entry per attribute key the user added to the resource, most sessions first.
 */
by_attribute: Array<AttributeGroups>, 
/**
 * Sessions with at least one commit in the range (`value` "with"), and the rest ("without").
 */
with_commit: SessionGroup, without_commit: SessionGroup, 
/**
 * Sessions whose first record falls in each local hour or day of the range.
 */
started: Array<StartCount>, };

export type SessionPage = { total: number, rows: Array<SessionRow>, };

export type SessionRow = { 
/**
 * `None` for data that arrived without a session id.
 */
id: string | null, started_at: string, ended_at: string, duration_s: number, models: Array<string>, app_version: string | null, terminal_type: string | null, user_email: string | null, 
/**
 * The repository the session worked in (`vcs.repository.url.full`, sent with
 * `OTEL_METRICS_INCLUDE_REPOSITORY=true`), and the branch and commit of its last `git commit`.
 */
repository: string | null, branch: string | null, commit: string | null, 
/**
 * Its project (`words::project`): `owner/name`, or a folder with the home folder as `~`.
 */
project: string | null, cost_source: CostSource, 
/**
 * Of its cost, the part estimated from Claude Code's transcripts (requests telemetry never reported), USD;
 * and how many of its requests have no known price (their tokens counted, their cost not).
 */
estimated_cost_usd: number, unpriced_requests: number, cost_usd: number, tokens: TokenCounts, api_requests: number, api_errors: number, user_prompts: number, tool_results: number, lines_added: number, lines_removed: number, commits: number, pull_requests: number, active_time_user_s: number, active_time_cli_s: number, edits_accepted: number, edits_rejected: number, 
/**
 * Mean API request latency, from the api_request events.
 */
api_mean_latency_ms: number | null, };

export type SessionSort = "start" | "end" | "cost" | "tokens" | "duration" | "errors";

export type SessionView = { detail: SessionDetail, 
/**
 * Usage per 15 minutes and model.
 */
series: Array<SeriesPoint>, };

export type SessionsQuery = { 
/**
 * First local day (`YYYY-MM-DD`), or from the beginning.
 */
since: string | null, 
/**
 * First local day not included, or up to now.
 */
until: string | null, 
/**
 * A normalised model the session used.
 */
model: string | null, 
/**
 * Searched in the session id, models, terminal and e-mail.
 */
text: string | null, 
/**
 * Only this project's sessions; `""`: those with none.
 */
project: string | null, sort: SessionSort, descending: boolean, 
/**
 * Rows per page (0: all, as exports do).
 */
limit: number, offset: number, };

export type Settings = { budgets: Budgets, 
/**
 * A session is "active" if it had an event or metric point within this many minutes.
 */
active_window_minutes: number, 
/**
 * Keep prompt text, responses, tool input and error text (default: only their lengths).
 * `ingest::load_privacy` reads this JSON key: keep the name.
 */
store_prompt_text: boolean, 
/**
 * Delete the records (timelines, logs) older than this many days, keeping their rollups (totals,
 * charts, budgets); `None` keeps everything.
 */
retention_days: number | null, 
/**
 * The first day of a budget week.
 */
week_start: "Mon" | "Tue" | "Wed" | "Thu" | "Fri" | "Sat" | "Sun", alerts_enabled: boolean, 
/**
 * Alerts reached before this instant are recorded as suppressed, never sent.
 */
alerts_paused_until: string | null, 
/**
 * A notification when a plan-limit window (5-hour, weekly) reaches each of these percentages, once per
 * window; none: no limit notifications. A pause silences them too.
 */
limit_alerts: Array<number>, start_at_login: boolean, 
/**
 * Draw the amount into the tray icon, for desktops that hide the tray label (KDE, stock GNOME).
 */
icon_shows_amount: boolean, grpc_addr: string, http_addr: string, 
/**
 * Where ccmeter serves its totals to Prometheus (`/metrics`); `None`: not served (the default).
 */
metrics_addr: string | null, 
/**
 * The welcome window was shown: it opens once, on the first start (see [`take_welcome`]).
 */
welcomed: boolean, 
/**
 * Keep importing the requests Claude Code's transcripts record while ccmeter runs (`history`): the history
 * from before telemetry, and the sessions whose telemetry is off. `None`: not asked yet (the app offers it).
 */
follow_transcripts: boolean | null, 
/**
 * The user's own prices of models, for the requests read from transcripts (`pricing`): after the rates
 * learned from telemetry, before the bundled table. One per model.
 */
price_overrides: Array<PriceOverride>, };

export type SettingsPatch = { budgets?: BudgetsPatch, active_window_minutes?: number, store_prompt_text?: boolean, retention_days?: number | null, week_start?: "Mon" | "Tue" | "Wed" | "Thu" | "Fri" | "Sat" | "Sun", alerts_enabled?: boolean, alerts_paused_until?: string | null, limit_alerts?: Array<number>, start_at_login?: boolean, icon_shows_amount?: boolean, grpc_addr?: string, http_addr?: string, 
/**
 * `null` stops serving Prometheus.
 */
metrics_addr?: string | null, welcomed?: boolean, follow_transcripts?: boolean | null, 
/**
 * Every price override, replacing the stored list.
 */
price_overrides?: Array<PriceOverride>, };

export type SourceClass = "main" | "subagent" | "auxiliary";

export type SourceUsage = { class: SourceClass, cost_usd: number, 
/**
 * api_request events; metric-only sessions have none.
 */
api_requests: number, tokens: TokenCounts, 
/**
 * The raw values of this class, most expensive first.
 */
raw: Array<RawSourceUsage>, 
/**
 * Subagents only: the class split by `agent.name` (`Explore`, `general-purpose`, a custom agent…), most
 * expensive first; `""` holds what arrived without a name (versions before the attribute), so the
 * split adds up to the class.
 */
agents: Array<FacetUsage>, };

export type StartCount = { start: string, sessions: number, };

export type Status = { 
/**
 * `127.0.0.1:4317`, or `None` when it could not bind (see `errors`).
 */
grpc: string | null, http: string | null, 
/**
 * Why a receiver is not listening, in words.
 */
errors: Array<string>, 
/**
 * The event time of the newest record stored.
 */
last_data: string | null, 
/**
 * The Claude Code version of the most recent session, when it sends one.
 */
claude_code_version: string | null, 
/**
 * The database file.
 */
database: string, };

export type StatusLineReport = { at: string, claude_code_version: string | null, limits: Array<LimitReading>, };

export type SubagentUsage = { agent_id: string, 
/**
 * `agent.name` on its requests, else `agent_type` of its subagent_completed event (`Explore`,
 * `general-purpose`, a custom agent's name); `None` when neither was sent.
 */
name: string | null, started_at: string, api_requests: number, cost_usd: number, tokens: TokenCounts, 
/**
 * From its subagent_completed event; else the sum of its requests' durations.
 */
duration_ms: number, tool_uses: number | null, };

export type Summary = { sessions: number, 
/**
 * cacheRead ÷ (input + cacheRead + cacheCreation).
 */
cache_hit_rate: number | null, spans: number, cost_usd: number, tokens: TokenCounts, api_requests: number, api_errors: number, user_prompts: number, tool_results: number, lines_added: number, lines_removed: number, commits: number, pull_requests: number, active_time_user_s: number, active_time_cli_s: number, edits_accepted: number, edits_rejected: number, 
/**
 * Mean API request latency, from the api_request events.
 */
api_mean_latency_ms: number | null, };

export type Target = { "kind": "limit", window: LimitKind, } | { "kind": "day_budget" };

export type TimelineEvent = { time: string, name: string, sequence: number | null, prompt_id: string | null, model: string | null, cost_usd: number | null, tokens: TokenCounts | null, 
/**
 * The cache write by lifetime, when Claude Code split it (`tokens.cacheCreation` is their sum).
 */
cache_creation_5m: number | null, cache_creation_1h: number | null, duration_ms: number | null, 
/**
 * Time to first token of an API request.
 */
ttft_ms: number | null, 
/**
 * The subagent that made an API request (`agent_id`, `agent.name`).
 */
agent_id: string | null, agent_name: string | null, success: boolean | null, tool_name: string | null, decision: string | null, status_code: number | null, 
/**
 * As sent (`repl_main_thread`, `agent:builtin:Explore`…).
 */
query_source: string | null, 
/**
 * `query_source` as main / subagent / auxiliary.
 */
source: SourceClass | null, 
/**
 * An API request read from Claude Code's transcripts (telemetry never reported it): its cost is ccmeter's
 * estimate, or unknown when no price of its model is known. `None`: Claude Code's own cost, or no cost.
 */
cost_estimate: CostEstimate | null, attributes: JsonValue, };

export type TokenCounts = { input: number, output: number, cacheRead: number, cacheCreation: number, };

export type ToolPoint = { 
/**
 * The local hour or day's first instant, in UTC.
 */
start: string, 
/**
 * `?` when the event named no tool.
 */
tool: string, 
/**
 * tool_result events.
 */
calls: number, 
/**
 * Calls that reported `success: false`.
 */
failed: number, };

export type ToolStat = { tool: string, calls: number, succeeded: number, failed: number, success_rate: number | null, 
/**
 * Mean of the runs that reported a duration; their median and 95th percentile (nearest rank, within
 * 1 % + 0.5 ms).
 */
mean_ms: number | null, p50_ms: number | null, p95_ms: number | null, accepted: number, rejected: number, };

export type TranscriptLinesSkipped = { 
/**
 * Longer than [`MAX_LINE_BYTES`].
 */
too_long: number, 
/**
 * Not a JSON record (bad JSON, bytes that are not UTF-8), or a record whose usage is not numbers. Once a
 * file's session is known, only lines naming `"usage"` are parsed, so only those can be counted here.
 */
unreadable: number, 
/**
 * The file's last line, without its newline yet and not a whole record: Claude Code is writing it.
 */
unfinished: number, };

export type TranscriptsImported = { 
/**
 * Transcript files found (subagents' included); of those, the ones unchanged since the last import (not
 * read again), and those that could not be opened.
 */
files: number, unchanged_files: number, unreadable_files: number, 
/**
 * API responses read, each once.
 */
responses: number, 
/**
 * Of those, the ones still being written, left for a later read, and those before `--since`, left out.
 */
held_back: number, before_since: number, 
/**
 * Sessions with a response read.
 */
sessions: number, 
/**
 * Requests added to the history.
 */
added: number, 
/**
 * Requests the history already had, from telemetry or an earlier import.
 */
known: number, 
/**
 * The estimated cost of the requests added, in nano-dollars.
 */
estimated_nanos: number, 
/**
 * The same in USD, for the windows.
 */
estimated_usd: number, 
/**
 * Requests added priced from rates learned from this database's telemetry, from the user's own prices
 * (Settings), and from the bundled table.
 */
priced_learned: number, priced_override: number, priced_table: number, 
/**
 * Requests added of a model with no known price (with their tokens, costed apart).
 */
no_price: number, 
/**
 * Lines passed over in the files.
 */
skipped: TranscriptLinesSkipped, };

export type TranscriptsReport = { 
/**
 * `Settings::follow_transcripts`: `None` before the user was asked.
 */
following: boolean | null, files: number, estimated_requests: number, unpriced_requests: number, lines_too_long: number, lines_unreadable: number, };

export type Usage = { cost_usd: number, tokens: TokenCounts, api_requests: number, api_errors: number, user_prompts: number, tool_results: number, lines_added: number, lines_removed: number, commits: number, pull_requests: number, active_time_user_s: number, active_time_cli_s: number, edits_accepted: number, edits_rejected: number, 
/**
 * Mean API request latency, from the api_request events.
 */
api_mean_latency_ms: number | null, };

export type WindowKind = "dashboard" | "history" | "settings" | "welcome" | "about";

/** The app's commands, from their one Rust list. Each rejects with an `IpcError`. */
export const commands = {
  /** The dashboard of local days `[since, until)`, both `YYYY-MM-DD`. */
  dashboard(since: string, until: string): Promise<Dashboard> {
    return invoke("dashboard", { since, until });
  },
  /** Where the receivers listen (or why not) and when data last came. */
  status(): Promise<Status> {
    return invoke("status");
  },
  /** Opens (or focuses) one of the app's windows. */
  openWindow(kind: WindowKind): Promise<void> {
    return invoke("open_window", { kind });
  },
  /** One page of the sessions table. */
  sessions(query: SessionsQuery): Promise<SessionPage> {
    return invoke("sessions", { query });
  },
  /** Every model seen, most used first. */
  models(): Promise<Array<string>> {
    return invoke("models");
  },
  /** Every project the sessions have, the most sessions first. */
  projects(): Promise<Array<string>> {
    return invoke("projects");
  },
  /** One page of the tool-execution or API-error log. */
  log(query: LogQuery): Promise<LogPage> {
    return invoke("log", { query });
  },
  /** A session's totals, timeline and cost over time; `null` when it does not exist (any more). */
  session(id: string): Promise<SessionView | null> {
    return invoke("session", { id });
  },
  /** Writes every session matching `query` to `path`; resolves to the number written. */
  exportSessions(query: SessionsQuery, path: string, format: Format): Promise<number> {
    return invoke("export_sessions", { query, path, format });
  },
  /** Writes one session's timeline (CSV) or the whole session (JSON) to `path`; resolves to the events written. */
  exportSession(id: string, path: string, format: Format): Promise<number> {
    return invoke("export_session", { id, path, format });
  },
  /** The saved settings (defaults for what was never set). */
  settings(): Promise<Settings> {
    return invoke("settings");
  },
  /** A budget as typed in the Settings window: read and validated by the CLI's rules, or why not. */
  readBudget(period: Period, limit: string, thresholds: string): Promise<Budget> {
    return invoke("read_budget", { period, limit, thresholds });
  },
  /** A price of your own as typed in the Settings window: read and validated by the CLI's rules, or why not. */
  readPrice(fields: PriceFields): Promise<PriceOverride> {
    return invoke("read_price", { fields });
  },
  /** Applies the fields given to the settings as stored now, validates and saves them; resolves with what was saved. Fields left out are kept as they are. */
  saveSettings(patch: SettingsPatch): Promise<Settings> {
    return invoke("save_settings", { patch });
  },
  /** Deletes one session and everything it recorded. */
  deleteSession(id: string): Promise<Deleted> {
    return invoke("delete_session", { id });
  },
  /** Deletes every record of local days `[since, until)`. */
  deleteDays(since: string, until: string): Promise<Deleted> {
    return invoke("delete_days", { since, until });
  },
  /** What connecting Claude Code would change in its settings.json (nothing is written). */
  connectPlan(): Promise<ConnectPlan> {
    return invoke("connect_plan");
  },
  /** Merges the telemetry settings into Claude Code's settings.json, a backup first. */
  connectApply(): Promise<Connected> {
    return invoke("connect_apply");
  },
  /** Version, data folder, database, receivers and last data, with the text "copy diagnostics" copies. */
  about(): Promise<About> {
    return invoke("about");
  },
  /** Imports Claude Code's transcripts into the history and follows them from then on; the windows hear `IMPORT_PROGRESS_EVENT` as it goes. */
  importTranscripts(): Promise<TranscriptsImported> {
    return invoke("import_transcripts");
  },
  /** The price each model's estimated requests are costed at and where it comes from, the models without a price first. */
  modelPrices(): Promise<Array<ModelPrice>> {
    return invoke("model_prices");
  },
};
