import type { JsonObject } from "@sessionstore/core";
import { defineStore, type RecordCodec, type StoreBackend } from "@sessionstore/core/adapter";
import { describe, expect, it } from "vitest";

const CAPABILITIES = Object.freeze({ lock: false, list: false, nativeExpiry: false });

/** A store on a Map of envelope texts whose codec counts its decodes; the clock is the test's. */
function countingStore() {
  const rows = new Map<string, string>();
  let decodes = 0;
  let clock = 1_000_000;
  const codec: RecordCodec = {
    encode: (record, expiresAt) => JSON.stringify({ record, expiresAt }),
    decode(text) {
      decodes += 1;
      return JSON.parse(text) as { record: JsonObject; expiresAt: number | undefined };
    },
  };
  const backend: StoreBackend = {
    read: (key) => rows.get(key),
    write(key, text) {
      rows.set(key, text);
    },
    remove(key) {
      const text = rows.get(key);
      rows.delete(key);
      return text;
    },
  };
  const { store } = defineStore({
    kind: "counting",
    capabilities: CAPABILITIES,
    backend,
    format: codec,
    now: () => clock,
  });
  return {
    store,
    rows,
    decodes: () => decodes,
    advance(ms: number) {
      clock += ms;
    },
  };
}

describe("the kit decodes a key's unchanged stored text once", () => {
  it("a second read of the same text is not decoded again, and each caller gets a copy of its own", async () => {
    const { store, decodes } = countingStore();
    await store.set("k", { auth: { accessToken: "a1" }, list: [1, { n: 2 }] });
    const first = (await store.get("k")) as JsonObject;
    const second = (await store.get("k")) as JsonObject;
    expect(decodes()).toBe(1);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    // A caller changing its record, however deep, changes nobody else's.
    (first.auth as JsonObject).accessToken = "changed";
    ((first.list as JsonObject[])[1] as JsonObject).n = 99;
    (second.list as unknown[]).push("extra");
    expect(await store.get("k")).toEqual({ auth: { accessToken: "a1" }, list: [1, { n: 2 }] });
  });

  it("new text at the key (another instance's write) is decoded; so is a key after this store wrote or deleted it", async () => {
    const { store, rows, decodes } = countingStore();
    await store.set("k", { v: 1 });
    await store.get("k");
    rows.set("k", JSON.stringify({ record: { v: 2 }, expiresAt: undefined }));
    expect(await store.get("k")).toEqual({ v: 2 });
    expect(decodes()).toBe(2);
    // The same bytes written again: forgotten anyway (the replaced tokens are not kept in memory).
    await store.set("k", { v: 2 });
    await store.get("k");
    expect(decodes()).toBe(3);
    await store.delete("k");
    const afterDelete = decodes();
    rows.set("k", JSON.stringify({ record: { v: 2 }, expiresAt: undefined }));
    await store.get("k");
    expect(decodes()).toBe(afterDelete + 1);
  });

  it("the expiry is still checked on every read of a kept record", async () => {
    const { store, decodes, advance } = countingStore();
    await store.set("k", { v: 1 }, { expiresAt: 1_000_000 + 60_000 });
    expect(await store.get("k")).toEqual({ v: 1 });
    advance(60_001);
    expect(await store.get("k")).toBeUndefined();
    expect(decodes()).toBe(1);
  });

  it("corrupt text is not kept: every read reports it", async () => {
    const { store, rows } = countingStore();
    rows.set("k", "{not json");
    for (let read = 0; read < 2; read += 1) {
      await expect(store.get("k")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    }
  });
});

describe("what the kit keeps of decoded records", () => {
  it("1,024 keys at most: reading a 1,025th drops the oldest", async () => {
    const { store, decodes } = countingStore();
    const keys = Array.from({ length: 1025 }, (_, index) => `k${index}`);
    for (const key of keys) await store.set(key, { key });
    for (const key of keys.slice(0, 1024)) await store.get(key);
    await store.get("k0");
    expect(decodes()).toBe(1024);
    await store.get("k1024");
    await store.get("k0");
    expect(decodes()).toBe(1026);
  });

  it("a `__proto__` field read from JSON stays a field of the copy, not its prototype", async () => {
    const { store, rows } = countingStore();
    rows.set("k", '{"record":{"__proto__":{"polluted":true},"v":1}}');
    await store.get("k");
    const copy = (await store.get("k")) as JsonObject;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, "__proto__")).toBe(true);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"polluted":true},"v":1}');
  });
});
