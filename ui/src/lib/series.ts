/** Turns the dashboard's rows into chart series: every bucket of the period present (zeros included). */
import type { Granularity, SeriesPoint, TokenCounts } from "../api";
import { addDays, isoDay, parseDay, type DaySpan } from "./period";

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

/** Any figure of the points per bucket: `names` says which series a point adds what to. */
export function spread(
  points: readonly SeriesPoint[],
  span: DaySpan,
  granularity: Granularity,
  names: (p: SeriesPoint) => Array<[string, number]>,
): Chartable {
  const all = buckets(span, granularity);
  const index = new Map(all.map((bucket, i) => [bucket.key, i]));
  const byName = new Map<string, number[]>();
  for (const point of points) {
    const at = index.get(bucketKey(new Date(point.start), granularity));
    if (at === undefined) {
      continue;
    }
    for (const [name, value] of names(point)) {
      let data = byName.get(name);
      if (data === undefined) {
        data = new Array<number>(all.length).fill(0);
        byName.set(name, data);
      }
      data[at] = (data[at] ?? 0) + value;
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

/** Mean API latency per bucket and model (weighted by requests), in milliseconds; gaps where a model had none. */
export function latencyByModel(points: readonly SeriesPoint[], span: DaySpan, granularity: Granularity): Chartable {
  const weighted = spread(points, span, granularity, (p) => (p.api_mean_latency_ms !== null && p.model ? [[p.model, p.api_mean_latency_ms * p.api_requests]] : []));
  const requests = spread(points, span, granularity, (p) => (p.api_mean_latency_ms !== null && p.model ? [[p.model, p.api_requests]] : []));
  return {
    labels: weighted.labels,
    series: weighted.series.map((s) => {
      const counts = requests.series.find((r) => r.name === s.name)?.data ?? [];
      return { name: s.name, data: s.data.map((total, i) => ((counts[i] ?? 0) > 0 ? total / (counts[i] ?? 1) : Number.NaN)) };
    }),
  };
}

/** Cost per API request per bucket (all models), USD; gaps where there were no requests. */
export function costPerRequest(points: readonly SeriesPoint[], span: DaySpan, granularity: Granularity): Chartable {
  const cost = spread(points, span, granularity, (p) => [["cost", p.cost_usd]]);
  const requests = spread(points, span, granularity, (p) => [["requests", p.api_requests]]);
  const costs = cost.series[0]?.data ?? [];
  const counts = requests.series[0]?.data ?? [];
  return {
    labels: cost.labels,
    series: [{ name: "Cost per request", data: costs.map((c, i) => ((counts[i] ?? 0) > 0 ? c / (counts[i] ?? 1) : Number.NaN)) }],
  };
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
