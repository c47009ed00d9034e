/** Turns the dashboard's rows into chart series: every bucket of the period present (zeros included). */
import type { Granularity, LatencyStat, SeriesPoint, TokenCounts, ToolPoint } from "../api";
import { addDays, isoDay, parseDay, type DaySpan } from "./period";
import { tokenTotal } from "./tokens";

export interface Series {
  readonly name: string;
  readonly data: number[];
}

export interface Chartable {
  /** One label per bucket, in order. */
  readonly labels: string[];
  readonly series: Series[];
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The bucket a local instant falls in: `2026-11-24` or `2026-11-24 14`. */
export function bucketKey(instant: Date, granularity: Granularity): string {
  const day = isoDay(instant);
  return granularity === "day" ? day : `${day} ${String(instant.getHours()).padStart(2, "0")}`;
}

interface Bucket {
  readonly key: string;
  readonly label: string;
}

/** Every bucket of the span, in local time (a DST day has 23 or 25 hours; keys follow the wall clock). */
export function buckets(span: DaySpan, granularity: Granularity): Bucket[] {
  const first = parseDay(span.since);
  const end = parseDay(span.until);
  if (first === null || end === null) {
    return [];
  }
  const days: Date[] = [];
  for (let day = first; day < end; day = addDays(day, 1)) {
    days.push(day);
  }
  if (granularity === "day") {
    return days.map((day) => ({ key: isoDay(day), label: `${MONTHS[day.getMonth()]} ${day.getDate()}` }));
  }
  const several = days.length > 1;
  return days.flatMap((day) =>
    Array.from({ length: 24 }, (_, hour) => {
      const clock = `${String(hour).padStart(2, "0")}:00`;
      return {
        key: `${isoDay(day)} ${String(hour).padStart(2, "0")}`,
        label: several ? `${WEEKDAYS[day.getDay()]} ${clock}` : clock,
      };
    }),
  );
}

/** Any figure of the points per bucket: `names` says which series a point adds what to. Buckets no point
 * fell in hold `fill` (0 for counts and sums, NaN for a gap in a line of rates or percentiles). */
export function spread<P extends { readonly start: string | null }>(
  points: readonly P[],
  span: DaySpan,
  granularity: Granularity,
  names: (p: P) => Array<[string, number]>,
  fill = 0,
): Chartable {
  const all = buckets(span, granularity);
  const index = new Map(all.map((bucket, i) => [bucket.key, i]));
  const byName = new Map<string, number[]>();
  const filled = new Map<string, boolean[]>();
  for (const point of points) {
    const at = point.start === null ? undefined : index.get(bucketKey(new Date(point.start), granularity));
    if (at === undefined) {
      continue;
    }
    for (const [name, value] of names(point)) {
      let data = byName.get(name);
      let seen = filled.get(name);
      if (data === undefined || seen === undefined) {
        data = new Array<number>(all.length).fill(fill);
        seen = new Array<boolean>(all.length).fill(false);
        byName.set(name, data);
        filled.set(name, seen);
      }
      data[at] = (seen[at] ? (data[at] ?? 0) : 0) + value;
      seen[at] = true;
    }
  }
  return { labels: all.map((bucket) => bucket.label), series: [...byName].map(([name, data]) => ({ name, data })) };
}

const total = (series: Series): number => series.data.reduce((sum, value) => sum + value, 0);

/** Cost per bucket, one series per model, the most expensive first. */
export function costByModel(points: readonly SeriesPoint[], span: DaySpan, granularity: Granularity): Chartable {
  const chartable = spread(points, span, granularity, (p) => (p.cost_usd > 0 ? [[p.model || "other", p.cost_usd]] : []));
  return { ...chartable, series: chartable.series.sort((a, b) => total(b) - total(a)) };
}

export const TOKEN_TYPES: ReadonlyArray<{ readonly key: keyof TokenCounts; readonly label: string }> = [
  { key: "input", label: "Input" },
  { key: "output", label: "Output" },
  { key: "cacheRead", label: "Cache read" },
  { key: "cacheCreation", label: "Cache creation" },
];

/** Tokens per bucket, one series per token type (all models together); every type present, even at 0. */
export function tokensByType(points: readonly SeriesPoint[], span: DaySpan, granularity: Granularity): Chartable {
  const chartable = spread(points, span, granularity, (p) => TOKEN_TYPES.map(({ key, label }) => [label, p.tokens[key]]));
  const length = chartable.labels.length;
  return {
    labels: chartable.labels,
    series: TOKEN_TYPES.map(({ label }) => chartable.series.find((s) => s.name === label) ?? { name: label, data: new Array<number>(length).fill(0) }),
  };
}

/** Keeps the named series, in this order, each present (zeros when absent). */
export function ordered(chart: Chartable, names: readonly string[]): Chartable {
  return {
    labels: chart.labels,
    series: names.map((name) => chart.series.find((s) => s.name === name) ?? { name, data: new Array<number>(chart.labels.length).fill(0) }),
  };
}

/** API latency percentile per bucket and model, in milliseconds; gaps where a model had no request. */
export function latencyPercentile(points: readonly LatencyStat[], span: DaySpan, granularity: Granularity, which: "p50" | "p95"): Chartable {
  return spread(points, span, granularity, (p) => [[p.model || "other", which === "p50" ? p.p50_ms : p.p95_ms]], Number.NaN);
}

/** Keeps the `keep` largest series (by their sum) and adds the rest up as `other`, which comes last. */
export function top(chart: Chartable, keep: number, other = "Other"): Chartable {
  const sorted = [...chart.series].sort((a, b) => total(b) - total(a));
  if (sorted.length <= keep + 1) {
    return { labels: chart.labels, series: sorted };
  }
  const rest = sorted.slice(keep);
  const merged = chart.labels.map((_, i) => rest.reduce((sum, s) => sum + (s.data[i] ?? 0), 0));
  return { labels: chart.labels, series: [...sorted.slice(0, keep), { name: other, data: merged }] };
}

/** Share of tool calls that succeeded per bucket (all tools); gaps where no tool ran. */
export function toolSuccessRate(points: readonly ToolPoint[], span: DaySpan, granularity: Granularity): Chartable {
  const calls = spread(points, span, granularity, (p) => [["calls", p.calls]]).series[0]?.data ?? [];
  const failed = spread(points, span, granularity, (p) => [["failed", p.failed]]).series[0]?.data ?? [];
  const labels = buckets(span, granularity).map((b) => b.label);
  return {
    labels,
    series: [{ name: "Success rate", data: labels.map((_, i) => ((calls[i] ?? 0) > 0 ? 1 - (failed[i] ?? 0) / (calls[i] ?? 1) : Number.NaN)) }],
  };
}

/** Mean tokens per API request per bucket (all models); gaps where there were no requests. */
export function tokensPerRequest(points: readonly SeriesPoint[], span: DaySpan, granularity: Granularity): Chartable {
  return perRequest(points, span, granularity, "Tokens per request", (p) => tokenTotal(p.tokens));
}

function perRequest(points: readonly SeriesPoint[], span: DaySpan, granularity: Granularity, name: string, figure: (p: SeriesPoint) => number): Chartable {
  const sums = spread(points, span, granularity, (p) => [["sum", figure(p)]]);
  const requests = spread(points, span, granularity, (p) => [["requests", p.api_requests]]);
  const values = sums.series[0]?.data ?? [];
  const counts = requests.series[0]?.data ?? [];
  return {
    labels: sums.labels,
    series: [{ name, data: values.map((v, i) => ((counts[i] ?? 0) > 0 ? v / (counts[i] ?? 1) : Number.NaN)) }],
  };
}

/** Cost per API request per bucket (all models), USD; gaps where there were no requests. */
export function costPerRequest(points: readonly SeriesPoint[], span: DaySpan, granularity: Granularity): Chartable {
  return perRequest(points, span, granularity, "Cost per request", (p) => p.cost_usd);
}

/** The same model keeps the same colour everywhere: series in the order of `models` (the period's models by
 * cost), others after them. */
export function inModelOrder(chart: Chartable, models: readonly string[]): Chartable {
  const rank = (name: string): number => {
    const at = models.indexOf(name);
    return at < 0 ? models.length : at;
  };
  return { labels: chart.labels, series: [...chart.series].sort((a, b) => rank(a.name) - rank(b.name)) };
}
