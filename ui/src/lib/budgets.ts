/** The settings window's budget rows as text fields (the app reads them back: `api.readBudget`). */
import type { Budget, Period, ProjectBudget } from "../api";
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

/** The periods a project budget covers: a session has one project, so the per-session budget covers it. */
export type ProjectPeriod = Exclude<Period, "session">;

/** A project budget's row in the settings window; `id` keeps a row's fields with it when another is removed. */
export interface ProjectBudgetDraft {
  id: number;
  project: string;
  period: ProjectPeriod;
  limit: string;
  thresholds: string;
}

let nextDraft = 1;

export function projectDraftOf(budget: ProjectBudget | null): ProjectBudgetDraft {
  const id = nextDraft++;
  if (budget === null) {
    return { id, project: "", period: "day", limit: "", thresholds: DEFAULT_THRESHOLDS.join(", ") };
  }
  const period = budget.period === "session" ? "day" : budget.period;
  return { id, project: budget.project, period, limit: String(budget.budget.limit_usd), thresholds: budget.budget.thresholds.join(", ") };
}
