import { createKeyvStore } from "@sessionstore/keyv";
import { crashSentinel, outcomeOf } from "@sessionstore/testkit";
import { closedPort } from "@sessionstore/testkit/support";
import Keyv from "keyv";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { keyvOverRedis, otherConnections } from "../../redis/test/support/keyv-over-redis.js";
import { type RedisServerProcess, startRedisServer } from "../../redis/test/support/redis-server.js";

// A redis-server of this file's own: its CLIENT LIST shows only what this file opened.
let redis: RedisServerProcess;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.dispose();
});
const disconnects: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const disconnect of disconnects.splice(0)) await disconnect();
});

describe("a keyv store opens its backend when it is made (warm-up)", () => {
  it("makes one read, of a key it never writes, before any call (plain Keyv over a Map)", async () => {
    const map = new Map<string, unknown>();
    const read = vi.spyOn(map, "get");
    const store = createKeyvStore(new Keyv(map, { namespace: "warm" }));
    await vi.waitFor(() => expect(read).toHaveBeenCalledTimes(1), { timeout: 10_000, interval: 5 });
    expect(read).toHaveBeenCalledWith("warm:sessionstore-warm-up");
    expect(map.size).toBe(0);
    await store.close();
  });

  it("@keyv/redis (which connects on first use) is connected before any call", async () => {
    const keyv = keyvOverRedis(redis.url, "warm");
    disconnects.push(() => keyv.disconnect());
    expect(await otherConnections(redis.url)).toBe(0);
    const store = createKeyvStore({ keyv });
    await vi.waitFor(async () => expect(await otherConnections(redis.url)).toBe(1), { timeout: 10_000, interval: 25 });
    await store.set("k", { v: 1 });
    expect(await store.get("k")).toEqual({ v: 1 });
    await store.close();
  });

  it("an unreachable backend: no unhandled rejection; the first call is ERR_STORE_UNAVAILABLE", async () => {
    const sentinel = crashSentinel();
    sentinel.install();
    try {
      const keyv = keyvOverRedis(`redis://127.0.0.1:${await closedPort()}`, "down");
      keyv.on("error", () => undefined);
      disconnects.push(() => keyv.disconnect().catch(() => undefined));
      const store = createKeyvStore({ keyv });
      const first = await outcomeOf(() => store.get("k"));
      expect(first).toMatchObject({ status: "rejected", reason: { code: "ERR_STORE_UNAVAILABLE" } });
      await store.close();
    } finally {
      expect(await sentinel.uninstall()).toEqual([]);
    }
  });
});
