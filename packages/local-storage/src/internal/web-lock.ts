import {
  isSessionStoreError,
  type LockOptions,
  lockTimeoutError,
  type ReleaseLock,
  sleep,
  storeClosedError,
  toStoreError,
} from "@sessionstore/core";
import type { LockManagerLike, StorageLike } from "../types.js";

/** How long a releaser keeps its fence: far longer than localStorage takes to reach other tabs. */
const FENCE_MS = 5_000;
/** Least time a new holder may spend catching up with the previous holder's writes. */
const CATCH_UP_MS = 2_000;

/** Where one lock lives: its Web Lock name, its fences' name head, and its storage marker key. */
export interface LockNames {
  readonly lock: string;
  readonly fence: string;
  readonly marker: string;
}

/** What one store needs to take locks; `active` collects what `close()` calls (cancel waits, release locks, end fences). */
export interface LockContext {
  readonly locks: LockManagerLike;
  readonly storage: StorageLike;
  readonly active: Set<() => unknown>;
}

async function highestFence({ locks }: LockContext, names: LockNames): Promise<number> {
  let highest = 0;
  for (const { name = "" } of (await locks.query()).held ?? []) {
    // Another key's fence fails the number parse: its rest still holds a separator.
    if (name.startsWith(names.fence)) highest = Math.max(highest, Number(name.slice(names.fence.length)) || 0);
  }
  return highest;
}

const readMarker = ({ storage }: LockContext, names: LockNames) => Number(storage.getItem(names.marker)) || 0;

/**
 * Runs while the lock is still held: writes a number above every one seen to
 * the marker (after the holder's writes, so other tabs receive it after them)
 * and holds a fence lock named with it, so the next holder knows what to wait for.
 */
async function publishHandoff(context: LockContext, names: LockNames, seen: number): Promise<void> {
  try {
    const next = Math.max(seen, await highestFence(context, names), readMarker(context, names)) + 1;
    context.storage.setItem(names.marker, String(next));
    await new Promise<void>((granted, failed) => {
      context.locks
        .request(names.fence + next, { ifAvailable: true }, (fence) => {
          granted();
          return (
            fence &&
            new Promise<void>((end) => {
              const endFence = () => {
                context.active.delete(endFence);
                end();
              };
              context.active.add(endFence);
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
}

/**
 * Takes the Web Lock `names.lock` with lease semantics on top of the
 * browser's own: the browser frees it when the tab dies, and the lease frees
 * it `ttlMs` after it was handed over when a live holder never releases.
 * Waiting ends with `ERR_LOCK_TIMEOUT` through an `AbortSignal` after `waitMs`
 * (`ifAvailable` when `waitMs` is 0: the API refuses a signal with it).
 *
 * Exclusion alone is not enough: each tab reads localStorage from its own
 * cache, which learns of other tabs' writes asynchronously, so a new holder
 * could read the old session right after the previous holder wrote a new one.
 * So every release publishes a hand-off (see `publishHandoff`), and a new
 * holder waits until its cache shows the highest fenced marker.
 */
export function acquireWebLock(
  context: LockContext,
  names: LockNames,
  key: string,
  { ttlMs, waitMs }: LockOptions,
): Promise<ReleaseLock> {
  const { active } = context;
  const waiting = new AbortController();
  const timer = setTimeout(() => waiting.abort(lockTimeoutError(key, waitMs)), waitMs);
  const cancel = () => waiting.abort(storeClosedError());
  active.add(cancel);
  const stopWaiting = () => {
    clearTimeout(timer);
    active.delete(cancel);
  };
  return new Promise<ReleaseLock>((resolve, reject) => {
    const settled: Promise<void> = context.locks
      .request(names.lock, waitMs > 0 ? { signal: waiting.signal } : { ifAvailable: true }, async (lock) => {
        stopWaiting();
        if (lock === null) throw lockTimeoutError(key, waitMs);
        const target = await highestFence(context, names);
        const deadline = Date.now() + Math.max(waitMs, CATCH_UP_MS);
        while (readMarker(context, names) < target) {
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
        await publishHandoff(context, names, target);
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
