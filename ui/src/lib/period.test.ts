import { describe, expect, it } from "vitest";

import { customSpan, isoDay, parseDay, presetSpan, spanDays } from "./period";

const today = new Date(2026, 10, 24, 9, 30); // 24 November 2026, local

describe("periods", () => {
  it("presets end with today included", () => {
    expect(presetSpan("today", today)).toEqual({ since: "2026-11-24", until: "2026-11-25" });
    expect(presetSpan("7d", today)).toEqual({ since: "2026-11-18", until: "2026-11-25" });
    expect(presetSpan("30d", today)).toEqual({ since: "2026-10-26", until: "2026-11-25" });
    expect(spanDays(presetSpan("90d", today))).toBe(90);
  });

  it("crosses month and year ends", () => {
    expect(presetSpan("7d", new Date(2027, 0, 3))).toEqual({ since: "2026-12-28", until: "2027-01-04" });
    expect(presetSpan("today", new Date(2026, 11, 31, 23, 59))).toEqual({ since: "2026-12-31", until: "2027-01-01" });
  });

  it("custom spans include both days and refuse nonsense", () => {
    expect(customSpan("2026-11-01", "2026-11-30")).toEqual({ since: "2026-11-01", until: "2026-12-01" });
    expect(customSpan("2026-11-05", "2026-11-05")).toEqual({ since: "2026-11-05", until: "2026-11-06" });
    expect(customSpan("2026-11-30", "2026-11-01")).toBe("The last day comes before the first.");
    expect(customSpan("", "2026-11-01")).toBe("Pick a first and a last day.");
    expect(parseDay("2026-02-30")).toBeNull();
  });

  it("names local days, also on the day clocks change", () => {
    expect(isoDay(new Date(2026, 2, 29, 0, 30))).toBe("2026-03-29");
  });
});
