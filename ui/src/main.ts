import "./style.css";

/** Where ccmeter listens by default (loopback only). */
const GRPC_ENDPOINT = "http://127.0.0.1:4317";
const HTTP_ENDPOINT = "http://127.0.0.1:4318";

/** The entries a user adds under "env" in ~/.claude/settings.json, exactly as they are pasted. */
export function envBlock(grpcEndpoint: string): string {
  const entries: ReadonlyArray<readonly [string, string]> = [
    ["CLAUDE_CODE_ENABLE_TELEMETRY", "1"],
    ["OTEL_METRICS_EXPORTER", "otlp"],
    ["OTEL_LOGS_EXPORTER", "otlp"],
    ["OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"],
    ["OTEL_EXPORTER_OTLP_ENDPOINT", grpcEndpoint],
  ];
  return entries.map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(",\n");
}

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) {
    throw new Error(`#${id} is missing or is not a ${type.name}`);
  }
  return found;
}

/** Copies through the Clipboard API, falling back to a selection copy where the API is unavailable. */
async function copyText(text: string, source: HTMLElement): Promise<void> {
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

function setUp(): void {
  const block = element("env-block", HTMLPreElement);
  const button = element("copy-env", HTMLButtonElement);
  const status = element("copy-status", HTMLSpanElement);
  const httpEndpoint = element("http-endpoint", HTMLElement);

  const text = envBlock(GRPC_ENDPOINT);
  block.textContent = text;
  httpEndpoint.textContent = HTTP_ENDPOINT;

  let reset: number | undefined;
  button.addEventListener("click", () => {
    window.clearTimeout(reset);
    copyText(text, block).then(
      () => {
        button.textContent = "Copied";
        button.dataset["state"] = "done";
        status.textContent = "Copied to the clipboard.";
      },
      () => {
        button.textContent = "Select and copy";
        button.dataset["state"] = "failed";
        status.textContent = "Could not reach the clipboard: select the text and copy it.";
      },
    );
    reset = window.setTimeout(() => {
      button.textContent = "Copy";
      delete button.dataset["state"];
      status.textContent = "";
    }, 2000);
  });
}

setUp();
