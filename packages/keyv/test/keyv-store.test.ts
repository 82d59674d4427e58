import { createSessionManager, type SessionStore } from "@sessionstore/core";
import { createKeyvStore } from "@sessionstore/keyv";
import Keyv, { type KeyvOptions } from "keyv";
import { afterEach, describe, expect, it } from "vitest";

const stores: SessionStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map(async (store) => store.close()));
});

function track<T extends SessionStore>(store: T): T {
  stores.push(store);
  return store;
}

/** A Keyv over a Map we can read and write behind the store's back. */
function memoryKeyv(options: Omit<KeyvOptions, "store"> = {}) {
  const map = new Map<string, unknown>();
  const keyv = new Keyv(map, options);
  return { map, keyv };
}

const record = { v: 1, auth: { accessToken: "at-1", refreshToken: "rt-1" } };

describe("createKeyvStore: construction", () => {
  it("accepts a Keyv instance directly or as options.keyv", async () => {
    const { keyv } = memoryKeyv();
    const direct = track(createKeyvStore(keyv));
    const wrapped = track(createKeyvStore({ keyv }));
    await direct.set("k", record);
    expect(await wrapped.get("k")).toEqual(record);
    expect(direct.keyv).toBe(keyv);
  });

  it("refuses anything that is not a Keyv instance with ERR_INVALID_ARGUMENT", () => {
    for (const bad of [undefined, null, {}, new Map(), { keyv: {} }, { keyv: new Map() }]) {
      expect(() => createKeyvStore(bad as never)).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT" }));
    }
  });

  it("turns throwOnErrors on in the instance (Keyv's get would otherwise hide backend failures)", () => {
    const { keyv } = memoryKeyv();
    expect(keyv.throwOnErrors).toBe(false);
    track(createKeyvStore(keyv));
    expect(keyv.throwOnErrors).toBe(true);
  });

  it("declares lock false; list only when the instance can iterate", () => {
    const { keyv } = memoryKeyv();
    const store = track(createKeyvStore(keyv));
    expect(store.capabilities).toEqual({ lock: false, list: true, nativeExpiry: false });
    expect(store.lock).toBeUndefined();

    const noIterator = new Keyv();
    delete noIterator.iterator;
    const plain = track(createKeyvStore(noIterator));
    expect(plain.capabilities.list).toBe(false);
    expect(plain.list).toBeUndefined();
  });

  it("reads nativeExpiry from the adapter's ttlSupport unless told", () => {
    const adapter = Object.assign(new Map(), { ttlSupport: true });
    expect(track(createKeyvStore(new Keyv(adapter))).capabilities.nativeExpiry).toBe(true);
    expect(track(createKeyvStore({ keyv: new Keyv(adapter), nativeExpiry: false })).capabilities.nativeExpiry).toBe(
      false,
    );
  });
});

describe("createKeyvStore: what is stored", () => {
  it("writes JSON text with our expiresAt and passes Keyv a relative ttl", async () => {
    const { keyv, map } = memoryKeyv({ namespace: "ns" });
    let clock = 1_000_000;
    const store = track(createKeyvStore({ keyv, now: () => clock }));
    const before = Date.now();
    await store.set("k", record, { expiresAt: clock + 60_000 });
    const raw = JSON.parse(map.get("ns:k") as string) as { value: string; expires: number };
    expect(JSON.parse(raw.value)).toEqual({ expiresAt: clock + 60_000, record });
    // Keyv's own expiry is its clock plus the ttl we passed (60 s).
    expect(raw.expires).toBeGreaterThanOrEqual(before + 60_000);
    expect(raw.expires).toBeLessThanOrEqual(Date.now() + 60_000);
    clock += 1;
    expect(await store.get("k")).toEqual(record);
  });

  it("honours expiresAt on read even when the backend keeps the entry", async () => {
    const { keyv, map } = memoryKeyv();
    let clock = Date.now();
    const store = track(createKeyvStore({ keyv, now: () => clock }));
    await store.set("k", record, { expiresAt: clock + 10_000 });
    expect(await store.get("k")).toEqual(record);
    clock += 10_000;
    expect(await store.get("k")).toBeUndefined();
    expect(await store.list?.("")).toEqual([]);
    // Keyv's own clock has not reached its expiry: the entry is still there.
    expect(map.has("keyv:k")).toBe(true);
  });

  it("a record without expiresAt outlives the instance's default ttl", async () => {
    const { keyv } = memoryKeyv({ ttl: 20 });
    const store = track(createKeyvStore(keyv));
    await store.set("k", record);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await store.get("k")).toEqual(record);
  });

  it("keys equal to '<namespace>:<key>' do not collide with '<key>'", async () => {
    const { keyv } = memoryKeyv({ namespace: "sessionstore" });
    const store = track(createKeyvStore(keyv));
    await store.set("default:server", { v: 1, which: "short" });
    await store.set("sessionstore:default:server", { v: 1, which: "long" });
    expect(await store.get("default:server")).toEqual({ v: 1, which: "short" });
    expect(await store.get("sessionstore:default:server")).toEqual({ v: 1, which: "long" });
    expect((await store.list?.(""))?.sort()).toEqual(["default:server", "sessionstore:default:server"]);
  });

  it("lists literally, with a namespace containing ':' and keys with pattern characters", async () => {
    const { keyv } = memoryKeyv({ namespace: "app:v1" });
    const store = track(createKeyvStore(keyv));
    for (const key of ["a%_:1", "a%_:2", "ab:1", "a*:1", "a:1"]) await store.set(key, record);
    expect((await store.list?.("a%_:"))?.sort()).toEqual(["a%_:1", "a%_:2"]);
    expect(await store.list?.("a*")).toEqual(["a*:1"]);
    expect((await store.list?.(""))?.length).toBe(5);
  });

  it("works without key prefixing (useKeyPrefix: false)", async () => {
    const { keyv, map } = memoryKeyv({ useKeyPrefix: false });
    const store = track(createKeyvStore(keyv));
    await store.set("x:y", record);
    expect(map.has("x:y")).toBe(true);
    expect(await store.list?.("x:")).toEqual(["x:y"]);
  });

  it("works when Keyv does not serialize (the Map holds objects): reads are still copies", async () => {
    const { keyv } = memoryKeyv();
    keyv.serialize = undefined;
    keyv.deserialize = undefined;
    const store = track(createKeyvStore(keyv));
    await store.set("k", record);
    const first = await store.get("k");
    (first?.auth as { accessToken: string }).accessToken = "mutated";
    expect(await store.get("k")).toEqual(record);
  });
});

describe("createKeyvStore: corrupt entries", () => {
  const cases: Array<[string, unknown]> = [
    ["a Keyv entry whose value is not our envelope", JSON.stringify({ value: "garbage", expires: null })],
    ["an envelope without a record", JSON.stringify({ value: JSON.stringify({ expiresAt: null }) })],
    ["a Keyv entry that is not an object", JSON.stringify("just a string")],
  ];
  for (const [label, raw] of cases) {
    it(`${label}: get rejects ERR_CORRUPT_RECORD, list shows it, delete clears it, other keys stay readable`, async () => {
      const { keyv, map } = memoryKeyv();
      const store = track(createKeyvStore(keyv));
      await store.set("good", record);
      map.set("keyv:bad", raw);
      await expect(store.get("bad")).rejects.toMatchObject({ code: "ERR_CORRUPT_RECORD" });
      expect(await store.get("good")).toEqual(record);
      expect((await store.list?.(""))?.sort()).toEqual(["bad", "good"]);
      expect(await store.delete("bad")).toBe(true);
      expect(await store.get("bad")).toBeUndefined();
    });
  }

  it("bytes Keyv cannot deserialize: get rejects ERR_CORRUPT_RECORD; list lists the rest and the bad key", async () => {
    const { keyv, map } = memoryKeyv();
    const store = track(createKeyvStore(keyv));
    await store.set("good", record);
    map.set("keyv:bad", "not json {");
    await store.set("zz-after", record);
    await expect(store.get("bad")).rejects.toMatchObject({ code: "ERR_CORRUPT_RECORD" });
    // Keyv's own iterator throws at the entry it cannot deserialize; the store's goes on past it.
    const keyvList = async () => {
      const keys: unknown[] = [];
      for await (const [key] of keyv.iterator?.(undefined) ?? []) keys.push(key);
      return keys;
    };
    await expect(keyvList()).rejects.toThrow(SyntaxError);
    expect((await store.list?.(""))?.sort()).toEqual(["bad", "good", "zz-after"]);
    expect(await store.get("good")).toEqual(record);
    await store.set("bad", { v: 1, fixed: true });
    expect(await store.get("bad")).toEqual({ v: 1, fixed: true });
    map.set("keyv:bad", "not json {");
    expect(await store.delete("bad")).toBe(true);
    expect((await store.list?.(""))?.sort()).toEqual(["good", "zz-after"]);
  });

  it("a SessionManager lists every session and marks the undeserialisable one corrupt", async () => {
    const { keyv, map } = memoryKeyv();
    const sessions = createSessionManager(track(createKeyvStore(keyv)), { namespace: "app" });
    await sessions.forSubject("alice").set({ accessToken: "at-a" }, "password");
    await sessions.forSubject("carol").set({ accessToken: "at-c" }, "password");
    map.set("keyv:app:bob:password", "not json {");
    const listed = (await sessions.list()).map(({ subject, corrupt }) => ({ subject, corrupt: corrupt === true }));
    expect(listed.sort((a, b) => a.subject.localeCompare(b.subject))).toEqual([
      { subject: "alice", corrupt: false },
      { subject: "bob", corrupt: true },
      { subject: "carol", corrupt: false },
    ]);
  });
});

describe("createKeyvStore: close", () => {
  it("rejects calls with ERR_STORE_CLOSED and leaves the caller's Keyv usable", async () => {
    const { keyv } = memoryKeyv();
    let disconnected = false;
    keyv.on("disconnect", () => {
      disconnected = true;
    });
    const store = createKeyvStore(keyv);
    await store.set("k", record);
    await store.close();
    await store.close();
    await expect(store.get("k")).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
    await expect(store.list?.("")).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
    expect(disconnected).toBe(false);
    expect(await track(createKeyvStore(keyv)).get("k")).toEqual(record);
  });
});
