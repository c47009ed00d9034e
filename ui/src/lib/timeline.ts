/** A session's events as the history shows them: grouped into kinds, each with a one-line summary. */
import type { TimelineEvent } from "../api";
import { compact, millis, moneyPrecise } from "./format";

export type Kind = "prompt" | "api" | "tool" | "decision" | "error" | "setup" | "other";

export const KINDS: ReadonlyArray<{ readonly id: Kind; readonly label: string }> = [
  { id: "prompt", label: "Prompts" },
  { id: "api", label: "API requests" },
  { id: "tool", label: "Tools" },
  { id: "decision", label: "Decisions" },
  { id: "error", label: "Errors" },
  { id: "setup", label: "Start-up" },
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
    case "safety_event":
      return "error";
    case "managed_settings_resolved":
    case "plugin_loaded":
    case "plugin_installed":
    case "hook_registered":
    case "mcp_server_connection":
    case "retention_sweep":
      return "setup";
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

/** Attributes every Claude Code event carries: not worth a place in a one-line summary. */
const STANDARD = /^(event\.|session\.id$|user\.|app\.version$|terminal\.type$|organization\.id$|prompt\.id$|anthropic\.|vcs\.)/;

/** A number Claude Code may have sent as a string ("4") or a number. */
function numberOf(event: TimelineEvent, key: string): number | null {
  const text = attribute(event, key);
  const value = text === null ? Number.NaN : Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Up to four attributes of an event this version does not describe, as `key: value`. */
function someAttributes(event: TimelineEvent): string {
  const attributes = event.attributes;
  if (attributes === null || typeof attributes !== "object" || Array.isArray(attributes)) {
    return "";
  }
  return Object.keys(attributes)
    .filter((key) => !STANDARD.test(key))
    .slice(0, 4)
    .map((key) => `${key}: ${attribute(event, key) ?? ""}`)
    .join(" · ");
}

function managedSettings(event: TimelineEvent): string {
  const sources = (event.attributes as Record<string, unknown> | null)?.["managed_settings.sources"];
  const list = Array.isArray(sources) ? sources.map(String) : [];
  const parts = [list.length ? `managed settings from ${list.join(", ")}` : "no managed settings"];
  const behavior = attribute(event, "managed_settings.source_behavior");
  if (behavior) {
    parts.push(behavior);
  }
  const trigger = attribute(event, "managed_settings.trigger");
  if (trigger) {
    parts.push(`on ${trigger}`);
  }
  return parts.join(" · ");
}

function pluginLoaded(event: TimelineEvent): string {
  const parts = [attribute(event, "plugin.name") ?? "unnamed plugin"];
  const scope = attribute(event, "plugin.scope");
  if (scope) {
    parts.push(scope);
  }
  const has = (["has_hooks", "has_mcp"] as const).filter((key) => attribute(event, key) === "true").map((key) => (key === "has_hooks" ? "hooks" : "MCP"));
  if (has.length) {
    parts.push(has.join(" + "));
  }
  if (attribute(event, "safe_mode") === "true") {
    parts.push("safe mode");
  }
  return parts.join(" · ");
}

function retentionSweep(event: TimelineEvent): string {
  const deleted = ["artifacts_deleted", "session_files_deleted", "transcripts_deleted"].reduce((sum, key) => sum + (numberOf(event, key) ?? 0), 0);
  const parts = [`${attribute(event, "result") ?? "ran"}: ${deleted.toLocaleString("en-US")} files deleted`];
  const kept = numberOf(event, "files_retained_fresh");
  if (kept !== null) {
    parts.push(`${kept.toLocaleString("en-US")} kept`);
  }
  const days = numberOf(event, "period_days");
  if (days !== null) {
    parts.push(`${days}-day retention${attribute(event, "used_default") === "true" ? " (default)" : ""}`);
  }
  const errors = numberOf(event, "error_count");
  if (errors) {
    parts.push(`${errors.toLocaleString("en-US")} errors`);
  }
  return parts.join(" · ");
}

function subagentCompleted(event: TimelineEvent): string {
  const parts = [`${attribute(event, "agent_type") ?? "subagent"} finished`];
  const ms = numberOf(event, "duration_ms");
  if (ms !== null) {
    parts.push(millis(ms));
  }
  const tools = numberOf(event, "total_tool_uses");
  if (tools !== null) {
    parts.push(`${tools.toLocaleString("en-US")} tool ${tools === 1 ? "use" : "uses"}`);
  }
  const model = attribute(event, "final_model") ?? attribute(event, "model");
  if (model) {
    parts.push(model);
  }
  if (attribute(event, "is_async") === "true") {
    parts.push("in the background");
  }
  return parts.join(" · ");
}

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
        const split =
          (event.cache_creation_5m ?? 0) + (event.cache_creation_1h ?? 0) > 0
            ? ` (5 min ${compact(event.cache_creation_5m ?? 0)} · 1 h ${compact(event.cache_creation_1h ?? 0)})`
            : "";
        parts.push(`${compact(t.input)} in · ${compact(t.output)} out · ${compact(t.cacheRead)} cache read · ${compact(t.cacheCreation)} cache write${split}`);
      }
      // A request read from a transcript: ccmeter's estimate, or no price at all (never $0).
      if (event.cost_estimate === "no_price") {
        parts.push("no price");
      } else if (event.cost_usd !== null) {
        parts.push(`${event.cost_estimate === "priced" ? "≈ " : ""}${moneyPrecise(event.cost_usd)}`);
      }
      if (event.duration_ms !== null) {
        parts.push(event.ttft_ms !== null ? `${millis(event.duration_ms)} (first token ${millis(event.ttft_ms)})` : millis(event.duration_ms));
      }
      if (event.agent_id !== null) {
        parts.push(`${event.agent_name ?? "subagent"} subagent`);
      } else if (event.source !== null) {
        parts.push(`${SOURCES[event.source]}${event.query_source && event.query_source !== event.source ? ` (${event.query_source})` : ""}`);
      }
      return parts.join(" · ");
    }
    case "managed_settings_resolved":
      return managedSettings(event);
    case "plugin_loaded":
      return pluginLoaded(event);
    case "retention_sweep":
      return retentionSweep(event);
    case "subagent_completed":
      return subagentCompleted(event);
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
      return known.length ? known.join(" · ") : someAttributes(event);
    }
  }
}

/** "api_request" → "API request": the event's name as a label. */
export function eventLabel(name: string): string {
  const words = name.replace(/_/g, " ");
  return words.replace(/\b(api|mcp)\b/g, (w) => w.toUpperCase()).replace(/^./, (c) => c.toUpperCase());
}
