import { describe, expect, it } from "vitest";

import { budgetOf, draftOf, parseThresholds } from "./budgets";

describe("budget rows", () => {
  it("reads thresholds leniently", () => {
    expect(parseThresholds("80, 50 %,100,80")).toEqual([50, 80, 100]);
    expect(parseThresholds("")).toBeNull();
    expect(parseThresholds("50, eighty")).toBeNull();
    expect(parseThresholds("1.5")).toBeNull();
  });

  it("turns a row into a budget, nothing, or a reason", () => {
    expect(budgetOf({ enabled: true, limit: "$12.50", thresholds: "80,100" }, "daily")).toEqual({ limit_usd: 12.5, thresholds: [80, 100] });
    expect(budgetOf({ enabled: false, limit: "garbage", thresholds: "" }, "daily")).toBeNull();
    expect(budgetOf({ enabled: true, limit: "", thresholds: "50" }, "weekly")).toBe("The weekly budget needs a limit in USD, e.g. 10.");
    expect(budgetOf({ enabled: true, limit: "-3", thresholds: "50" }, "weekly")).toBe("The weekly budget needs a limit in USD, e.g. 10.");
    expect(budgetOf({ enabled: true, limit: "10", thresholds: "x" }, "monthly")).toContain("whole percentages");
    expect(draftOf({ limit_usd: 10, thresholds: [50, 80, 100] })).toEqual({ enabled: true, limit: "10", thresholds: "50, 80, 100" });
    expect(draftOf(null).enabled).toBe(false);
  });
});
