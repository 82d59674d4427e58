import type { ReleaseLock } from "@sessionstore/core";

/** How often a held lease is renewed, as a share of its length: two renewals can fail before it runs out. */
const RENEW_SHARE = 1 / 3;

/**
 * Keeps the lease of a refresh's store lock from running out while the
 * refresh's own work runs (reading the store, the token call, writing the new
 * pair): on a slow disk or a slow token endpoint a lease shorter than that
 * work would let a second process take the lock and spend the same refresh
 * token. Renewal pauses while a hook of the app runs, so a hook that hangs
 * still frees the lock after one lease; {@link resume} then says whether the
 * lock is still ours. Without `extend` (a store whose locks cannot renew)
 * every call is a no-op and the lease is what it was.
 */
export interface LeaseKeeper {
  /** Stops renewing (before a hook of the app runs). */
  pause(): void;
  /**
   * Renews again; when a renewal may be due it renews at once.
   * @returns `false` when the lock is no longer ours (taken over after its lease ran out).
   */
  resume(): Promise<boolean>;
  /** Stops for good (before the lock is released). */
  stop(): void;
}

export function keepLease(release: ReleaseLock, ttlMs: number, now: () => number = Date.now): LeaseKeeper {
  const { extend } = release;
  if (typeof extend !== "function") {
    return { pause() {}, resume: () => Promise.resolve(true), stop() {} };
  }
  const everyMs = Math.max(1, Math.floor(ttlMs * RENEW_SHARE));
  let renewedAt = now();
  let timer: ReturnType<typeof setInterval> | undefined;
  let inFlight: Promise<boolean> | undefined;

  const renew = (): Promise<boolean> => {
    // A custom adapter's extend may throw instead of rejecting: on a timer that would crash the process.
    inFlight ??= new Promise<boolean>((resolve) => resolve(extend.call(release, ttlMs)))
      .then(
        (renewed) => {
          if (renewed) renewedAt = now();
          return renewed;
        },
        // A backend that cannot answer cannot hand the lock to anyone else either: go on.
        () => true,
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  const start = () => {
    timer ??= setInterval(() => void renew(), everyMs);
    // Node: a pending renewal must not keep the process alive.
    (timer as { unref?: () => void }).unref?.();
  };
  const pause = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  start();
  return {
    pause,
    async resume() {
      start();
      return now() - renewedAt < everyMs ? true : renew();
    },
    stop: pause,
  };
}
