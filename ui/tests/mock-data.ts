/**
 * Figures for the browser tests, typed against the generated declarations so they cannot drift from what
 * the app sends. The week is 18–24 November 2026 in Europe/Berlin (the tests fix the page's clock and zone).
 */
import type {
  Dashboard,
  LimitDay,
  LimitKind,
  LimitRise,
  LogPage,
  LogRow,
  ModelPrice,
  SeriesPoint,
  SessionPage,
  SessionRow,
  SessionView,
  Settings,
  Status,
  Summary,
  TimelineEvent,
  TokenCounts,
} from "../src/api";

/** The projects the history's sessions belong to, the most sessions first. */
export const PROJECTS = ["acme/billing-api", "acme/web-app", "~/scratch"];

const noUsage = {
  api_requests: 0,
  api_errors: 0,
  user_prompts: 0,
  tool_results: 0,
  lines_added: 0,
  lines_removed: 0,
  commits: 0,
  pull_requests: 0,
  active_time_user_s: 0,
  active_time_cli_s: 0,
  edits_accepted: 0,
  edits_rejected: 0,
  api_mean_latency_ms: null,
};

const tokens = (input: number, output: number, cacheRead: number, cacheCreation: number): TokenCounts => ({ input, output, cacheRead, cacheCreation });

/** Local midnight of 2026-11-<day> in Berlin (UTC+1 in November), as the backend's UTC instant. */
const dayStart = (day: number): string => new Date(Date.UTC(2026, 10, day - 1, 23)).toISOString();

function point(day: number, model: string, cost: number, requests: number): SeriesPoint {
  return {
    ...noUsage,
    start: dayStart(day),
    model,
    cost_usd: cost,
    tokens: tokens(requests * 30, requests * 160, requests * 12_000, requests * 1_700),
    api_requests: requests,
    api_mean_latency_ms: model.includes("haiku") ? 900 + day * 10 : model.includes("opus") ? 3_800 + (day % 3) * 400 : 2_100,
    user_prompts: Math.round(requests / 6),
    lines_added: model.includes("opus") ? requests * 4 : 0,
    lines_removed: model.includes("opus") ? requests : 0,
    commits: model.includes("opus") && requests > 40 ? 2 : 0,
    pull_requests: model.includes("opus") && requests > 60 ? 1 : 0,
    active_time_user_s: requests * 15,
    active_time_cli_s: requests * 27,
    edits_accepted: model.includes("opus") ? Math.round(requests / 3) : 0,
    edits_rejected: model.includes("opus") && requests > 50 ? 2 : 0,
  };
}

const week: SeriesPoint[] = [
  point(18, "claude-opus-4-8", 2.41, 31),
  point(18, "claude-haiku-4-5", 0.12, 40),
  point(19, "claude-opus-4-8", 4.87, 58),
  point(19, "claude-sonnet-4-5", 0.93, 22),
  point(20, "claude-sonnet-4-5", 1.35, 35),
  point(21, "claude-haiku-4-5", 0.05, 12),
  point(23, "claude-opus-4-8", 6.12, 70),
  point(23, "claude-sonnet-4-5", 0.44, 9),
  point(23, "claude-haiku-4-5", 0.21, 51),
  point(24, "claude-opus-4-8", 3.06, 37),
  point(24, "claude-haiku-4-5", 0.09, 20),
];

const sum = (pick: (p: SeriesPoint) => number): number => week.reduce((total, p) => total + pick(p), 0);

export const WEEK_COST = Math.round(sum((p) => p.cost_usd) * 100) / 100;

const summary: Summary = {
  ...noUsage,
  sessions: 14,
  cache_hit_rate: sum((p) => p.tokens.cacheRead) / sum((p) => p.tokens.input + p.tokens.cacheRead + p.tokens.cacheCreation),
  spans: 0,
  cost_usd: sum((p) => p.cost_usd),
  tokens: tokens(
    sum((p) => p.tokens.input),
    sum((p) => p.tokens.output),
    sum((p) => p.tokens.cacheRead),
    sum((p) => p.tokens.cacheCreation),
  ),
  api_requests: sum((p) => p.api_requests),
  api_errors: 6,
  user_prompts: 61,
  tool_results: 412,
  lines_added: 1_284,
  lines_removed: 377,
  commits: 9,
  pull_requests: 3,
  active_time_user_s: 5_520,
  active_time_cli_s: 9_860,
  edits_accepted: 88,
  edits_rejected: 7,
  api_mean_latency_ms: 4_210,
};

const DAYS = [18, 19, 20, 21, 22, 23, 24];
/** How busy each day of the week was (the 22nd was a quiet Sunday). */
const WEIGHT: Record<number, number> = { 18: 0.15, 19: 0.22, 20: 0.1, 21: 0.04, 22: 0, 23: 0.3, 24: 0.19 };
const perDay = <T>(total: number, make: (day: number, share: number) => T | null): T[] =>
  DAYS.flatMap((day) => {
    const share = Math.round(total * (WEIGHT[day] ?? 0));
    const made = share > 0 ? make(day, share) : null;
    return made === null ? [] : [made];
  });

const TOOL_TOTALS: Array<[string, number, number]> = [
  ["Read", 164, 1],
  ["Bash", 97, 9],
  ["Edit", 71, 2],
  ["Grep", 48, 0],
  ["Write", 24, 0],
  ["WebFetch", 8, 2],
  ["TodoWrite", 6, 0],
  ["Glob", 5, 0],
];
const EVENT_TOTALS: Array<[string, number]> = [
  ["api_request", 385],
  ["tool_result", 423],
  ["tool_decision", 301],
  ["user_prompt", 61],
  ["api_error", 6],
  ["mcp_server_connection", 4],
];
const LATENCY: Record<string, [number, number]> = { "claude-opus-4-8": [3_800, 9_400], "claude-sonnet-4-5": [2_100, 5_200], "claude-haiku-4-5": [900, 1_900] };

/**
 * A subscriber's week of plan limits: one 5-hour window a working day (09:00–14:00 Berlin), the 20th running into
 * the limit; today an early window and the current one (12:30–17:30), climbing 30 % in the last hour; the weekly
 * window that reset on Monday 09:00 and the current one. Each rise every 20 minutes, then today's in detail.
 */
const FIVE_HOUR_PEAKS: Record<number, number> = { 18: 64, 19: 88, 20: 100, 21: 22, 23: 96 };
const rise = (kind: LimitKind, resets: string, at: string, used: number): LimitRise => ({
  kind,
  resets_at: resets,
  at,
  used_pct: used,
});
const utc = (day: number, hour: number, minute = 0): string => new Date(Date.UTC(2026, 10, day, hour, minute)).toISOString().replace(".000Z", "Z");
const limitRisesOfWeek: LimitRise[] = [
  ...Object.entries(FIVE_HOUR_PEAKS).flatMap(([day, peak]) =>
    Array.from({ length: 15 }, (_, i) => rise("five_hour", utc(Number(day), 13), utc(Number(day), 8, 10 + i * 20), Math.round((peak * (i + 1)) / 15))),
  ),
  ...[6, 12, 20, 29, 38, 47, 58].map((used, i) => rise("five_hour", utc(24, 11), utc(24, 6, 10 + i * 40), used)),
  ...(
    [
      [11, 40, 3],
      [12, 10, 8],
      [12, 40, 12],
      [12, 55, 14.4],
      [13, 10, 20],
      [13, 25, 27],
      [13, 40, 35],
      [13, 55, 42],
    ] as const
  ).map(([hour, minute, used]) => rise("five_hour", utc(24, 16, 30), utc(24, hour, minute), used)),
  ...(
    [
      [18, 30],
      [18, 45],
      [19, 51],
      [19, 63],
      [20, 74],
      [20, 82],
      [21, 86],
    ] as const
  ).map(([day, used], i) => rise("seven_day", utc(23, 8), utc(day, i % 2 === 0 ? 9 : 12), used)),
  ...(
    [
      [23, 9, 2],
      [23, 11, 14],
      [23, 12, 27],
      [24, 7, 33],
      [24, 13, 41],
    ] as const
  ).map(([day, hour, used]) => rise("seven_day", utc(30, 8), utc(day, hour), used)),
].sort((a, b) => a.kind.localeCompare(b.kind) || a.at.localeCompare(b.at));
const limitPeaks: LimitDay[] = [...new Set(limitRisesOfWeek.map((r) => `${r.at.slice(0, 10)} ${r.kind}`))].sort().map((key) => {
  const [day, kind] = key.split(" ") as [string, LimitKind];
  const peak_pct = Math.max(...limitRisesOfWeek.filter((r) => r.kind === kind && r.at.startsWith(day)).map((r) => r.used_pct));
  return { day, kind, peak_pct };
});

export const dashboard: Dashboard = {
  since: "2026-11-18",
  until: "2026-11-25",
  granularity: "day",
  summary,
  budgets: [
    {
      period: "day",
      key: "2026-11-24",
      project: null,
      spent_nanos: 3_150_000_000,
      limit_nanos: 5_000_000_000,
      spent_usd: 3.15,
      limit_usd: 5,
      used: 0.63,
      reached: 50,
      state: "warning",
    },
    {
      period: "week",
      key: "2026-11-23",
      project: null,
      spent_nanos: 9_930_000_000,
      limit_nanos: 25_000_000_000,
      spent_usd: 9.93,
      limit_usd: 25,
      used: 0.3972,
      reached: null,
      state: "ok",
    },
    {
      period: "month",
      key: "2026-11",
      project: null,
      spent_nanos: 61_200_000_000,
      limit_nanos: 60_000_000_000,
      spent_usd: 61.2,
      limit_usd: 60,
      used: 1.02,
      reached: 100,
      state: "over",
    },
    {
      period: "day",
      key: "2026-11-24",
      project: "acme/billing-api",
      spent_nanos: 2_100_000_000,
      limit_nanos: 2_500_000_000,
      spent_usd: 2.1,
      limit_usd: 2.5,
      used: 0.84,
      reached: 80,
      state: "warning",
    },
    {
      period: "week",
      key: "2026-11-23",
      project: "acme/web-app",
      spent_nanos: 4_200_000_000,
      limit_nanos: 10_000_000_000,
      spent_usd: 4.2,
      limit_usd: 10,
      used: 0.42,
      reached: null,
      state: "ok",
    },
  ],
  limits: [
    { kind: "five_hour", used_pct: 42, resets_at: "2026-11-24T16:30:00Z", reported_at: "2026-11-24T13:55:00Z" },
    { kind: "seven_day", used_pct: 41, resets_at: "2026-11-30T08:00:00Z", reported_at: "2026-11-24T13:55:00Z" },
  ],
  forecasts: [
    {
      target: { kind: "limit", window: "five_hour" },
      outlook: { outlook: "reached", at: "2026-11-24T15:51:00Z" },
      pace: { from: "2026-11-24T12:55:00Z", to: "2026-11-24T13:55:00Z", points: 5, rise: 30, per_hour: 30 },
      ends_at: "2026-11-24T16:30:00Z",
      method: "Forecast from the pace of the last hour of activity, projected from the last report: +30 % in 60 min (13:55–14:55, 5 reports), 30 % an hour.",
    },
    {
      target: { kind: "day_budget" },
      outlook: { outlook: "reached", at: "2026-11-24T16:01:20Z" },
      pace: { from: "2026-11-24T13:02:00Z", to: "2026-11-24T13:58:00Z", points: 23, rise: 0.84, per_hour: 0.9 },
      ends_at: "2026-11-24T23:00:00Z",
      method:
        "Forecast from the pace of the last hour of activity, projected from the last report: +$0.84 in 56 min (14:02–14:58, 23 requests), $0.90 an hour.",
    },
  ],
  limit_history: { rises: limitRisesOfWeek, by_day: limitPeaks },
  limit_alerts: [80, 95],
  series: week,
  by_model: [
    { model: "claude-opus-4-8", cost_usd: 16.46, tokens: tokens(5_880, 31_360, 2_352_000, 333_200), api_requests: 196, api_errors: 4 },
    { model: "claude-sonnet-4-5", cost_usd: 2.72, tokens: tokens(1_980, 10_560, 792_000, 112_200), api_requests: 66, api_errors: 2 },
    { model: "claude-haiku-4-5", cost_usd: 0.47, tokens: tokens(3_690, 19_680, 1_476_000, 209_100), api_requests: 123, api_errors: 0 },
  ],
  tools: [
    { tool: "Read", calls: 164, succeeded: 163, failed: 1, success_rate: 0.994, mean_ms: 16, p50_ms: 12, p95_ms: 48, accepted: 0, rejected: 0 },
    { tool: "Bash", calls: 97, succeeded: 88, failed: 9, success_rate: 0.907, mean_ms: 1092, p50_ms: 840, p95_ms: 9_400, accepted: 0, rejected: 0 },
    { tool: "Edit", calls: 71, succeeded: 69, failed: 2, success_rate: 0.972, mean_ms: 46, p50_ms: 35, p95_ms: 120, accepted: 66, rejected: 5 },
    { tool: "Grep", calls: 48, succeeded: 48, failed: 0, success_rate: 1, mean_ms: 78, p50_ms: 60, p95_ms: 210, accepted: 0, rejected: 0 },
    { tool: "Write", calls: 24, succeeded: 24, failed: 0, success_rate: 1, mean_ms: 26, p50_ms: 20, p95_ms: 80, accepted: 22, rejected: 2 },
    { tool: "WebFetch", calls: 8, succeeded: 6, failed: 2, success_rate: 0.75, mean_ms: 2470, p50_ms: 1_900, p95_ms: 6_100, accepted: 0, rejected: 0 },
  ],
  errors: [
    { status_code: 529, count: 4 },
    { status_code: 429, count: 1 },
    { status_code: null, count: 1 },
  ],
  by_source: [
    {
      class: "main",
      cost_usd: 17.9,
      api_requests: 301,
      tokens: tokens(9_030, 48_160, 3_612_000, 511_700),
      raw: [
        { raw: "repl_main_thread", cost_usd: 15.2, api_requests: 250, tokens: tokens(7_500, 40_000, 3_000_000, 425_000) },
        { raw: "sdk", cost_usd: 2.7, api_requests: 51, tokens: tokens(1_530, 8_160, 612_000, 86_700) },
      ],
      agents: [],
    },
    {
      class: "subagent",
      cost_usd: 1.52,
      api_requests: 44,
      tokens: tokens(1_320, 7_040, 528_000, 74_800),
      raw: [{ raw: "agent:builtin:Explore", cost_usd: 1.52, api_requests: 44, tokens: tokens(1_320, 7_040, 528_000, 74_800) }],
      agents: [
        { value: "Explore", cost_usd: 1.14, api_requests: 36, tokens: tokens(1_080, 5_760, 432_000, 61_200) },
        { value: "general-purpose", cost_usd: 0.38, api_requests: 8, tokens: tokens(240, 1_280, 96_000, 13_600) },
      ],
    },
    {
      class: "auxiliary",
      cost_usd: 0.23,
      api_requests: 40,
      tokens: tokens(1_200, 6_400, 480_000, 68_000),
      raw: [{ raw: "generate_session_title", cost_usd: 0.23, api_requests: 40, tokens: tokens(1_200, 6_400, 480_000, 68_000) }],
      agents: [],
    },
  ],
  edits_by_language: [
    { language: "TypeScript", accepted: 41, rejected: 4 },
    { language: "Rust", accepted: 29, rejected: 2 },
    { language: "Python", accepted: 12, rejected: 0 },
    { language: "Markdown", accepted: 6, rejected: 1 },
  ],
  heatmap: [
    [0, 9, 1.1],
    [0, 10, 2.3],
    [0, 11, 0.8],
    [0, 14, 1.9],
    [0, 15, 2.6],
    [0, 16, 0.4],
    [1, 9, 0.6],
    [1, 10, 1.4],
    [1, 14, 3.2],
    [1, 15, 0.9],
    [1, 21, 0.3],
    [2, 10, 1.7],
    [2, 11, 1.2],
    [2, 16, 0.5],
    [3, 9, 0.2],
    [3, 13, 0.05],
    [5, 22, 0.9],
    [5, 23, 0.4],
    [6, 11, 0.7],
    [6, 12, 2.2],
    [6, 15, 3.1],
  ].map(([weekday, hour, usd]) => ({
    weekday: weekday ?? 0,
    hour: hour ?? 0,
    cost_usd: usd ?? 0,
    api_requests: Math.round((usd ?? 0) * 20),
    user_prompts: Math.round((usd ?? 0) * 3),
  })),
  by_effort: [
    { value: "high", cost_usd: 19.18, api_requests: 262, tokens: tokens(7_860, 41_920, 3_144_000, 445_400) },
    { value: "", cost_usd: 0.47, api_requests: 123, tokens: tokens(3_690, 19_680, 1_476_000, 209_100) },
  ],
  latency: {
    by_model: [
      { start: null, model: "claude-opus-4-8", requests: 196, p50_ms: 3_800, p95_ms: 9_400, ttft_p50_ms: 610, ttft_p95_ms: 1_450 },
      { start: null, model: "claude-haiku-4-5", requests: 123, p50_ms: 900, p95_ms: 1_900, ttft_p50_ms: 240, ttft_p95_ms: 520 },
      { start: null, model: "claude-sonnet-4-5", requests: 66, p50_ms: 2_100, p95_ms: 5_200, ttft_p50_ms: null, ttft_p95_ms: null },
    ],
    series: week.map((p, i) => {
      const [p50, p95] = LATENCY[p.model] ?? [1_000, 2_000];
      const wobble = 0.85 + ((i * 37) % 30) / 100;
      return {
        start: p.start,
        model: p.model,
        requests: p.api_requests,
        p50_ms: Math.round(p50 * wobble),
        p95_ms: Math.round(p95 * wobble),
        ttft_p50_ms: null,
        ttft_p95_ms: null,
      };
    }),
  },
  tools_over_time: TOOL_TOTALS.flatMap(([tool, calls, failed]) =>
    perDay(calls, (day, share) => ({ start: dayStart(day), tool, calls: share, failed: day === 23 ? failed : 0 })),
  ),
  errors_over_time: [
    { start: dayStart(19), status_code: 529, count: 2 },
    { start: dayStart(23), status_code: 529, count: 2 },
    { start: dayStart(23), status_code: 429, count: 1 },
    { start: dayStart(24), status_code: null, count: 1 },
  ],
  events_over_time: EVENT_TOTALS.flatMap(([name, total]) => perDay(total, (day, share) => ({ start: dayStart(day), name, count: share }))),
  sessions: {
    by_project: [
      { value: "acme/billing-api", sessions: 6, cost_usd: 10.42 },
      { value: "acme/web-app", sessions: 5, cost_usd: 6.91 },
      { value: "~/scratch", sessions: 2, cost_usd: 1.87 },
      { value: "", sessions: 1, cost_usd: 0.45 },
    ],
    by_terminal: [
      { value: "vscode", sessions: 8, cost_usd: 11.2 },
      { value: "gnome-terminal", sessions: 5, cost_usd: 6.9 },
      { value: "tmux", sessions: 1, cost_usd: 1.55 },
    ],
    by_attribute: [
      {
        key: "project",
        groups: [
          { value: "ccmeter", sessions: 7, cost_usd: 12.4 },
          { value: "website", sessions: 5, cost_usd: 5.1 },
          { value: "", sessions: 2, cost_usd: 2.15 },
        ],
      },
      {
        key: "team",
        groups: [
          { value: "platform", sessions: 9, cost_usd: 14.2 },
          { value: "", sessions: 5, cost_usd: 5.45 },
        ],
      },
    ],
    with_commit: { value: "with", sessions: 6, cost_usd: 13.8 },
    without_commit: { value: "without", sessions: 8, cost_usd: 5.85 },
    started: perDay(14, (day, share) => ({ start: dayStart(day), sessions: share })),
  },
  top_sessions: [3, 26, 49, 72, 95].map((i) => sessionRow(i)).sort((a, b) => b.cost_usd - a.cost_usd),
  // The oldest sessions (from before telemetry) were read from Claude Code's transcripts: see sessionRow.
  estimated_cost_usd: 2.35,
  unpriced_requests: 0,
};

export const emptyDashboard: Dashboard = {
  ...dashboard,
  summary: { ...summary, ...noUsage, sessions: 0, cache_hit_rate: null, cost_usd: 0, tokens: tokens(0, 0, 0, 0) },
  budgets: [],
  limits: [],
  forecasts: [],
  limit_history: { rises: [], by_day: [] },
  series: [],
  by_model: [],
  tools: [],
  errors: [],
  by_source: [],
  edits_by_language: [],
  heatmap: [],
  by_effort: [],
  latency: { by_model: [], series: [] },
  tools_over_time: [],
  errors_over_time: [],
  events_over_time: [],
  sessions: {
    by_project: [],
    by_terminal: [],
    by_attribute: [],
    with_commit: { value: "with", sessions: 0, cost_usd: 0 },
    without_commit: { value: "without", sessions: 0, cost_usd: 0 },
    started: [],
  },
  top_sessions: [],
  estimated_cost_usd: 0,
  unpriced_requests: 0,
};

export const receiving: Status = {
  grpc: "127.0.0.1:4317",
  http: "127.0.0.1:4318",
  errors: [],
  last_data: "2026-11-24T13:59:48Z",
  claude_code_version: "2.1.197",
  database: "/home/ada/.local/share/dev.ccmeter.ccmeter/ccmeter.db",
};

export const neverReceived: Status = { ...receiving, last_data: null, claude_code_version: null };

/** The i-th session of the month, newest first. */
function sessionRow(i: number): SessionRow {
  const models = ["claude-opus-4-8", "claude-sonnet-4-5", "claude-haiku-4-5"];
  const started = Date.UTC(2026, 10, 24, 13, 0) - i * 5.5 * 3_600_000;
  const requests = 5 + ((i * 7) % 40);
  const cost = Math.round((0.05 + ((i * 37) % 100) / 23) * 100) / 100;
  return {
    ...noUsage,
    id: `${(0x5b901130 + i * 7919).toString(16).padStart(8, "0")}-a759-486a-a3cd-${String(102_000_000_000 + i).padStart(12, "0")}`,
    started_at: new Date(started).toISOString(),
    ended_at: new Date(started + (600 + ((i * 311) % 5400)) * 1000).toISOString(),
    duration_s: 600 + ((i * 311) % 5400),
    models: i % 3 === 0 ? [models[0] ?? "", models[2] ?? ""] : [models[i % 3] ?? ""],
    app_version: "2.1.197",
    terminal_type: i % 2 === 0 ? "vscode" : "gnome-terminal",
    user_email: null,
    repository: null,
    branch: null,
    commit: null,
    project: [PROJECTS[0], PROJECTS[1], PROJECTS[0], PROJECTS[2], null][i % 5] ?? null,
    cost_source: "events",
    // The oldest sessions came before telemetry was on: imported from Claude Code's transcripts, priced by ccmeter.
    estimated_cost_usd: i >= 80 ? cost : 0,
    unpriced_requests: 0,
    cost_usd: cost,
    tokens: tokens(requests * 30, requests * 160, requests * 12_000, requests * 1_700),
    api_requests: requests,
    api_errors: i % 9 === 0 ? 2 : 0,
    user_prompts: 1 + (i % 6),
    tool_results: requests + 3,
    lines_added: (i * 13) % 240,
    lines_removed: (i * 7) % 60,
    commits: i % 4 === 0 ? 1 : 0,
    pull_requests: i % 11 === 0 ? 1 : 0,
  };
}

/** 120 sessions over the month, newest first: enough for three pages of 50. */
export const allSessions: SessionRow[] = Array.from({ length: 120 }, (_, i) => sessionRow(i));

export const sessionPage: SessionPage = { total: allSessions.length, rows: allSessions.slice(0, 50) };
export const emptyPage: SessionPage = { total: 0, rows: [] };

const at = (second: number): string => new Date(Date.UTC(2026, 10, 24, 11, 27, 0) + second * 1000).toISOString();

function timelineEvent(second: number, name: string, extra: Partial<TimelineEvent> = {}): TimelineEvent {
  return {
    time: at(second),
    name,
    sequence: second,
    prompt_id: "b1c9…",
    model: null,
    cost_usd: null,
    tokens: null,
    cache_creation_5m: null,
    cache_creation_1h: null,
    duration_ms: null,
    ttft_ms: null,
    agent_id: null,
    agent_name: null,
    success: null,
    tool_name: null,
    decision: null,
    status_code: null,
    query_source: null,
    source: null,
    cost_estimate: null,
    attributes: {},
    ...extra,
  };
}

const EXPLORE_AGENT = "a3157ab522966d496";

const request = (second: number, cost: number, source: "main" | "subagent" | "auxiliary", raw: string, model = "claude-opus-4-8"): TimelineEvent =>
  timelineEvent(second, "api_request", {
    model,
    cost_usd: cost,
    tokens: tokens(3, 120 + second, 12_000 + second * 40, 1_500),
    duration_ms: 1_800 + second * 20,
    ttft_ms: 300 + second * 4,
    query_source: raw,
    source,
    ...(source === "subagent" ? { agent_id: EXPLORE_AGENT, agent_name: "Explore" } : {}),
  });

const firstSession =
  allSessions[0] ??
  (() => {
    throw new Error("no sessions");
  })();

export const sessionView: SessionView = {
  detail: {
    ...firstSession,
    // What the timeline below adds up to.
    cost_usd: 0.2113,
    api_requests: 6,
    app_version: "2.1.332",
    repository: "https://github.com/fixture-org/demo-repo",
    branch: "main",
    commit: "3f1c9a7e2b4d6f8091a2b3c4d5e6f708192a3b4c",
    subagents: [
      {
        agent_id: EXPLORE_AGENT,
        name: "Explore",
        started_at: at(14),
        api_requests: 1,
        cost_usd: 0.0002,
        tokens: tokens(3, 134, 12_560, 1_500),
        duration_ms: 2_037,
        tool_uses: 2,
      },
    ],
    timeline: [
      timelineEvent(-2, "managed_settings_resolved", {
        prompt_id: null,
        attributes: { "managed_settings.trigger": "startup", "managed_settings.sources": [], "managed_settings.source_behavior": "first-wins" },
      }),
      timelineEvent(-1, "plugin_loaded", {
        prompt_id: null,
        attributes: { "plugin.name": "cc-plugin-agents-md", "plugin.scope": "default-bundle", has_hooks: true, has_mcp: false, safe_mode: "false" },
      }),
      timelineEvent(0, "user_prompt", { attributes: { prompt: "[not stored: 48 characters]", prompt_length: "48" } }),
      request(2, 0.0012, "auxiliary", "generate_session_title", "claude-haiku-4-5"),
      request(6, 0.0312, "main", "repl_main_thread"),
      timelineEvent(9, "tool_decision", { tool_name: "Read", decision: "accept", attributes: { source: "config" } }),
      timelineEvent(10, "tool_result", { tool_name: "Read", success: true, duration_ms: 14 }),
      request(14, 0.0002, "subagent", "agent:builtin:Explore", "claude-haiku-4-5"),
      timelineEvent(16, "subagent_completed", {
        attributes: {
          agent_type: "Explore",
          agent_id: EXPLORE_AGENT,
          duration_ms: "2037",
          total_tool_uses: "2",
          final_model: "claude-haiku-4-5",
          is_async: false,
        },
      }),
      timelineEvent(20, "api_error", { status_code: 529, model: "claude-opus-4-8", attributes: { error: "[not stored: 31 characters]" } }),
      request(31, 0.0421, "main", "repl_main_thread"),
      timelineEvent(35, "tool_decision", { tool_name: "Bash", decision: "reject", attributes: { source: "user_reject" } }),
      timelineEvent(36, "tool_result", { tool_name: "Bash", success: false, duration_ms: 2, attributes: { error: "[not stored: 60 characters]" } }),
      request(44, 0.0389, "main", "repl_main_thread"),
      timelineEvent(50, "tool_result", { tool_name: "Write", success: true, duration_ms: 21 }),
      request(58, 0.0977, "main", "repl_main_thread"),
      timelineEvent(61, "mcp_server_connection", { attributes: { server_name: "github" } }),
      timelineEvent(62, "retention_sweep", {
        attributes: {
          result: "complete",
          period_days: "30",
          used_default: "true",
          files_retained_fresh: "4",
          artifacts_deleted: "0",
          session_files_deleted: "0",
          transcripts_deleted: "0",
          error_count: "0",
        },
      }),
    ],
  },
  series: [],
};

/** A request read from Claude Code's transcripts: no duration, no source; priced by ccmeter, or with no price. */
const imported = (second: number, cost: number | null, model = "claude-opus-4-8"): TimelineEvent =>
  timelineEvent(second, "api_request", {
    prompt_id: null,
    model,
    cost_usd: cost ?? 0,
    tokens: tokens(4, 300 + second * 3, 18_000 + second * 50, 2_200),
    cost_estimate: cost === null ? "no_price" : "priced",
  });

const oldSession =
  allSessions[100] ??
  (() => {
    throw new Error("no sessions");
  })();

/** A session from before telemetry was on, read from its transcript: every cost an estimate, one request unpriced. */
export const importedSessionView: SessionView = {
  detail: {
    ...oldSession,
    models: ["claude-opus-4-8", "claude-opus-5-5"],
    app_version: "2.1.332",
    terminal_type: null,
    // What the timeline below adds up to: the request of a model with no price counts no cost.
    cost_usd: 0.1533,
    estimated_cost_usd: 0.1533,
    unpriced_requests: 1,
    api_requests: 4,
    tokens: tokens(16, 1_287, 73_350, 8_800),
    // A transcript brings requests alone: prompts, tools, lines and commits are telemetry's.
    api_errors: 0,
    user_prompts: 0,
    tool_results: 0,
    lines_added: 0,
    lines_removed: 0,
    commits: 0,
    pull_requests: 0,
    subagents: [],
    timeline: [imported(0, 0.0342), imported(21, 0.0517), imported(45, 0.0674), imported(70, null, "claude-opus-5-5")],
  },
  series: [],
};

const logRow = (i: number, extra: Partial<LogRow>): LogRow => ({
  time: new Date(Date.UTC(2026, 10, 24, 13, 40) - i * 97_000).toISOString(),
  session_id: allSessions[i % 7]?.id ?? null,
  tool_name: null,
  model: null,
  success: null,
  duration_ms: null,
  status_code: null,
  error: null,
  attributes: {},
  ...extra,
});

const TOOLS = ["Read", "Bash", "Edit", "Grep", "Read", "Write", "Bash", "Read"];

/** The tool log's first page: 50 of 423 runs, every eleventh failing. */
export const toolLog: LogPage = {
  total: 423,
  rows: Array.from({ length: 50 }, (_, i) => {
    const tool = TOOLS[i % TOOLS.length] ?? "Read";
    const failed = i % 11 === 3;
    return logRow(i, {
      tool_name: tool,
      success: !failed,
      duration_ms: tool === "Bash" ? 800 + ((i * 131) % 9000) : 10 + ((i * 17) % 90),
      error: failed ? "[not stored: 212 characters]" : null,
      attributes: {
        tool_name: tool,
        success: String(!failed),
        decision_type: "accept",
        decision_source: "config",
        tool_result_size_bytes: String(200 + i * 13),
      },
    });
  }),
  subjects: ["Read", "Bash", "Edit", "Grep", "Write", "WebFetch", "TodoWrite", "Glob"],
  status_codes: [],
};

export const errorLog: LogPage = {
  total: 6,
  rows: [529, 529, 429, 529, null, 529].map((status, i) =>
    logRow(i * 40, {
      model: i === 2 ? "claude-sonnet-4-5" : "claude-opus-4-8",
      status_code: status,
      duration_ms: status === null ? 30_000 : 400 + i * 90,
      error: status === null ? "[not stored: 25 characters]" : `[not stored: ${60 + i} characters]`,
      attributes: {
        status_code: status === null ? "undefined" : String(status),
        attempt: String(1 + (i % 3)),
        model: i === 2 ? "claude-sonnet-4-5" : "claude-opus-4-8",
      },
    }),
  ),
  subjects: ["claude-opus-4-8", "claude-sonnet-4-5"],
  status_codes: [529, 429],
};

/** The settings the Settings window, Welcome and the unit tests start from. */
export const savedSettings: Settings = {
  budgets: {
    day: { limit_usd: 10, thresholds: [50, 80, 100] },
    week: null,
    month: { limit_usd: 150, thresholds: [80, 100] },
    session: null,
    projects: [{ project: "acme/billing-api", period: "day", budget: { limit_usd: 2.5, thresholds: [50, 80, 100] } }],
  },
  active_window_minutes: 5,
  store_prompt_text: false,
  retention_days: null,
  week_start: "Mon",
  alerts_enabled: true,
  alerts_paused_until: null,
  limit_alerts: [80, 95],
  start_at_login: false,
  icon_shows_amount: false,
  grpc_addr: "127.0.0.1:4317",
  http_addr: "127.0.0.1:4318",
  metrics_addr: null,
  welcomed: true,
  follow_transcripts: true,
  price_overrides: [],
};

/** The saved settings with a price of the user's own: a rate negotiated for Haiku. */
export const pricedSettings: Settings = {
  ...savedSettings,
  price_overrides: [{ model: "claude-haiku-4-5", input: 1, output: 5 }],
};

/** Each model's price as the Settings window lists it with `pricedSettings`: the one without a price first. */
export const modelPriceList: ModelPrice[] = [
  { model: "claude-opus-5-5", source: null, per_million: null, learned_from: 0, estimated_requests: 0, unpriced_requests: 12 },
  {
    model: "claude-opus-4-8",
    source: "learned",
    per_million: { input: 5, output: 25, cache_read: 0.5, cache_write_5m: 6.25, cache_write_1h: 10 },
    learned_from: 64,
    estimated_requests: 420,
    unpriced_requests: 0,
  },
  {
    model: "claude-sonnet-4-5",
    source: "table",
    per_million: { input: 3, output: 15, cache_read: 0.3, cache_write_5m: 3.75, cache_write_1h: 6 },
    learned_from: 0,
    estimated_requests: 180,
    unpriced_requests: 0,
  },
  {
    model: "claude-haiku-4-5",
    source: "override",
    per_million: { input: 1, output: 5, cache_read: 0.1, cache_write_5m: 1.25, cache_write_1h: 2 },
    learned_from: 0,
    estimated_requests: 60,
    unpriced_requests: 0,
  },
];
