/** The Claude Code settings that point its telemetry at ccmeter. */
import { CLAUDE_CODE_ENV } from "../api/generated";

/** The entries a user adds under "env" in ~/.claude/settings.json, exactly as they are pasted (the same entries
 * `ccmeter connect` writes). */
export function envBlock(grpcEndpoint: string): string {
  return CLAUDE_CODE_ENV.map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(key === "OTEL_EXPORTER_OTLP_ENDPOINT" ? grpcEndpoint : value)}`).join(
    ",\n",
  );
}

/** `127.0.0.1:4317` → `http://127.0.0.1:4317` (IPv6 hosts are already bracketed by the backend). */
export function endpoint(address: string | null, fallback: string): string {
  return `http://${address ?? fallback}`;
}

/** Copies through the Clipboard API, falling back to a selection copy where the API is unavailable. */
export async function copyText(text: string, source: HTMLElement): Promise<void> {
  if (navigator.clipboard !== undefined && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Permission refused by the web view: fall through to the selection copy.
    }
  }
  const selection = window.getSelection();
  if (selection === null) {
    throw new Error("no selection available");
  }
  const range = document.createRange();
  range.selectNodeContents(source);
  selection.removeAllRanges();
  selection.addRange(range);
  // Deprecated but still the only synchronous fallback in WebKitGTK without clipboard permission.
  const copied = document.execCommand("copy");
  selection.removeAllRanges();
  if (!copied) {
    throw new Error("copy command refused");
  }
}
