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
    const state = { answers: ${JSON.stringify(answers)}, listeners: new Map(), calls: [] };
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
      async invoke(command, args) {
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
        if (!(command in state.answers)) {
          throw new Error("mock IPC: no answer for " + command);
        }
        const answer = state.answers[command];
        // { __reject: {kind, message} } answers like a command that failed with that IpcError.
        if (answer !== null && typeof answer === "object" && "__reject" in answer) {
          throw answer.__reject;
        }
        return structuredClone(answer);
      },
    };
    window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener() {} };
    window.__ccmeterMock = {
      state,
      answer(command, value) { state.answers[command] = value; },
      emit(event) {
        for (const id of state.listeners.get(event) ?? []) {
          callbacks.get(id)?.({ event, id: 0, payload: null });
        }
      },
    };
  })();`;
}
