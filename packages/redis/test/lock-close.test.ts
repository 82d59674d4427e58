// A lock() still waiting for a lock another holder has, when its store is
// closed, must say the store was closed (ERR_STORE_CLOSED), not that Redis is
// unavailable: the caller closed it, and nothing is wrong with Redis.
import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AdminClient,
  connectAdmin,
  dropNamespace,
  SHARED_REDIS_URL,
  uniqueNamespace,
} from "./support/shared-redis.js";

describe("lock() pending at close()", () => {
  let admin: AdminClient;
  const namespace = uniqueNamespace("lock-close");
  const stores: RedisStore[] = [];
  const open = (options: { lockPollMs?: number } = {}) => {
    const store = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix: namespace, ...options });
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    admin = await connectAdmin();
  });
  afterAll(async () => {
    await Promise.allSettled(stores.map((store) => store.close()));
    await dropNamespace(admin, namespace);
    await admin.close();
  });

  it.each([
    ["between polls", 5_000],
    ["while polling", 20],
  ])(
    "rejects ERR_STORE_CLOSED (%s), leaves no lock of its own, and the holder keeps its lock",
    async (_label, poll) => {
      const holder = open();
      const waiter = open({ lockPollMs: poll });
      const key = `session-${poll}`;
      const release = await holder.lock(key, { ttlMs: 30_000, waitMs: 0 });
      try {
        const pending = waiter.lock(key, { ttlMs: 30_000, waitMs: 30_000 });
        pending.catch(() => undefined);
        // The waiter has tried at least once (its SET NX was refused) before the close.
        await waiter.get("probe");
        const started = Date.now();
        await waiter.close();
        await expect(pending).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
        // Settled with the close, not at the next poll or the end of its wait.
        expect(Date.now() - started).toBeLessThan(4_000);
        expect(await release.extend(30_000)).toBe(true);
      } finally {
        await release();
      }
    },
    30_000,
  );
});
