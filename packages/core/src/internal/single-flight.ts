/**
 * At most one call in flight per key: callers that arrive while one runs share
 * its result (and its failure). Used for refresh, so N concurrent requests on an
 * expired token make one token call.
 */
export interface SingleFlight {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Whether a call for `key` is running now. */
  has(key: string): boolean;
}

export function createSingleFlight(): SingleFlight {
  const inFlight = new Map<string, Promise<unknown>>();
  return {
    has: (key) => inFlight.has(key),
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const running = inFlight.get(key);
      if (running) return running as Promise<T>;
      const started = (async () => {
        try {
          return await task();
        } finally {
          inFlight.delete(key);
        }
      })();
      inFlight.set(key, started);
      return started;
    },
  };
}
