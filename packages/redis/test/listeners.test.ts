import { createClient } from "@redis/client";
import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { describe, expect, it } from "vitest";
import { SHARED_REDIS_URL, uniqueNamespace, useSharedRedis } from "./support/shared-redis.js";

/** Every event name with its listener count. */
function listenerSnapshot(emitter: {
  eventNames(): (string | symbol)[];
  listenerCount(name: string | symbol): number;
}) {
  return Object.fromEntries(emitter.eventNames().map((name) => [String(name), emitter.listenerCount(name)]));
}

describe("many stores on one client", () => {
  const redis = useSharedRedis();

  it("50 stores sharing a client add no listeners to it, used or closed, and trigger no MaxListeners warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    const client = createClient({ url: SHARED_REDIS_URL });
    client.on("error", () => undefined);
    await client.connect();
    const before = listenerSnapshot(client);
    try {
      const stores: RedisStore[] = [];
      for (let index = 0; index < 50; index += 1) {
        const namespace = uniqueNamespace("many");
        redis.namespaces.push(namespace);
        stores.push(createRedisStore({ client, keyPrefix: namespace }));
      }
      expect(listenerSnapshot(client)).toEqual(before);
      // Use every store (keyv's adapter attaches listeners when it connects; it must not here).
      await Promise.all(
        stores.map(async (store, index) => {
          await store.set("k", { v: 1, index });
          expect(await store.get("k")).toEqual({ v: 1, index });
          const release = await store.lock("k", { ttlMs: 5_000, waitMs: 1_000 });
          await release();
          expect(await store.list("")).toEqual(["k"]);
        }),
      );
      expect(listenerSnapshot(client)).toEqual(before);
      await Promise.all(stores.map((store) => store.close()));
      expect(listenerSnapshot(client)).toEqual(before);
      // The client belongs to the caller: still open and usable.
      expect(client.isOpen).toBe(true);
      expect(await client.ping()).toBe("PONG");
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      await client.close();
    }
  });
});
