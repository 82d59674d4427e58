/** Collects unhandled rejections and uncaught exceptions while installed (the "no crash" check). */
export interface CrashSentinel {
  readonly caught: unknown[];
  install(): void;
  /** Waits a few turns for stray promises, uninstalls, and returns what was caught. */
  uninstall(): Promise<unknown[]>;
}

export function crashSentinel(): CrashSentinel {
  const caught: unknown[] = [];
  const record = (reason: unknown) => caught.push(reason);
  return {
    caught,
    install() {
      caught.length = 0;
      process.on("unhandledRejection", record);
      process.on("uncaughtException", record);
    },
    async uninstall() {
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.off("unhandledRejection", record);
      process.off("uncaughtException", record);
      return [...caught];
    },
  };
}

/** How a call ended; `hung` when it did not settle within `limitMs` (a liveness limit, not a speed goal). */
export type Outcome<T> =
  | { status: "fulfilled"; value: T }
  | { status: "rejected"; reason: unknown }
  | { status: "hung" };

export async function outcomeOf<T>(call: () => PromiseLike<T> | T, limitMs = 15_000): Promise<Outcome<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ status: "hung" }), limitMs);
  });
  const settled = Promise.resolve()
    .then(call)
    .then(
      (value): Outcome<T> => ({ status: "fulfilled", value }),
      (reason: unknown): Outcome<T> => ({ status: "rejected", reason }),
    );
  try {
    return await Promise.race([settled, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls `attempt` until it resolves, at most `tries` times, `pauseMs` apart; rethrows the last failure. */
export async function eventually<T>(attempt: () => Promise<T>, tries = 60, pauseMs = 100): Promise<T> {
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
