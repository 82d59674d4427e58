import {
  isSessionStoreError,
  type LockOptions,
  lockTimeoutError,
  type ReleaseLock,
  storeClosedError,
  toStoreError,
} from "@sessionstore/core";
import type { LockManagerLike } from "../types.js";

/**
 * Takes the Web Lock `name` with lease semantics on top of the browser's own:
 * the browser frees it when the tab dies, and the lease frees it `ttlMs` after
 * it was granted when a live holder never releases (a hung await).
 * Waiting ends with `ERR_LOCK_TIMEOUT` through an `AbortSignal` after `waitMs`
 * (`ifAvailable` when `waitMs` is 0: the API refuses a signal with it).
 * `active` collects what `close()` must call: cancels of waits, releases of held locks.
 */
export function acquireWebLock(
  locks: LockManagerLike,
  name: string,
  key: string,
  { ttlMs, waitMs }: LockOptions,
  active: Set<() => unknown>,
): Promise<ReleaseLock> {
  const waiting = new AbortController();
  const timer = setTimeout(() => waiting.abort(lockTimeoutError(key, waitMs)), waitMs);
  const cancel = () => waiting.abort(storeClosedError());
  active.add(cancel);
  const stopWaiting = () => {
    clearTimeout(timer);
    active.delete(cancel);
  };
  return new Promise<ReleaseLock>((resolve, reject) => {
    const settled: Promise<void> = locks
      .request(name, waitMs > 0 ? { signal: waiting.signal } : { ifAvailable: true }, (lock) => {
        stopWaiting();
        if (lock === null) throw lockTimeoutError(key, waitMs);
        // The lock is held until this promise settles.
        return new Promise<void>((endHold) => {
          const release = async () => {
            clearTimeout(lease);
            active.delete(release);
            endHold();
            await settled;
          };
          const lease = setTimeout(release, ttlMs);
          active.add(release);
          resolve(release);
        });
      })
      .then(
        () => undefined,
        (error: unknown) => {
          stopWaiting();
          // An abort carries the reason we gave it: the wait timed out or the store closed.
          reject(isSessionStoreError(error) ? error : toStoreError(error, "lock"));
        },
      );
  });
}
