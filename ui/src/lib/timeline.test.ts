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
    cache_creation_5m: null,
    cache_creation_1h: null,
    duration_ms: null,
    ttft_ms: null,
    agent_id: null,
    agent_name: null,
    success: null,
    tool_name: null,
    decision: null,
    status_code: null,
    query_source: null,
    source: null,
    cost_estimate: null,
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
    expect(kindOf(event("mcp_server_connection"))).toBe("setup");
    expect(kindOf(event("managed_settings_resolved"))).toBe("setup");
    expect(kindOf(event("plugin_loaded"))).toBe("setup");
    expect(kindOf(event("retention_sweep"))).toBe("setup");
    expect(kindOf(event("safety_event"))).toBe("error");
    expect(kindOf(event("withdrawn"))).toBe("other");
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
    // Read from a transcript: ccmeter's estimate is marked, and a model with no price is never $0.
    expect(describe({ ...request, query_source: null, source: null, duration_ms: null, cost_estimate: "priced" })).toBe(
      "claude-opus-4-8 · 3 in · 160 out · 12.5k cache read · 1.7k cache write · ≈ $0.02",
    );
    expect(describe({ ...request, query_source: null, source: null, duration_ms: null, cost_usd: 0, cost_estimate: "no_price" })).toBe(
      "claude-opus-4-8 · 3 in · 160 out · 12.5k cache read · 1.7k cache write · no price",
    );
    expect(describe(event("tool_result", { tool_name: "Bash", success: false, duration_ms: 840, attributes: { error: "exit 1" } }))).toBe(
      "Bash · failed · 840 ms · exit 1",
    );
    expect(describe(event("api_error", { status_code: 529, attributes: { error: "Overloaded" }, model: "claude-opus-4-8" }))).toBe(
      "HTTP 529 · Overloaded · claude-opus-4-8",
    );
  });

  it("summarises Claude Code 2.1.332's events as they were captured", () => {
    // Attribute values as the capture sent them: arrays, real booleans, and numbers or booleans as strings.
    expect(
      describe(
        event("managed_settings_resolved", {
          attributes: { "managed_settings.trigger": "startup", "managed_settings.sources": [], "managed_settings.source_behavior": "first-wins" },
        }),
      ),
    ).toBe("no managed settings · first-wins · on startup");
    expect(describe(event("managed_settings_resolved", { attributes: { "managed_settings.sources": ["mdm", "file"] } }))).toBe(
      "managed settings from mdm, file",
    );
    expect(
      describe(
        event("plugin_loaded", {
          attributes: { "plugin.name": "cc-plugin-agents-md", "plugin.scope": "default-bundle", has_hooks: true, has_mcp: false, safe_mode: "false" },
        }),
      ),
    ).toBe("cc-plugin-agents-md · default-bundle · hooks");
    expect(
      describe(
        event("retention_sweep", {
          attributes: {
            result: "complete",
            period_days: "30",
            used_default: "true",
            files_retained_fresh: "4",
            artifacts_deleted: "1",
            session_files_deleted: "2",
            transcripts_deleted: "0",
            error_count: "0",
          },
        }),
      ),
    ).toBe("complete: 3 files deleted · 4 kept · 30-day retention (default)");
    expect(
      describe(
        event("subagent_completed", {
          attributes: { agent_type: "Explore", duration_ms: "2037", total_tool_uses: "2", final_model: "claude-opus-5-5", is_async: true },
        }),
      ),
    ).toBe("Explore finished · 2.0 s · 2 tool uses · claude-opus-5-5 · in the background");
    // Names no version has sent yet still say something.
    expect(describe(event("withdrawn", { attributes: { "session.id": "s", "event.sequence": "9", reason: "user", message_id: "m1" } }))).toBe(
      "reason: user · message_id: m1",
    );
  });

  it("shows a request's time to first token, its subagent and its cache write split", () => {
    const request = event("api_request", {
      model: "claude-opus-5-5",
      tokens: { input: 6, output: 120, cacheRead: 0, cacheCreation: 14_000 },
      cache_creation_5m: 9_000,
      cache_creation_1h: 5_000,
      cost_usd: 0.0724,
      duration_ms: 1_200,
      ttft_ms: 30,
      agent_id: "a3157ab522966d496",
      agent_name: "Explore",
      query_source: "agent:builtin:Explore",
      source: "subagent",
    });
    expect(describe(request)).toBe(
      "claude-opus-5-5 · 6 in · 120 out · 0 cache read · 14.0k cache write (5 min 9.0k · 1 h 5.0k) · $0.07 · 1.2 s (first token 30 ms) · Explore subagent",
    );
  });
});
