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
 */
export async function withDeadline<T>(operation: string, ms: number, work: Promise<T>): Promise<T> {
  // Once we gave up nobody is left to report a late failure to; mark it handled.
  work.catch(() => undefined);
  const outcome = await settleWithin(work, ms);
  if (outcome.settled) return outcome.value;
  throw new SessionStoreError(
    "ERR_STORE_UNAVAILABLE",
    `store ${operation} failed: Redis did not answer within ${ms} ms`,
    {
      cause: new Error(`no reply within ${ms} ms`),
    },
  );
}
