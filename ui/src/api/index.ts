/**
 * Every call the windows make to the app: the commands generated from their one Rust list with the types
 * (`generated.ts`), the save and confirm dialogs, and the commit event. Nothing else in the UI imports
 * `@tauri-apps/*`, and nothing hand-written calls `invoke`.
 */
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { ask, save } from "@tauri-apps/plugin-dialog";

import { throttle } from "../lib/requests";
import { IMPORT_PROGRESS_EVENT, STORE_COMMITTED_EVENT, commands } from "./generated";
import type { Format, IpcError, SessionsQuery } from "./generated";

export type * from "./generated";
/** The rules the UI shares with the app, generated from their one Rust copy. */
export {
  CLAUDE_CODE_ENV,
  DEFAULT_GRPC_ADDR,
  DEFAULT_HTTP_ADDR,
  DEFAULT_METRICS_ADDR,
  DEFAULT_THRESHOLDS,
  LIMIT_RISES_UP_TO_DAYS,
  PERIODS,
  WINDOW_KINDS,
} from "./generated";

/** Every command, typed from their one Rust list; each rejects with an `IpcError` (see `problemText`). */
export const {
  dashboard,
  status,
  sessions,
  log,
  models,
  projects,
  session,
  settings,
  readBudget,
  readPrice,
  saveSettings,
  deleteSession,
  deleteDays,
  connectPlan,
  connectApply,
  about,
  openWindow,
  importTranscripts,
  modelPrices,
} = commands;

/** What went wrong, in words: an `IpcError`'s message, or whatever else was thrown as text. */
export function problemText(error: unknown): string {
  if (isIpcError(error)) return error.message;
  return String(error);
}

/** Whether `error` is an error the app sent (`{kind, message}`), so its `kind` can be acted on. */
export function isIpcError(error: unknown): error is IpcError {
  return typeof error === "object" && error !== null && "kind" in error && "message" in error;
}

/**
 * Asks where to save (the platform's save dialog), then writes every session matching `query` there.
 * Resolves to the number of sessions written, or `null` when the user cancelled.
 */
export async function exportSessions(query: SessionsQuery, format: Format): Promise<number | null> {
  const path = await askPath(`ccmeter-sessions.${format}`, format);
  return path === null ? null : commands.exportSessions(query, path, format);
}

/** Asks where to save, then writes one session's timeline (CSV) or the whole session (JSON). */
export async function exportSession(id: string, format: Format): Promise<number | null> {
  const path = await askPath(`ccmeter-session-${id.slice(0, 8) || "no-session"}.${format}`, format);
  return path === null ? null : commands.exportSession(id, path, format);
}

async function askPath(defaultPath: string, format: Format): Promise<string | null> {
  const name = format === "csv" ? "CSV (spreadsheets)" : "JSON";
  return save({ defaultPath, filters: [{ name, extensions: [format] }] });
}

/** Asks the user to confirm a destructive action, in the platform's own dialog. */
export function confirm(message: string, title: string, okLabel: string): Promise<boolean> {
  return ask(message, { title, kind: "warning", okLabel, cancelLabel: "Cancel" });
}

/**
 * Calls `handler` after new data is committed: at once for the first commit after a quiet spell (so the window
 * shows an export within milliseconds), then at most once per `quietMs` while commits keep coming (a burst
 * of exports is one more refresh, not one each). Returns the function that stops listening.
 */
export async function onCommitted(handler: () => void, quietMs = 250): Promise<UnlistenFn> {
  const refresh = throttle(handler, quietMs);
  const unlisten = await listen(STORE_COMMITTED_EVENT, refresh.call);
  return () => {
    refresh.cancel();
    unlisten();
  };
}

/** How far an import of Claude Code's transcripts is: files read of files found. */
export interface ImportProgress {
  read: number;
  all: number;
}

/** Calls `handler` as an import of the transcripts goes (the app sends it a few times a second). */
export async function onImportProgress(handler: (progress: ImportProgress) => void): Promise<UnlistenFn> {
  return listen<ImportProgress>(IMPORT_PROGRESS_EVENT, (event) => handler(event.payload));
}
