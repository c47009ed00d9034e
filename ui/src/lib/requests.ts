/**
 * How the windows ask the app for data: only the newest answer lands, typing waits for a pause, and a burst of
 * new data refreshes at once and then at a steady pace.
 */

/**
 * A loader whose calls race: each call's answer is applied only if no later call was made meanwhile, so a
 * slow answer for an old period or filter never overwrites a newer one.
 */
export function newestOnly(): <T>(request: () => Promise<T>, apply: (value: T) => void, fail: (problem: unknown) => void) => Promise<void> {
  let generation = 0;
  return async (request, apply, fail) => {
    const mine = ++generation;
    try {
      const value = await request();
      if (mine === generation) {
        apply(value);
      }
    } catch (problem) {
      if (mine === generation) {
        fail(problem);
      }
    }
  };
}

/** `run`, once the calls have paused for `ms` (a search box waits for the user to stop typing). */
export function debounce(run: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
}

/**
 * `run` at once when it has not run for `ms`, else once at the end of that spell: the first of a burst of
 * calls is served immediately, the rest together, and never more often than every `ms`.
 */
export function throttle(run: () => void, ms: number): { call: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = -Infinity;
  const fire = (): void => {
    timer = undefined;
    last = performance.now();
    run();
  };
  return {
    call: () => {
      if (timer !== undefined) {
        return;
      }
      const wait = last + ms - performance.now();
      if (wait <= 0) {
        fire();
      } else {
        timer = setTimeout(fire, wait);
      }
    },
    cancel: () => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
