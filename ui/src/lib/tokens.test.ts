import { describe, expect, it } from "vitest";

import { tokenTotal } from "./tokens";

describe("token totals", () => {
  it("adds every type, as the app does", () => {
    expect(tokenTotal({ input: 270, output: 1_632, cacheRead: 124_960, cacheCreation: 17_160 })).toBe(144_022);
    expect(tokenTotal({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 })).toBe(0);
  });
});
