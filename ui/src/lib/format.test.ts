import { describe, expect, it } from "vitest";

import { compact, count, duration, millis, money, moneyPrecise, percent, plural } from "./format";

describe("money", () => {
  it("rounds to cents and groups thousands", () => {
    expect(money(8.04)).toBe("$8.04");
    expect(money(0.21092)).toBe("$0.21");
    expect(money(1234.567)).toBe("$1,234.57");
    expect(money(0)).toBe("$0.00");
    expect(money(-0.001)).toBe("$0.00");
    expect(money(-3.5)).toBe("-$3.50");
    expect(money(Number.NaN)).toBe("$0.00");
  });

  it("keeps the precision of sub-cent amounts when asked", () => {
    expect(moneyPrecise(0.0042)).toBe("$0.0042");
    expect(moneyPrecise(0.0002)).toBe("$0.0002");
    expect(moneyPrecise(0.012)).toBe("$0.01");
    expect(moneyPrecise(0)).toBe("$0.00");
  });
});

describe("counts", () => {
  it("shortens large numbers and keeps small ones whole", () => {
    expect(compact(950)).toBe("950");
    expect(compact(12_400)).toBe("12.4k");
    expect(compact(999_600)).toBe("1.0M");
    expect(compact(142_022)).toBe("142k");
    expect(compact(3_100_000_000)).toBe("3.1B");
    expect(count(124_960)).toBe("124,960");
    expect(plural(1, "prompt")).toBe("1 prompt");
    expect(plural(61, "prompt")).toBe("61 prompts");
    expect(plural(1_200, "API request")).toBe("1,200 API requests");
  });

  it("writes shares as percentages, small ones with a decimal", () => {
    expect(percent(0.78)).toBe("78 %");
    expect(percent(0.075)).toBe("7.5 %");
    expect(percent(0)).toBe("0 %");
    expect(percent(null)).toBe("—");
    expect(percent(Number.POSITIVE_INFINITY)).toBe("—");
  });
});

describe("durations", () => {
  it("reads like speech at every scale", () => {
    expect(duration(4.921)).toBe("4.9 s");
    expect(duration(45)).toBe("45 s");
    expect(duration(12 * 60 + 10)).toBe("12 min");
    expect(duration(65 * 60)).toBe("1 h 05 min");
    expect(duration(51 * 3600)).toBe("2 d 3 h");
    expect(duration(-1)).toBe("—");
    expect(millis(840)).toBe("840 ms");
    expect(millis(2400)).toBe("2.4 s");
    expect(millis(null)).toBe("—");
  });
});
