import { createClient } from "@redis/client";
import { createRedisStore } from "@sessionstore/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer } from "./support/redis-server.js";
import {
  type AdminClient,
  connectAdmin,
  dropNamespace,
  SHARED_REDIS_URL,
  uniqueNamespace,
} from "./support/shared-redis.js";

/** Connections currently open on the shared Redis, by client id. */
async function connectionIds(admin: AdminClient): Promise<Set<string>> {
  const list = await admin.clientList();
  return new Set(list.map((entry) => String(entry.id)));
}

describe("close() closes only what the store opened", () => {
  let admin: AdminClient;
  const namespaces: string[] = [];
  const namespace = (label: string) => {
    const created = uniqueNamespace(label);
    namespaces.push(created);
    return created;
  };
  beforeAll(async () => {
    admin = await connectAdmin();
  });
  afterAll(async () => {
    for (const created of namespaces) await dropNamespace(admin, created);
    await admin.close();
  });

  it("a store opened from a url uses one connection and closes it on close()", async () => {
    // A redis-server of its own: on the shared one, other tests connect and disconnect meanwhile.
    const server = await startRedisServer();
    const own = await connectAdmin(server.url);
    try {
      const before = await connectionIds(own);
      const store = createRedisStore({ url: server.url, keyPrefix: namespace("own") });
      await store.set("k", { v: 1 });
      const opened = [...(await connectionIds(own))].filter((id) => !before.has(id));
      expect(opened).toHaveLength(1);
      await store.close();
      const after = await connectionIds(own);
      expect(opened.filter((id) => after.has(id))).toEqual([]);
      await checkClosed(store);
    } finally {
      await own.close();
      await server.dispose();
    }
  });

  /** Every call after close() rejects ERR_STORE_CLOSED; close() again is harmless. */
  async function checkClosed(store: ReturnType<typeof createRedisStore>) {
    await store.close();
    await expect(store.get("k")).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
    await expect(store.lock("k", { ttlMs: 1_000, waitMs: 0 })).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
    await expect(store.list("")).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
  }

  it("a client passed in stays open and usable after close(), which can be called twice", async () => {
    const client = createClient({ url: SHARED_REDIS_URL });
    client.on("error", () => undefined);
    await client.connect();
    try {
      const store = createRedisStore({ client, keyPrefix: namespace("passed") });
      await store.set("k", { v: 1 });
      await store.close();
      await store.close();
      expect(client.isOpen).toBe(true);
      expect(await client.ping()).toBe("PONG");
      await expect(store.get("k")).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
      // Another store on the same client still works.
      const other = createRedisStore({ client, keyPrefix: namespace("passed2") });
      await other.set("k", { v: 2 });
      expect(await other.get("k")).toEqual({ v: 2 });
      await other.close();
    } finally {
      await client.close();
    }
  });

  it("a client passed in that is not open is reported, never connected by the store", async () => {
    const client = createClient({ url: SHARED_REDIS_URL });
    client.on("error", () => undefined);
    const store = createRedisStore({ client, keyPrefix: namespace("closed") });
    await expect(store.get("k")).rejects.toMatchObject({
      code: "ERR_STORE_UNAVAILABLE",
      message: expect.stringContaining("connect()"),
    });
    expect(client.isOpen).toBe(false);
    await store.close();
  });

  it("close() releases the locks the store still holds", async () => {
    const ns = namespace("locks");
    const store = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix: ns });
    const release = await store.lock("held", { ttlMs: 60_000, waitMs: 0 });
    expect(await admin.exists(`${ns}:lock:held`)).toBe(1);
    await store.close();
    expect(await admin.exists(`${ns}:lock:held`)).toBe(0);
    // The release function of a closed store is harmless.
    await release();
    const other = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix: ns });
    const again = await other.lock("held", { ttlMs: 1_000, waitMs: 0 });
    await again();
    await other.close();
  });
});
