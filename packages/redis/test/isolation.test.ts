import { createSessionManager } from "@sessionstore/core";
import { createRedisStore } from "@sessionstore/redis";
import { describe, expect, it } from "vitest";
import { SHARED_REDIS_URL, uniqueNamespace, useSharedRedis } from "./support/shared-redis.js";

const sorted = (keys: string[]) => [...keys].sort();

// Keys whose characters mean something to SCAN MATCH, or that look like another store's layout.
const TRICKY_KEYS = ["k", "k:b", "kb", "k*", "k?", "k[ab]", "ka", "k\\", "k\\*", ":record:k", "b:record:k", "lock:k"];

describe("namespaces are isolated", () => {
  const redis = useSharedRedis();
  const open = (namespace: string) => {
    redis.namespaces.push(namespace);
    const store = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix: namespace });
    redis.stores.push(store);
    return store;
  };

  it("refuses namespaces that could act as a pattern or split a key", () => {
    for (const namespace of ["a:b", "a*", "a?", "a[b]", "a\\b", "a b", "", "-a", "é"]) {
      expect(() => createRedisStore({ namespace }), namespace).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "namespace" }),
      );
    }
  });

  it("stores on namespaces `a` and `ab` never see, list or clear each other's records or locks", async () => {
    const base = uniqueNamespace("iso");
    const a = open(base);
    const ab = open(`${base}b`);
    for (const store of [a, ab]) {
      for (const key of TRICKY_KEYS) await store.set(key, { v: 1, owner: store.namespace, key });
    }
    const releaseA = await a.lock("k", { ttlMs: 30_000, waitMs: 0 });
    // Same lock name in the other namespace is a different lock.
    const releaseAb = await ab.lock("k", { ttlMs: 30_000, waitMs: 0 });
    for (const store of [a, ab]) {
      expect(sorted(await store.list(""))).toEqual(sorted(TRICKY_KEYS));
      for (const key of TRICKY_KEYS) expect(await store.get(key)).toEqual({ v: 1, owner: store.namespace, key });
    }
    expect(sorted(await a.list("k*"))).toEqual(["k*"]);
    expect(sorted(await a.list("k?"))).toEqual(["k?"]);
    expect(sorted(await a.list("k["))).toEqual(["k[ab]"]);
    expect(sorted(await a.list("k\\"))).toEqual(["k\\", "k\\*"]);
    expect(sorted(await a.list("k:"))).toEqual(["k:b"]);
    expect(sorted(await a.list(":record:"))).toEqual([":record:k"]);

    // "clear" store `a` the way SessionManager does: list, then delete.
    for (const key of await a.list("")) expect(await a.delete(key)).toBe(true);
    expect(await a.list("")).toEqual([]);
    expect(sorted(await ab.list(""))).toEqual(sorted(TRICKY_KEYS));
    await releaseA();
    await releaseAb();
  });

  it("SessionManager.clear() on session namespace `a` leaves `a`-prefixed namespaces and other stores alone", async () => {
    const base = uniqueNamespace("mgr");
    const store = open(base);
    const neighbour = open(`${base}b`);
    const session = "tenant";
    const target = createSessionManager(store, { namespace: session });
    const longer = createSessionManager(store, { namespace: `${session}b` });
    const sameNameOtherStore = createSessionManager(neighbour, { namespace: session });
    await target.set({ accessToken: "t1" }, "password");
    await target.forSubject("user_2").set({ accessToken: "t2" }, "app");
    await longer.set({ accessToken: "keep-longer" }, "password");
    await sameNameOtherStore.set({ accessToken: "keep-neighbour" }, "password");
    expect(await target.clear()).toBe(2);
    expect(await target.get("password")).toBeUndefined();
    expect((await longer.get("password"))?.accessToken).toBe("keep-longer");
    expect((await sameNameOtherStore.get("password"))?.accessToken).toBe("keep-neighbour");
  });

  it("list() follows the SCAN cursor through more keys than one step returns, and only literal matches", async () => {
    const base = uniqueNamespace("scan");
    const store = open(base);
    const expected: string[] = [];
    const batch = redis.admin.multi();
    for (let index = 0; index < 2_500; index += 1) {
      const key = `user_${index}:password`;
      if (index % 5 === 0) expected.push(key);
      // Only every fifth key matches the listed prefix; the rest are near misses.
      const stored = index % 5 === 0 ? `app:${key}` : `apq:${key}`;
      batch.set(`${base}:record:${stored}`, JSON.stringify({ value: { v: 1 } }));
    }
    await batch.exec();
    const listed = await store.list("app:");
    expect(listed).toHaveLength(expected.length);
    expect(sorted(listed)).toEqual(sorted(expected.map((key) => `app:${key}`)));
  });
});
