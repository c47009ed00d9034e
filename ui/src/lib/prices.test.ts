import { describe, expect, it } from "vitest";

import { modelPriceList } from "../../tests/mock-data";
import { derivedCachePrices, perMillion, priceDraftOf, priceFields, requestsText, sameModel, sourceText } from "./prices";

describe("perMillion", () => {
  it("writes two decimals, or as many as the price has, as `ccmeter prices` does", () => {
    expect(perMillion(5)).toBe("5.00");
    expect(perMillion(0.5)).toBe("0.50");
    expect(perMillion(0.3125)).toBe("0.3125");
    expect(perMillion(18.75)).toBe("18.75");
    expect(perMillion(0.000001)).toBe("0.000001");
  });
});

describe("sourceText", () => {
  it("says where each model's price comes from", () => {
    expect(modelPriceList.map(sourceText)).toEqual(["no price", "learned from 64 requests", "bundled table", "your price"]);
    expect(sourceText({ ...modelPriceList[1]!, learned_from: 1 })).toBe("learned from 1 request");
  });
});

describe("requestsText", () => {
  it("counts the estimated requests and those without a price", () => {
    expect(requestsText(modelPriceList[0]!)).toBe("12 requests without a price");
    expect(requestsText(modelPriceList[1]!)).toBe("420 requests estimated");
    expect(requestsText({ ...modelPriceList[1]!, unpriced_requests: 1 })).toBe("420 requests estimated · 1 request without a price");
    expect(requestsText({ ...modelPriceList[1]!, estimated_requests: 0 })).toBe("none read yet");
  });
});

describe("priceDraftOf", () => {
  it("holds a saved price as text, a cache price not given left blank", () => {
    const draft = priceDraftOf({ model: "claude-haiku-4-5", input: 1, output: 5, cache_read: 0.08 });
    expect(priceFields(draft)).toEqual({
      model: "claude-haiku-4-5",
      input: "1.00",
      output: "5.00",
      cache_read: "0.08",
      cache_write_5m: "",
      cache_write_1h: "",
    });
  });

  it("starts a new price of a model from the rates it is costed at now, or blank", () => {
    const table = modelPriceList[2]!;
    expect(priceFields(priceDraftOf(null, table.model, table.per_million))).toEqual({
      model: "claude-sonnet-4-5",
      input: "3.00",
      output: "15.00",
      cache_read: "0.30",
      cache_write_5m: "3.75",
      cache_write_1h: "6.00",
    });
    expect(priceFields(priceDraftOf(null, "claude-opus-5-5"))).toEqual({
      model: "claude-opus-5-5",
      input: "",
      output: "",
      cache_read: "",
      cache_write_5m: "",
      cache_write_1h: "",
    });
  });

  it("gives each row its own id, so a row keeps its fields when another is removed", () => {
    expect(priceDraftOf(null).id).not.toBe(priceDraftOf(null).id);
  });
});

describe("derivedCachePrices", () => {
  it("derives the cache prices left blank from the input price, as the app does", () => {
    expect(derivedCachePrices("4")).toEqual({ cache_read: "0.40", cache_write_5m: "5.00", cache_write_1h: "8.00" });
    expect(derivedCachePrices("$0.8")).toEqual({ cache_read: "0.08", cache_write_5m: "1.00", cache_write_1h: "1.60" });
  });

  it("derives nothing from an input price that is not one", () => {
    for (const bad of ["", "  ", "five", "-1"]) {
      expect(derivedCachePrices(bad), bad).toBeNull();
    }
  });
});

describe("sameModel", () => {
  it("matches names as the app does: letter case and a bracketed suffix ignored", () => {
    expect(sameModel("claude-opus-5-5", "Claude-Opus-5-5[1m]")).toBe(true);
    expect(sameModel(" claude-opus-5-5 ", "claude-opus-5-5 [1m]")).toBe(true);
    expect(sameModel("claude-opus-5-5", "claude-opus-5")).toBe(false);
  });
});
