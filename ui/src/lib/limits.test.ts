import { describe, expect, it } from "vitest";

import type { Forecast, LimitHistory } from "../api";
import { dashboard } from "../../tests/mock-data";
import { clockWords, forecastOf, forecastWords, limitState, peaksByDay, riseLines, usedWords } from "./limits";

// The page's clock in these tests: Tuesday 24 November 2026, 15:00 in the test zone (Europe/Berlin).
const now = new Date("2026-11-24T15:00:00+01:00");

const forecast = (outlook: Forecast["outlook"], target: Forecast["target"] = { kind: "limit", window: "five_hour" }): Forecast => ({
  target,
  outlook,
  pace: { from: "2026-11-24T12:55:00Z", to: "2026-11-24T13:55:00Z", points: 5, rise: 30, per_hour: 30 },
  ends_at: "2026-11-24T16:30:00Z",
  method: "Forecast from the pace of the last hour of activity",
});

describe("plan limits", () => {
  it("says times as the tray does and rounds use down", () => {
    expect(clockWords("2026-11-24T15:51:00Z", now)).toBe("16:51");
    expect(clockWords("2026-11-30T08:00:00Z", now)).toBe("Mon 09:00");
    expect(usedWords(99.6)).toBe("99 %");
    expect(limitState(79.9, [80, 95])).toBe("ok");
    expect(limitState(80, [80, 95])).toBe("warning");
    expect(limitState(95, [80, 95])).toBe("over");
    expect(limitState(100, [])).toBe("ok");
  });

  it("words each outlook, and a time gone by is no forecast", () => {
    expect(forecastWords(forecast({ outlook: "reached", at: "2026-11-24T15:51:00Z" }), now)).toBe("At this pace reached at 16:51");
    expect(forecastWords(forecast({ outlook: "reached", at: "2026-11-24T13:59:00Z" }), now)).toBe("Quiet since 14:55: no forecast");
    expect(forecastWords(forecast({ outlook: "holds" }), now)).toBe("At this pace it holds until the reset");
    expect(forecastWords(forecast({ outlook: "holds" }, { kind: "day_budget" }), now)).toBe("At this pace it holds through the day");
    expect(forecastWords(forecast({ outlook: "gathering", points: 2, minutes: 6 }), now)).toBe(
      "A forecast after 15 min and 3 reports of activity (so far 2 over 6 min)",
    );
    expect(forecastWords(forecast({ outlook: "over" }), now)).toBe("Reached");
    expect(forecastOf(dashboard.forecasts, "day_budget")?.target).toEqual({ kind: "day_budget" });
    expect(forecastOf(dashboard.forecasts, "seven_day")).toBeNull();
  });

  it("breaks the rise line between windows and gives every day of the span its peak", () => {
    const history: LimitHistory = {
      rises: [
        { kind: "five_hour", resets_at: "2026-11-24T11:00:00Z", at: "2026-11-24T07:00:00Z", used_pct: 10 },
        { kind: "five_hour", resets_at: "2026-11-24T11:00:00Z", at: "2026-11-24T08:00:00Z", used_pct: 30 },
        { kind: "five_hour", resets_at: "2026-11-24T16:00:00Z", at: "2026-11-24T12:00:00Z", used_pct: 5 },
      ],
      by_day: [
        { day: "2026-11-23", kind: "five_hour", peak_pct: 100 },
        { day: "2026-11-24", kind: "five_hour", peak_pct: 30 },
      ],
    };
    const [line] = riseLines(history, now);
    expect(line?.name).toBe("5-hour limit");
    // The first window held at 30 % until its reset at 11:00 UTC; the current one until now (14:00 UTC).
    expect(line?.points).toEqual([
      [Date.parse("2026-11-24T07:00:00Z"), 10],
      [Date.parse("2026-11-24T08:00:00Z"), 30],
      [Date.parse("2026-11-24T11:00:00Z"), 30],
      [Date.parse("2026-11-24T11:00:00Z") + 1, null],
      [Date.parse("2026-11-24T12:00:00Z"), 5],
      [Date.parse("2026-11-24T14:00:00Z"), 5],
    ]);
    const peaks = peaksByDay(history, { since: "2026-11-22", until: "2026-11-25" });
    expect(peaks.labels).toEqual(["Nov 22", "Nov 23", "Nov 24"]);
    expect(peaks.series).toEqual([{ name: "5-hour limit, highest", data: [Number.NaN, 100, 30] }]);
  });

  it("has mock figures that agree with each other", () => {
    const [fiveHour] = dashboard.limits;
    const rises = dashboard.limit_history.rises.filter((r) => r.kind === "five_hour" && r.resets_at === fiveHour?.resets_at);
    expect(rises.at(-1)?.used_pct).toBe(fiveHour?.used_pct);
    const peak20 = dashboard.limit_history.by_day.find((d) => d.day === "2026-11-20" && d.kind === "five_hour");
    expect(peak20?.peak_pct).toBe(100);
  });
});
