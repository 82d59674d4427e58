import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { describe, expect, it } from "vitest";
import { SHARED_REDIS_URL, uniqueNamespace, useSharedRedis } from "./support/shared-redis.js";

describe("redis listPage: the SCAN cursor", () => {
  const redis = useSharedRedis();
  const open = (): RedisStore => {
    const keyPrefix = uniqueNamespace("page");
    redis.namespaces.push(keyPrefix);
    const store = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix });
    redis.stores.push(store);
    return store;
  };

  it("a cursor it did not make is ERR_INVALID_ARGUMENT naming options.cursor, before any command", async () => {
    const store = open();
    for (const cursor of ["", "12", "x:0", "0:-1", "0:1.5", "0:0 extra"]) {
      await expect(store.listPage("", { limit: 10, cursor })).rejects.toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
        field: "options.cursor",
      });
    }
  });

  it("a cursor goes on where the walk was: walking page by page gives every key of a big namespace", async () => {
    const store = open();
    const keys = Array.from({ length: 300 }, (_, index) => `user-${index}:password`);
    await Promise.all(keys.map((key) => store.set(key, { v: 1 })));
    const seen = new Set<string>();
    let cursor: string | undefined;
    let calls = 0;
    do {
      const page = await store.listPage("user-", { limit: 50, ...(cursor === undefined ? {} : { cursor }) });
      for (const key of page.keys) seen.add(key);
      cursor = page.cursor;
      calls += 1;
    } while (cursor !== undefined && calls < 100_000);
    expect(cursor).toBeUndefined();
    expect([...seen].sort()).toEqual([...keys].sort());
    // More than one step: the cursor, not one big SCAN, carried the walk.
    expect(calls).toBeGreaterThan(1);
  });
});
