/**
 * What a settings form changed, as the patch the app applies to the settings as stored when it saves: a field
 * the form left alone is not sent, so a change made meanwhile elsewhere (the tray's pause, `ccmeter budget
 * set`) is kept rather than overwritten with what the form read when it opened.
 */
import type { Budgets, BudgetsPatch, Settings, SettingsPatch } from "../api";

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const PERIODS = ["day", "week", "month", "session"] as const satisfies ReadonlyArray<Exclude<keyof Budgets, "projects">>;

/** The fields of `edited` that differ from `loaded`, the settings the form started from. */
export function settingsPatch(loaded: Settings, edited: Settings): SettingsPatch {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(edited) as Array<keyof Settings>) {
    if (key !== "budgets" && !same(loaded[key], edited[key])) {
      patch[key] = edited[key];
    }
  }
  const budgets: BudgetsPatch = {};
  for (const period of PERIODS) {
    if (!same(loaded.budgets[period], edited.budgets[period])) {
      budgets[period] = edited.budgets[period];
    }
  }
  if (!same(loaded.budgets.projects, edited.budgets.projects)) {
    budgets.projects = edited.budgets.projects;
  }
  if (Object.keys(budgets).length > 0) {
    patch["budgets"] = budgets;
  }
  return patch as SettingsPatch;
}

/**
 * The plan-limit alert thresholds as typed ("80, 95 %"), sorted and without repeats; blank is none (no limit
 * notifications). A reason in words when an entry is not a whole percentage from 1 to 100.
 */
export function parseLimitAlerts(text: string): number[] | string {
  const entries = text
    .replaceAll("%", " ")
    .split(",")
    .map((entry) => entry.trim());
  if (entries.every((entry) => entry === "")) {
    return [];
  }
  const values: number[] = [];
  for (const entry of entries) {
    if (!/^\d{1,3}$/.test(entry) || Number(entry) < 1 || Number(entry) > 100) {
      return `Plan-limit alerts are whole percentages from 1 to 100, separated by commas, e.g. 80, 95 (not “${entry}”).`;
    }
    values.push(Number(entry));
  }
  return [...new Set(values)].sort((a, b) => a - b);
}
