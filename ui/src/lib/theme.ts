/** Colours the charts share with the page (see style.css), for light and dark. */

/** The charts' colours, by name: every chart takes its colours from here. */
export const COLOURS = {
  amber: "#d97706",
  blue: "#2563eb",
  green: "#059669",
  violet: "#9333ea",
  red: "#dc2626",
  cyan: "#0891b2",
  lime: "#65a30d",
  pink: "#db2777",
  teal: "#0d9488",
  slate: "#64748b",
} as const;

/** One colour per model, in the order models are first seen; stable across refreshes. */
export const SERIES_COLOURS = [COLOURS.amber, COLOURS.blue, COLOURS.green, COLOURS.violet, COLOURS.red, COLOURS.cyan, COLOURS.lime, COLOURS.pink];

export const TOKEN_COLOURS = {
  input: COLOURS.blue,
  output: COLOURS.amber,
  cacheRead: COLOURS.green,
  cacheCreation: COLOURS.violet,
} as const;

export interface Palette {
  readonly text: string;
  readonly muted: string;
  readonly grid: string;
  readonly surface: string;
}

export function palette(dark: boolean): Palette {
  return dark
    ? { text: "#e6e9ef", muted: "#9aa3b5", grid: "#2c3444", surface: "#1a202c" }
    : { text: "#1a1f2b", muted: "#5b6475", grid: "#e6e9ef", surface: "#ffffff" };
}

/** Follows the OS's light / dark setting, live. */
export function watchDark(onChange: (dark: boolean) => void): () => void {
  const query = window.matchMedia("(prefers-color-scheme: dark)");
  const listener = (event: MediaQueryListEvent): void => onChange(event.matches);
  query.addEventListener("change", listener);
  onChange(query.matches);
  return () => query.removeEventListener("change", listener);
}
