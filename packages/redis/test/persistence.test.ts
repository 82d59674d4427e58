import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type AdminClient,
  connectAdmin,
  dropNamespace,
  rawKeys,
  SHARED_REDIS_URL,
  uniqueNamespace,
} from "./support/shared-redis.js";

const record = { v: 1, auth: { accessToken: "at-raw", refreshToken: "rt-raw" } };

describe("what the store writes to Redis", () => {
  let admin: AdminClient;
  let store: RedisStore;
  let ns: string;
  beforeAll(async () => {
    admin = await connectAdmin();
  });
  afterAll(async () => {
    await admin.close();
  });
  const open = () => {
    ns = uniqueNamespace("raw");
    store = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix: ns });
    return store;
  };
  afterEach(async () => {
    await store.close();
    await dropNamespace(admin, ns);
  });

  it("one key per record at <namespace>:record:<key>, holding keyv's envelope, with no second prefix", async () => {
    open();
    await store.set("app:user_1:password", record);
    expect(await rawKeys(admin, `${ns}:`)).toEqual([`${ns}:record:app:user_1:password`]);
    expect(await rawKeys(admin, `keyv::${ns}`)).toEqual([]);
    expect(await rawKeys(admin, `keyv:${ns}`)).toEqual([]);
    const raw = await admin.get(`${ns}:record:app:user_1:password`);
    expect(JSON.parse(raw ?? "null")).toEqual({ value: record });
  });

  it("expiresAt becomes a native Redis TTL (PX) and the envelope's expires", async () => {
    open();
    const expiresAt = Date.now() + 60_000;
    await store.set("k", record, { expiresAt });
    const pttl = await admin.pTTL(`${ns}:record:k`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_001);
    const envelope = JSON.parse((await admin.get(`${ns}:record:k`)) ?? "null") as { expires: number };
    expect(Math.abs(envelope.expires - expiresAt)).toBeLessThanOrEqual(1_000);
    // A later write without expiresAt makes the key permanent again.
    await store.set("k", record);
    expect(await admin.pTTL(`${ns}:record:k`)).toBe(-1);
  });

  it("a record JSON cannot carry is refused with ERR_INVALID_ARGUMENT and nothing is stored", async () => {
    open();
    const cyclic: Record<string, unknown> = { v: 1 };
    cyclic.self = cyclic;
    await expect(store.set("k", { v: 1, big: 10n } as never)).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    await expect(store.set("k", cyclic as never)).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    expect(await admin.exists(`${ns}:record:k`)).toBe(0);
  });

  it("an expiresAt too far away for Redis (Number.MAX_VALUE) is stored, not refused as an outage", async () => {
    open();
    await store.set("k", record, { expiresAt: Number.MAX_VALUE });
    expect(await store.get("k")).toEqual(record);
    expect(await admin.pTTL(`${ns}:record:k`)).toBeGreaterThan(0);
  });

  it("an expiresAt already in the past does not error: it removes what was there", async () => {
    open();
    await store.set("k", record);
    await expect(store.set("k", { v: 2 }, { expiresAt: Date.now() - 1 })).resolves.toBeUndefined();
    expect(await admin.exists(`${ns}:record:k`)).toBe(0);
    expect(await store.get("k")).toBeUndefined();
    // A fractional expiry a fraction of a millisecond ahead is not a zero TTL either.
    await store.set("k", record, { expiresAt: Date.now() + 0.5 });
  });

  it("an envelope whose expires has passed reads as missing even while Redis still holds it", async () => {
    open();
    await admin.set(`${ns}:record:k`, JSON.stringify({ value: record, expires: Date.now() - 1_000 }));
    expect(await store.get("k")).toBeUndefined();
    // Left to Redis' TTL rather than a GET-then-DEL that could remove a newer write.
    expect(await admin.exists(`${ns}:record:k`)).toBe(1);
  });

  it("bytes that are not a record are ERR_CORRUPT_RECORD naming the key, never 'missing' or an outage", async () => {
    open();
    const cases: [string, () => Promise<unknown>][] = [
      ["garbage", () => admin.set(`${ns}:record:garbage`, "not json {")],
      ["no-envelope", () => admin.set(`${ns}:record:no-envelope`, JSON.stringify(record))],
      ["array", () => admin.set(`${ns}:record:array`, JSON.stringify({ value: [1, 2] }))],
      ["bad-expiry", () => admin.set(`${ns}:record:bad-expiry`, JSON.stringify({ value: record, expires: "soon" }))],
      ["hash", () => admin.hSet(`${ns}:record:hash`, "field", "value")],
    ];
    for (const [key, write] of cases) {
      await write();
      await expect(store.get(key), key).rejects.toMatchObject({ code: "ERR_CORRUPT_RECORD" });
    }
    await expect(store.get("garbage")).rejects.toThrow(/garbage/);
    // Any corrupt key can be overwritten by a normal set (SET replaces any type).
    await store.set("hash", record);
    expect(await store.get("hash")).toEqual(record);
  });

  it("a lock lives at <namespace>:lock:<key> with our token and a lease (PTTL), apart from the record", async () => {
    open();
    await store.set("k", record);
    const release = await store.lock("k", { ttlMs: 30_000, waitMs: 0 });
    const lockKey = `${ns}:lock:k`;
    const pttl = await admin.pTTL(lockKey);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(30_000);
    expect(await admin.get(lockKey)).toMatch(/^[0-9a-f-]{36}$/);
    expect(await store.list("")).toEqual(["k"]);
    await release();
    expect(await admin.exists(lockKey)).toBe(0);
    expect(await store.get("k")).toEqual(record);
  });
});
