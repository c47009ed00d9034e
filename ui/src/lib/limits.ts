/**
 * A subscriber's plan limits on the dashboard: the current windows' words, the forecasts' sentences and the
 * windows' history as chart data. Pure functions of the app's answer, tested beside it.
 */
import type { Forecast, LimitHistory, LimitKind } from "../api";
import type { DaySpan } from "./period";
import { buckets, type Chartable } from "./series";

export const LIMIT_NAMES: Record<LimitKind, string> = { five_hour: "5-hour limit", seven_day: "Weekly limit" };

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** A local time as the tray says it: `14:30` today, `Mon 09:00` on another day. */
export function clockWords(iso: string, now: Date): string {
  const at = new Date(iso);
  const clock = `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
  return at.toDateString() === now.toDateString() ? clock : `${WEEKDAYS[at.getDay()]} ${clock}`;
}

/** A use as a whole percent, rounded down as the tray does (99.6 % is not yet a full window). */
export function usedWords(usedPct: number): string {
  return `${Math.floor(usedPct)} %`;
}

/** Where the forecast says the target is heading, in a short sentence. */
export function forecastWords(forecast: Forecast, now: Date): string {
  const outlook = forecast.outlook;
  const until = forecast.target.kind === "day_budget" ? "through the day" : "until the reset";
  switch (outlook.outlook) {
    case "reached":
      return Date.parse(outlook.at) > now.getTime()
        ? `At this pace reached at ${clockWords(outlook.at, now)}`
        : `Quiet since ${clockWords(forecast.pace?.to ?? outlook.at, now)}: no forecast`;
    case "quiet":
      return `Quiet since ${forecast.pace ? clockWords(forecast.pace.to, now) : "a while"}: no forecast`;
    case "holds":
      return `At this pace it holds ${until}`;
    case "gathering":
      return `A forecast after 15 min and 3 reports of activity (so far ${outlook.points} over ${outlook.minutes} min)`;
    case "over":
      return "Reached";
  }
}

/** The forecast of one target, if the answer has it. */
export function forecastOf(forecasts: readonly Forecast[], target: LimitKind | "day_budget"): Forecast | null {
  return forecasts.find((f) => (target === "day_budget" ? f.target.kind === "day_budget" : f.target.kind === "limit" && f.target.window === target)) ?? null;
}

/** One kind's rises as a stepped line: [time, %] per report, each window held at its peak until it reset (or
 * until now, for the current one), a gap before the next. */
export interface RiseLine {
  readonly kind: LimitKind;
  readonly name: string;
  readonly points: Array<[number, number | null]>;
}

export function riseLines(history: LimitHistory, now: Date): RiseLine[] {
  const kinds: LimitKind[] = ["five_hour", "seven_day"];
  return kinds
    .map((kind) => {
      const points: Array<[number, number | null]> = [];
      const rises = history.rises.filter((r) => r.kind === kind);
      rises.forEach((rise, i) => {
        points.push([Date.parse(rise.at), rise.used_pct]);
        const next = rises[i + 1];
        if (next === undefined || next.resets_at !== rise.resets_at) {
          const held = Math.min(Date.parse(rise.resets_at), now.getTime(), next ? Date.parse(next.at) : Infinity);
          points.push([Math.max(held, Date.parse(rise.at)), rise.used_pct]);
          if (next !== undefined) points.push([held + 1, null]);
        }
      });
      return { kind, name: LIMIT_NAMES[kind], points };
    })
    .filter((line) => line.points.length > 0);
}

/** The highest use each day reached, per kind, every day of the span present (NaN where none was reported). */
export function peaksByDay(history: LimitHistory, span: DaySpan): Chartable {
  const days = buckets(span, "day");
  const kinds: LimitKind[] = ["five_hour", "seven_day"];
  const series = kinds
    .filter((kind) => history.by_day.some((d) => d.kind === kind))
    .map((kind) => {
      const peaks = new Map(history.by_day.filter((d) => d.kind === kind).map((d) => [d.day, d.peak_pct]));
      return { name: `${LIMIT_NAMES[kind]}, highest`, data: days.map((d) => peaks.get(d.key) ?? Number.NaN) };
    });
  return { labels: days.map((d) => d.label), series };
}

/** A window's colour: "warning" from the first alert threshold, "over" from the last (as the statusline). */
export function limitState(usedPct: number, thresholds: readonly number[]): "ok" | "warning" | "over" {
  const first = thresholds.at(0);
  const last = thresholds.at(-1);
  if (last !== undefined && usedPct >= last) return "over";
  if (first !== undefined && usedPct >= first) return "warning";
  return "ok";
}
