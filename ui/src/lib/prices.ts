/**
 * The Settings window's "Prices" section: the price each model's estimated requests are costed at and where it
 * comes from, and the user's own prices as rows of text fields (the app reads them back: `api.readPrice`).
 */
import type { ModelPrice, PerMillion, PriceFields, PriceOverride } from "../api";
import { plural } from "./format";

/** A row of the user's own prices; `id` keeps a row's fields with it when another is removed. */
export interface PriceDraft extends PriceFields {
  id: number;
}

let nextDraft = 1;

/** A row for a saved price, or a new one for `model` (blank fields, or the rates it is costed at now). */
export function priceDraftOf(price: PriceOverride | null, model = "", now: PerMillion | null = null): PriceDraft {
  const id = nextDraft++;
  const text = (usd: number | undefined) => (usd === undefined ? "" : perMillion(usd));
  if (price !== null) {
    return {
      id,
      model: price.model,
      input: text(price.input),
      output: text(price.output),
      cache_read: text(price.cache_read),
      cache_write_5m: text(price.cache_write_5m),
      cache_write_1h: text(price.cache_write_1h),
    };
  }
  return {
    id,
    model,
    input: text(now?.input),
    output: text(now?.output),
    cache_read: text(now?.cache_read),
    cache_write_5m: text(now?.cache_write_5m),
    cache_write_1h: text(now?.cache_write_1h),
  };
}

/** What the app reads back of a row: its fields as typed. */
export function priceFields(draft: PriceDraft): PriceFields {
  return {
    model: draft.model,
    input: draft.input,
    output: draft.output,
    cache_read: draft.cache_read,
    cache_write_5m: draft.cache_write_5m,
    cache_write_1h: draft.cache_write_1h,
  };
}

/** A price per million tokens as `ccmeter prices` writes it: two decimals, or as many as it has (0.3125). */
export function perMillion(usd: number): string {
  const exact = usd.toFixed(6).replace(/0+$/, "");
  const decimals = exact.split(".")[1] ?? "";
  return decimals.length >= 2 ? exact : usd.toFixed(2);
}

/** Where a model's price comes from, in the words `ccmeter prices` uses. */
export function sourceText(price: ModelPrice): string {
  switch (price.source) {
    case "learned":
      return `learned from ${plural(price.learned_from, "request")}`;
    case "override":
      return "your price";
    case "table":
      return "bundled table";
    default:
      return "no price";
  }
}

/** The estimated requests of a model, and those it has no price for: "40 estimated · 3 without a price". */
export function requestsText(price: ModelPrice): string {
  const parts = [];
  if (price.estimated_requests > 0) {
    parts.push(`${plural(price.estimated_requests, "request")} estimated`);
  }
  if (price.unpriced_requests > 0) {
    parts.push(`${plural(price.unpriced_requests, "request")} without a price`);
  }
  return parts.join(" · ") || "none read yet";
}

/** The cache prices a row leaves blank are derived from its input price, as the app derives them. */
export function derivedCachePrices(input: string): { cache_read: string; cache_write_5m: string; cache_write_1h: string } | null {
  const usd = Number(input.trim().replace(/^\$/, ""));
  if (input.trim() === "" || !Number.isFinite(usd) || usd < 0) {
    return null;
  }
  return { cache_read: perMillion(usd * 0.1), cache_write_5m: perMillion(usd * 1.25), cache_write_1h: perMillion(usd * 2) };
}

/** Whether `model` is the one a price is for, as the app matches them: letter case and a `[1m]` suffix ignored. */
export function sameModel(a: string, b: string): boolean {
  // As the app's normalize_model: a bracketed suffix ("[1m]") is not part of the name.
  const name = (model: string) =>
    model
      .trim()
      .replace(/\[.*\]$/, "")
      .trimEnd()
      .toLowerCase();
  return name(a) === name(b);
}
