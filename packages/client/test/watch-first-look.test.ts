import { waitUntil } from "@sessionstore/testkit/support";
import { describe, expect, it } from "vitest";
import { createRedisStore } from "../../redis/src/index.js";
import {
  clientWithHeldSubscribe,
  SHARED_REDIS_URL,
  uniqueNamespace,
  useSharedRedis,
} from "../../redis/test/support/shared-redis.js";
import { otherAndFollower } from "./support/follower.js";
import { platform } from "./support/harness.js";

const redis = useSharedRedis();

describe("a client whose watch was not yet listening when its session changed elsewhere", () => {
  it("adopts the refresh made between its restore and its SUBSCRIBE, without a token call of its own", async () => {
    const server = await platform();
    const keyPrefix = uniqueNamespace("client-first-look");
    redis.namespaces.push(keyPrefix);
    const held = await clientWithHeldSubscribe();
    const otherStore = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix });
    const followerStore = createRedisStore({ client: held.client, keyPrefix });
    // The other process refreshes at its next call; the follower restores the session while its watch is still connecting.
    const { other, follower } = await otherAndFollower(server, otherStore, followerStore);
    const events: string[] = [];
    follower.on("refresh", (event) => events.push(`refresh:${event.adopted}:${event.trigger}`));
    try {
      await follower.ready;
      const restored = await follower.session();
      // The other process refreshes now: the follower hears nothing yet.
      server.resetStats();
      await other.request("GET", "/items/from-other");
      expect(server.stats.refreshCalls).toBe(1);
      expect(events).toEqual([]);

      held.open();
      await waitUntil(() => events.length > 0, 10_000, "the follower adopting the refresh");
      expect(events).toEqual(["refresh:true:watch"]);
      expect((await follower.session())?.expiresAt).not.toEqual(restored?.expiresAt);
      await follower.request("GET", "/items/after");
      expect(server.stats.tokenCalls).toBe(1);
      expect(server.stats.invalidGrant).toBe(0);
    } finally {
      other.close();
      follower.close();
      await otherStore.close();
      await followerStore.close();
      await held.client.close();
    }
  });
});
