import type { PlatformClient } from "@sessionstore/client";
import { createSessionManager, type StoreChangeListener } from "@sessionstore/core";
import { waitUntil } from "@sessionstore/testkit/support";
import { describe, expect, it } from "vitest";
import { createRedisStore } from "../../redis/src/index.js";
import { SHARED_REDIS_URL, uniqueNamespace, useSharedRedis } from "../../redis/test/support/shared-redis.js";
import { makeClient, platform } from "./support/harness.js";

const redis = useSharedRedis();

describe("many clients on one store (a server holding a client per user)", () => {
  it("share one store listener; a change reaches the clients of its key only; the last one to close ends it", async () => {
    const server = await platform();
    const keyPrefix = uniqueNamespace("client-dispatch");
    redis.namespaces.push(keyPrefix);
    const store = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix });
    const watch = store.watch.bind(store);
    let listeners = 0;
    store.watch = (listener: StoreChangeListener) => {
      listeners += 1;
      const stop = watch(listener);
      return () => {
        listeners -= 1;
        stop();
      };
    };
    const otherStore = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix });
    const root = createSessionManager(store);
    const users = Array.from({ length: 20 }, (_, index) => `user-${index}`);
    const clients: PlatformClient[] = [];
    const logouts = new Map<string, number>();
    try {
      for (const user of users) {
        const client = makeClient(server, { sessionStore: root.forSubject(user) });
        clients.push(client);
        client.on("logout", () => logouts.set(user, (logouts.get(user) ?? 0) + 1));
        await client.authenticateWithCredentials("demo", "demo-password");
      }
      expect(listeners).toBe(1);

      // Logouts elsewhere of two users: each reaches that user's client, and no other.
      const elsewhere = createSessionManager(otherStore);
      await elsewhere.forSubject("user-7").delete("password");
      await elsewhere.forSubject("user-12").delete("password");
      await waitUntil(() => logouts.size === 2, 10_000, "the two logouts to arrive");
      // A last change, heard after the logouts (notices arrive in order): nothing else was on its way.
      const adopted = new Promise<void>((resolve) => clients[3]?.on("refresh", () => resolve()));
      const pair = await root.forSubject("user-3").get("password");
      await elsewhere.forSubject("user-3").set({ ...pair, accessToken: `${pair?.accessToken}-rotated` }, "password");
      await adopted;
      expect([...logouts]).toEqual([
        ["user-7", 1],
        ["user-12", 1],
      ]);
      expect(await clients[7]?.isAuthenticated()).toBe(false);
      expect(await clients[8]?.isAuthenticated()).toBe(true);

      for (const client of clients.slice(1)) client.close();
      expect(listeners).toBe(1);
      clients[0]?.close();
      expect(listeners).toBe(0);
    } finally {
      for (const client of clients) client.close();
      await store.close();
      await otherStore.close();
    }
  });
});
