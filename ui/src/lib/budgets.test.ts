import { describe, expect, it } from "vitest";

import { capitalised, draftOf } from "./budgets";

describe("budget rows", () => {
  it("shows a budget in its fields, or the defaults for one not set", () => {
    expect(draftOf({ limit_usd: 10, thresholds: [50, 80, 100] })).toEqual({ enabled: true, limit: "10", thresholds: "50, 80, 100" });
    expect(draftOf(null)).toEqual({ enabled: false, limit: "", thresholds: "50, 80, 100" });
  });

  it("starts the app's messages as sentences", () => {
    expect(capitalised("the weekly budget needs a limit in USD")).toBe("The weekly budget needs a limit in USD");
    expect(capitalised("")).toBe("");
  });
});
