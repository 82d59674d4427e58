/** How a call ended: fulfilled, rejected, or still pending after the limit (a hang). `ms` is how long it took. */
export type Outcome<T> =
  | { readonly status: "fulfilled"; readonly value: T; readonly ms: number }
  | { readonly status: "rejected"; readonly reason: unknown; readonly ms: number }
  | { readonly status: "hung"; readonly ms: number };

/**
 * Runs `call` and reports how it ended, for fault tests ("fails within the
 * bound, never hangs"). `limitMs` is a liveness limit far above any configured
 * bound: it tells a hang from an answer; it is not a speed goal.
 */
export async function outcomeOf<T>(call: () => PromiseLike<T> | T, limitMs = 15_000): Promise<Outcome<T>> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ status: "hung", ms: elapsed() }), limitMs);
  });
  const settled = Promise.resolve()
    .then(call)
    .then(
      (value): Outcome<T> => ({ status: "fulfilled", value, ms: elapsed() }),
      (reason: unknown): Outcome<T> => ({ status: "rejected", reason, ms: elapsed() }),
    );
  try {
    return await Promise.race([settled, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `attempt` until it resolves, at most `tries` times, `pauseMs` apart,
 * and rethrows the last failure: for "recovers after the backend returns".
 */
export async function eventually<T>(attempt: () => PromiseLike<T> | T, tries = 100, pauseMs = 100): Promise<T> {
  let lastError: unknown;
  for (let index = 0; index < tries; index += 1) {
    try {
      return await attempt();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
  throw lastError;
}
