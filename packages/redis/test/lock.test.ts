import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createRedisStore } from "@sessionstore/redis";
import { describe, expect, it } from "vitest";
import { SHARED_REDIS_URL, uniqueNamespace, useSharedRedis } from "./support/shared-redis.js";

const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const worker = fileURLToPath(new URL("./fixtures/lock-worker.ts", import.meta.url));

function runWorker(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ["--conditions=@sessionstore/source", worker, ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("lock", () => {
  const redis = useSharedRedis();
  const open = (namespace = uniqueNamespace("lock")) => {
    redis.namespaces.push(namespace);
    const store = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix: namespace });
    redis.stores.push(store);
    return store;
  };

  it("extend() renews the lease while the lock is ours, and reports false once it was lost", async () => {
    const store = open();
    const lockKey = `${store.namespace}:lock:x`;
    const release = await store.lock("x", { ttlMs: 1_000, waitMs: 0 });
    expect(await release.extend(60_000)).toBe(true);
    expect(await redis.admin.pTTL(lockKey)).toBeGreaterThan(1_000);
    // Someone else's lock now sits there (our lease "ran out" and they took it).
    await redis.admin.set(lockKey, "someone-else", { expiration: { type: "PX", value: 60_000 } });
    expect(await release.extend(60_000)).toBe(false);
    await release();
    expect(await redis.admin.get(lockKey)).toBe("someone-else");
    await expect(release.extend(0)).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
  });

  it("a lease too long for Redis (Number.MAX_VALUE) is clamped, not refused as an outage", async () => {
    const store = open();
    const release = await store.lock("huge", { ttlMs: Number.MAX_VALUE, waitMs: 0 });
    expect(await redis.admin.pTTL(`${store.namespace}:lock:huge`)).toBeGreaterThan(0);
    expect(await release.extend(Number.MAX_VALUE)).toBe(true);
    await release();
  });

  it("release and extend still work after Redis forgot the scripts (EVALSHA falls back to EVAL)", async () => {
    const store = open();
    const release = await store.lock("x", { ttlMs: 30_000, waitMs: 0 });
    await redis.admin.scriptFlush();
    expect(await release.extend(30_000)).toBe(true);
    await redis.admin.scriptFlush();
    await release();
    expect(await redis.admin.exists(`${store.namespace}:lock:x`)).toBe(0);
  });

  it("two stores with their own connections on one namespace exclude each other", async () => {
    const namespace = uniqueNamespace("two");
    const first = open(namespace);
    const second = open(namespace);
    const release = await first.lock("shared", { ttlMs: 30_000, waitMs: 0 });
    await expect(second.lock("shared", { ttlMs: 30_000, waitMs: 100 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    const waiting = second.lock("shared", { ttlMs: 30_000, waitMs: 10_000 });
    await release();
    const releaseSecond = await waiting;
    await releaseSecond();
  });

  it("3 processes × 15 locked read-modify-write increments lose no update", async () => {
    const namespace = uniqueNamespace("procs");
    redis.namespaces.push(namespace);
    const results = await Promise.all(
      ["w1", "w2", "w3"].map((id) => runWorker([SHARED_REDIS_URL, namespace, "15", id])),
    );
    for (const result of results) expect(result).toEqual({ code: 0, stderr: "" });
    const store = open(namespace);
    expect(await store.get("counter")).toMatchObject({ count: 45 });
  });
});
