import { createClient, createCluster } from "@redis/client";
import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { crashSentinel, describeSessionStore, eventually, outcomeOf } from "@sessionstore/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisClusterProcess, reserveClusterPorts, startRedisCluster } from "./support/redis-cluster.js";
import { sparePort } from "./support/redis-server.js";
import { uniqueNamespace } from "./support/shared-redis.js";

// Ports are chosen at collection time so the conformance factory can name them;
// the cluster itself starts in beforeAll, before any test runs.
const ports = await reserveClusterPorts(3);
const urls = ports.map((port) => `redis://127.0.0.1:${port}`);
let cluster: RedisClusterProcess;
type AdminCluster = ReturnType<typeof createCluster>;
let admin: AdminCluster;

beforeAll(async () => {
  cluster = await startRedisCluster(ports);
  admin = createCluster({ rootNodes: urls.map((url) => ({ url })) });
  admin.on("error", () => undefined);
  await admin.connect();
}, 60_000);

afterAll(async () => {
  await admin?.close();
  await cluster?.dispose();
});

const rawKey = (store: unknown, key: string) => `${(store as RedisStore).namespace}:record:${key}`;

describeSessionStore(
  "redis cluster (nodes option)",
  () => createRedisStore({ nodes: urls, keyPrefix: uniqueNamespace("cl") }),
  {
    openPeer: (store) => createRedisStore({ nodes: urls, keyPrefix: (store as RedisStore).namespace }),
    async inspect(store, key) {
      return (await admin.get(rawKey(store, key))) ?? undefined;
    },
    async corrupt(store, key) {
      await admin.set(rawKey(store, key), "{ not json");
    },
    async unavailable() {
      return createRedisStore({
        nodes: [`redis://127.0.0.1:${await sparePort()}`],
        keyPrefix: uniqueNamespace("cl-down"),
        connectTimeoutMs: 300,
        commandTimeoutMs: 300,
      });
    },
  },
);

/** The cluster node (index into `cluster.nodes`) that owns `key`'s slot. */
async function ownerOf(key: string): Promise<number> {
  const probe = createClient({ url: urls[0] as string });
  probe.on("error", () => undefined);
  await probe.connect();
  try {
    const slot = Number(await probe.sendCommand(["CLUSTER", "KEYSLOT", key]));
    const shards = (await probe.sendCommand(["CLUSTER", "SLOTS"])) as [number, number, [string, number]][];
    const shard = shards.find(([from, to]) => slot >= from && slot <= to);
    return urls.indexOf(`redis://127.0.0.1:${shard?.[2][1]}`);
  } finally {
    probe.destroy();
  }
}

describe("redis cluster: a cluster client passed in, and a node outage", () => {
  it("stores on a cluster client passed in spread keys over the masters, list every master, and leave the client open", async () => {
    const client = createCluster({ rootNodes: urls.map((url) => ({ url })) });
    client.on("error", () => undefined);
    await client.connect();
    const listenersBefore = client.eventNames().map((name) => [name, client.listenerCount(name)]);
    const stores = Array.from({ length: 20 }, () => createRedisStore({ client, keyPrefix: uniqueNamespace("clp") }));
    try {
      const store = stores[0] as RedisStore;
      const keys = Array.from({ length: 30 }, (_, index) => `user_${index}:password`);
      for (const key of keys) await store.set(key, { v: 1, key }, { expiresAt: Date.now() + 60_000 });
      const owners = new Set(await Promise.all(keys.map((key) => ownerOf(rawKey(store, key)))));
      expect(owners.size).toBe(3);
      expect((await store.list("user_")).sort()).toEqual([...keys].sort());
      // A paged walk goes master after master (the cursor names the node): every key, all 3 nodes.
      const walked: string[] = [];
      const nodes = new Set<string>();
      let cursor: string | undefined;
      for (let calls = 0; calls < 10_000; calls += 1) {
        nodes.add(cursor === undefined ? "0" : (cursor.split(":")[0] ?? ""));
        const page = await store.listPage("user_", { limit: 5, ...(cursor === undefined ? {} : { cursor }) });
        walked.push(...page.keys);
        cursor = page.cursor;
        if (cursor === undefined) break;
      }
      expect(cursor).toBeUndefined();
      expect([...new Set(walked)].sort()).toEqual([...keys].sort());
      expect([...nodes].sort()).toEqual(["0", "1", "2"]);
      const release = await store.lock("user_1:password", { ttlMs: 10_000, waitMs: 0 });
      expect(await release.extend(20_000)).toBe(true);
      await release();
      for (const key of keys) expect(await store.delete(key)).toBe(true);
      expect(await store.list("")).toEqual([]);
      await Promise.all(stores.map((each) => each.close()));
      expect(client.eventNames().map((name) => [name, client.listenerCount(name)])).toEqual(listenersBefore);
      expect(client.isOpen).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("a dead master fails the calls for its slots within the bound; they work again after it restarts, on the same store", async () => {
    const sentinel = crashSentinel();
    sentinel.install();
    const store = createRedisStore({
      nodes: urls,
      keyPrefix: uniqueNamespace("clo"),
      connectTimeoutMs: 1_000,
      commandTimeoutMs: 1_000,
    });
    try {
      const keys = Array.from({ length: 12 }, (_, index) => `k${index}`);
      for (const key of keys) await store.set(key, { v: 1, key });
      const owners = await Promise.all(keys.map((key) => ownerOf(rawKey(store, key))));
      const victim = cluster.nodes[2];
      const onVictim = keys.filter((_, index) => owners[index] === 2);
      const elsewhere = keys.filter((_, index) => owners[index] !== 2);
      expect(onVictim.length).toBeGreaterThan(0);
      expect(elsewhere.length).toBeGreaterThan(0);

      await victim?.kill();
      for (const key of onVictim) {
        const outcome = await outcomeOf(() => store.get(key));
        expect(outcome.status).toBe("rejected");
        if (outcome.status === "rejected") expect(outcome.reason).toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      }
      // The other masters keep serving their slots.
      for (const key of elsewhere) expect(await store.get(key)).toEqual({ v: 1, key });

      await victim?.start();
      await cluster.waitUntilOk();
      // The restarted master lost its data (no persistence) but serves its slots again.
      for (const key of onVictim) expect(await eventually(() => store.get(key))).toBeUndefined();
      await store.set(onVictim[0] as string, { v: 2 });
      expect(await store.get(onVictim[0] as string)).toEqual({ v: 2 });
    } finally {
      await store.close();
      await sentinel.uninstall();
    }
    expect(sentinel.caught).toEqual([]);
  });
});
