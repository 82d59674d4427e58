// A lock() whose SET NX PX timed out client-side while Redis was stalled
// (SIGSTOP) still runs once Redis answers again. The store must then delete
// that lock by its token (compare-and-delete), or it would stand for a full
// lease with no holder and block every other process's refresh.
import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { eventually } from "@sessionstore/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServerProcess, startRedisServer } from "./support/redis-server.js";
import { uniqueNamespace } from "./support/shared-redis.js";

const LEASE_MS = 60_000;

describe("a lock acquisition that timed out in a stall", () => {
  let server: RedisServerProcess;
  const stores: RedisStore[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    server?.resume();
    await Promise.allSettled(stores.map((store) => store.close()));
    await server?.dispose();
  });

  it("leaves no lock behind once Redis answers again: another store takes it long before the lease ends", async () => {
    const keyPrefix = uniqueNamespace("stall");
    const open = () => {
      const store = createRedisStore({ url: server.url, keyPrefix, connectTimeoutMs: 2_000, commandTimeoutMs: 500 });
      stores.push(store);
      return store;
    };
    const stalled = open();
    const other = open();
    // Both connected before the stall.
    await Promise.all([stalled.get("warm"), other.get("warm")]);
    server.pause();
    try {
      await expect(stalled.lock("session", { ttlMs: LEASE_MS, waitMs: 0 })).rejects.toMatchObject({
        code: "ERR_STORE_UNAVAILABLE",
      });
    } finally {
      server.resume();
    }
    // The SET NX ran after the resume; the store's clean-up deletes it by its token.
    const started = Date.now();
    const release = await other.lock("session", { ttlMs: 5_000, waitMs: 15_000 });
    const waited = Date.now() - started;
    await release();
    expect(waited).toBeLessThan(LEASE_MS / 4);
    // And the stalled store works again, its own lock included.
    await eventually(async () => {
      const again = await stalled.lock("session", { ttlMs: 5_000, waitMs: 2_000 });
      await again();
    });
  }, 60_000);
});
