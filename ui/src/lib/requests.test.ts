import { afterEach, describe, expect, it, vi } from "vitest";

import { debounce, newestOnly, throttle } from "./requests";

describe("newestOnly", () => {
  it("applies only the newest call's answer, whatever order the answers arrive in", async () => {
    const load = newestOnly();
    const applied: string[] = [];
    const failed: unknown[] = [];
    let answerSlow: (value: string) => void = () => {};
    const slow = load(
      () => new Promise<string>((resolve) => (answerSlow = resolve)),
      (v) => applied.push(v),
      (e) => failed.push(e),
    );
    const fast = load(
      () => Promise.resolve("new period"),
      (v) => applied.push(v),
      (e) => failed.push(e),
    );
    await fast;
    answerSlow("old period");
    await slow;
    expect(applied).toEqual(["new period"]);

    await load(
      () => Promise.reject(new Error("gone")),
      (v) => applied.push(v),
      (e) => failed.push(e),
    );
    expect(failed).toHaveLength(1);
  });
});

describe("debounce", () => {
  afterEach(() => vi.useRealTimers());

  it("runs once after the calls pause", () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const typed = debounce(run, 200);
    typed();
    vi.advanceTimersByTime(150);
    typed();
    vi.advanceTimersByTime(150);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60);
    expect(run).toHaveBeenCalledTimes(1);
  });
});

describe("throttle", () => {
  afterEach(() => vi.useRealTimers());

  it("serves the first call at once and the rest of a burst together, at most once per spell", () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const refresh = throttle(run, 250);
    refresh.call();
    expect(run).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(10);
      refresh.call();
    }
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(150);
    expect(run).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(2);
    refresh.call();
    expect(run).toHaveBeenCalledTimes(3);
    refresh.call();
    refresh.cancel();
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(3);
    refresh.call();
    expect(run).toHaveBeenCalledTimes(4);
  });
});
