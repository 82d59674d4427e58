import { SessionStoreError } from "@sessionstore/core";

/**
 * Runs `work` but gives up after `ms` with `ERR_STORE_UNAVAILABLE` naming
 * `server`. mysql2 bounds the TCP connect (`connectTimeout`) but not a
 * statement, nor a pool passed in, so the store bounds every call.
 * A statement abandoned this way may still be applied by the server later.
 */
export function withDeadline<T>(operation: string, server: string, ms: number, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new SessionStoreError(
          "ERR_STORE_UNAVAILABLE",
          `store ${operation} failed: MySQL ${server} did not answer within ${ms} ms`,
          { cause: new Error(`no reply within ${ms} ms`) },
        ),
      );
    }, ms);
    timer.unref?.();
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
