// A real redis-server of our own is SIGKILLed mid-run and started again (with
// its append-only file, so the data survives like a production restart would).
// Store calls through a SessionManager fail within the store's bound instead of
// hanging, nothing escapes as an unhandled rejection, the same manager and
// client recover by themselves, and a PlatformClient keeps working on its
// in-memory token throughout. (The store-level outage matrix, including a
// SIGSTOPped server and Redis down at start, is packages/redis/test/outage.test.ts.)

import type { PlatformClient, PlatformClientEvents } from "@sessionstore/client";
import { createSessionManager, type SessionManager, type SessionStoreError } from "@sessionstore/core";
import { createRedisStore } from "@sessionstore/redis";
import { crashSentinel, eventually, type Outcome, outcomeOf } from "@sessionstore/testkit";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { uniqueName } from "./support/backends.js";
import { signedInClient } from "./support/clients.js";
import { type RedisServer, startRedisServer } from "./support/redis-server.js";

const BOUND = { connectTimeoutMs: 500, commandTimeoutMs: 500 };
let redis: RedisServer;
let server: FakePlatform;
const sentinel = crashSentinel();

beforeAll(async () => {
  [redis, server] = await Promise.all([startRedisServer(), startFakePlatform()]);
});
afterAll(async () => {
  await Promise.allSettled([redis.dispose(), server.close()]);
});
beforeEach(async () => {
  sentinel.install();
  await redis.kill();
  await redis.start();
  server.resetStats();
});
afterEach(async () => {
  expect(await sentinel.uninstall()).toEqual([]);
});

function expectUnavailable(outcome: Outcome<unknown>): void {
  // Settled (the liveness limit is far above connectTimeoutMs + commandTimeoutMs), and rejected.
  expect(outcome).toMatchObject({
    status: "rejected",
    reason: { name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" },
  });
}

/** Every manager call while Redis is dead: each one fails within the bound. */
async function expectEveryCallFails(manager: SessionManager): Promise<void> {
  const outcomes = await Promise.all([
    outcomeOf(() => manager.get("password")),
    outcomeOf(() => manager.set({ accessToken: "at-during-outage" }, "password")),
    outcomeOf(() => manager.delete("app")),
    outcomeOf(() => manager.lock("password", { ttlMs: 1_000, waitMs: 100 })),
    outcomeOf(() => manager.list()),
    outcomeOf(() => manager.clear()),
  ]);
  for (const outcome of outcomes) expectUnavailable(outcome);
  // podio-js's callback form gets the error as its second argument, never "no session".
  const [auth, error] = await new Promise<[unknown, SessionStoreError | undefined]>((resolve) =>
    manager.get("password", (value, failure) => resolve([value, failure])),
  );
  expect(auth).toBeUndefined();
  expect(error?.code).toBe("ERR_STORE_UNAVAILABLE");
}

async function setup(now: () => number, killRedisBeforeTokenCall = false) {
  const store = createRedisStore({ url: redis.url, keyPrefix: uniqueName("outage"), ...BOUND });
  const manager = createSessionManager(store);
  const managerErrors: SessionStoreError[] = [];
  manager.on("error", (error) => managerErrors.push(error));
  // The hook runs under the store's lock, right before the token call: killing Redis
  // there means the server rotates the pair and the write of the new pair fails.
  let armed = killRedisBeforeTokenCall;
  const client = await signedInClient(server, manager, {
    now,
    refreshMarginMs: 60_000,
    lockWaitMs: 1_000,
    // Killed under the refresh lock, Redis comes back with that lock (AOF) and no
    // release: it frees after its lease, and the deferred write of the rotated pair
    // takes the lock first (so it never lands over a logout). Keep the lease short.
    ...(killRedisBeforeTokenCall ? { lockTtlMs: 5_000, tokenTimeoutMs: 2_000 } : {}),
    onTokenWillRefresh: async () => {
      if (!armed) return;
      armed = false;
      await redis.kill();
    },
  });
  const failures: PlatformClientEvents["refreshFailed"][] = [];
  client.on("refreshFailed", (event) => failures.push(event));
  return { manager, client, managerErrors, failures, signedIn: await manager.get("password") };
}

async function requests(client: PlatformClient, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    await expect(client.request("GET", `/items/${index}`)).resolves.toMatchObject({ item_id: String(index) });
  }
}

describe("Redis killed mid-run, then restarted", () => {
  it("manager calls fail within the bound; the client keeps its token and its API calls; all recover with no new client", async () => {
    let now = Date.now();
    const { manager, client, managerErrors, failures, signedIn } = await setup(() => now);

    await redis.kill();
    await expectEveryCallFails(manager);
    expect(managerErrors.map((error) => error.code)).toEqual(["ERR_STORE_UNAVAILABLE"]);
    // The token lives in memory: API calls go on while the store is down.
    await requests(client, 5);
    expect(await client.session()).toMatchObject({ refreshable: true });

    // Expired while the store is down: the refresh cannot take the store's lock, so it is
    // not attempted (no token call that could rotate a pair nobody can save); the error says why.
    now += 3_700_000;
    server.expireAccessTokens();
    const outcome = await outcomeOf(() => client.request("GET", "/items/x"));
    expectUnavailable(outcome);
    expect(server.stats.tokenCalls).toBe(1);
    expect(failures.map((event) => [event.reason, event.cleared, event.error.code])).toEqual([
      ["transient", false, "ERR_STORE_UNAVAILABLE"],
    ]);
    expect(await client.session()).toMatchObject({ refreshable: true });

    await redis.start();
    // Same manager, same client: the stored pair survived, the refresh now goes through once.
    expect(await eventually(() => manager.get("password"))).toEqual(signedIn);
    await requests(client, 3);
    expect(server.stats.refreshCalls).toBe(1);
    expect(server.stats.reuseDetected).toBe(0);
    const renewed = await manager.get("password");
    expect(renewed?.refreshToken).not.toBe(signedIn?.refreshToken);
    await manager.close();
  });

  it("killed between the token endpoint's answer and the write: the rotated pair is kept in memory and persisted once Redis is back", async () => {
    let now = Date.now();
    const { manager, client, signedIn } = await setup(() => now, true);
    now += 3_700_000;
    server.expireAccessTokens();
    const outcome = await outcomeOf(() => client.request("GET", "/items/1"));
    expectUnavailable(outcome);
    expect(server.stats.refreshCalls).toBe(1);

    await redis.start();
    // The rotated pair was never lost: calls use it meanwhile, and once Redis answers
    // again a call writes it, with no second refresh.
    const stored = await eventually(async () => {
      await client.request("GET", "/items/2");
      const written = await manager.get("password");
      if (written?.refreshToken === signedIn?.refreshToken) throw new Error("the rotated pair is not written yet");
      return written;
    });
    expect(stored?.refreshToken).toBeDefined();
    expect(server.stats.refreshCalls).toBe(1);
    expect(server.stats.reuseDetected).toBe(0);
    expect(server.stats.invalidGrant).toBe(0);
    await manager.close();
  });
});

describe("the client keeps using a valid in-memory token while the store is down", () => {
  // An early refresh whose lock cannot reach the store is a passing failure,
  // like a lock timeout: the token in hand is still good.
  it("an early refresh that cannot reach the store goes on with the still-valid token", async () => {
    let now = Date.now();
    const { client, manager } = await setup(() => now);
    await redis.kill();
    now += 3_600_000 - 30_000; // inside the 60 s margin, 30 s before expiry
    try {
      await expect(client.request("GET", "/items/1")).resolves.toMatchObject({ item_id: "1" });
    } finally {
      await manager.close();
    }
  });

  // A rotated pair whose write failed is the only valid one: it stays in memory,
  // unsaved, is used meanwhile, and is written once the store is back.
  it("after a rotation that could not be written, calls go on with the new pair while the store is down", async () => {
    let now = Date.now();
    const { client, manager } = await setup(() => now, true);
    now += 3_700_000;
    server.expireAccessTokens();
    await outcomeOf(() => client.request("GET", "/items/1"));
    expect(server.stats.refreshCalls).toBe(1);
    try {
      await expect(client.request("GET", "/items/2")).resolves.toMatchObject({ item_id: "2" });
    } finally {
      await manager.close();
    }
  });
});
