/** What the windows say of an import of Claude Code's transcripts (the history from before telemetry). */
import type { SessionRow, TranscriptsImported } from "../api";
import { money, plural } from "./format";

/** "Added 40 requests from 4 sessions, estimated at $0.60." or why nothing was added, then what was passed over. */
export function importSummary(imported: TranscriptsImported): string {
  const parts: string[] = [];
  if (imported.files === 0) {
    parts.push("Claude Code's transcripts folder holds no transcripts yet.");
  } else if (imported.added === 0) {
    parts.push(
      imported.files === imported.unchanged_files
        ? `Nothing new: ${plural(imported.files, "transcript")}, unchanged since the last import.`
        : `Nothing new: every request in ${plural(imported.files, "transcript")} is already in the history.`,
    );
  } else {
    parts.push(`Added ${plural(imported.added, "request")} from ${plural(imported.sessions, "session")}, estimated at ${money(imported.estimated_usd)}.`);
  }
  if (imported.no_price > 0) {
    parts.push(`${plural(imported.no_price, "request")} of a model with no known price: tokens counted, cost not.`);
  }
  if (imported.held_back > 0) {
    parts.push(`${plural(imported.held_back, "response")} still being written: imported once finished.`);
  }
  const passedOver = imported.skipped.too_long + imported.skipped.unreadable + imported.unreadable_files;
  if (passedOver > 0) {
    parts.push(`Passed over: ${plural(passedOver, "line or file", "lines or files")} that could not be read.`);
  }
  return parts.join(" ");
}

/** "40 of 3,400 transcripts read", for the progress bar's label. */
export function progressText(read: number, all: number): string {
  return `${read.toLocaleString("en-US")} of ${plural(all, "transcript")} read`;
}

/**
 * The estimated part of a cost, in words: "≈ $0.60 of it estimated from Claude Code's transcripts" (all of it:
 * "≈ all of it estimated…"), with the requests no price is known for; "" when nothing is estimated.
 */
export function estimateNote(estimatedUsd: number, costUsd: number, unpriced: number): string {
  const parts: string[] = [];
  if (estimatedUsd > 0) {
    const all = Math.abs(costUsd - estimatedUsd) < 0.005;
    parts.push(`≈ ${all ? "all" : money(estimatedUsd)} of it estimated from Claude Code's transcripts`);
  }
  if (unpriced > 0) {
    parts.push(`${plural(unpriced, "request")} with no known price not counted`);
  }
  return parts.join("; ");
}

/** A session's cost as the history lists it: "≈ $0.60" when any of it is an estimate. */
export function sessionCost(costUsd: number, estimatedUsd: number, unpriced: number): string {
  return `${estimatedUsd > 0 || unpriced > 0 ? "≈ " : ""}${money(costUsd)}`;
}

/**
 * Where a session's cost comes from, after "cost ": Claude Code's own (its API request events or, without them,
 * its metrics), ccmeter's estimate of the requests read from its transcripts, or both.
 */
export function costSourceText(session: Pick<SessionRow, "cost_source" | "cost_usd" | "estimated_cost_usd" | "unpriced_requests" | "api_requests">): string {
  const own = session.cost_source === "events" ? "API request events" : "metrics";
  if (session.estimated_cost_usd <= 0 && session.unpriced_requests === 0) {
    return `from ${own}`;
  }
  const all =
    session.estimated_cost_usd > 0 ? Math.abs(session.cost_usd - session.estimated_cost_usd) < 0.005 : session.unpriced_requests >= session.api_requests;
  return all ? "estimated from Claude Code's transcripts" : `from ${own} and, estimated, Claude Code's transcripts`;
}
