import { describe, expect, it } from "vitest";

import { savedSettings } from "../../tests/mock-data";
import { parseLimitAlerts, settingsPatch } from "./settings";

const loaded = savedSettings;

describe("settingsPatch", () => {
  it("sends nothing when nothing changed", () => {
    expect(settingsPatch(loaded, structuredClone(loaded))).toEqual({});
  });

  it("sends only the fields and budgets the form changed", () => {
    const edited = structuredClone(loaded);
    edited.budgets.week = { limit_usd: 40, thresholds: [50, 80, 100] };
    edited.retention_days = 90;
    expect(settingsPatch(loaded, edited)).toEqual({ budgets: { week: { limit_usd: 40, thresholds: [50, 80, 100] } }, retention_days: 90 });
  });

  it("sends a cleared budget or pause as null, so it is removed", () => {
    const paused = { ...structuredClone(loaded), alerts_paused_until: "2026-12-01T20:00:00Z" };
    const edited = { ...structuredClone(paused), alerts_paused_until: null };
    edited.budgets.day = null;
    expect(settingsPatch(paused, edited)).toEqual({ budgets: { day: null }, alerts_paused_until: null });
  });

  it("sends the project budgets whole when one was added, changed or removed, and leaves them out otherwise", () => {
    const edited = structuredClone(loaded);
    edited.budgets.projects = [...edited.budgets.projects, { project: "acme/web-app", period: "month", budget: { limit_usd: 30, thresholds: [100] } }];
    expect(settingsPatch(loaded, edited)).toEqual({ budgets: { projects: edited.budgets.projects } });
    edited.budgets.projects = [];
    expect(settingsPatch(loaded, edited)).toEqual({ budgets: { projects: [] } });
    const other = structuredClone(loaded);
    other.budgets.day = null;
    expect(settingsPatch(loaded, other)).toEqual({ budgets: { day: null } });
  });

  it("leaves out a pause the form never touched, whatever happened to it meanwhile", () => {
    const edited = structuredClone(loaded);
    edited.budgets.day = { limit_usd: 12, thresholds: [50, 80, 100] };
    expect(settingsPatch(loaded, edited)).not.toHaveProperty("alerts_paused_until");
  });
});

describe("parseLimitAlerts", () => {
  it("reads thresholds as people type them, sorted and without repeats", () => {
    expect(parseLimitAlerts("80, 95")).toEqual([80, 95]);
    expect(parseLimitAlerts("95 %, 80%,95")).toEqual([80, 95]);
    expect(parseLimitAlerts("100")).toEqual([100]);
  });

  it("takes blank for no limit notifications", () => {
    expect(parseLimitAlerts("")).toEqual([]);
    expect(parseLimitAlerts("  ")).toEqual([]);
  });

  it("says which entry is not a percentage", () => {
    for (const bad of ["0", "101", "80,,95", "eighty", "-5", "9.5", "80, 1000"]) {
      expect(parseLimitAlerts(bad), bad).toMatch(/^Plan-limit alerts are whole percentages/);
    }
    expect(parseLimitAlerts("80, x")).toContain("“x”");
  });
});
