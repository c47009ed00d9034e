/** The settings window's budget rows as text fields (the app reads them back: `api.readBudget`). */
import type { Budget } from "../api";
import { DEFAULT_THRESHOLDS } from "../api/generated";

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

/** A message from the app as the first words of a sentence: "the daily budget …" → "The daily budget …". */
export function capitalised(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}
