import { createClient } from "@redis/client";
import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { crashSentinel, eventually, type Outcome, outcomeOf } from "@sessionstore/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RedisServerProcess, sparePort, startRedisServer } from "./support/redis-server.js";
import { uniqueNamespace } from "./support/shared-redis.js";

const record = { v: 1, auth: { accessToken: "at-outage", refreshToken: "rt-outage" } };

/** Every kind of call a store takes, started at once. */
function everyCall(store: RedisStore): Promise<Outcome<unknown>[]> {
  return Promise.all([
    outcomeOf(() => store.get("k")),
    outcomeOf(() => store.set("k", record)),
    outcomeOf(() => store.set("k", record, { expiresAt: Date.now() + 60_000 })),
    outcomeOf(() => store.delete("k")),
    outcomeOf(() => store.list("")),
    outcomeOf(() => store.lock("k", { ttlMs: 1_000, waitMs: 100 })),
  ]);
}

function expectAllUnavailable(outcomes: Outcome<unknown>[]): void {
  for (const outcome of outcomes) {
    expect(outcome.status).toBe("rejected");
    if (outcome.status !== "rejected") continue;
    expect(outcome.reason).toMatchObject({ name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" });
    expect((outcome.reason as Error).cause).toBeDefined();
  }
}

describe("outage and recovery against a real redis-server", () => {
  let server: RedisServerProcess;
  const sentinel = crashSentinel();

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.dispose();
  });
  beforeEach(async () => {
    sentinel.install();
    // Each test starts with the server up (an earlier test may have left it down).
    await server.kill();
    await server.start();
  });
  afterEach(async () => {
    expect(await sentinel.uninstall()).toEqual([]);
  });

  it("a store's own client: calls reject ERR_STORE_UNAVAILABLE while Redis is dead, and the same store works again after it restarts", async () => {
    const store = createRedisStore({
      url: server.url,
      keyPrefix: uniqueNamespace(),
      connectTimeoutMs: 1_000,
      commandTimeoutMs: 1_000,
    });
    await store.set("k", record);
    expect(await store.get("k")).toEqual(record);

    await server.kill();
    expectAllUnavailable(await everyCall(store));
    // Still down: a second round fails the same way (nothing queued up, nothing hangs).
    expectAllUnavailable(await everyCall(store));

    await server.start();
    // The server restarted empty (no persistence): the store reconnects by itself.
    expect(await eventually(() => store.get("k"))).toBeUndefined();
    await store.set("k", record);
    expect(await store.get("k")).toEqual(record);
    const release = await store.lock("k", { ttlMs: 5_000, waitMs: 0 });
    await release();
    expect(await store.list("")).toEqual(["k"]);
    await store.close();
  });

  it("a client passed in with node-redis defaults (offline queue on): calls still fail within the bound, recover, and the client stays the caller's", async () => {
    const client = createClient({ url: server.url });
    const clientErrors: unknown[] = [];
    client.on("error", (error) => clientErrors.push(error));
    await client.connect();
    const store = createRedisStore({
      client,
      keyPrefix: uniqueNamespace(),
      connectTimeoutMs: 1_000,
      commandTimeoutMs: 1_000,
    });
    await store.set("k", record);

    await server.kill();
    expectAllUnavailable(await everyCall(store));
    expect(clientErrors.length).toBeGreaterThan(0);

    await server.start();
    expect(await eventually(() => store.get("k"))).toBeUndefined();
    await store.set("k", record);
    expect(await store.get("k")).toEqual(record);
    await store.close();
    expect(client.isOpen).toBe(true);
    expect(await client.ping()).toBe("PONG");
    client.destroy();
  });

  it("a server that stops answering (SIGSTOP) fails calls after commandTimeoutMs instead of hanging; they succeed once it answers again", async () => {
    const store = createRedisStore({
      url: server.url,
      keyPrefix: uniqueNamespace(),
      connectTimeoutMs: 1_000,
      commandTimeoutMs: 500,
    });
    await store.set("k", record);
    server.pause();
    try {
      // The commands reach the socket, so node-redis' own queue timeout no longer applies:
      // only the store's deadline ends them.
      expectAllUnavailable(await everyCall(store));
    } finally {
      server.resume();
    }
    // The timed-out SET and DELETE still reach Redis after SIGCONT, in whichever order they were
    // sent, so what "k" holds now is not defined; the calls answering again is.
    await eventually(() => store.get("k"));
    await store.set("k", record);
    expect(await store.get("k")).toEqual(record);
    await store.close();
  });

  it("Redis down when the store is created: calls fail, then succeed once Redis starts, with no new store", async () => {
    const port = await sparePort();
    const store = createRedisStore({
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: uniqueNamespace(),
      connectTimeoutMs: 500,
    });
    expectAllUnavailable(await everyCall(store));
    const late = await startRedisServer({ port });
    try {
      await eventually(() => store.set("k", record));
      expect(await store.get("k")).toEqual(record);
    } finally {
      await store.close();
      await late.dispose();
    }
  });

  it("100 calls waiting for Redis add one listener per event to the client, not one each (no MaxListeners warning)", async () => {
    const port = await sparePort();
    const store = createRedisStore({
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: uniqueNamespace(),
      connectTimeoutMs: 500,
    });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, (_, index) => outcomeOf(() => store.get(`k${index}`))),
      );
      expectAllUnavailable(outcomes);
      // process.emitWarning reports on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      await store.close();
    }
  });

  it("close() during an outage neither hangs nor rejects, and later calls are ERR_STORE_CLOSED", async () => {
    const store = createRedisStore({
      url: server.url,
      keyPrefix: uniqueNamespace(),
      connectTimeoutMs: 500,
      commandTimeoutMs: 500,
    });
    await store.lock("held", { ttlMs: 60_000, waitMs: 0 });
    await server.kill();
    const closing = await outcomeOf(() => store.close());
    expect(closing.status).toBe("fulfilled");
    await expect(store.get("k")).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
  });
});
