/**
 * The dashboard's datasets: every chart's series and every bar list, computed from the app's answer for a span
 * of local days. Pure functions of their inputs, so they are tested here rather than through the window.
 */
import type { Dashboard, SeriesPoint } from "../api";
import type { Bar } from "./charts";
import { toolNote } from "./charts";
import { count, millis, money, plural } from "./format";
import type { DaySpan } from "./period";
import { tokenTotal } from "./tokens";
import {
  costByModel,
  costPerRequest,
  inModelOrder,
  latencyPercentile,
  ordered,
  spread,
  tokensByType,
  tokensPerRequest,
  toolSuccessRate,
  top,
  type Chartable,
} from "./series";

/** What the user chose on the charts that offer a choice. */
export interface ChartChoices {
  tokensBy: "type" | "model";
  percentile: "p50" | "p95";
}

const EMPTY: Chartable = { labels: [], series: [] };

/** Every chart over time of the span, models in the period's cost order (and so the same colour everywhere). */
export function timeCharts(data: Dashboard | null, span: DaySpan, choices: ChartChoices) {
  if (data === null) {
    return {
      costSeries: EMPTY,
      tokenSeries: EMPTY,
      requestsByModel: EMPTY,
      latency: EMPTY,
      linesOfCode: EMPTY,
      shipped: EMPTY,
      activeTime: EMPTY,
      prompts: EMPTY,
      started: EMPTY,
      perRequest: EMPTY,
      tokensEach: EMPTY,
      toolRuns: EMPTY,
      toolSuccess: EMPTY,
      errorsOverTime: EMPTY,
      editsOverTime: EMPTY,
      eventNames: EMPTY,
    };
  }
  const g = data.granularity;
  const modelOrder = data.by_model.map((m) => m.model);
  const over = (pick: (p: SeriesPoint) => Array<[string, number]>) => spread(data.series, span, g, pick);
  return {
    costSeries: inModelOrder(costByModel(data.series, span, g), modelOrder),
    tokenSeries:
      choices.tokensBy === "type"
        ? tokensByType(data.series, span, g)
        : inModelOrder(
            over((p) => (p.model ? [[p.model, tokenTotal(p.tokens)]] : [])),
            modelOrder,
          ),
    requestsByModel: inModelOrder(
      over((p) => (p.api_requests > 0 && p.model ? [[p.model, p.api_requests]] : [])),
      modelOrder,
    ),
    latency: inModelOrder(latencyPercentile(data.latency.series, span, g, choices.percentile), modelOrder),
    linesOfCode: ordered(
      over((p) => [
        ["Added", p.lines_added],
        ["Removed", p.lines_removed],
      ]),
      ["Added", "Removed"],
    ),
    shipped: ordered(
      over((p) => [
        ["Commits", p.commits],
        ["Pull requests", p.pull_requests],
      ]),
      ["Commits", "Pull requests"],
    ),
    activeTime: ordered(
      over((p) => [
        ["You", p.active_time_user_s],
        ["Claude", p.active_time_cli_s],
      ]),
      ["You", "Claude"],
    ),
    prompts: ordered(
      over((p) => [["Prompts", p.user_prompts]]),
      ["Prompts"],
    ),
    started: ordered(
      spread(data.sessions.started, span, g, (s) => [["Sessions", s.sessions]]),
      ["Sessions"],
    ),
    perRequest: costPerRequest(data.series, span, g),
    tokensEach: tokensPerRequest(data.series, span, g),
    toolRuns: top(
      spread(data.tools_over_time, span, g, (t) => [[t.tool, t.calls]]),
      6,
    ),
    toolSuccess: toolSuccessRate(data.tools_over_time, span, g),
    errorsOverTime: spread(data.errors_over_time, span, g, (e) => [[e.status_code === null ? "No response" : `HTTP ${e.status_code}`, e.count]]),
    editsOverTime: ordered(
      over((p) => [
        ["Accepted", p.edits_accepted],
        ["Rejected", p.edits_rejected],
      ]),
      ["Accepted", "Rejected"],
    ),
    eventNames: top(
      spread(data.events_over_time, span, g, (e) => [[e.name, e.count]]),
      7,
    ),
  };
}

/** "claude-opus-4-8: p50 3.8 s · p95 9.4 s · first token p50 610 ms · p95 1.4 s" for the three busiest models. */
export function latencyNote(data: Dashboard | null): string[] {
  return (data?.latency.by_model ?? [])
    .slice(0, 3)
    .map(
      (m) =>
        `${m.model || "other"}: p50 ${millis(m.p50_ms)} · p95 ${millis(m.p95_ms)}${m.ttft_p50_ms === null ? "" : ` · first token p50 ${millis(m.ttft_p50_ms)} · p95 ${millis(m.ttft_p95_ms)}`}`,
    );
}

const SOURCE_NAMES = { main: "Main thread", subagent: "Subagents", auxiliary: "Auxiliary" } as const;

/** Every bar list of the dashboard. */
export function barLists(data: Dashboard | null) {
  const costNote = (cost: number, requests: number) => `${money(cost)} · ${plural(requests, "request")}`;
  const modelBars: Bar[] = (data?.by_model ?? [])
    .filter((m) => m.cost_usd > 0)
    .map((m) => ({ name: m.model, value: m.cost_usd, note: costNote(m.cost_usd, m.api_requests) }));
  const toolBars: Bar[] = (data?.tools ?? [])
    .slice(0, 10)
    .map((t) => ({ name: t.tool, value: t.calls, note: `${count(t.calls)} · ${toolNote(t.success_rate, t.mean_ms, t.p95_ms)}` }));
  // Subagents get a bar per agent.name (Explore, general-purpose, a custom agent), so the bars still add up.
  const sourceBars: Bar[] = (data?.by_source ?? [])
    .filter((s) => s.cost_usd > 0)
    .flatMap((s) =>
      s.class === "subagent" && s.agents.length > 0
        ? s.agents
            .filter((a) => a.cost_usd > 0)
            .map((a) => ({
              name: `Subagent: ${a.value || "unnamed"}`,
              value: a.cost_usd,
              note: costNote(a.cost_usd, a.api_requests),
              ...(a.value ? {} : { detail: "Subagent requests without an agent.name (Claude Code versions before it)" }),
            }))
        : [
            {
              name: SOURCE_NAMES[s.class],
              value: s.cost_usd,
              note: costNote(s.cost_usd, s.api_requests),
              detail: s.raw.map((r) => `${r.raw || "not named"}: ${money(r.cost_usd)}`).join(" · "),
            },
          ],
    );
  const effortBars: Bar[] = (data?.by_effort ?? []).map((e) => ({
    name: e.value || "not sent",
    value: e.cost_usd,
    note: costNote(e.cost_usd, e.api_requests),
    ...(e.value ? {} : { detail: "Requests without an effort setting (Haiku, or Claude Code versions before it existed)" }),
  }));
  const terminalBars: Bar[] = (data?.sessions.by_terminal ?? []).map((g) => ({
    name: g.value || "unknown",
    value: g.cost_usd,
    note: `${money(g.cost_usd)} · ${plural(g.sessions, "session")}`,
  }));
  const projectBars: Bar[] = (data?.sessions.by_project ?? []).map((g) => ({
    name: g.value || "no project",
    value: g.cost_usd,
    note: `${money(g.cost_usd)} · ${plural(g.sessions, "session")}`,
    ...(g.value ? {} : { detail: "Sessions no repository, status line or transcript placed in a project" }),
  }));
  const commitBars: Bar[] =
    data === null
      ? []
      : [data.sessions.with_commit, data.sessions.without_commit]
          .filter((g) => g.sessions > 0)
          .map((g) => ({
            name: g.value === "with" ? "With a commit" : "Without a commit",
            value: g.sessions,
            note: `${plural(g.sessions, "session")} · ${money(g.cost_usd)}`,
          }));
  const errorBars: Bar[] = (data?.errors ?? []).map((e) => ({ name: e.status_code === null ? "No response" : `HTTP ${e.status_code}`, value: e.count }));
  const languageDecisions = (data?.edits_by_language ?? []).map((l) => ({ name: l.language, accepted: l.accepted, rejected: l.rejected }));
  return { modelBars, toolBars, sourceBars, effortBars, terminalBars, projectBars, commitBars, errorBars, languageDecisions };
}
