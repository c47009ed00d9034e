import { describe, expect, it } from "vitest";

import type { Settings } from "../api";
import { settingsPatch } from "./settings";

const loaded: Settings = {
  budgets: { day: { limit_usd: 10, thresholds: [50, 80, 100] }, week: null, month: null, session: null },
  active_window_minutes: 5,
  store_prompt_text: false,
  retention_days: null,
  week_start: "Mon",
  alerts_enabled: true,
  alerts_paused_until: null,
  start_at_login: false,
  icon_shows_amount: false,
  grpc_addr: "127.0.0.1:4317",
  http_addr: "127.0.0.1:4318",
  welcomed: true,
};

describe("settingsPatch", () => {
  it("sends nothing when nothing changed", () => {
    expect(settingsPatch(loaded, structuredClone(loaded))).toEqual({});
  });

  it("sends only the fields and budgets the form changed", () => {
    const edited = structuredClone(loaded);
    edited.budgets.month = { limit_usd: 150, thresholds: [80, 100] };
    edited.retention_days = 90;
    expect(settingsPatch(loaded, edited)).toEqual({ budgets: { month: { limit_usd: 150, thresholds: [80, 100] } }, retention_days: 90 });
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
