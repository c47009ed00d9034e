import { describe, expect, it } from "vitest";

import type { LatencyStat, SeriesPoint, ToolPoint } from "../api";
import {
  bucketKey,
  buckets,
  costByModel,
  costPerRequest,
  inModelOrder,
  latencyPercentile,
  spread,
  tokensByType,
  tokensPerRequest,
  toolSuccessRate,
  top,
} from "./series";

function point(start: Date, model: string, cost: number, input = 0): SeriesPoint {
  return {
    start: start.toISOString(),
    model,
    cost_usd: cost,
    tokens: { input, output: 0, cacheRead: 0, cacheCreation: 0 },
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
}

describe("buckets", () => {
  it("covers every day or hour of the period", () => {
    const week = buckets({ since: "2026-11-18", until: "2026-11-25" }, "day");
    expect(week.map((b) => b.label)).toEqual(["Nov 18", "Nov 19", "Nov 20", "Nov 21", "Nov 22", "Nov 23", "Nov 24"]);
    const today = buckets({ since: "2026-11-24", until: "2026-11-25" }, "hour");
    expect(today).toHaveLength(24);
    expect(today[14]).toEqual({ key: "2026-11-24 14", label: "14:00" });
    const two = buckets({ since: "2026-11-23", until: "2026-11-25" }, "hour");
    expect(two[24]?.label).toBe("Tue 00:00");
    expect(bucketKey(new Date(2026, 10, 24, 14, 59), "hour")).toBe("2026-11-24 14");
  });
});

describe("series", () => {
  const span = { since: "2026-11-22", until: "2026-11-25" };
  const points = [
    point(new Date(2026, 10, 22, 0, 0), "claude-sonnet-4-5", 0.5),
    point(new Date(2026, 10, 24, 0, 0), "claude-opus-4-8", 2.0, 100),
    point(new Date(2026, 10, 24, 0, 0), "claude-sonnet-4-5", 0.25, 50),
    point(new Date(2026, 10, 24, 0, 0), "", 0),
    point(new Date(2026, 10, 30, 0, 0), "claude-opus-4-8", 9.0),
  ];

  it("stacks cost by model, the most expensive first, zero-filled, outside the period ignored", () => {
    const chart = costByModel(points, span, "day");
    expect(chart.labels).toEqual(["Nov 22", "Nov 23", "Nov 24"]);
    expect(chart.series).toEqual([
      { name: "claude-opus-4-8", data: [0, 0, 2.0] },
      { name: "claude-sonnet-4-5", data: [0.5, 0, 0.25] },
    ]);
  });

  it("sums tokens by type over models and keeps every type", () => {
    const chart = tokensByType(points, span, "day");
    expect(chart.series.map((s) => s.name)).toEqual(["Input", "Output", "Cache read", "Cache creation"]);
    expect(chart.series[0]?.data).toEqual([0, 0, 150]);
    expect(chart.series[1]?.data).toEqual([0, 0, 0]);
  });
});

describe("derived series", () => {
  const span = { since: "2026-11-23", until: "2026-11-25" };
  const withLatency = (day: number, model: string, requests: number, latency: number, cost: number): SeriesPoint => ({
    ...point(new Date(2026, 10, day, 0, 0), model, cost),
    api_requests: requests,
    api_mean_latency_ms: latency,
  });
  const points = [
    withLatency(24, "claude-opus-4-8", 3, 4_000, 0.3),
    withLatency(24, "claude-opus-4-8", 1, 2_000, 0.1),
    withLatency(24, "claude-haiku-4-5", 2, 800, 0.02),
  ];

  it("draws a latency percentile per model with gaps where a model had no request", () => {
    const stat = (day: number, model: string, p50: number, p95: number): LatencyStat => ({
      start: new Date(2026, 10, day, 0, 0).toISOString(),
      model,
      requests: 4,
      p50_ms: p50,
      p95_ms: p95,
      ttft_p50_ms: null,
      ttft_p95_ms: null,
    });
    const stats = [stat(24, "claude-opus-4-8", 3_000, 9_000), stat(23, "claude-haiku-4-5", 500, 700), { ...stat(24, "x", 1, 1), start: null }];
    const p95 = latencyPercentile(stats, span, "day", "p95");
    expect(p95.series.map((s) => s.name)).toEqual(["claude-opus-4-8", "claude-haiku-4-5"]);
    expect(Number.isNaN(p95.series[0]?.data[0])).toBe(true);
    expect(p95.series[0]?.data[1]).toBe(9_000);
    expect(latencyPercentile(stats, span, "day", "p50").series[1]?.data[0]).toBe(500);
  });

  it("divides cost by requests per bucket", () => {
    const chart = costPerRequest(points, span, "day");
    expect(Number.isNaN(chart.series[0]?.data[0])).toBe(true);
    expect(chart.series[0]?.data[1]).toBeCloseTo(0.42 / 6);
  });

  it("divides tokens by requests per bucket", () => {
    const withTokens = points.map((p) => ({ ...p, tokens: { ...p.tokens, input: 600, output: 60 } }));
    const chart = tokensPerRequest(withTokens, span, "day");
    expect(Number.isNaN(chart.series[0]?.data[0])).toBe(true);
    expect(chart.series[0]?.data[1]).toBe((3 * 660) / 6);
  });

  it("keeps the largest series and adds the rest up as Other", () => {
    const chart = { labels: ["a", "b"], series: [1, 5, 2, 4, 3].map((n) => ({ name: `s${n}`, data: [n, 1] })) };
    const kept = top(chart, 2);
    expect(kept.series.map((s) => s.name)).toEqual(["s5", "s4", "Other"]);
    expect(kept.series[2]?.data).toEqual([6, 3]);
    expect(top(chart, 4).series.map((s) => s.name)).toEqual(["s5", "s4", "s3", "s2", "s1"]);
  });

  it("rates tool success per bucket, with gaps where nothing ran", () => {
    const run = (day: number, tool: string, calls: number, failed: number): ToolPoint => ({
      start: new Date(2026, 10, day, 0, 0).toISOString(),
      tool,
      calls,
      failed,
    });
    const chart = toolSuccessRate([run(24, "Bash", 3, 1), run(24, "Read", 1, 0)], span, "day");
    expect(Number.isNaN(chart.series[0]?.data[0])).toBe(true);
    expect(chart.series[0]?.data[1]).toBe(0.75);
  });

  it("sums what falls in one bucket but leaves gap-filled buckets as gaps", () => {
    const chart = spread(
      [
        { start: new Date(2026, 10, 24, 5).toISOString(), v: 2 },
        { start: new Date(2026, 10, 24, 9).toISOString(), v: 3 },
      ],
      span,
      "day",
      (p) => [["v", p.v]],
      Number.NaN,
    );
    expect(Number.isNaN(chart.series[0]?.data[0])).toBe(true);
    expect(chart.series[0]?.data[1]).toBe(5);
  });

  it("keeps each model in the period's cost order, so its colour is the same in every chart", () => {
    const chart = {
      labels: ["a"],
      series: [
        { name: "haiku", data: [1] },
        { name: "new", data: [1] },
        { name: "opus", data: [2] },
      ],
    };
    expect(inModelOrder(chart, ["opus", "sonnet", "haiku"]).series.map((s) => s.name)).toEqual(["opus", "haiku", "new"]);
  });
});
