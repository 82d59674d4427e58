import { randomBytes } from "node:crypto";
import { createSessionManager } from "@sessionstore/core";
import { waitUntil } from "@sessionstore/testkit/support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore } from "../../redis/src/index.js";
import {
  type AdminClient,
  clientWithHeldSubscribe,
  connectAdmin,
  dropNamespace,
  SHARED_REDIS_URL,
} from "../../redis/test/support/shared-redis.js";
import { makeClient, platform } from "./support/harness.js";

let admin: AdminClient;
const namespaces: string[] = [];
beforeAll(async () => {
  admin = await connectAdmin();
});
afterAll(async () => {
  for (const namespace of namespaces) await dropNamespace(admin, namespace);
  await admin.close();
});

describe("a client whose watch was not yet listening when its session changed elsewhere", () => {
  it("adopts the refresh made between its restore and its SUBSCRIBE, without a token call of its own", async () => {
    const server = await platform();
    const keyPrefix = `client-first-look-${randomBytes(6).toString("hex")}`;
    namespaces.push(keyPrefix);
    const held = await clientWithHeldSubscribe();
    const otherStore = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix });
    const followerStore = createRedisStore({ client: held.client, keyPrefix });
    await makeClient(server, { sessionStore: createSessionManager(otherStore) }).authenticateWithCredentials(
      "demo",
      "demo-password",
    );
    // The other process's clock runs 59.5 minutes ahead: the hour-long token is due for refresh there only.
    const other = makeClient(server, {
      sessionStore: createSessionManager(otherStore),
      now: () => Date.now() + 3_570_000,
    });
    // The follower restores the session; its watch is still connecting.
    const follower = makeClient(server, { sessionStore: createSessionManager(followerStore) });
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
