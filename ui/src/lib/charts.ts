/** ECharts options for the dashboard, built from plain data: one look for every chart. */
import type { SeriesPoint, TimelineEvent } from "../api";
import type { ChartOption } from "./echarts";
import { compact, millis, money, percent } from "./format";
import type { RiseLine } from "./limits";
import type { Chartable } from "./series";
import { COLOURS, palette, SERIES_COLOURS, TOKEN_COLOURS } from "./theme";

const FONT = "system-ui, -apple-system, 'Segoe UI', Cantarell, Ubuntu, sans-serif";

function base(dark: boolean): ChartOption {
  const colours = palette(dark);
  return {
    backgroundColor: "transparent",
    textStyle: { fontFamily: FONT, color: colours.text },
    animationDuration: 300,
    animationDurationUpdate: 300,
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    tooltip: {
      trigger: "axis",
      confine: true,
      backgroundColor: colours.surface,
      borderColor: colours.grid,
      textStyle: { color: colours.text, fontFamily: FONT, fontSize: 12 },
    },
    legend: { top: 0, left: 0, type: "scroll", textStyle: { color: colours.muted, fontSize: 12 }, itemWidth: 12, itemHeight: 8 },
  };
}

function axes(dark: boolean, labels: string[], valueFormatter: (value: number) => string): ChartOption {
  const colours = palette(dark);
  return {
    xAxis: {
      type: "category",
      data: labels,
      axisLine: { lineStyle: { color: colours.grid } },
      axisTick: { show: false },
      axisLabel: { color: colours.muted, fontSize: 11, hideOverlap: true },
    },
    yAxis: {
      type: "value",
      axisLabel: { color: colours.muted, fontSize: 11, formatter: (value: number) => valueFormatter(value) },
      splitLine: { lineStyle: { color: colours.grid } },
    },
  };
}

/** How a chart over time shows its values. */
export interface OverTime {
  /** How the axis and the tooltip write a value. */
  format: (value: number) => string;
  /** One per series, in order (default: the model colours). */
  colours?: readonly string[];
  /** Bars stacked into one per bucket (default), or side by side. */
  stack?: boolean;
  /** Counts: ticks on whole numbers only. */
  wholeNumbers?: boolean;
  /** About how many ticks the value axis gets (default 5). */
  ticks?: number;
  /** A fixed top of the value axis (a rate's 100 %). */
  max?: number;
}

/** Any figure over time as bars, stacked unless `stack` is false. */
export function barsOverTime(
  data: Chartable,
  dark: boolean,
  { format, colours = SERIES_COLOURS, stack = true, wholeNumbers = false, ticks = 5, max }: OverTime,
): ChartOption {
  const axis = axes(dark, data.labels, format);
  return {
    ...base(dark),
    ...axis,
    // Counts tick on whole numbers: no "1, 1, 2, 2" axis for a day with two commits.
    yAxis: {
      ...(axis.yAxis as object),
      minInterval: wholeNumbers ? 1 : 0,
      splitNumber: ticks,
      ...(max === undefined ? {} : { min: 0, max, interval: max / 4 }),
    },
    color: [...colours],
    tooltip: { ...base(dark).tooltip, valueFormatter: (v) => (Number.isFinite(Number(v)) ? format(Number(v)) : "—") },
    series: data.series.map((s) => ({
      name: s.name,
      type: "bar",
      ...(stack ? { stack: "all" } : {}),
      data: s.data.map((v) => (Number.isFinite(v) ? v : "-")),
      barMaxWidth: 28,
      emphasis: { focus: "series" },
    })),
  };
}

/** Any figure over time as lines (gaps where a value is NaN). */
export function linesOverTime(data: Chartable, dark: boolean, { format, colours = SERIES_COLOURS, ticks = 5, max }: OverTime): ChartOption {
  const axis = axes(dark, data.labels, format);
  return {
    ...base(dark),
    ...axis,
    // A fixed top (a rate's 100 %) gets evenly spaced ticks up to it, not a stray one just below.
    yAxis: { ...(axis.yAxis as object), splitNumber: ticks, ...(max === undefined ? {} : { min: 0, max, interval: max / 4 }) },
    color: [...colours],
    tooltip: { ...base(dark).tooltip, valueFormatter: (v) => (Number.isFinite(Number(v)) ? format(Number(v)) : "—") },
    series: data.series.map((s) => ({
      name: s.name,
      type: "line",
      // WebKitGTK drops a line whose entrance animation clips it (an SVG clip-path ECharts animates).
      animation: false,
      data: s.data.map((v) => (Number.isFinite(v) ? v : "-")),
      connectNulls: false,
      showSymbol: data.labels.length <= 31,
      symbolSize: 5,
      lineStyle: { width: 2 },
    })),
  };
}

/** Tokens over time, stacked areas: by type (the token colours) or by model (the model colours). */
export function tokensOverTime(data: Chartable, dark: boolean, byModel = false): ChartOption {
  const colours = byModel ? SERIES_COLOURS : [TOKEN_COLOURS.input, TOKEN_COLOURS.output, TOKEN_COLOURS.cacheRead, TOKEN_COLOURS.cacheCreation];
  return {
    ...base(dark),
    ...axes(dark, data.labels, compact),
    color: colours,
    tooltip: { ...base(dark).tooltip, valueFormatter: (v) => compact(Number(v)) },
    series: data.series.map((s) => ({
      name: s.name,
      type: "line",
      stack: "tokens",
      animation: false,
      data: s.data,
      areaStyle: { opacity: 0.35 },
      showSymbol: false,
      smooth: 0.2,
      lineStyle: { width: 1.5 },
      emphasis: { focus: "series" },
    })),
  };
}

export interface Bar {
  readonly name: string;
  readonly value: number;
  /** Shown at the bar's end. */
  readonly note?: string;
  /** Shown in the tooltip only. */
  readonly detail?: string;
}

/** How a bar list shows its values. */
export interface BarsLook {
  /** How a value is written when its bar has no note. */
  format: (value: number) => string;
  colour?: string;
  /** Room after the longest bar for its note, as a multiple of its length (default 1.45). */
  room?: number;
}

/** Horizontal bars, the largest on top. */
export function bars(items: readonly Bar[], dark: boolean, { format, colour = COLOURS.amber, room = 1.45 }: BarsLook): ChartOption {
  const colours = palette(dark);
  const ordered = [...items].reverse();
  return {
    ...base(dark),
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { ...base(dark).tooltip, trigger: "item", formatter: (p: unknown) => tooltipLine(p, ordered, format) },
    // Room at the end of the longest bar for its label.
    xAxis: { type: "value", show: false, max: (extent: { max: number }) => extent.max * room },
    yAxis: {
      type: "category",
      data: ordered.map((item) => item.name),
      axisLine: { show: false },
      axisTick: { show: false },
      axisLabel: { color: colours.text, fontSize: 12, width: 170, overflow: "truncate" },
    },
    series: [
      {
        type: "bar",
        data: ordered.map((item) => item.value),
        itemStyle: { color: colour, borderRadius: [0, 4, 4, 0] },
        barMaxWidth: 18,
        label: {
          show: true,
          position: "right",
          color: colours.muted,
          fontSize: 11,
          formatter: (p: { dataIndex: number; value: unknown }) => ordered[p.dataIndex]?.note ?? format(Number(p.value)),
        },
      },
    ],
  };
}

function tooltipLine(p: unknown, items: readonly Bar[], format: (value: number) => string): string {
  const index = (p as { dataIndex?: number }).dataIndex ?? -1;
  const item = items[index];
  if (item === undefined) {
    return "";
  }
  const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const lines = [`<b>${escape(item.name)}</b>`, escape(item.note ?? format(item.value))];
  if (item.detail) {
    lines.push(escape(item.detail));
  }
  return lines.join("<br/>");
}

/** Accepted vs rejected, stacked per row (a language or a tool). */
export function decisions(rows: ReadonlyArray<{ name: string; accepted: number; rejected: number }>, dark: boolean): ChartOption {
  const colours = palette(dark);
  const ordered = [...rows].reverse();
  return {
    ...base(dark),
    grid: { left: 8, right: 24, top: 30, bottom: 8, containLabel: true },
    color: [COLOURS.green, COLOURS.red],
    tooltip: { ...base(dark).tooltip, trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "value", show: false },
    yAxis: {
      type: "category",
      data: ordered.map((row) => row.name),
      axisLine: { show: false },
      axisTick: { show: false },
      axisLabel: { color: colours.text, fontSize: 12 },
    },
    series: [
      { name: "Accepted", type: "bar", stack: "d", data: ordered.map((r) => r.accepted), barMaxWidth: 18 },
      { name: "Rejected", type: "bar", stack: "d", data: ordered.map((r) => r.rejected), barMaxWidth: 18 },
    ],
  };
}

/** The note a tool's bar carries: success rate, mean and p95 duration. */
export function toolNote(successRate: number | null, mean: number | null, p95: number | null): string {
  return `${percent(successRate)} ok · avg ${millis(mean === null ? null : Math.round(mean))} · p95 ${millis(p95)}`;
}

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0"));
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** Cost by local hour (x) and weekday (y, Monday on top). `cells`: [hour, weekday 0 = Monday, USD]. */
export function heatmap(cells: ReadonlyArray<readonly [number, number, number]>, dark: boolean): ChartOption {
  const colours = palette(dark);
  const max = cells.reduce((m, c) => Math.max(m, c[2]), 0);
  return {
    ...base(dark),
    grid: { left: 8, right: 8, top: 8, bottom: 44, containLabel: true },
    tooltip: {
      ...base(dark).tooltip,
      trigger: "item",
      formatter: (p: unknown) => {
        const [hour, day, usd] = ((p as { value?: number[] }).value ?? []) as number[];
        return `${WEEKDAYS[day ?? 0]} ${HOURS[hour ?? 0]}:00–${HOURS[((hour ?? 0) + 1) % 24]}:00<br/><b>${money(usd ?? 0)}</b>`;
      },
    },
    xAxis: {
      type: "category",
      data: HOURS,
      splitArea: { show: false },
      axisLabel: { color: colours.muted, fontSize: 10 },
      axisTick: { show: false },
      axisLine: { show: false },
    },
    yAxis: {
      type: "category",
      data: WEEKDAYS,
      inverse: true,
      axisLabel: { color: colours.muted, fontSize: 11 },
      axisTick: { show: false },
      axisLine: { show: false },
    },
    visualMap: {
      min: 0,
      max: max > 0 ? max : 1,
      calculable: false,
      orient: "horizontal",
      left: "center",
      bottom: 0,
      itemHeight: 120,
      itemWidth: 10,
      text: [money(max), "$0"],
      textStyle: { color: colours.muted, fontSize: 11 },
      inRange: { color: dark ? ["#1f2937", "#b45309", "#fbbf24"] : ["#fef3c7", "#f59e0b", "#b45309"] },
    },
    series: [
      {
        type: "heatmap",
        data: cells.map((c) => [c[0], c[1], c[2]]),
        itemStyle: { borderColor: dark ? "#1a202c" : "#ffffff", borderWidth: 2, borderRadius: 3 },
        emphasis: { itemStyle: { borderColor: colours.text } },
      },
    ],
  };
}

/**
 * Each plan-limit window's use as it rose, report by report, over the span's days: a stepped line per kind of
 * window, broken where one window ends and the next begins; the top of the axis is the whole window.
 */
export function limitRises(lines: readonly RiseLine[], dark: boolean, span: { from: number; to: number }): ChartOption {
  const colours = palette(dark);
  const tone: Record<RiseLine["kind"], string> = { five_hour: COLOURS.amber, seven_day: COLOURS.blue };
  return {
    ...base(dark),
    tooltip: { ...base(dark).tooltip, valueFormatter: (v) => (v === null || v === undefined ? "—" : `${Math.floor(Number(v))} %`) },
    xAxis: {
      type: "time",
      min: span.from,
      max: span.to,
      axisLine: { lineStyle: { color: colours.grid } },
      axisLabel: {
        color: colours.muted,
        fontSize: 11,
        hideOverlap: true,
        formatter: { year: "{yyyy}", month: "{MMM}", day: "{MMM} {d}", hour: "{HH}:{mm}", minute: "{HH}:{mm}" },
      },
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      min: 0,
      max: 100,
      interval: 25,
      axisLabel: { color: colours.muted, fontSize: 11, formatter: (value: number) => `${value} %` },
      splitLine: { lineStyle: { color: colours.grid } },
    },
    series: lines.map((line) => ({
      name: line.name,
      type: "line",
      // WebKitGTK drops a line whose entrance animation clips it (an SVG clip-path ECharts animates).
      animation: false,
      step: "end",
      data: line.points.map(([at, pct]) => [at, pct ?? "-"]),
      connectNulls: false,
      showSymbol: line.points.length < 80,
      symbolSize: 4,
      itemStyle: { color: tone[line.kind] },
      lineStyle: { width: 2 },
    })),
  };
}

/**
 * A session's running cost: from its api_request events when it has them (exact per request), else from
 * its 15-minute usage (metrics-only sessions).
 */
export function cumulativeCost(series: readonly SeriesPoint[], timeline: readonly TimelineEvent[], dark: boolean): ChartOption {
  const requests = timeline.filter((e) => e.name === "api_request" && e.cost_usd !== null);
  const steps: Array<[number, number]> = [];
  let total = 0;
  if (requests.length > 0) {
    for (const request of requests) {
      total += request.cost_usd ?? 0;
      steps.push([Date.parse(request.time), total]);
    }
  } else {
    const buckets = new Map<number, number>();
    for (const point of series) {
      const at = Date.parse(point.start);
      buckets.set(at, (buckets.get(at) ?? 0) + point.cost_usd);
    }
    for (const [at, cost] of [...buckets].sort((a, b) => a[0] - b[0])) {
      total += cost;
      steps.push([at, total]);
    }
  }
  const colours = palette(dark);
  return {
    ...base(dark),
    legend: { show: false },
    grid: { left: 8, right: 16, top: 12, bottom: 8, containLabel: true },
    tooltip: { ...base(dark).tooltip, valueFormatter: (v) => money(Number(v)) },
    xAxis: {
      type: "time",
      axisLine: { lineStyle: { color: colours.grid } },
      axisLabel: { color: colours.muted, fontSize: 11, hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      axisLabel: { color: colours.muted, fontSize: 11, formatter: (value: number) => money(value) },
      splitLine: { lineStyle: { color: colours.grid } },
    },
    series: [
      {
        name: "Cost so far",
        type: "line",
        // WebKitGTK drops a line whose entrance animation clips it (an SVG clip-path ECharts animates).
        animation: false,
        step: "end",
        data: steps,
        showSymbol: steps.length < 60,
        symbolSize: 5,
        areaStyle: { opacity: 0.15 },
        itemStyle: { color: COLOURS.amber },
        lineStyle: { width: 2 },
      },
    ],
  };
}
