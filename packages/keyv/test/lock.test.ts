import { createMemoryStore, createSessionManager } from "@sessionstore/core";
import { createKeyvStore } from "@sessionstore/keyv";
import { createRedisStore } from "@sessionstore/redis";
import { uniqueNamespace } from "@sessionstore/testkit";
import Keyv from "keyv";
import { afterEach, describe, expect, it } from "vitest";

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

function redisLock() {
  const store = createRedisStore({ url: "redis://127.0.0.1:6379", keyPrefix: uniqueNamespace("keyv-lock") });
  opened.push(store);
  return store;
}

describe("createKeyvStore(keyv, { lock })", () => {
  it("without a lock it declares none; with one it declares lock and delegates to it", async () => {
    expect(createKeyvStore(new Keyv()).capabilities.lock).toBe(false);
    expect(createKeyvStore(new Keyv()).lock).toBeUndefined();
    const lock = redisLock();
    const store = createKeyvStore(new Keyv(), { lock });
    expect(store.capabilities.lock).toBe(true);
    const release = await store.lock?.("session:lock", { ttlMs: 10_000, waitMs: 0 });
    // Held in Redis: a second store on the same lock store cannot take it, the lock store itself neither.
    const other = createKeyvStore({ keyv: new Keyv(), lock });
    await expect(other.lock?.("session:lock", { ttlMs: 10_000, waitMs: 50 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    await expect(lock.lock("session:lock", { ttlMs: 10_000, waitMs: 50 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    await release?.();
    const again = await other.lock?.("session:lock", { ttlMs: 10_000, waitMs: 1_000 });
    await again?.();
  });

  it("a SessionManager over it takes the lock store's lock, not an in-process one", async () => {
    const lock = redisLock();
    const first = createSessionManager(createKeyvStore(new Keyv(), { lock }));
    const second = createSessionManager(createKeyvStore(new Keyv(), { lock }));
    const release = await first.lock("password", { ttlMs: 10_000, waitMs: 0 });
    await expect(second.lock("password", { ttlMs: 10_000, waitMs: 50 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    await release();
  });

  it("close() leaves the lock store open (it is the caller's); lock() after close is ERR_STORE_CLOSED", async () => {
    const lock = redisLock();
    const store = createKeyvStore(new Keyv(), { lock });
    await store.close();
    await expect(store.lock?.("k", { ttlMs: 1_000, waitMs: 0 })).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
    const release = await lock.lock("k", { ttlMs: 1_000, waitMs: 0 });
    await release();
  });

  it("refuses a lock that cannot lock, naming options.lock, and a store that locks only in one process is accepted", () => {
    const plain = createKeyvStore(new Keyv());
    for (const bad of [plain, {}, "redis://127.0.0.1", 42]) {
      expect(() => createKeyvStore(new Keyv(), { lock: bad as never })).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "options.lock" }),
      );
    }
    // The memory store locks for every process that shares it — one: allowed, its users know it.
    expect(createKeyvStore(new Keyv(), { lock: createMemoryStore() }).capabilities.lock).toBe(true);
  });
});
