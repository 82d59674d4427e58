import { SessionStoreError } from "@sessionstore/core";

/** A timer that never keeps the process alive on its own. */
function unrefTimer(callback: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(callback, ms);
  timer.unref?.();
  return timer;
}

/** Resolves `{ settled: true, value }` if `promise` resolves within `ms`, `{ settled: false }` otherwise. */
export async function settleWithin<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ settled: true; value: T } | { settled: false }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<{ settled: false }>((resolve) => {
    timer = unrefTimer(() => resolve({ settled: false }), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ settled: true as const, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `work` but gives up after `ms` with `ERR_STORE_UNAVAILABLE`. node-redis
 * drops a command that times out while still queued, but once written it waits
 * for the reply as long as the socket lives (a stalled server, a black-holed
 * network), so the store bounds every call itself. A command abandoned this
 * way may still be applied by Redis later.
 *
 * This runs on every call, so it costs one promise and one timer, nothing more
 * (no race, no wrapper objects): Node keeps timers of equal duration in one list,
 * so arming and clearing one is cheap.
 */
export function withDeadline<T>(operation: string, ms: number, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = unrefTimer(() => {
      reject(
        new SessionStoreError(
          "ERR_STORE_UNAVAILABLE",
          `store ${operation} failed: Redis did not answer within ${ms} ms`,
          {
            cause: new Error(`no reply within ${ms} ms`),
          },
        ),
      );
    }, ms);
    // The rejection handler also marks a late failure handled once we gave up.
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
