import { withDeadline as boundedCall } from "@sessionstore/core/adapter";

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
 * Runs `work` but gives up after `commandTimeoutMs` with `ERR_STORE_UNAVAILABLE`
 * (the adapter kit's bound, naming Redis). node-redis drops a command that
 * times out while still queued, but once written it waits for the reply as long
 * as the socket lives (a stalled server, a black-holed network), so the store
 * bounds every call itself. A command abandoned this way may still be applied
 * by Redis later.
 */
export function withDeadline<T>(
  operation: string,
  ms: number,
  work: Promise<T>,
  mapError?: (error: unknown) => unknown,
): Promise<T> {
  return boundedCall(operation, "Redis", ms, work, mapError);
}
