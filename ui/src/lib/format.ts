/** How figures are written everywhere in the windows: one place, tested. */

/** USD with cents: `$8.04`; large amounts grouped: `$1,234.57`. Negative zero and NaN read `$0.00`. */
export function money(usd: number): string {
  const cents = Number.isFinite(usd) ? Math.round(usd * 100) : 0;
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100).toLocaleString("en-US");
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, "0")}`;
}

/** Small amounts keep their precision: `$0.0042` rather than `$0.00` (per-request costs). */
export function moneyPrecise(usd: number): string {
  if (Number.isFinite(usd) && usd !== 0 && Math.abs(usd) < 0.01) {
    return `${usd < 0 ? "-" : ""}$${Number(Math.abs(usd).toPrecision(2)).toString()}`;
  }
  return money(usd);
}

/** Counts in short form for cards and axes: 950, 12.4k, 3.1M, 2.0B. */
export function compact(value: number): string {
  const abs = Math.abs(value);
  const units: ReadonlyArray<readonly [number, string]> = [
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, unit] of units) {
    if (abs >= size * 0.9995) {
      const scaled = value / size;
      return `${scaled.toFixed(Math.abs(scaled) >= 100 ? 0 : 1)}${unit}`;
    }
  }
  return Math.round(value).toLocaleString("en-US");
}

/** Whole counts with grouping: 124,960. */
export function count(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** A share as a percentage: `78 %`, `7.5 %` under 10, `—` when there is nothing to divide. */
export function percent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) {
    return "—";
  }
  const value = share * 100;
  return `${value < 10 && value !== 0 ? value.toFixed(1) : Math.round(value).toString()} %`;
}

/** A duration in seconds as people say it: `45 s`, `12 min`, `1 h 05 min`, `2 d 3 h`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    return "—";
  }
  if (seconds < 60) {
    return `${seconds < 10 && seconds % 1 !== 0 ? seconds.toFixed(1) : Math.round(seconds).toString()} s`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
  }
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Milliseconds for latencies: `840 ms`, `2.4 s`. */
export function millis(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    return "—";
  }
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "1 prompt", "61 prompts": a count with its noun. */
export function plural(value: number, one: string, many = `${one}s`): string {
  return `${count(value)} ${Math.round(value) === 1 ? one : many}`;
}
