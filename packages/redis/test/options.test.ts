import { createClient } from "@redis/client";
import {
  createRedisStore,
  DEFAULT_REDIS_NAMESPACE,
  DEFAULT_REDIS_URL,
  type RedisStoreClient,
  type RedisStoreOptions,
} from "@sessionstore/redis";
import { describe, expect, it } from "vitest";
import { resolveRedisOptions } from "../src/options.js";

function invalidField(field: string) {
  return expect.objectContaining({ name: "SessionStoreError", code: "ERR_INVALID_ARGUMENT", field });
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("options", () => {
  it("defaults: localhost url, key prefix 'sessionstore', 2000 ms bounds, 25 ms lock poll", async () => {
    expect(resolveRedisOptions({})).toEqual({
      source: { kind: "url", url: DEFAULT_REDIS_URL },
      keyPrefix: DEFAULT_REDIS_NAMESPACE,
      connectTimeoutMs: 2000,
      commandTimeoutMs: 2000,
      lockPollMs: 25,
    });
    expect(resolveRedisOptions(undefined).keyPrefix).toBe("sessionstore");
    const store = createRedisStore();
    expect(store.namespace).toBe("sessionstore");
    await store.close();
  });

  it("keyPrefix names the Redis key prefix; namespace is its deprecated alias, warned about once", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const renamed = createRedisStore({ keyPrefix: "kp-one" });
      expect(renamed.keyPrefix).toBe("kp-one");
      const aliased = [createRedisStore({ namespace: "kp-two" }), createRedisStore({ namespace: "kp-three" })];
      expect(aliased.map((store) => store.keyPrefix)).toEqual(["kp-two", "kp-three"]);
      expect(() => createRedisStore({ keyPrefix: "a", namespace: "b" })).toThrow(invalidField("namespace"));
      expect(() => createRedisStore({ keyPrefix: "a b" })).toThrow(invalidField("keyPrefix"));
      await Promise.all([renamed, ...aliased].map((store) => store.close()));
      // emitWarning is delivered on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      const deprecations = warnings.filter(
        (warning) => (warning as { code?: string }).code === "SESSIONSTORE_REDIS_NAMESPACE",
      );
      // Once, though the alias was used twice (vitest gives each test file fresh modules).
      expect(deprecations).toHaveLength(1);
      for (const warning of deprecations) expect(warning.message).toContain("use options.keyPrefix");
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("refuses more than one of url, client and nodes", () => {
    const client = createClient();
    expect(() => createRedisStore({ url: "redis://a", client })).toThrow(invalidField("options"));
    expect(() => createRedisStore({ url: "redis://a", nodes: ["redis://b"] })).toThrow(invalidField("options"));
  });

  it("refuses bad urls without echoing them (they may hold a password)", () => {
    for (const url of ["http://host", "localhost:6379", "", "redis://", "redis//user:s3cret-pass@host"]) {
      const error = thrownBy(() => createRedisStore({ url }));
      expect(error, url).toEqual(invalidField("url"));
      expect(String((error as Error).message)).not.toContain("s3cret");
    }
    expect(() => createRedisStore({ nodes: [] })).toThrow(invalidField("nodes"));
    expect(() => createRedisStore({ nodes: ["redis://a:1", "nope"] })).toThrow(invalidField("nodes[1]"));
  });

  it("refuses a client that is not a node-redis client", () => {
    const notAClient = { get: () => undefined } as unknown as RedisStoreClient;
    expect(() => createRedisStore({ client: notAClient })).toThrow(invalidField("client"));
  });

  it("refuses non-positive, non-finite or overflowing timeouts", () => {
    for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, "100" as unknown as number]) {
      expect(() => createRedisStore({ connectTimeoutMs: value }), String(value)).toThrow(
        invalidField("connectTimeoutMs"),
      );
      expect(() => createRedisStore({ commandTimeoutMs: value }), String(value)).toThrow(
        invalidField("commandTimeoutMs"),
      );
      expect(() => createRedisStore({ lockPollMs: value }), String(value)).toThrow(invalidField("lockPollMs"));
    }
  });

  it("refuses options that are not an object", () => {
    expect(() => createRedisStore(null as unknown as RedisStoreOptions)).toThrow(invalidField("options"));
  });
});

describe("options typing", () => {
  it("accepts an explicitly undefined url (process.env under exactOptionalPropertyTypes)", async () => {
    const fromEnv: string | undefined = process.env.SESSIONSTORE_TEST_UNSET_URL;
    const store = createRedisStore({ url: fromEnv, namespace: undefined });
    expect(store.namespace).toBe("sessionstore");
    await store.close();
  });
});
