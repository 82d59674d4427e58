import { isSessionStoreError, type LockOptions, type ReleaseLock, toStoreError } from "@sessionstore/core";
import { lockTimeoutError, sleep, storeClosedError } from "@sessionstore/core/adapter";
import type { LockManagerLike, StorageLike } from "../types.js";

/** How long a releaser keeps its fence: far longer than localStorage takes to reach other tabs. */
const FENCE_MS = 5_000;
/** Least time a new holder may spend catching up with the previous holder's writes. */
const CATCH_UP_MS = 2_000;

/** What one store needs to take locks; `active` collects what `close()` calls (cancel waits, release locks, end fences). */
export interface LockContext {
  readonly locks: LockManagerLike;
  readonly storage: StorageLike;
  readonly active: Set<() => unknown>;
}

/**
 * Takes the Web Lock for `scope` (prefix + key) with lease semantics on top
 * of the browser's own: the browser frees it when the tab dies, and the lease
 * frees it `ttlMs` after it was handed over when a live holder never releases.
 * Waiting ends with `ERR_LOCK_TIMEOUT` through an `AbortSignal` after `waitMs`
 * (`ifAvailable` when `waitMs` is 0: the API refuses a signal with it).
 *
 * Exclusion alone is not enough: each tab reads localStorage from its own
 * cache, which learns of other tabs' writes asynchronously, so a new holder
 * could read the old session right after the previous holder wrote a new one.
 * So every release, still holding the lock, writes a number above every one
 * seen to a marker key (after the holder's writes, so other tabs receive it
 * after them) and holds a "fence" Web Lock named with that number for a
 * while; a new holder reads the highest fence (Web Locks state is the same in
 * every tab) and waits until its own cache shows that marker.
 */
export function acquireWebLock(
  { locks, storage, active }: LockContext,
  scope: string,
  key: string,
  { ttlMs, waitMs }: LockOptions,
): Promise<ReleaseLock> {
  // Web Locks reserves names starting with "-"; the fixed heads keep locks, fences and records apart
  // (a store prefix is never empty and never starts with NUL, so no record key starts with "\0lock\0").
  const fenceHead = `fence\0${scope}\0`;
  const markerKey = `\0lock\0${scope}`;
  const marker = () => Number(storage.getItem(markerKey)) || 0;
  const highestFence = async () => {
    let highest = 0;
    for (const { name = "" } of (await locks.query()).held ?? []) {
      // Another key's fence fails the number parse: its rest still holds a separator.
      if (name.startsWith(fenceHead)) highest = Math.max(highest, Number(name.slice(fenceHead.length)) || 0);
    }
    return highest;
  };
  const publishHandoff = async (seen: number) => {
    try {
      const next = Math.max(seen, await highestFence(), marker()) + 1;
      storage.setItem(markerKey, String(next));
      await new Promise<void>((granted, failed) => {
        locks
          .request(`${fenceHead}${next}`, { ifAvailable: true }, (fence) => {
            granted();
            return (
              fence &&
              new Promise<void>((end) => {
                const endFence = () => end(void active.delete(endFence));
                active.add(endFence);
                setTimeout(endFence, FENCE_MS);
              })
            );
          })
          .catch(failed);
      });
    } catch {
      // Best effort by design: a release must never fail (contract), and a full
      // storage only costs the next holder its wait for this marker.
    }
  };

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
      .request(`lock:${scope}`, waitMs > 0 ? { signal: waiting.signal } : { ifAvailable: true }, async (lock) => {
        stopWaiting();
        if (lock === null) throw lockTimeoutError(key, waitMs);
        const target = await highestFence();
        const deadline = Date.now() + Math.max(waitMs, CATCH_UP_MS);
        while (marker() < target) {
          if (Date.now() > deadline) throw lockTimeoutError(key, waitMs);
          await sleep(1);
        }
        // Held until `release` runs: by the caller, by the lease, or by close().
        await new Promise<void>((endHold) => {
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
        await publishHandoff(target);
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
