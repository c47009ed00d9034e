/** Colours the charts share with the page (see style.css), for light and dark. */

/** One colour per model, in the order models are first seen; stable across refreshes. */
export const SERIES_COLOURS = ["#d97706", "#2563eb", "#059669", "#9333ea", "#dc2626", "#0891b2", "#65a30d", "#db2777"];

export const TOKEN_COLOURS = {
  input: "#2563eb",
  output: "#d97706",
  cacheRead: "#059669",
  cacheCreation: "#9333ea",
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
