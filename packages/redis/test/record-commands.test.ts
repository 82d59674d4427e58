import { createClient, RESP_TYPES } from "@redis/client";
import { createRedisStore } from "@sessionstore/redis";
import { describe, expect, it } from "vitest";
import { rawSender } from "../src/internal/record-commands.js";
import { SHARED_REDIS_URL, uniqueNamespace, useSharedRedis } from "./support/shared-redis.js";

interface Sent {
  readonly args: readonly string[];
  readonly options: unknown;
}

/** A real client whose sendCommand and typed get/set/publish record what goes through them (and still run it). */
async function observedClient(options: Parameters<typeof createClient>[0] = {}) {
  const client = createClient({ url: SHARED_REDIS_URL, ...options });
  client.on("error", () => undefined);
  await client.connect();
  const raw: Sent[] = [];
  const typed: string[] = [];
  const sendCommand = client.sendCommand.bind(client);
  const get = client.get.bind(client);
  const set = client.set.bind(client);
  const publish = client.publish.bind(client);
  Object.assign(client, {
    sendCommand: (args: string[], commandOptions?: object) => {
      raw.push({ args: [...args], options: commandOptions });
      return sendCommand(args, commandOptions);
    },
    get: (...args: Parameters<typeof get>) => {
      typed.push("GET");
      return get(...args);
    },
    set: (...args: Parameters<typeof set>) => {
      typed.push("SET");
      return set(...args);
    },
    publish: (...args: Parameters<typeof publish>) => {
      typed.push("PUBLISH");
      return publish(...args);
    },
  });
  return { client, raw, typed };
}

describe("the commands of a read and a write", () => {
  const redis = useSharedRedis();

  it("go to a single server as raw GET, SET (with PX) and PUBLISH, carrying the store's typeMapping", async () => {
    const { client, raw, typed } = await observedClient();
    const namespace = uniqueNamespace("raw");
    redis.namespaces.push(namespace);
    const store = createRedisStore({ client, keyPrefix: namespace });
    try {
      const expiresAt = Date.now() + 60_000;
      await store.set("k", { v: 1 }, { expiresAt });
      await store.set("plain", { v: 2 });
      const sets = raw.filter((sent) => sent.args[0] === "SET");
      expect(sets.map((sent) => sent.args.slice(0, 2))).toEqual([
        ["SET", `${namespace}:record:k`],
        ["SET", `${namespace}:record:plain`],
      ]);
      expect(sets[0]?.args[3]).toBe("PX");
      const px = Number(sets[0]?.args[4]);
      expect(px).toBeGreaterThan(0);
      expect(px).toBeLessThanOrEqual(60_001);
      expect(sets[1]?.args).toHaveLength(3);
      const notices = raw.filter((sent) => sent.args[0] === "PUBLISH");
      expect(notices.map((sent) => sent.args[1])).toEqual([`${namespace}:changes`, `${namespace}:changes`]);
      expect(await redis.admin.pTTL(`${namespace}:record:k`)).toBeGreaterThan(0);
      expect(await redis.admin.pTTL(`${namespace}:record:plain`)).toBe(-1);
      expect(await store.get("k")).toEqual({ v: 1 });
      expect(await store.get("missing")).toBeUndefined();
      const gets = raw.filter((sent) => sent.args[0] === "GET");
      expect(gets.map((sent) => sent.args)).toEqual([
        ["GET", `${namespace}:record:k`],
        ["GET", `${namespace}:record:missing`],
      ]);
      for (const sent of [...sets, ...notices, ...gets]) expect(sent.options).toEqual({ typeMapping: {} });
      // The typed methods (two async frames, a parser and a transform more) are on neither path.
      expect(typed).toEqual([]);
    } finally {
      await store.close();
      await client.close();
    }
  });

  it("go raw on a RESP3 client that maps replies to Buffers too, and the record reads back", async () => {
    const { client, raw } = await observedClient({
      RESP: 3,
      commandOptions: { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } },
    });
    const namespace = uniqueNamespace("raw3");
    redis.namespaces.push(namespace);
    const store = createRedisStore({ client, keyPrefix: namespace });
    try {
      await store.set("k", { v: 1 });
      expect(raw.some((sent) => sent.args[0] === "SET")).toBe(true);
      // The client maps blob strings to Buffers; the store's own typeMapping reads the record as text.
      expect(await store.get("k")).toEqual({ v: 1 });
      expect(raw.some((sent) => sent.args[0] === "GET")).toBe(true);
      expect(await redis.admin.get(`${namespace}:record:k`)).toBe(JSON.stringify({ value: { v: 1 } }));
    } finally {
      await store.close();
      await client.close();
    }
  });

  it("succeed when Redis refuses their PUBLISH: the record is written and deleted, the notice is lost", async () => {
    // A real refusal: a Redis user allowed every command but PUBLISH.
    const user = uniqueNamespace("nopub");
    await redis.admin.sendCommand(["ACL", "SETUSER", user, "on", "nopass", "~*", "&*", "+@all", "-publish"]);
    const client = createClient({ url: SHARED_REDIS_URL, username: user, password: "any" });
    client.on("error", () => undefined);
    const namespace = uniqueNamespace("nopub");
    redis.namespaces.push(namespace);
    // Opens nothing: the store uses the client once the test has connected it.
    const store = createRedisStore({ client, keyPrefix: namespace });
    try {
      await client.connect();
      await expect(client.publish(`${namespace}:changes`, "x")).rejects.toThrow(/NOPERM/);
      // A lone write and a turn of three (one PUBLISH for all three, refused once).
      await store.set("k", { v: 1 });
      await Promise.all(["a", "b", "c"].map((key) => store.set(key, { key })));
      expect(await redis.admin.get(`${namespace}:record:k`)).toBe(JSON.stringify({ value: { v: 1 } }));
      expect(await store.get("b")).toEqual({ key: "b" });
      expect(await store.delete("k")).toBe(true);
      expect(await redis.admin.exists(`${namespace}:record:k`)).toBe(0);
    } finally {
      await store.close();
      if (client.isOpen) await client.close();
      await redis.admin.sendCommand(["ACL", "DELUSER", user]);
    }
  });

  it("use sendCommand only where it takes (args, options); other shapes keep the typed methods", async () => {
    const { client } = await observedClient();
    try {
      expect(rawSender(client)).toBe(client);
    } finally {
      await client.close();
    }
    // A Sentinel client's sendCommand starts with isReadonly, a cluster's with the first key.
    const sentinelShaped = { sendCommand: (_isReadonly: boolean, _args: string[], _options?: object) => undefined };
    const clusterShaped = {
      sendCommand: (_firstKey: string, _isReadonly: boolean, _args: string[], _options?: object) => undefined,
    };
    expect(rawSender(sentinelShaped)).toBeUndefined();
    expect(rawSender(clusterShaped)).toBeUndefined();
    expect(rawSender({})).toBeUndefined();
  });
});
