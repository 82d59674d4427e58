import { invalidOption } from "../adapter/option-checks.js";
import { canLock, type LockOptions, type ReleaseLock, type SessionStore } from "../store.js";
import type { KeyedMutex } from "./keyed-mutex.js";
import { lockInProcess } from "./process-lock.js";
import { storeCall } from "./store-call.js";

/**
 * The lock a removal takes when the caller gives none: a lease as long as a
 * refresh's (the client's default), and a wait a little longer, so a removal
 * outlasts a refresh in flight, or a crashed holder's lease, instead of failing.
 */
export const DEFAULT_REMOVAL_LOCK: LockOptions = Object.freeze({ ttlMs: 30_000, waitMs: 35_000 });

/** The locks one manager (and its `forSubject` managers) handed out and that are not yet released. */
export interface SessionLocks {
  /** Whether this manager holds the lock of `recordKey` now (a refresh, a logout or a deferred write of this process). */
  isHeldFor(recordKey: string): boolean;
  /** Takes the lock named `lockKey` (the store's lock when it has one, else this process's) for a caller of `lock()`, who may read the session while holding it. */
  takeForCaller(lockKey: string, options: LockOptions): Promise<ReleaseLock>;
  /**
   * Whether a caller of `lock()` in this process holds the lock of `recordKey` now (not a removal's
   * own lock): that holder's reads must not wait for writes queued behind its lock.
   */
  isHeldByCallerFor(recordKey: string): boolean;
  /**
   * Runs `task` holding `lockKey`: under `heldLock` when the caller already
   * holds it (a logout), else under a lock taken (and released) here.
   * @throws `ERR_INVALID_ARGUMENT` for a `heldLock` that is not a live lock on `lockKey`.
   */
  runLocked<T>(
    lockKey: string,
    options: LockOptions,
    heldLock: ReleaseLock | undefined,
    task: () => Promise<T>,
  ): Promise<T>;
}

/** The lock name of a session's record key (it ends in ':lock', so it never queues behind that record's writes). */
export function lockNameFor(recordKey: string): string {
  return `${recordKey}:lock`;
}

export function createSessionLocks(store: SessionStore, mutex: KeyedMutex): SessionLocks {
  const live = new WeakMap<ReleaseLock, string>();
  const heldCounts = new Map<string, number>();
  const callerCounts = new Map<string, number>();
  const count = (counts: Map<string, number>, lockKey: string, by: number) => {
    const next = (counts.get(lockKey) ?? 0) + by;
    if (next > 0) counts.set(lockKey, next);
    else counts.delete(lockKey);
  };
  const take = async (lockKey: string, options: LockOptions, forCaller?: boolean): Promise<ReleaseLock> => {
    const release = canLock(store)
      ? await storeCall("lock", () => store.lock(lockKey, options))
      : await lockInProcess(mutex, lockKey, options);
    // A handle of our own, carrying what the store added to its release (Redis' `extend`).
    const handle: ReleaseLock = Object.assign(async () => {
      if (live.delete(handle)) {
        count(heldCounts, lockKey, -1);
        if (forCaller) count(callerCounts, lockKey, -1);
      }
      await release();
    }, release);
    live.set(handle, lockKey);
    count(heldCounts, lockKey, 1);
    if (forCaller) count(callerCounts, lockKey, 1);
    return handle;
  };
  return {
    // Asked on every read and write, and mostly nothing is held: no lock name is built then.
    isHeldFor: (recordKey) => heldCounts.size !== 0 && heldCounts.has(lockNameFor(recordKey)),
    takeForCaller: (lockKey, options) => take(lockKey, options, true),
    isHeldByCallerFor: (recordKey) => callerCounts.size !== 0 && callerCounts.has(lockNameFor(recordKey)),
    async runLocked(lockKey, options, heldLock, task) {
      if (heldLock !== undefined) {
        if (live.get(heldLock) !== lockKey) {
          throw invalidOption(
            "options.heldLock",
            "must be the release function of a lock(authType) on this session that was not released yet",
          );
        }
        return task();
      }
      const release = await take(lockKey, options);
      try {
        return await task();
      } finally {
        await release();
      }
    },
  };
}
