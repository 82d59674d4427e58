import { assertLockOptions, lockTimeoutError } from "../adapter/helpers.js";
import type { LockOptions, ReleaseLock } from "../store.js";
import type { KeyedMutex } from "./keyed-mutex.js";

/**
 * The SessionManager's lock for stores that have none: exclusion within this
 * process only, queued on the manager's keyed mutex, with the same lease and
 * wait rules as a store lock. Built on the mutex the manager already has
 * rather than a second lock table: it ships in every browser bundle.
 */
export function lockInProcess(mutex: KeyedMutex, key: string, options: LockOptions): Promise<ReleaseLock> {
  const { ttlMs, waitMs } = assertLockOptions(options);
  return new Promise((resolve, reject) => {
    let wait: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
      wait = undefined;
      reject(lockTimeoutError(key, waitMs));
    }, waitMs);
    void mutex.run(
      key,
      () =>
        new Promise<void>((free) => {
          // Our turn came after we gave up: pass it on at once.
          if (wait === undefined) return free();
          clearTimeout(wait);
          // The lease: a holder that never releases frees the lock after ttlMs.
          const lease = setTimeout(free, ttlMs);
          resolve(async () => {
            clearTimeout(lease);
            free();
          });
        }),
    );
  });
}
