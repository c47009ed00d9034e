import { describe, expect, it } from "vitest";

import { savedSettings } from "../../tests/mock-data";
import { settingsPatch } from "./settings";

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

  it("leaves out a pause the form never touched, whatever happened to it meanwhile", () => {
    const edited = structuredClone(loaded);
    edited.budgets.day = { limit_usd: 12, thresholds: [50, 80, 100] };
    expect(settingsPatch(loaded, edited)).not.toHaveProperty("alerts_paused_until");
  });
});
