/** How a call ended: fulfilled, rejected, or still pending after `limitMs` (a hang). */
export type Outcome<T> =
  | { status: "fulfilled"; value: T; ms: number }
  | { status: "rejected"; reason: unknown; ms: number }
  | { status: "hung"; ms: number };

/**
 * Runs `call` and reports how it ended. `limitMs` is a liveness limit, far
 * above any configured bound: it tells a hang from an answer, it is not a speed goal.
 */
export async function outcomeOf<T>(call: () => Promise<T>, limitMs = 15_000): Promise<Outcome<T>> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ status: "hung", ms: elapsed() }), limitMs);
  });
  const settled = call().then(
    (value): Outcome<T> => ({ status: "fulfilled", value, ms: elapsed() }),
    (reason: unknown): Outcome<T> => ({ status: "rejected", reason, ms: elapsed() }),
  );
  try {
    return await Promise.race([settled, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls `attempt` until it resolves, at most `tries` times, `pauseMs` apart; rethrows the last failure. */
export async function eventually<T>(attempt: () => Promise<T>, tries = 40, pauseMs = 250): Promise<T> {
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

/** Collects unhandled rejections and uncaught exceptions while installed. */
export function crashSentinel(): { readonly caught: unknown[]; install(): void; uninstall(): void } {
  const caught: unknown[] = [];
  const record = (reason: unknown) => caught.push(reason);
  return {
    caught,
    install() {
      caught.length = 0;
      process.on("unhandledRejection", record);
      process.on("uncaughtException", record);
    },
    uninstall() {
      process.off("unhandledRejection", record);
      process.off("uncaughtException", record);
    },
  };
}
