import { randomBytes } from "node:crypto";
import { createSessionManager } from "@sessionstore/core";
import { tcpProxy, waitUntil } from "@sessionstore/testkit/support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore } from "../../redis/src/index.js";
import {
  type AdminClient,
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

describe("a client whose store connection dropped while its session was logged out elsewhere", () => {
  it("ends the session once its watch is back, though the logout's notice was lost", async () => {
    const server = await platform();
    const keyPrefix = `client-reconnect-${randomBytes(6).toString("hex")}`;
    namespaces.push(keyPrefix);
    // The follower reaches Redis through a proxy the test cuts (a network blip); the other process directly.
    const proxy = await tcpProxy(Number(new URL(SHARED_REDIS_URL).port));
    const followerStore = createRedisStore({ url: `redis://127.0.0.1:${proxy.port}`, keyPrefix });
    const otherStore = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix });
    await makeClient(server, { sessionStore: createSessionManager(otherStore) }).authenticateWithCredentials(
      "demo",
      "demo-password",
    );
    // The other process's clock runs 59.5 minutes ahead: the hour-long token is due for refresh there only.
    const other = makeClient(server, {
      sessionStore: createSessionManager(otherStore),
      now: () => Date.now() + 3_570_000,
    });
    const follower = makeClient(server, { sessionStore: createSessionManager(followerStore) });
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
      const subscribers = async () =>
        Number(((await admin.sendCommand(["PUBSUB", "NUMSUB", `${keyPrefix}:changes`])) as [string, number])[1]);
      await waitUntil(async () => (await subscribers()) === 2, 10_000, "both stores' subscribers");
      proxy.cut();
      await waitUntil(async () => (await subscribers()) === 1, 10_000, "the follower's subscriber to drop");
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
