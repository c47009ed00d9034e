import { describe, expect, it } from "vitest";

import { dashboard, emptyDashboard } from "../../tests/mock-data";
import { barLists, latencyNote, timeCharts } from "./dashboard";

const span = { since: dashboard.since, until: dashboard.until };
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

describe("the dashboard's datasets", () => {
  it("split subagent cost by agent, and the bars still add up to every class", () => {
    const { sourceBars } = barLists(dashboard);
    expect(sourceBars.map((b) => b.name)).toEqual(["Main thread", "Subagent: Explore", "Subagent: general-purpose", "Auxiliary"]);
    const classes = sum(dashboard.by_source.map((s) => s.cost_usd));
    expect(sum(sourceBars.map((b) => b.value))).toBeCloseTo(classes, 9);
  });

  it("say time to first token beside duration when the requests carried it", () => {
    const lines = latencyNote(dashboard);
    expect(lines[0]).toBe("claude-opus-4-8: p50 3.8 s · p95 9.4 s · first token p50 610 ms · p95 1.4 s");
    expect(lines[2]).toBe("claude-sonnet-4-5: p50 2.1 s · p95 5.2 s");
    expect(latencyNote(null)).toEqual([]);
  });

  it("draw every model in the period's cost order, by type or by model", () => {
    const byType = timeCharts(dashboard, span, { tokensBy: "type", percentile: "p95" });
    const models = dashboard.by_model.map((m) => m.model);
    expect(byType.costSeries.series.map((s) => s.name)).toEqual(models.filter((m) => byType.costSeries.series.some((s) => s.name === m)));
    expect(byType.tokenSeries.series.map((s) => s.name)).toEqual(["Input", "Output", "Cache read", "Cache creation"]);
    const byModel = timeCharts(dashboard, span, { tokensBy: "model", percentile: "p50" });
    expect(byModel.tokenSeries.series.map((s) => s.name)).toEqual(byType.costSeries.series.map((s) => s.name));
    // Every token is drawn once either way.
    const total = (chart: { series: Array<{ data: number[] }> }) => sum(chart.series.flatMap((s) => s.data));
    expect(total(byModel.tokenSeries)).toBe(total(byType.tokenSeries));
    expect(byType.costSeries.labels).toHaveLength(7);
  });

  it("have nothing to draw before the first answer, and no bars for an empty period", () => {
    const none = timeCharts(null, span, { tokensBy: "type", percentile: "p95" });
    expect(Object.values(none).every((chart) => chart.series.length === 0)).toBe(true);
    const empty = barLists(emptyDashboard);
    expect(empty.modelBars).toEqual([]);
    expect(empty.commitBars).toEqual([]);
  });
});
