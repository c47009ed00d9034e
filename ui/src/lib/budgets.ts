/** The settings window's budget rows: text fields in, a `Budget` (or why not) out. */
import type { Budget } from "../api";
import { DEFAULT_THRESHOLDS } from "../api/generated";

/** "50, 80,100 %" → [50, 80, 100]; sorted, repeats dropped; `null` when a part is not a whole number. */
export function parseThresholds(text: string): number[] | null {
  const parts = text
    .split(",")
    .map((part) => part.replace("%", "").trim())
    .filter((part) => part !== "");
  if (parts.length === 0 || parts.some((part) => !/^\d+$/.test(part))) {
    return null;
  }
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

export interface BudgetDraft {
  enabled: boolean;
  limit: string;
  thresholds: string;
}

export function draftOf(budget: Budget | null): BudgetDraft {
  return budget === null
    ? { enabled: false, limit: "", thresholds: DEFAULT_THRESHOLDS.join(", ") }
    : { enabled: true, limit: String(budget.limit_usd), thresholds: budget.thresholds.join(", ") };
}

/** The budget a row describes: `null` when it is off, a message when a field is not usable. */
export function budgetOf(draft: BudgetDraft, name: string): Budget | null | string {
  if (!draft.enabled) {
    return null;
  }
  const limit = Number(draft.limit.replace("$", "").trim());
  if (draft.limit.trim() === "" || !Number.isFinite(limit) || limit <= 0) {
    return `The ${name} budget needs a limit in USD, e.g. 10.`;
  }
  const thresholds = parseThresholds(draft.thresholds);
  if (thresholds === null) {
    return `The ${name} budget's alerts are whole percentages separated by commas, e.g. 50, 80, 100.`;
  }
  return { limit_usd: limit, thresholds };
}
