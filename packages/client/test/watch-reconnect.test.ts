import { tcpProxy, waitUntil } from "@sessionstore/testkit/support";
import { describe, expect, it } from "vitest";
import { createRedisStore } from "../../redis/src/index.js";
import {
  SHARED_REDIS_URL,
  subscribers,
  uniqueNamespace,
  useSharedRedis,
} from "../../redis/test/support/shared-redis.js";
import { otherAndFollower } from "./support/follower.js";
import { platform } from "./support/harness.js";

const redis = useSharedRedis();

describe("a client whose store connection dropped while its session was logged out elsewhere", () => {
  it("ends the session once its watch is back, though the logout's notice was lost", async () => {
    const server = await platform();
    const keyPrefix = uniqueNamespace("client-reconnect");
    redis.namespaces.push(keyPrefix);
    // The follower reaches Redis through a proxy the test cuts (a network blip); the other process directly.
    const proxy = await tcpProxy(Number(new URL(SHARED_REDIS_URL).port));
    const followerStore = createRedisStore({ url: `redis://127.0.0.1:${proxy.port}`, keyPrefix });
    const otherStore = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix });
    // The other process refreshes at its next call; the follower restores the session.
    const { other, follower } = await otherAndFollower(server, otherStore, followerStore);
    const logouts: string[] = [];
    follower.on("logout", (event) => logouts.push(event.reason));
    try {
      await follower.ready;
      expect(await follower.isAuthenticated()).toBe(true);
      // The follower's watch is live: a refresh elsewhere reaches it (and its subscriber is the one we will cut).
      const adopted = new Promise<void>((resolve) => follower.on("refresh", () => resolve()));
      await other.request("GET", "/items/refreshed-elsewhere");
      await adopted;

      // One subscriber per store instance: the other store's, and the follower's until the cut.
      await waitUntil(
        async () => (await subscribers(redis.admin, keyPrefix)) === 2,
        10_000,
        "both stores' subscribers",
      );
      proxy.cut();
      await waitUntil(
        async () => (await subscribers(redis.admin, keyPrefix)) === 1,
        10_000,
        "the follower's subscriber to drop",
      );
      await other.logout();
      expect(logouts).toEqual([]);

      proxy.heal();
      await waitUntil(() => logouts.length > 0, 15_000, "the follower to hear of the logout");
      expect(logouts).toEqual(["elsewhere"]);
      expect(await follower.isAuthenticated()).toBe(false);
    } finally {
      other.close();
      follower.close();
      await otherStore.close();
      await followerStore.close();
      await proxy.close();
    }
  });
});
