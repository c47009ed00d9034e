/** The dashboard's period: a preset or a custom span of local days, as the backend takes it. */

export type Preset = "today" | "7d" | "30d" | "90d" | "custom";

export const PRESETS: ReadonlyArray<{ readonly id: Exclude<Preset, "custom">; readonly label: string }> = [
  { id: "today", label: "Today" },
  { id: "7d", label: "7 days" },
  { id: "30d", label: "30 days" },
  { id: "90d", label: "90 days" },
];

/** Local days `[since, until)`, written `YYYY-MM-DD`. */
export interface DaySpan {
  readonly since: string;
  readonly until: string;
}

/** A local date as `YYYY-MM-DD` (not `toISOString`, which is UTC and can be another day). */
export function isoDay(date: Date): string {
  const month = String(date.getMonth() + 1).padStart(2, "0");
  const day = String(date.getDate()).padStart(2, "0");
  return `${date.getFullYear()}-${month}-${day}`;
}

/** `YYYY-MM-DD` → that local day at noon (noon survives any DST shift when days are added). */
export function parseDay(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) {
    return null;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day, 12);
  return date.getMonth() === month - 1 && date.getDate() === day ? date : null;
}

export function addDays(date: Date, days: number): Date {
  const moved = new Date(date.getFullYear(), date.getMonth(), date.getDate() + days, 12);
  return moved;
}

/** The span a preset covers, ending with today (included). */
export function presetSpan(preset: Exclude<Preset, "custom">, today: Date): DaySpan {
  const days = { today: 1, "7d": 7, "30d": 30, "90d": 90 }[preset];
  return { since: isoDay(addDays(today, 1 - days)), until: isoDay(addDays(today, 1)) };
}

/** A custom span from the two date inputs (both days included), or why it is not one. */
export function customSpan(first: string, last: string): DaySpan | string {
  const from = parseDay(first);
  const to = parseDay(last);
  if (from === null || to === null) {
    return "Pick a first and a last day.";
  }
  if (to < from) {
    return "The last day comes before the first.";
  }
  return { since: isoDay(from), until: isoDay(addDays(to, 1)) };
}

/** Number of local days in a span. */
export function spanDays(span: DaySpan): number {
  const from = parseDay(span.since);
  const to = parseDay(span.until);
  if (from === null || to === null) {
    return 0;
  }
  return Math.round((to.getTime() - from.getTime()) / 86_400_000);
}
