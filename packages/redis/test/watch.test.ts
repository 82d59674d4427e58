import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { eventually } from "@sessionstore/testkit";
import { collectChanges, tcpProxy, untilWatching } from "@sessionstore/testkit/support";
import { describe, expect, it } from "vitest";
import {
  clientWithHeldSubscribe,
  connectAdmin,
  SHARED_REDIS_URL,
  subscribers,
  uniqueNamespace,
  useSharedRedis,
} from "./support/shared-redis.js";

const redis = useSharedRedis();

function store(namespace: string): RedisStore {
  return createRedisStore({ url: SHARED_REDIS_URL, keyPrefix: namespace });
}

describe("redis watch: a subscriber connection only while someone watches", () => {
  it("none before watch(), one while watched (shared by listeners), none after the last unsubscribes or close()", async () => {
    const namespace = uniqueNamespace("watch-conn");
    redis.namespaces.push(namespace);
    const watched = store(namespace);
    const writer = store(namespace);
    try {
      await watched.set("warm", { v: 1 });
      expect(await subscribers(redis.admin, namespace)).toBe(0);
      const heard: string[] = [];
      const stopFirst = watched.watch((change) => heard.push(change.key));
      const stopSecond = watched.watch(() => undefined);
      await eventually(async () => expect(await subscribers(redis.admin, namespace)).toBe(1));
      await writer.set("from-writer", { v: 2 });
      await eventually(() => expect(heard).toContain("from-writer"));
      stopFirst();
      expect(await subscribers(redis.admin, namespace)).toBe(1);
      stopSecond();
      await eventually(async () => expect(await subscribers(redis.admin, namespace)).toBe(0));

      watched.watch(() => undefined);
      await eventually(async () => expect(await subscribers(redis.admin, namespace)).toBe(1));
      await watched.close();
      await eventually(async () => expect(await subscribers(redis.admin, namespace)).toBe(0));
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
    expect(await subscribers(redis.admin, namespace)).toBe(0);
    await quiet.close();
    expect(() => quiet.watch(() => undefined)).toThrow(expect.objectContaining({ code: "ERR_STORE_CLOSED" }));
  });
});

describe("redis watch: the writes of one turn share one notice", () => {
  it("50 concurrent sets reach a watcher in fewer than 50 messages, every key heard and readable when heard", async () => {
    const namespace = uniqueNamespace("watch-batch");
    redis.namespaces.push(namespace);
    const watcher = store(namespace);
    const writer = store(namespace);
    const listener = await connectAdmin();
    try {
      const messages: string[] = [];
      await listener.subscribe(`${namespace}:changes`, (message) => messages.push(message));
      const seen = new Map<string, unknown>();
      watcher.watch(({ key }) => {
        // A watcher re-reads on the notice: the write must already be there.
        void watcher.get(key).then((record) => seen.set(key, record));
      });
      await eventually(async () => expect(await subscribers(redis.admin, namespace)).toBe(2));
      await writer.set("warm", { v: -1 });
      await eventually(() => expect(seen.get("warm")).toEqual({ v: -1 }));
      messages.length = 0;

      const keys = Array.from({ length: 50 }, (_, index) => `k${index}`);
      await Promise.all(keys.map((key, index) => writer.set(key, { v: index })));
      await eventually(() => expect(seen.size).toBe(51));
      expect(keys.map((key) => seen.get(key))).toEqual(keys.map((_, index) => ({ v: index })));
      // One PUBLISH per write would be 50 messages; the turn's writes share one (a slow turn may split it).
      expect(messages.length).toBeGreaterThan(0);
      expect(messages.length).toBeLessThan(50);
      const named = messages.flatMap((message) => {
        const { k } = JSON.parse(message) as { k: string | string[] };
        return typeof k === "string" ? [k] : k;
      });
      expect(new Set(named)).toEqual(new Set(keys));
    } finally {
      await listener.close();
      await watcher.close();
      await writer.close();
    }
  });

  it("a lone write still sends its own notice naming one key, and deletes are announced the same way", async () => {
    const namespace = uniqueNamespace("watch-lone");
    redis.namespaces.push(namespace);
    const writer = store(namespace);
    const listener = await connectAdmin();
    try {
      const messages: string[] = [];
      await listener.subscribe(`${namespace}:changes`, (message) => messages.push(message));
      await writer.set("one", { v: 1 });
      await eventually(() => expect(messages).toHaveLength(1));
      await writer.delete("one");
      await eventually(() => expect(messages).toHaveLength(2));
      expect(messages.map((message) => (JSON.parse(message) as { k: unknown }).k)).toEqual(["one", "one"]);
    } finally {
      await listener.close();
      await writer.close();
    }
  });
});

describe("redis watch: what this instance used before its SUBSCRIBE was confirmed", () => {
  it("a key read before the subscriber listened, changed meanwhile, is reported once it listens", async () => {
    const namespace = uniqueNamespace("watch-early");
    redis.namespaces.push(namespace);
    const held = await clientWithHeldSubscribe();
    const watched = createRedisStore({ client: held.client, keyPrefix: namespace });
    const writer = store(namespace);
    try {
      await writer.set("session", { v: 1 });
      await writer.set("untouched", { v: 1 });
      const heard: string[] = [];
      watched.watch(({ key }) => heard.push(key));
      // The restore: read while the subscriber is not yet listening.
      expect(await watched.get("session")).toEqual({ v: 1 });
      // Another instance refreshes it now: its notice reaches no subscriber of ours.
      await writer.set("session", { v: 2 });
      await writer.set("untouched", { v: 2 });
      expect(await subscribers(redis.admin, namespace)).toBe(0);
      expect(heard).toEqual([]);

      held.open();
      await eventually(() => expect(heard).toEqual(["session"]));
      expect(await watched.get("session")).toEqual({ v: 2 });
      // Established: later changes arrive as notices, the early keys are not reported again.
      await writer.set("session", { v: 3 });
      await eventually(() => expect(heard).toEqual(["session", "session"]));
    } finally {
      await watched.close();
      await writer.close();
      await held.client.close();
    }
  });
});

describe("redis watch: a subscriber whose connection dropped", () => {
  it("reports, once it has subscribed again, a key it used before the drop that another instance changed meanwhile", async () => {
    const namespace = uniqueNamespace("watch-drop");
    redis.namespaces.push(namespace);
    // This instance reaches Redis through a proxy the test cuts; the other one directly.
    const proxy = await tcpProxy(Number(new URL(SHARED_REDIS_URL).port));
    const watched = createRedisStore({ url: `redis://127.0.0.1:${proxy.port}`, keyPrefix: namespace });
    const writer = store(namespace);
    const seen = collectChanges(watched);
    try {
      await writer.set("session", { v: 1 });
      await writer.set("untouched", { v: 1 });
      // The restore, then the watch established as a running client's is.
      expect(await watched.get("session")).toEqual({ v: 1 });
      await untilWatching(seen, writer);

      proxy.cut();
      await eventually(async () => expect(await subscribers(redis.admin, namespace)).toBe(0));
      // A logout elsewhere while this instance is cut off: its notice reaches no subscriber of ours.
      expect(await writer.delete("session")).toBe(true);
      await writer.set("untouched", { v: 2 });
      expect(seen.keys).toEqual([]);

      const reported = seen.arrival("session", 15_000);
      proxy.heal();
      await reported;
      expect(await watched.get("session")).toBeUndefined();
      // Only keys this instance used: "untouched" changed too, but it never read or wrote it.
      expect(seen.keys).not.toContain("untouched");
      // Subscribed again: a later change arrives as a notice.
      const next = seen.arrival("session", 10_000);
      await writer.set("session", { v: 3 });
      await next;
    } finally {
      seen.stop();
      await watched.close();
      await writer.close();
      await proxy.close();
    }
  });
});
