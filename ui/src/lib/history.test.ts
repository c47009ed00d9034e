import { describe, expect, it } from "vitest";

import type { TranscriptsImported } from "../api";
import { costSourceText, estimateNote, importSummary, progressText, sessionCost } from "./history";

const none: TranscriptsImported = {
  files: 8,
  unchanged_files: 0,
  unreadable_files: 0,
  responses: 40,
  held_back: 0,
  before_since: 0,
  sessions: 4,
  added: 40,
  known: 0,
  estimated_nanos: 600_000_000,
  estimated_usd: 0.6,
  priced_learned: 0,
  priced_override: 0,
  priced_table: 40,
  no_price: 0,
  skipped: { too_long: 0, unreadable: 0, unfinished: 0 },
};

describe("importSummary", () => {
  it("says what was added and its estimated cost", () => {
    expect(importSummary(none)).toBe("Added 40 requests from 4 sessions, estimated at $0.60.");
  });

  it("tells an unchanged folder from one whose requests are all known", () => {
    expect(importSummary({ ...none, added: 0, unchanged_files: 8 })).toBe("Nothing new: 8 transcripts, unchanged since the last import.");
    expect(importSummary({ ...none, added: 0, known: 40 })).toBe("Nothing new: every request in 8 transcripts is already in the history.");
    expect(importSummary({ ...none, files: 0, added: 0 })).toBe("Claude Code's transcripts folder holds no transcripts yet.");
  });

  it("names requests with no price, responses still streaming and what was passed over", () => {
    const text = importSummary({ ...none, no_price: 2, held_back: 1, unreadable_files: 1, skipped: { too_long: 1, unreadable: 1, unfinished: 1 } });
    expect(text).toBe(
      "Added 40 requests from 4 sessions, estimated at $0.60. 2 requests of a model with no known price: tokens counted, cost not. " +
        "1 response still being written: imported once finished. Passed over: 3 lines or files that could not be read.",
    );
  });
});

describe("progressText", () => {
  it("counts the files read", () => {
    expect(progressText(1200, 3400)).toBe("1,200 of 3,400 transcripts read");
  });
});

describe("estimate marks", () => {
  it("says how much of a cost is estimated, and what has no price", () => {
    expect(estimateNote(0, 3, 0)).toBe("");
    expect(estimateNote(0.6, 3.34, 0)).toBe("≈ $0.60 of it estimated from Claude Code's transcripts");
    expect(estimateNote(0.6, 0.6, 2)).toBe("≈ all of it estimated from Claude Code's transcripts; 2 requests with no known price not counted");
    expect(estimateNote(0, 0, 1)).toBe("1 request with no known price not counted");
  });

  it("marks a session's cost when any of it is estimated", () => {
    expect(sessionCost(1.5, 0, 0)).toBe("$1.50");
    expect(sessionCost(1.5, 0.25, 0)).toBe("≈ $1.50");
    expect(sessionCost(0, 0, 3)).toBe("≈ $0.00");
  });
});

describe("costSourceText", () => {
  const telemetry = { cost_source: "events", cost_usd: 0.6, estimated_cost_usd: 0, unpriced_requests: 0, api_requests: 8 } as const;

  it("names Claude Code's own source when nothing is estimated", () => {
    expect(costSourceText(telemetry)).toBe("from API request events");
    expect(costSourceText({ ...telemetry, cost_source: "metrics" })).toBe("from metrics");
  });

  it("says a session read from the transcripts alone is estimated", () => {
    expect(costSourceText({ ...telemetry, estimated_cost_usd: 0.6 })).toBe("estimated from Claude Code's transcripts");
    expect(costSourceText({ ...telemetry, cost_usd: 0, unpriced_requests: 8 })).toBe("estimated from Claude Code's transcripts");
  });

  it("names both when telemetry and the transcripts each brought part of it", () => {
    expect(costSourceText({ ...telemetry, estimated_cost_usd: 0.2 })).toBe("from API request events and, estimated, Claude Code's transcripts");
    expect(costSourceText({ ...telemetry, unpriced_requests: 2 })).toBe("from API request events and, estimated, Claude Code's transcripts");
  });
});
