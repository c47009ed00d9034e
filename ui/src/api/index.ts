/**
 * Every call the windows make to the app, typed with the declarations generated from the Rust types
 * (`generated.ts`). Nothing else in the UI imports `@tauri-apps/api`.
 */
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { ask, save } from "@tauri-apps/plugin-dialog";

import { throttle } from "../lib/requests";
import { STORE_COMMITTED_EVENT } from "./generated";
import type {
  About,
  ConnectPlan,
  Connected,
  Dashboard,
  Deleted,
  Format,
  LogPage,
  LogQuery,
  SessionPage,
  SessionsQuery,
  SessionView,
  Settings,
  SettingsPatch,
  Status,
  WindowKind,
} from "./generated";

export type * from "./generated";
/** The rules the UI shares with the app, generated from their one Rust copy. */
export { CLAUDE_CODE_ENV, DEFAULT_GRPC_ADDR, DEFAULT_HTTP_ADDR, DEFAULT_THRESHOLDS, PERIODS, WINDOW_KINDS } from "./generated";

/** The dashboard of local days `[since, until)`, both `YYYY-MM-DD`. */
export function dashboard(since: string, until: string): Promise<Dashboard> {
  return invoke<Dashboard>("dashboard", { since, until });
}

/** Where the receivers listen (or why not) and when data last came. */
export function status(): Promise<Status> {
  return invoke<Status>("status");
}

/** One page of the sessions table. */
export function sessions(query: SessionsQuery): Promise<SessionPage> {
  return invoke<SessionPage>("sessions", { query });
}

/** One page of the tool-execution or API-error log. */
export function log(query: LogQuery): Promise<LogPage> {
  return invoke<LogPage>("log", { query });
}

/** Every model seen, most used first. */
export function models(): Promise<string[]> {
  return invoke<string[]>("models");
}

/** A session's totals, timeline and cost over time; `null` when it does not exist (any more). */
export function session(id: string): Promise<SessionView | null> {
  return invoke<SessionView | null>("session", { id });
}

/**
 * Asks where to save (the platform's save dialog), then writes every session matching `query` there.
 * Resolves to the number of sessions written, or `null` when the user cancelled.
 */
export async function exportSessions(query: SessionsQuery, format: Format): Promise<number | null> {
  const path = await askPath(`ccmeter-sessions.${format}`, format);
  return path === null ? null : invoke<number>("export_sessions", { query, path, format });
}

/** Asks where to save, then writes one session's timeline (CSV) or the whole session (JSON). */
export async function exportSession(id: string, format: Format): Promise<number | null> {
  const path = await askPath(`ccmeter-session-${id.slice(0, 8) || "no-session"}.${format}`, format);
  return path === null ? null : invoke<number>("export_session", { id, path, format });
}

async function askPath(defaultPath: string, format: Format): Promise<string | null> {
  const name = format === "csv" ? "CSV (spreadsheets)" : "JSON";
  return save({ defaultPath, filters: [{ name, extensions: [format] }] });
}

/** The saved settings (defaults for what was never set). */
export function settings(): Promise<Settings> {
  return invoke<Settings>("settings");
}

/**
 * Applies the fields given to the settings as stored now, validates and saves them; resolves with what was
 * saved, rejects with a message that says what to change. Fields left out are kept as they are.
 */
export function saveSettings(patch: SettingsPatch): Promise<Settings> {
  return invoke<Settings>("save_settings", { patch });
}

/** Asks the user to confirm a destructive action, in the platform's own dialog. */
export function confirm(message: string, title: string, okLabel: string): Promise<boolean> {
  return ask(message, { title, kind: "warning", okLabel, cancelLabel: "Cancel" });
}

/** Deletes one session and everything it recorded (ask first: see `confirm`). */
export function deleteSession(id: string): Promise<Deleted> {
  return invoke<Deleted>("delete_session", { id });
}

/** Deletes every record of local days `[since, until)` (ask first: see `confirm`). */
export function deleteDays(since: string, until: string): Promise<Deleted> {
  return invoke<Deleted>("delete_days", { since, until });
}

/** What connecting Claude Code would change in its settings.json (nothing is written). */
export function connectPlan(): Promise<ConnectPlan> {
  return invoke<ConnectPlan>("connect_plan");
}

/** Merges the telemetry settings into Claude Code's settings.json, a backup first. */
export function connectApply(): Promise<Connected> {
  return invoke<Connected>("connect_apply");
}

/** Version, data folder, database, receivers and last data, with the text "copy diagnostics" copies. */
export function about(): Promise<About> {
  return invoke<About>("about");
}

export function openWindow(kind: WindowKind): Promise<void> {
  return invoke<void>("open_window", { kind });
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
