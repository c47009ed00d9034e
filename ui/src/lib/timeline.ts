/** A session's events as the history shows them: grouped into kinds, each with a one-line summary. */
import type { TimelineEvent } from "../api";
import { compact, millis, moneyPrecise } from "./format";

export type Kind = "prompt" | "api" | "tool" | "decision" | "error" | "other";

export const KINDS: ReadonlyArray<{ readonly id: Kind; readonly label: string }> = [
  { id: "prompt", label: "Prompts" },
  { id: "api", label: "API requests" },
  { id: "tool", label: "Tools" },
  { id: "decision", label: "Decisions" },
  { id: "error", label: "Errors" },
  { id: "other", label: "Other" },
];

export function kindOf(event: Pick<TimelineEvent, "name">): Kind {
  switch (event.name) {
    case "user_prompt":
      return "prompt";
    case "api_request":
    case "api_request_body":
    case "api_response_body":
      return "api";
    case "tool_result":
      return "tool";
    case "tool_decision":
    case "permission_mode_changed":
      return "decision";
    case "api_error":
    case "api_refusal":
    case "api_retries_exhausted":
    case "internal_error":
      return "error";
    default:
      return "other";
  }
}

function attribute(event: TimelineEvent, key: string): string | null {
  const attributes = event.attributes;
  if (attributes === null || typeof attributes !== "object" || Array.isArray(attributes)) {
    return null;
  }
  const value = (attributes as Record<string, unknown>)[key];
  if (value === undefined || value === null) {
    return null;
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Text kept only when the user chose to store it; otherwise the store says "[not stored: N characters]". */
function storedText(text: string | null, lengthText: string | null, noun: string): string {
  if (text !== null && !text.startsWith("[not stored")) {
    return text;
  }
  const length = Number(lengthText ?? /\d+/.exec(text ?? "")?.[0] ?? Number.NaN);
  return Number.isFinite(length) ? `${noun} not stored (${length.toLocaleString("en-US")} characters)` : `${noun} not stored`;
}

const SOURCES = { main: "main", subagent: "subagent", auxiliary: "auxiliary" } as const;

/** The line a timeline row shows after its time and kind. */
export function describe(event: TimelineEvent): string {
  const parts: string[] = [];
  switch (event.name) {
    case "user_prompt":
      return storedText(attribute(event, "prompt"), attribute(event, "prompt_length"), "Prompt text");
    case "api_request": {
      parts.push(event.model ?? "unknown model");
      if (event.tokens) {
        const t = event.tokens;
        parts.push(`${compact(t.input)} in · ${compact(t.output)} out · ${compact(t.cacheRead)} cache read · ${compact(t.cacheCreation)} cache write`);
      }
      if (event.cost_usd !== null) {
        parts.push(moneyPrecise(event.cost_usd));
      }
      if (event.duration_ms !== null) {
        parts.push(millis(event.duration_ms));
      }
      if (event.source !== null) {
        parts.push(`${SOURCES[event.source]}${event.query_source && event.query_source !== event.source ? ` (${event.query_source})` : ""}`);
      }
      return parts.join(" · ");
    }
    case "tool_result": {
      parts.push(event.tool_name ?? "unknown tool");
      parts.push(event.success === false ? "failed" : event.success === true ? "succeeded" : "no outcome");
      if (event.duration_ms !== null) {
        parts.push(millis(event.duration_ms));
      }
      const error = attribute(event, "error");
      if (event.success === false && error !== null) {
        parts.push(storedText(error, null, "Error text"));
      }
      return parts.join(" · ");
    }
    case "tool_decision":
      return [event.tool_name ?? "unknown tool", event.decision ?? "no decision", attribute(event, "source")].filter(Boolean).join(" · ");
    case "api_error": {
      parts.push(event.status_code === null ? "no response" : `HTTP ${event.status_code}`);
      const error = attribute(event, "error");
      if (error !== null) {
        parts.push(storedText(error, null, "Error text"));
      }
      if (event.model) {
        parts.push(event.model);
      }
      return parts.join(" · ");
    }
    default: {
      const known = ["tool_name", "model", "decision", "status_code", "mode", "server_name", "plugin_name", "skill_name", "hook_name"]
        .map((key) => attribute(event, key))
        .filter((value): value is string => value !== null);
      return known.join(" · ");
    }
  }
}

/** "api_request" → "API request": the event's name as a label. */
export function eventLabel(name: string): string {
  const words = name.replace(/_/g, " ");
  return words.replace(/\b(api|mcp)\b/g, (w) => w.toUpperCase()).replace(/^./, (c) => c.toUpperCase());
}
