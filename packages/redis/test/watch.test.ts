import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { eventually } from "@sessionstore/testkit";
import { describe, expect, it } from "vitest";
import { SHARED_REDIS_URL, uniqueNamespace, useSharedRedis } from "./support/shared-redis.js";

const redis = useSharedRedis();

function store(namespace: string): RedisStore {
  return createRedisStore({ url: SHARED_REDIS_URL, keyPrefix: namespace });
}

/** Connections subscribed to the namespace's change channel, as Redis counts them. */
async function subscribers(namespace: string): Promise<number> {
  const reply = (await redis.admin.sendCommand(["PUBSUB", "NUMSUB", `${namespace}:changes`])) as [string, number];
  return Number(reply[1]);
}

describe("redis watch: a subscriber connection only while someone watches", () => {
  it("none before watch(), one while watched (shared by listeners), none after the last unsubscribes or close()", async () => {
    const namespace = uniqueNamespace("watch-conn");
    redis.namespaces.push(namespace);
    const watched = store(namespace);
    const writer = store(namespace);
    try {
      await watched.set("warm", { v: 1 });
      expect(await subscribers(namespace)).toBe(0);
      const heard: string[] = [];
      const stopFirst = watched.watch((change) => heard.push(change.key));
      const stopSecond = watched.watch(() => undefined);
      await eventually(async () => expect(await subscribers(namespace)).toBe(1));
      await writer.set("from-writer", { v: 2 });
      await eventually(() => expect(heard).toContain("from-writer"));
      stopFirst();
      expect(await subscribers(namespace)).toBe(1);
      stopSecond();
      await eventually(async () => expect(await subscribers(namespace)).toBe(0));

      watched.watch(() => undefined);
      await eventually(async () => expect(await subscribers(namespace)).toBe(1));
      await watched.close();
      await eventually(async () => expect(await subscribers(namespace)).toBe(0));
    } finally {
      await watched.close();
      await writer.close();
    }
  });

  it("a store that never watches publishes but never subscribes; watch() after close() is ERR_STORE_CLOSED", async () => {
    const namespace = uniqueNamespace("watch-none");
    redis.namespaces.push(namespace);
    const quiet = store(namespace);
    await quiet.set("k", { v: 1 });
    await quiet.delete("k");
    expect(await subscribers(namespace)).toBe(0);
    await quiet.close();
    expect(() => quiet.watch(() => undefined)).toThrow(expect.objectContaining({ code: "ERR_STORE_CLOSED" }));
  });
});
