import { createClient, RESP_TYPES } from "@redis/client";
import { createRedisStore } from "@sessionstore/redis";
import { describe, expect, it } from "vitest";
import { SHARED_REDIS_URL, uniqueNamespace, useSharedRedis } from "./support/shared-redis.js";

describe("clients passed in with other settings", () => {
  const redis = useSharedRedis();

  it("works on a RESP3 client whose replies are mapped to Buffers", async () => {
    // Client-wide command options: node-redis merges them into every command it sends.
    const client = createClient({
      url: SHARED_REDIS_URL,
      RESP: 3,
      commandOptions: { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } },
    });
    client.on("error", () => undefined);
    await client.connect();
    expect(Buffer.isBuffer(await client.echo("mapped"))).toBe(true);
    const namespace = uniqueNamespace("resp3");
    redis.namespaces.push(namespace);
    const store = createRedisStore({ client, keyPrefix: namespace });
    try {
      await store.set("k", { v: 1, s: "é ✓" }, { expiresAt: Date.now() + 60_000 });
      expect(await store.get("k")).toEqual({ v: 1, s: "é ✓" });
      expect(await store.list("")).toEqual(["k"]);
      const release = await store.lock("k", { ttlMs: 5_000, waitMs: 0 });
      expect(await release.extend(10_000)).toBe(true);
      await release();
      expect(await store.delete("k")).toBe(true);
    } finally {
      await store.close();
      await client.close();
    }
  });

  it("works on a client selecting another database, and keeps to it", async () => {
    const client = createClient({ url: `${SHARED_REDIS_URL}/3` });
    client.on("error", () => undefined);
    await client.connect();
    const namespace = uniqueNamespace("db3");
    const store = createRedisStore({ client, keyPrefix: namespace });
    try {
      await store.set("k", { v: 1 });
      expect(await store.get("k")).toEqual({ v: 1 });
      expect(await redis.admin.exists(`${namespace}:record:k`)).toBe(0);
      expect(await client.exists(`${namespace}:record:k`)).toBe(1);
      await store.delete("k");
    } finally {
      await store.close();
      await client.close();
    }
  });
});
