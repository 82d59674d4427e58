import { canLock, type LockingStore, type ReleaseLock, type SessionStore } from "@sessionstore/core";
import { describe, expect, it, type TestContext } from "vitest";
import { randomKey, type SuiteContext } from "./context.js";
import { expectCode } from "./expect-code.js";

type Renewable = ReleaseLock & { extend(ttlMs: number): Promise<boolean> };

/**
 * A lock on `name` whose release can renew its lease; skips the test for a
 * store whose locks cannot (asked when the test runs: the backend may only
 * start in the caller's `beforeAll`).
 */
async function renewableLock(context: TestContext, store: SessionStore, name: string, ttlMs: number) {
  if (!canLock(store)) throw new Error("capabilities.lock is true but lock() is missing");
  const release = await store.lock(name, { ttlMs, waitMs: 5_000 });
  if (typeof release.extend !== "function") {
    await release();
    context.skip("this store's locks offer no extend(): their lease cannot be renewed");
  }
  return release as Renewable;
}

/**
 * Renewing a lease, for a holder whose work outlasts it (a slow token call).
 * Runs when `capabilities.lock`; skipped when the store's locks offer no `extend`.
 */
export function describeLockExtend(ctx: SuiteContext): void {
  describe("lock lease renewal (extend)", () => {
    it("extend keeps others out past the lease the lock was taken with", async (context) => {
      const store = await ctx.open();
      const name = randomKey("extend");
      // Long enough that a busy machine still renews it before it runs out.
      const firstLease = ctx.lockTtlMs * 4;
      const release = await renewableLock(context, store, name, firstLease);
      expect(await release.extend(30_000)).toBe(true);
      // Without the renewal this wait would outlast the first lease and take the lock.
      await expectCode(
        () => (store as LockingStore).lock(name, { ttlMs: 30_000, waitMs: firstLease * 2 }),
        "ERR_LOCK_TIMEOUT",
      );
      await release();
      const next = await renewableLock(context, store, name, 30_000);
      await next();
    });

    it("extend after the lease passed to someone else is false and leaves their lock alone", async (context) => {
      const store = await ctx.open();
      const name = randomKey("extend-lost");
      const stale = await renewableLock(context, store, name, ctx.lockTtlMs);
      const current = await (store as LockingStore).lock(name, { ttlMs: 30_000, waitMs: ctx.lockTtlMs * 20 });
      expect(await stale.extend(30_000)).toBe(false);
      await expectCode(() => (store as LockingStore).lock(name, { ttlMs: 30_000, waitMs: 50 }), "ERR_LOCK_TIMEOUT");
      await current();
    });

    it("extend after release is false and does not take the lock back", async (context) => {
      const store = await ctx.open();
      const name = randomKey("extend-released");
      const release = await renewableLock(context, store, name, 30_000);
      await release();
      expect(await release.extend(30_000)).toBe(false);
      const next = await (store as LockingStore).lock(name, { ttlMs: 30_000, waitMs: 50 });
      await next();
    });

    it("extend refuses a bad ttlMs with ERR_INVALID_ARGUMENT and keeps the lock", async (context) => {
      const store = await ctx.open();
      const name = randomKey("extend-bad");
      const release = await renewableLock(context, store, name, 30_000);
      await expectCode(() => release.extend(0), "ERR_INVALID_ARGUMENT");
      await expectCode(() => release.extend(Number.NaN), "ERR_INVALID_ARGUMENT");
      await expectCode(() => (store as LockingStore).lock(name, { ttlMs: 30_000, waitMs: 50 }), "ERR_LOCK_TIMEOUT");
      await release();
    });
  });
}
