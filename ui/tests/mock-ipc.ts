/**
 * A stand-in for the Tauri IPC, injected into the page before it loads: the browser tests exercise the
 * windows alone (the end-to-end tests run the real app). `window.__ccmeterMock` lets a test change the
 * answers and emit the app's events.
 */
export interface MockAnswers {
  [command: string]: unknown;
}

/** The init script: `answers` is JSON, evaluated in the page. */
export function mockIpcScript(answers: MockAnswers): string {
  return `(() => {
    const state = { answers: ${JSON.stringify(answers)}, listeners: new Map(), calls: [], held: new Map() };
    // A stand-in for the app's Budget::from_text over the inputs these tests type: numbers read as numbers,
    // anything else refused the way the app words it.
    const adjectives = { day: "daily", week: "weekly", month: "monthly", session: "session" };
    function readBudget({ period, limit, thresholds }) {
      const name = adjectives[period];
      const usd = Number(limit.trim().replace(/^\\$/, ""));
      if (limit.trim() === "" || !Number.isFinite(usd)) {
        return Promise.reject({ kind: "invalid_settings", message: "the " + name + " budget needs a limit in USD, e.g. 10 or 12.50 (got " + JSON.stringify(limit) + ")" });
      }
      const parts = thresholds.split(",").map((part) => part.trim().replace(/%$/, "").trim());
      if (parts.some((part) => !/^\\d+$/.test(part))) {
        return Promise.reject({ kind: "invalid_settings", message: "the " + name + " budget's alerts are whole percentages separated by commas, e.g. 50, 80, 100 (got " + JSON.stringify(thresholds) + ")" });
      }
      return Promise.resolve({ limit_usd: usd, thresholds: [...new Set(parts.map(Number))].sort((a, b) => a - b) });
    }
    // A stand-in for the app's PriceOverride::from_text: amounts read as numbers, a blank cache price left out.
    function readPrice({ fields }) {
      const model = fields.model.trim();
      const price = { model };
      for (const [key, kind] of [["input", "input"], ["output", "output"], ["cache_read", "cache read"], ["cache_write_5m", "5-minute cache write"], ["cache_write_1h", "1-hour cache write"]]) {
        const text = fields[key].trim().replace(/^\\$/, "");
        if (text === "" && key.startsWith("cache")) {
          continue;
        }
        if (!/^\\d*\\.?\\d{0,6}$/.test(text) || text === "" || text === ".") {
          return Promise.reject({ kind: "invalid_settings", message: model + "'s " + kind + " price is in US dollars per million tokens, e.g. 5 or 0.3125, at most six decimals (got " + JSON.stringify(fields[key]) + ")" });
        }
        price[key] = Number(text);
      }
      return Promise.resolve(price);
    }
    let next = 1;
    const callbacks = new Map();
    window.__TAURI_INTERNALS__ = {
      metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
      transformCallback(callback) {
        const id = next++;
        callbacks.set(id, callback);
        return id;
      },
      unregisterCallback(id) { callbacks.delete(id); },
      convertFileSrc(path) { return path; },
      invoke: async (command, args) => {
        state.calls.push({ command, args });
        if (command === "plugin:event|listen") {
          const ids = state.listeners.get(args.event) ?? [];
          ids.push(args.handler);
          state.listeners.set(args.event, ids);
          return args.handler;
        }
        if (command === "plugin:event|unlisten") {
          return null;
        }
        if (command === "read_budget" && !(command in state.answers)) {
          return readBudget(args);
        }
        if (command === "read_price" && !(command in state.answers)) {
          return readPrice(args);
        }
        if (!(command in state.answers)) {
          throw new Error("mock IPC: no answer for " + command);
        }
        const answer = state.answers[command];
        // { __reject: {kind, message} } answers like a command that failed with that IpcError.
        if (answer !== null && typeof answer === "object" && "__reject" in answer) {
          throw answer.__reject;
        }
        // { __held: value } answers only once the test calls release(command): a long command in progress.
        if (answer !== null && typeof answer === "object" && "__held" in answer) {
          return new Promise((resolve) => state.held.set(command, () => resolve(structuredClone(answer.__held))));
        }
        return structuredClone(answer);
      },
    };
    window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener() {} };
    window.__ccmeterMock = {
      state,
      answer(command, value) { state.answers[command] = value; },
      emit(event, payload = null) {
        for (const id of state.listeners.get(event) ?? []) {
          callbacks.get(id)?.({ event, id: 0, payload });
        }
      },
      release(command) { state.held.get(command)?.(); },
    };
  })();`;
}
