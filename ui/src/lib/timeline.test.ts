import { describe as group, expect, it } from "vitest";

import type { TimelineEvent } from "../api";
import { describe, eventLabel, kindOf } from "./timeline";

function event(name: string, extra: Partial<TimelineEvent> = {}): TimelineEvent {
  return {
    time: "2026-11-24T11:28:00Z",
    name,
    sequence: 1,
    prompt_id: null,
    model: null,
    cost_usd: null,
    tokens: null,
    duration_ms: null,
    success: null,
    tool_name: null,
    decision: null,
    status_code: null,
    query_source: null,
    source: null,
    attributes: {},
    ...extra,
  };
}

group("timeline", () => {
  it("sorts every documented event into a kind", () => {
    expect(kindOf(event("user_prompt"))).toBe("prompt");
    expect(kindOf(event("api_request"))).toBe("api");
    expect(kindOf(event("tool_result"))).toBe("tool");
    expect(kindOf(event("tool_decision"))).toBe("decision");
    expect(kindOf(event("api_error"))).toBe("error");
    expect(kindOf(event("internal_error"))).toBe("error");
    expect(kindOf(event("mcp_server_connection"))).toBe("other");
    expect(eventLabel("api_request")).toBe("API request");
    expect(eventLabel("tool_result")).toBe("Tool result");
    expect(eventLabel("mcp_server_connection")).toBe("MCP server connection");
  });

  it("shows prompt text only when it was stored", () => {
    expect(describe(event("user_prompt", { attributes: { prompt: "[not stored: 42 characters]", prompt_length: "42" } }))).toBe(
      "Prompt text not stored (42 characters)",
    );
    expect(describe(event("user_prompt", { attributes: { prompt: "create hello.py" } }))).toBe("create hello.py");
  });

  it("summarises requests, tools and errors", () => {
    const request = event("api_request", {
      model: "claude-opus-4-8",
      tokens: { input: 3, output: 160, cacheRead: 12_480, cacheCreation: 1_700 },
      cost_usd: 0.0214,
      duration_ms: 2_400,
      query_source: "agent:builtin:Explore",
      source: "subagent",
    });
    expect(describe(request)).toBe("claude-opus-4-8 · 3 in · 160 out · 12.5k cache read · 1.7k cache write · $0.02 · 2.4 s · subagent (agent:builtin:Explore)");
    expect(describe(event("tool_result", { tool_name: "Bash", success: false, duration_ms: 840, attributes: { error: "exit 1" } }))).toBe(
      "Bash · failed · 840 ms · exit 1",
    );
    expect(describe(event("api_error", { status_code: 529, attributes: { error: "Overloaded" }, model: "claude-opus-4-8" }))).toBe(
      "HTTP 529 · Overloaded · claude-opus-4-8",
    );
  });
});
