/** The receivers' status as a window shows it: read at once, again after each commit, with a clock for "N s ago". */
import * as api from "../api";
import type { Status } from "../api";

export class LiveStatus {
  status = $state<Status | null>(null);
  /** Ticks every few seconds so "last data N s ago" stays true. */
  now = $state(Date.now());

  /** Starts following the app (call it from `onMount`); returns the function that stops. */
  start(): () => void {
    const refresh = (): void => void api.status().then((s) => (this.status = s));
    refresh();
    const tick = setInterval(() => (this.now = Date.now()), 5000);
    let unlisten: (() => void) | undefined;
    void api.onCommitted(refresh).then((stop) => (unlisten = stop));
    return () => {
      clearInterval(tick);
      unlisten?.();
    };
  }
}
