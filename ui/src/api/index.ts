/**
 * Every call the windows make to the app, typed with the declarations generated from the Rust types
 * (`generated.ts`). Nothing else in the UI imports `@tauri-apps/api`.
 */
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import type { Dashboard, Status, WindowKind } from "./generated";

export type * from "./generated";

/** Emitted by the app after each committed batch (see src-tauri/src/commands.rs). */
const COMMITTED_EVENT = "store-committed";

/** The dashboard of local days `[since, until)`, both `YYYY-MM-DD`. */
export function dashboard(since: string, until: string): Promise<Dashboard> {
  return invoke<Dashboard>("dashboard", { since, until });
}

/** Where the receivers listen (or why not) and when data last came. */
export function status(): Promise<Status> {
  return invoke<Status>("status");
}

export function openWindow(kind: WindowKind): Promise<void> {
  return invoke<void>("open_window", { kind });
}

/**
 * Calls `handler` after new data is committed, at most once per `quietMs` (a burst of exports is one
 * refresh). Returns the function that stops listening.
 */
export async function onCommitted(handler: () => void, quietMs = 250): Promise<UnlistenFn> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unlisten = await listen(COMMITTED_EVENT, () => {
    if (timer === undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        handler();
      }, quietMs);
    }
  });
  return () => {
    clearTimeout(timer);
    unlisten();
  };
}
