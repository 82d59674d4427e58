import { canLock, type LockingStore, type ReleaseLock, type SessionStore } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { randomKey, type SuiteContext } from "./context.js";
import { expectCode } from "./expect-code.js";

type Renewable = ReleaseLock & { extend(ttlMs: number): Promise<boolean> };

/** Whether the locks of `store` can renew their lease (`ReleaseLock.extend`): asked once, at collection. */
export async function offersLockExtend(store: SessionStore): Promise<boolean> {
  if (!canLock(store)) return false;
  const release = await store.lock(randomKey("probe"), { ttlMs: 5_000, waitMs: 5_000 });
  try {
    return typeof release.extend === "function";
  } finally {
    await release();
  }
}

async function renewableLock(store: SessionStore, name: string, ttlMs: number): Promise<Renewable> {
  if (!canLock(store)) throw new Error("capabilities.lock is true but lock() is missing");
  const release = await (store as LockingStore).lock(name, { ttlMs, waitMs: 5_000 });
  if (typeof release.extend !== "function") throw new Error("this store's first lock had extend(), this one has not");
  return release as Renewable;
}

/**
 * Renewing a lease, for a holder whose work outlasts it (a slow token call).
 * Runs when the store's locks offer `extend`.
 */
export function describeLockExtend(ctx: SuiteContext): void {
  describe("lock lease renewal (extend)", () => {
    it("extend keeps others out past the lease the lock was taken with", async () => {
      const store = await ctx.open();
      const name = randomKey("extend");
      // Long enough that a busy machine still renews it before it runs out.
      const firstLease = ctx.lockTtlMs * 4;
      const release = await renewableLock(store, name, firstLease);
      expect(await release.extend(30_000)).toBe(true);
      // Without the renewal this wait would outlast the first lease and take the lock.
      await expectCode(
        () => (store as LockingStore).lock(name, { ttlMs: 30_000, waitMs: firstLease * 2 }),
        "ERR_LOCK_TIMEOUT",
      );
      await release();
      const next = await renewableLock(store, name, 30_000);
      await next();
    });

    it("extend after the lease passed to someone else is false and leaves their lock alone", async () => {
      const store = await ctx.open();
      const name = randomKey("extend-lost");
      const stale = await renewableLock(store, name, ctx.lockTtlMs);
      const current = await (store as LockingStore).lock(name, { ttlMs: 30_000, waitMs: ctx.lockTtlMs * 20 });
      expect(await stale.extend(30_000)).toBe(false);
      await expectCode(() => (store as LockingStore).lock(name, { ttlMs: 30_000, waitMs: 50 }), "ERR_LOCK_TIMEOUT");
      await current();
    });

    it("extend after release is false and does not take the lock back", async () => {
      const store = await ctx.open();
      const name = randomKey("extend-released");
      const release = await renewableLock(store, name, 30_000);
      await release();
      expect(await release.extend(30_000)).toBe(false);
      const next = await (store as LockingStore).lock(name, { ttlMs: 30_000, waitMs: 50 });
      await next();
    });

    it("extend refuses a bad ttlMs with ERR_INVALID_ARGUMENT and keeps the lock", async () => {
      const store = await ctx.open();
      const name = randomKey("extend-bad");
      const release = await renewableLock(store, name, 30_000);
      await expectCode(() => release.extend(0), "ERR_INVALID_ARGUMENT");
      await expectCode(() => release.extend(Number.NaN), "ERR_INVALID_ARGUMENT");
      await expectCode(() => (store as LockingStore).lock(name, { ttlMs: 30_000, waitMs: 50 }), "ERR_LOCK_TIMEOUT");
      await release();
    });
  });
}
