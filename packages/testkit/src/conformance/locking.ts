import { canList, canLock, type LockingStore, type SessionStore } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { randomKey, type SuiteContext } from "./context.js";
import { call, expectCode } from "./expect-code.js";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lockingStore(store: SessionStore): LockingStore {
  if (!canLock(store)) throw new Error("capabilities.lock is true but lock() is missing");
  return store;
}

/** Mutual exclusion with a lease, for cross-process refresh. Runs when `capabilities.lock`. */
export function describeLocking(ctx: SuiteContext): void {
  describe("locking", () => {
    const long = { ttlMs: 30_000, waitMs: 5_000 };

    it("excludes a second holder until the first releases", async () => {
      const store = lockingStore(await ctx.open());
      const name = randomKey("lock");
      const release = await store.lock(name, long);
      await expectCode(() => store.lock(name, { ttlMs: 30_000, waitMs: 50 }), "ERR_LOCK_TIMEOUT");
      await release();
      const again = await store.lock(name, { ttlMs: 30_000, waitMs: 50 });
      await again();
    });

    it("a waiting caller gets the lock as soon as it is released", async () => {
      const store = lockingStore(await ctx.open());
      const name = randomKey("wait");
      const release = await store.lock(name, long);
      const waiter = store.lock(name, long);
      await sleep(50);
      await release();
      const releaseWaiter = await waiter;
      await releaseWaiter();
    });

    it("serialises many contenders: never two inside at once, all get in", async () => {
      const store = lockingStore(await ctx.open());
      const name = randomKey("contend");
      let inside = 0;
      let maxInside = 0;
      let entered = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          const release = await store.lock(name, { ttlMs: 30_000, waitMs: 20_000 });
          inside += 1;
          entered += 1;
          maxInside = Math.max(maxInside, inside);
          await sleep(5);
          inside -= 1;
          await release();
        }),
      );
      expect(entered).toBe(8);
      expect(maxInside).toBe(1);
    });

    it("a lease that runs out frees the lock for the next holder", async () => {
      const store = lockingStore(await ctx.open());
      const name = randomKey("lease");
      await store.lock(name, { ttlMs: ctx.lockTtlMs, waitMs: 0 });
      // Never released, as if the holder died: the lease must end it.
      const next = await store.lock(name, { ttlMs: 30_000, waitMs: ctx.lockTtlMs * 20 });
      await next();
    });

    it("a stale release (after the lease ran out) does not free the new holder's lock", async () => {
      const store = lockingStore(await ctx.open());
      const name = randomKey("stale");
      const staleRelease = await store.lock(name, { ttlMs: ctx.lockTtlMs, waitMs: 0 });
      const current = await store.lock(name, { ttlMs: 30_000, waitMs: ctx.lockTtlMs * 20 });
      await staleRelease();
      await staleRelease();
      await expectCode(() => store.lock(name, { ttlMs: 30_000, waitMs: 50 }), "ERR_LOCK_TIMEOUT");
      await current();
    });

    it("releasing twice is harmless", async () => {
      const store = lockingStore(await ctx.open());
      const name = randomKey("twice");
      const release = await store.lock(name, long);
      await release();
      await release();
      const again = await store.lock(name, { ttlMs: 30_000, waitMs: 50 });
      await again();
    });

    it("a lock is not a record: get and list do not see it, and the record at that name is untouched", async () => {
      const store = lockingStore(await ctx.open());
      const name = randomKey("named");
      await call(() => store.set(name, { v: 1, kept: true }));
      const release = await store.lock(name, long);
      expect(await call(() => store.get(name))).toEqual({ v: 1, kept: true });
      if (canList(store)) expect(await call(() => store.list(name))).toEqual([name]);
      await release();
      expect(await call(() => store.get(name))).toEqual({ v: 1, kept: true });
      const other = randomKey("unset");
      const releaseOther = await store.lock(other, long);
      expect(await call(() => store.get(other))).toBeUndefined();
      await releaseOther();
    });

    it("refuses bad lock options with ERR_INVALID_ARGUMENT", async () => {
      const store = lockingStore(await ctx.open());
      const name = randomKey("bad");
      await expectCode(() => store.lock(name, { ttlMs: 0, waitMs: 10 }), "ERR_INVALID_ARGUMENT");
      await expectCode(() => store.lock(name, { ttlMs: Number.NaN, waitMs: 10 }), "ERR_INVALID_ARGUMENT");
      await expectCode(() => store.lock(name, { ttlMs: 1_000, waitMs: -1 }), "ERR_INVALID_ARGUMENT");
    });
  });
}
